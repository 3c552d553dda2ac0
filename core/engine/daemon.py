"""The background engine, run by `gitferry daemon` and by the desktop app.

It builds the engine (pool, bus, a worker per repository) and the scheduler
over it, fetches every repository on its own interval, keeps the pool and the
store trimmed, and when stopped (SIGINT/SIGTERM for the daemon, Quit in the
app) stops starting jobs, gives running ones a few seconds to finish, cancels
the rest and closes the store. While it runs, a client drives it with the
commands below: watch or unwatch a repository, sync one now, cancel its job,
pause and resume the background fetches.

Why background work stops shows in every repository's published state: the
daemon holds the workers `paused` (the user's pause or a low battery),
`offline` (no remote answers) or `tripped` (a remote the breaker left out).

The store is a cache that can be lost under the daemon (deleted, replaced,
damaged): the store reopens or rebuilds itself (`core.store.database`), and the
daemon then registers again what it watches, under the same ids, and re-reads
their remotes from git. Its workers and schedule go on untouched.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from core.engine.breaker import RemoteBreaker
from core.engine.clock import Clock, SystemClock, wall_datetime
from core.engine.core import Core
from core.engine.engine import Engine
from core.engine.fetch_outcome import FetchJob, FetchOutcome
from core.engine.job_limits import JobLimits
from core.engine.power import PsutilPower
from core.engine.remotes_mirror import mirror_all_remotes
from core.engine.report import SyncReport
from core.engine.scheduler import FetchScheduler
from core.errors import GitferryError
from core.events import EventBus, RemoteTripped
from core.model import RepoRecord, RepoState
from core.platform.stop_signals import on_stop_signals
from core.pool import RepoPool
from core.results import CANCELLED_MESSAGE, ResultKind
from core.store.database import Reopened

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 600.0
STOP_GRACE_SECONDS = 3.0


def as_outcome(report: SyncReport) -> FetchOutcome:
    """What the scheduler needs to know of a background fetch's report."""
    if report.message == CANCELLED_MESSAGE:
        return FetchOutcome.ok()  # the user's Cancel: no failure to back off from
    answered = tuple(report.answered_remotes)
    if report.failed_remotes:
        if report.result is ResultKind.OFFLINE and not answered:
            return FetchOutcome.offline(report.failed_remotes)
        return FetchOutcome.failure(report.failed_remotes, answered)
    if not report.result.succeeded and report.result not in (ResultKind.DIVERGED, ResultKind.UNPUBLISHED):
        return FetchOutcome.crashed(report.message)
    # `diverged`: every remote answered, one deleted an upstream (the user's to settle);
    # `unpublished`: every remote answered, a branch is on none of them (the user's to publish).
    return FetchOutcome.ok(*answered)


