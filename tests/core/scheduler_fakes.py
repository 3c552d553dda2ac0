"""A hand-driven clock, a battery and a recording trigger for the scheduler's tests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from core.engine.fetch_outcome import FetchJob, FetchOutcome, Reason
from core.platform.battery import BatteryReading

# Enough loop turns for every ready task to reach its next await on the fake clock.
SETTLE_TURNS = 200


async def settle() -> None:
    for _ in range(SETTLE_TURNS):
        await asyncio.sleep(0)


class FakeClock:
    """Time moves only in `advance`; sleepers wake in deadline order, each at its deadline."""

    def __init__(self, mono: float = 10_000.0, wall: float = 1_800_000_000.0) -> None:
        self.mono = mono
        self.wall_time = wall
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> float:
        return self.wall_time

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.mono + seconds, next(self._seq), future))
        await future

    async def advance(self, seconds: float) -> None:
        target = self.mono + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():
                continue
            self._move_to(max(deadline, self.mono))
            future.set_result(None)
            await settle()
        self._move_to(target)
        await settle()

    def suspend(self, seconds: float) -> None:
        """The machine slept: wall time moved, the (Linux) monotonic clock did not."""
        self.wall_time += seconds

    def _move_to(self, mono: float) -> None:
        self.wall_time += mono - self.mono
        self.mono = mono


class FakePower:
    def __init__(self, reading: BatteryReading | None = None) -> None:
        self.reading = reading

    async def battery(self) -> BatteryReading | None:
        return self.reading


@dataclass
class Call:
    repo_id: int
    job: FetchJob
    started: float
    ended: float | None = None


@dataclass
class Remotes:
    """A trigger whose fetches take `duration` fake seconds and end as `outcome_for` says."""

    clock: FakeClock
    duration: float = 0.0
    outcome_for: Callable[[int, FetchJob], FetchOutcome] = lambda _repo, _job: FetchOutcome.ok("origin")
    calls: list[Call] = field(default_factory=list)
    running: int = 0
    peak: int = 0

    async def __call__(self, repo_id: int, job: FetchJob) -> FetchOutcome:
        call = Call(repo_id, job, self.clock.monotonic())
        self.calls.append(call)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await self.clock.sleep(self.duration)
            return self.outcome_for(repo_id, job)
        finally:
            self.running -= 1
            call.ended = self.clock.monotonic()

    def starts(self, repo_id: int | None = None, reason: Reason | None = None) -> list[float]:
        return [
            c.started
            for c in self.calls
            if (repo_id is None or c.repo_id == repo_id) and (reason is None or c.job.reason is reason)
        ]

    def repos(self) -> list[int]:
        return [c.repo_id for c in self.calls]
