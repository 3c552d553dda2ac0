"""The per-repository worker: one job at a time, user first, supervised; its published state."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from core.engine import worker as worker_module
from core.engine.report import SyncReport
from core.engine.worker import Job, JobKind, RepoWorker
from core.events import EventBus, StateChanged, Subscription, SyncFinished
from core.model import RepoState
from core.results import CANCELLED_MESSAGE, ResultKind


class Runner:
    """Runs jobs on command: each job waits until the test releases it."""

    def __init__(self) -> None:
        self.started: list[JobKind] = []
        self.running = 0
        self.peak = 0
        self.release = asyncio.Event()
        self.results: list[ResultKind] = []
        self.fail_next: Exception | None = None

    async def __call__(self, job: Job) -> SyncReport:
        self.started.append(job.kind)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await self.release.wait()
            if self.fail_next is not None:
                exc, self.fail_next = self.fail_next, None
                raise exc
            result = self.results.pop(0) if self.results else ResultKind.OK
            return SyncReport("r", result=result, message=str(result))
        finally:
            self.running -= 1


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


async def test_user_sync_goes_before_queued_background_jobs(bus: EventBus) -> None:
    runner = Runner()
    worker = RepoWorker(1, "r", runner, bus)
    worker.start()
    first = worker.submit(JobKind.BACKGROUND_FETCH)
    await settle()
    fetch_again = worker.submit(JobKind.BACKGROUND_FETCH)
    joined = worker.submit(JobKind.BACKGROUND_FETCH)
    user = worker.submit(JobKind.USER_SYNC)
    assert joined is fetch_again and worker.pending == 2
    runner.release.set()
    reports = await asyncio.gather(first, fetch_again, user)
    assert [r.result for r in reports] == [ResultKind.OK] * 3
    assert runner.started == [JobKind.BACKGROUND_FETCH, JobKind.USER_SYNC, JobKind.BACKGROUND_FETCH]
    assert runner.peak == 1
    await worker.stop(grace=1)


async def test_states_and_results_are_published(bus: EventBus) -> None:
    events = bus.subscribe()
    runner = Runner()
    runner.results = [ResultKind.OFFLINE, ResultKind.OK]
    runner.release.set()
    worker = RepoWorker(7, "r", runner, bus)
    worker.start()
    assert (await worker.submit(JobKind.BACKGROUND_FETCH)).result == ResultKind.OFFLINE
    assert worker.state is RepoState.OFFLINE
    await worker.submit(JobKind.USER_SYNC)
    assert worker.state is RepoState.IDLE
    await worker.stop(grace=1)
    seen = []
    while True:
        try:
            seen.append(events.get_nowait())
        except asyncio.QueueEmpty:
            break
    states = [(e.from_state, e.to_state) for e in seen if isinstance(e, StateChanged)]
    assert states == [
        (RepoState.IDLE, RepoState.FETCHING),
        (RepoState.FETCHING, RepoState.OFFLINE),
        (RepoState.OFFLINE, RepoState.SYNCING),
        (RepoState.SYNCING, RepoState.IDLE),
    ]
    assert all(e.repo_id == 7 and e.duration >= 0 for e in seen if isinstance(e, StateChanged))
    assert [e.result for e in seen if isinstance(e, SyncFinished)] == [ResultKind.OFFLINE, ResultKind.OK]


async def test_a_crash_is_recorded_and_the_worker_restarts(
    bus: EventBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "RESTART_DELAY_SECONDS", 0)
    crashes: list[BaseException] = []

    async def on_crash(exc: BaseException) -> None:
        crashes.append(exc)

    runner = Runner()
    runner.fail_next = RuntimeError("bug")
    runner.release.set()
    worker = RepoWorker(1, "r", runner, bus, on_crash=on_crash)
    worker.start()
    with pytest.raises(RuntimeError, match="bug"):
        await worker.submit(JobKind.USER_SYNC)
    assert [str(c) for c in crashes] == ["bug"] and worker.crashes == 1
    assert (await worker.submit(JobKind.USER_SYNC)).result == ResultKind.OK
    assert worker.state is RepoState.IDLE
    await worker.stop(grace=1)


async def test_a_job_whose_start_fails_ends_with_the_error_and_the_worker_goes_on(
    bus: EventBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job taken off the queue fails before its task exists (in the app: the task's
    creation met no running event loop, a step Qt ran while the loop stood still): its
    future ends with that error. It stayed pending for ever, and the auto sync awaiting
    it held the daemon's stop for the final sync's whole bound (tests/gui/test_tray.py's
    slow stops)."""
    monkeypatch.setattr(worker_module, "RESTART_DELAY_SECONDS", 0)
    crashes: list[BaseException] = []

    async def on_crash(exc: BaseException) -> None:
        crashes.append(exc)

    runner = Runner()
    runner.release.set()
    refused = [RuntimeError("no running event loop")]

    def start(job: Job) -> Coroutine[Any, Any, SyncReport]:
        if refused:
            raise refused.pop()
        return runner(job)

    worker = RepoWorker(1, "r", start, bus, on_crash=on_crash)
    worker.start()
    lost = worker.submit(JobKind.AUTO_SYNC)
    await settle()  # taken off the queue: its start failed
    after = worker.submit(JobKind.USER_SYNC)
    assert (await after).result == ResultKind.OK  # the worker went on, after the failed start
    assert lost.done() and isinstance(lost.exception(), RuntimeError)
    assert [str(c) for c in crashes] == ["no running event loop"] and worker.crashes == 1
    assert runner.started == [JobKind.USER_SYNC]
    await worker.stop(grace=1)