class Daemon:
    def __init__(self, core: Core, *, clock: Clock | None = None, bus: EventBus | None = None) -> None:
        self.core = core
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.engine: Engine | None = None
        self.scheduler: FetchScheduler | None = None
        self._stop = asyncio.Event()
        self._watched: dict[int, RepoRecord] = {}  # what it watches, should the store lose it
        self.started = asyncio.Event()
        """Set once the engine and the scheduler exist: the commands below work from then on."""

    def stop(self) -> None:
        self._stop.set()

    # Commands (after `started`) ------------------------------------------------

    def watch(self, record: RepoRecord, interval: float, *, tripped: bool = False) -> None:
        """A newly registered repository: give it a worker and fetch it every `interval` s
        (one already watched just takes the new interval)."""
        engine, scheduler = self._running()
        self._watched[record.id] = record
        if record.id in engine.workers:
            scheduler.set_interval(record.id, interval)
            return
        engine.add(record, held=[RepoState.TRIPPED] if tripped else [])
        scheduler.add(record.id, record.path, interval)

    async def unwatch(self, repo_id: int) -> None:
        """A removed repository: no more fetches; its running job is cancelled."""
        engine, scheduler = self._running()
        self._watched.pop(repo_id, None)
        scheduler.remove(repo_id)
        engine.cancel(repo_id)
        await engine.remove(repo_id)

    async def sync_now(self, repo_id: int) -> SyncReport:
        return await self._running()[0].sync(repo_id)

    def cancel(self, repo_id: int) -> bool:
        return self._running()[0].cancel(repo_id)

    def set_interval(self, repo_id: int, seconds: float) -> None:
        self._running()[1].set_interval(repo_id, seconds)

    def set_pause_on_battery(self, enabled: bool) -> None:
        self._running()[1].set_pause_on_battery(enabled)

    def set_max_concurrent(self, max_concurrent: int) -> None:
        self._running()[1].set_max_concurrent(max_concurrent)

    def set_fetch_deadline(self, seconds: float) -> None:
        self._running()[1].set_fetch_deadline(seconds)

    def pause(self) -> None:
        self._running()[1].pause()

    def resume(self) -> None:
        self._running()[1].resume()

    def _running(self) -> tuple[Engine, FetchScheduler]:
        if self.engine is None or self.scheduler is None:
            raise RuntimeError("the daemon has not started")
        return self.engine, self.scheduler

    # The run ------------------------------------------------------------------

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
            on_pause=self._paused,
            limits=JobLimits(fetch_deadline=float(settings.fetch_deadline)),
        )
        self.core.store.on_reopen(self._store_reopened)
        for record in await self.core.store.repos():
            interval = (await self.core.store.repo_settings(record.id)).fetch_interval
            await breaker.load(record.id)  # a trip outlives a restart: show it from the start
            tripped = bool(breaker.tripped(record.id, wall_datetime(self.clock)))
            self.watch(record, float(interval), tripped=tripped)
        log.info("watching %d repositories", len(engine.workers))
        self.started.set()
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
        self.engine.hold(RepoState.TRIPPED, bool(job.skip_remotes), repo_id)  # a cool-down may be over
        report = await self.engine.fetch(repo_id, skip_remotes=job.skip_remotes, deadline=job.deadline)
        return as_outcome(report)

    async def _upkeep(self, pool: RepoPool) -> None:
        while True:
            await self.clock.sleep(UPKEEP_SECONDS)
            await pool.sweep()
            try:
                await self.core.store.upkeep()
            except GitferryError as exc:  # the store reopens itself; next round then
                log.warning("store upkeep skipped: %s", exc)

    async def _store_reopened(self, reopened: Reopened) -> None:
        """The store was reopened under the daemon, maybe rebuilt: what it watches is
        registered again (under the same ids) if the new store lacks it, and the
        remotes of a rebuilt store are read again from git."""
        restored = await self.core.store.restore_repos(list(self._watched.values()))
        if restored:
            log.warning(
                "registered again %s, which the status store had lost", ", ".join(r.name for r in restored)
            )
        if restored or reopened.recovery is not None:
            await mirror_all_remotes(self.core)

    def _tripped(self, repo_id: int, remote: str, until: datetime) -> None:
        name = self.engine.workers[repo_id].name if self.engine and repo_id in self.engine.workers else ""
        log.warning("%s: remote %s tripped until %s", name, remote, until.isoformat())
        self.bus.publish(RemoteTripped(repo_id, name, remote, until))
        if self.engine is not None:
            self.engine.hold(RepoState.TRIPPED, True, repo_id)

    def _offline(self, offline: bool) -> None:
        log.warning("offline: remotes unreachable" if offline else "online again")
        if self.engine is not None:
            self.engine.hold(RepoState.OFFLINE, offline)

    def _paused(self, paused: bool) -> None:
        log.info("background fetch %s", "paused" if paused else "resumed")
        if self.engine is not None:
            self.engine.hold(RepoState.PAUSED, paused)


async def run_until_signalled(core: Core) -> None:
    """Run the daemon until SIGINT or SIGTERM."""
    daemon = Daemon(core)
    undo = on_stop_signals(asyncio.get_running_loop(), daemon.stop)
    try:
        await daemon.run()
    finally:
        undo()
