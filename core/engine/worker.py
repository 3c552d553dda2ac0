"""One supervised worker per repository: its queue of jobs and its explicit state.

Every trigger (the scheduler's timer, a user's click, the CLI) becomes a job on
the repository's queue, so one repository never runs two jobs at once inside
the process (the sync lock covers other processes). A user's job goes before
background ones; a job already queued absorbs an identical trigger instead of
running twice. If the loop itself crashes (a bug, not a failed sync: those are
results), the supervisor records the error, fails the job in hand, and starts
the loop again.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from core.engine.report import SyncReport
from core.events import EventBus, StateChanged, SyncFinished
from core.model import RepoState
from core.results import CANCELLED_MESSAGE, ResultKind

log = logging.getLogger(__name__)

RESTART_DELAY_SECONDS = 1.0


class JobKind(enum.IntEnum):
    """What a job does; the value is its priority (lower runs first)."""

    USER_SYNC = 0
    USER_FETCH = 1
    BACKGROUND_FETCH = 2

    @property
    def fetch_only(self) -> bool:
        return self is not JobKind.USER_SYNC

    @property
    def busy_state(self) -> RepoState:
        return RepoState.FETCHING if self.fetch_only else RepoState.SYNCING


@dataclass(order=True)
class Job:
    """Ordered by kind alone: the queue holds at most one job of each kind."""

    kind: JobKind
    done: asyncio.Future[SyncReport] = field(compare=False)
    skip_remotes: frozenset[str] = field(default=frozenset(), compare=False)


Runner = Callable[[Job], Coroutine[Any, Any, SyncReport]]
ErrorSink = Callable[[BaseException], Awaitable[None]]

_STATE_AFTER = {
    ResultKind.OFFLINE: RepoState.OFFLINE,
    ResultKind.ERROR: RepoState.ERROR,
    ResultKind.AUTH_FAILED: RepoState.ERROR,
}


class RepoWorker:
    def __init__(
        self,
        repo_id: int,
        name: str,
        run: Runner,
        bus: EventBus,
        *,
        on_crash: ErrorSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.repo_id, self.name = repo_id, name
        self._run, self._bus, self._on_crash, self._clock = run, bus, on_crash, clock
        self._queue: asyncio.PriorityQueue[Job] = asyncio.PriorityQueue()
        self._queued: dict[JobKind, Job] = {}
        self._task: asyncio.Task[None] | None = None
        self._current: asyncio.Future[SyncReport] | None = None
        self._running: asyncio.Task[SyncReport] | None = None
        self.state = RepoState.IDLE
        self._since = clock()
        self.crashes = 0

    # Commands ---------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._supervise(), name=f"worker:{self.name}")

    def submit(
        self, kind: JobKind, *, skip_remotes: frozenset[str] = frozenset()
    ) -> asyncio.Future[SyncReport]:
        """Queue a job (or join the one of that kind already queued); its future is the report."""
        queued = self._queued.get(kind)
        if queued is not None:
            return queued.done
        job = Job(kind, asyncio.get_running_loop().create_future(), skip_remotes)
        self._queued[kind] = job
        self._queue.put_nowait(job)
        return job.done

    def cancel_current(self) -> bool:
        """Cancel the job running now (a user's Cancel); the worker goes on with the next."""
        running = self._running
        if running is None or running.done():
            return False
        return running.cancel()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def stop(self, grace: float) -> None:
        """Let the running job finish for up to `grace` seconds, then cancel; drop queued jobs."""
        while not self._queue.empty():
            job = self._queue.get_nowait()
            job.done.cancel()
        self._queued.clear()
        if self._task is None:
            return
        task, self._task = self._task, None
        current = self._current
        if current is not None and not current.done():
            await asyncio.wait([current], timeout=grace)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    # The loop -----------------------------------------------------------------

    async def _supervise(self) -> None:
        while True:
            try:
                await self._loop()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.crashes += 1
                log.exception("worker for %s crashed; restarting", self.name)
                self._set_state(RepoState.ERROR)
                if self._on_crash is not None:
                    await self._on_crash(exc)
                await asyncio.sleep(RESTART_DELAY_SECONDS)

    async def _loop(self) -> None:
        while True:
            job = await self._queue.get()
            self._queued.pop(job.kind, None)
            if job.done.cancelled():
                continue
            self._set_state(job.kind.busy_state)
            self._current = job.done
            self._running = running = asyncio.create_task(self._run(job), name=f"job:{self.name}")
            try:
                report = await asyncio.shield(running)
            except asyncio.CancelledError:
                if not running.cancelled():  # the worker itself is stopping
                    running.cancel()
                    await asyncio.gather(running, return_exceptions=True)
                    job.done.cancel()
                    raise
                report = SyncReport(self.name, ResultKind.ERROR, CANCELLED_MESSAGE)
            except Exception as exc:
                if not job.done.done():
                    job.done.set_exception(exc)
                raise
            finally:
                self._running = None
            cancelled = report.message == CANCELLED_MESSAGE
            self._set_state(RepoState.IDLE if cancelled else _STATE_AFTER.get(report.result, RepoState.IDLE))
            self._bus.publish(
                SyncFinished(self.repo_id, self.name, report.result, report.message, report.to_json())
            )
            if not job.done.done():
                job.done.set_result(report)

    def _set_state(self, state: RepoState) -> None:
        if state is self.state:
            return
        now = self._clock()
        previous, self.state = self.state, state
        self._bus.publish(StateChanged(self.repo_id, self.name, previous, state, now - self._since))
        self._since = now
