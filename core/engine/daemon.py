"""`gitferry daemon`: the background engine without a GUI, until told to stop.

It builds the engine (pool, bus, a worker per repository) and the scheduler
over it, fetches every repository on its own interval, keeps the pool and the
store trimmed, and on SIGINT/SIGTERM stops starting jobs, gives running ones a
few seconds to finish, cancels the rest and closes the store.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime

from core.engine.breaker import RemoteBreaker
from core.engine.clock import Clock, SystemClock
from core.engine.core import Core
from core.engine.engine import Engine
from core.engine.fetch_outcome import FetchJob, FetchOutcome
from core.engine.power import PsutilPower
from core.engine.report import SyncReport
from core.engine.scheduler import FetchScheduler
from core.events import EventBus, RemoteTripped
from core.pool import RepoPool
from core.results import ResultKind

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 600.0
STOP_GRACE_SECONDS = 3.0


def as_outcome(report: SyncReport) -> FetchOutcome:
    """What the scheduler needs to know of a background fetch's report."""
    answered = tuple(report.answered_remotes)
    if report.failed_remotes:
        if report.result is ResultKind.OFFLINE and not answered:
            return FetchOutcome.offline(report.failed_remotes)
        return FetchOutcome.failure(report.failed_remotes, answered)
    if not report.result.succeeded:
        return FetchOutcome.crashed(report.message)
    return FetchOutcome.ok(*answered)


class Daemon:
    def __init__(self, core: Core, *, clock: Clock | None = None, bus: EventBus | None = None) -> None:
        self.core = core
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.engine: Engine | None = None
        self.scheduler: FetchScheduler | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        settings = await self.core.store.app_settings()
        pool = RepoPool(self.core.offload, ttl=settings.pool_ttl, budget=settings.memory_budget)
        self.engine = engine = Engine(self.core, self.bus, pool)
        breaker = RemoteBreaker(self.core.store.remote_health, on_trip=self._tripped)
        self.scheduler = scheduler = FetchScheduler(
            self.clock,
            trigger=self._fetch,
            max_concurrent=settings.max_concurrent,
            breaker=breaker,
            power=PsutilPower(self.core.offload),
            pause_on_battery=settings.pause_on_battery,
            on_offline=self._offline,
        )
        await engine.start()
        for record in await self.core.store.repos():
            interval = (await self.core.store.repo_settings(record.id)).fetch_interval
            scheduler.add(record.id, record.path, float(interval))
        log.info("watching %d repositories", len(engine.workers))
        running = asyncio.create_task(scheduler.run())
        upkeep = asyncio.create_task(self._upkeep(pool))
        try:
            await self._stop.wait()
        finally:
            upkeep.cancel()
            scheduler.stop()  # no new jobs; running ones may finish within the grace period
            _done, pending = await asyncio.wait([running], timeout=STOP_GRACE_SECONDS)
            if pending:
                scheduler.stop(cancel_running=True)
            await asyncio.gather(running, upkeep, return_exceptions=True)
            await engine.stop(grace=0)

    async def _fetch(self, repo_id: int, job: FetchJob) -> FetchOutcome:
        assert self.engine is not None
        report = await self.engine.fetch(repo_id, skip_remotes=job.skip_remotes)
        return as_outcome(report)

    async def _upkeep(self, pool: RepoPool) -> None:
        while True:
            await self.clock.sleep(UPKEEP_SECONDS)
            await pool.sweep()
            await self.core.store.upkeep()

    def _tripped(self, repo_id: int, remote: str, until: datetime) -> None:
        name = self.engine.workers[repo_id].name if self.engine and repo_id in self.engine.workers else ""
        log.warning("%s: remote %s tripped until %s", name, remote, until.isoformat())
        self.bus.publish(RemoteTripped(repo_id, name, remote, until))

    def _offline(self, offline: bool) -> None:
        log.warning("offline: remotes unreachable" if offline else "online again")


async def run_until_signalled(core: Core) -> None:
    """Run the daemon until SIGINT or SIGTERM."""
    daemon = Daemon(core)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, daemon.stop)
    try:
        await daemon.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