async def test_stop_waits_for_the_running_job_then_cancels(bus: EventBus) -> None:
    runner = Runner()
    worker = RepoWorker(1, "r", runner, bus)
    worker.start()
    running = worker.submit(JobKind.USER_SYNC)
    queued = worker.submit(JobKind.BACKGROUND_FETCH)
    await settle()
    await worker.stop(grace=0.05)
    assert queued.cancelled() and running.cancelled()
    assert runner.started == [JobKind.USER_SYNC] and runner.running == 0

    finishing = RepoWorker(2, "s", runner, bus)
    finishing.start()
    job = finishing.submit(JobKind.USER_SYNC)
    await settle()
    asyncio.get_running_loop().call_later(0.05, runner.release.set)
    await finishing.stop(grace=5)
    assert job.done() and job.result().result == ResultKind.OK


async def test_cancel_current_ends_the_job_as_cancelled_and_the_worker_goes_on(bus: EventBus) -> None:
    runner = Runner()
    worker = RepoWorker(1, "r", runner, bus)
    worker.start()
    finished = bus.subscribe(kinds=(SyncFinished,))
    first = worker.submit(JobKind.USER_SYNC)
    await settle()
    assert worker.state is RepoState.SYNCING
    assert worker.cancel_current()
    report = await asyncio.wait_for(first, 5)
    assert (report.result, report.message) == (ResultKind.ERROR, CANCELLED_MESSAGE)
    event = await asyncio.wait_for(finished.get(), 5)
    assert isinstance(event, SyncFinished) and event.message == "cancelled"
    assert worker.state is RepoState.IDLE
    assert not worker.cancel_current()  # nothing runs now
    runner.release.set()
    second = await asyncio.wait_for(worker.submit(JobKind.BACKGROUND_FETCH), 5)
    assert second.result is ResultKind.OK
    assert worker.state is RepoState.IDLE
    await worker.stop(grace=0)


def drain_states(events: Subscription) -> list[tuple[RepoState, RepoState]]:
    out = []
    while True:
        try:
            event = events.get_nowait()
        except asyncio.QueueEmpty:
            return out
        if isinstance(event, StateChanged):
            out.append((event.from_state, event.to_state))


async def test_a_hold_is_the_state_between_jobs_and_every_resting_state_is_recorded(bus: EventBus) -> None:
    events = bus.subscribe()
    recorded: list[RepoState] = []

    async def record(state: RepoState) -> None:
        recorded.append(state)

    runner = Runner()
    runner.results = [ResultKind.OK, ResultKind.ERROR, ResultKind.OK]
    runner.release.set()
    worker = RepoWorker(3, "r", runner, bus, on_state=record)
    worker.start()
    worker.hold(RepoState.PAUSED, True)
    assert worker.state is RepoState.PAUSED
    await worker.submit(JobKind.USER_SYNC)  # a user's sync runs while paused...
    assert worker.state is RepoState.PAUSED  # ...and the worker goes back to paused
    worker.hold(RepoState.TRIPPED, True)  # the most telling hold wins
    worker.hold(RepoState.OFFLINE, True)
    assert worker.state is RepoState.TRIPPED
    worker.hold(RepoState.TRIPPED, False)
    assert worker.state is RepoState.OFFLINE
    worker.hold(RepoState.OFFLINE, False)
    worker.hold(RepoState.PAUSED, False)
    assert worker.state is RepoState.IDLE
    await worker.submit(JobKind.BACKGROUND_FETCH)
    assert worker.state is RepoState.ERROR  # no hold: what the last job left
    worker.hold(RepoState.PAUSED, True)
    worker.hold(RepoState.PAUSED, False)
    assert worker.state is RepoState.ERROR
    await worker.submit(JobKind.USER_SYNC)
    assert worker.state is RepoState.IDLE
    await settle()
    await worker.stop(grace=1)
    assert drain_states(events) == [
        (RepoState.IDLE, RepoState.PAUSED),
        (RepoState.PAUSED, RepoState.SYNCING),
        (RepoState.SYNCING, RepoState.PAUSED),
        (RepoState.PAUSED, RepoState.TRIPPED),
        (RepoState.TRIPPED, RepoState.OFFLINE),
        (RepoState.OFFLINE, RepoState.PAUSED),
        (RepoState.PAUSED, RepoState.IDLE),
        (RepoState.IDLE, RepoState.FETCHING),
        (RepoState.FETCHING, RepoState.ERROR),
        (RepoState.ERROR, RepoState.PAUSED),
        (RepoState.PAUSED, RepoState.ERROR),
        (RepoState.ERROR, RepoState.SYNCING),
        (RepoState.SYNCING, RepoState.IDLE),
    ]
    assert recorded[-1] is RepoState.IDLE  # the store ends with the state the bus ended with
    assert not {RepoState.SYNCING, RepoState.FETCHING} & set(recorded)  # a sync records those itself
    with pytest.raises(ValueError):
        worker.hold(RepoState.SYNCING, True)


async def test_a_worker_corrects_the_state_a_previous_run_left_in_the_store(bus: EventBus) -> None:
    events = bus.subscribe()
    recorded: list[RepoState] = []

    async def record(state: RepoState) -> None:
        recorded.append(state)

    worker = RepoWorker(4, "r", Runner(), bus, on_state=record, state=RepoState.SYNCING)
    worker.hold(RepoState.PAUSED, True)
    worker.start()
    await settle()
    assert drain_states(events) == [(RepoState.SYNCING, RepoState.PAUSED)]
    assert recorded == [RepoState.PAUSED]
    await worker.stop(grace=0)
