"""One supervised worker per repository: its queue of jobs and its explicit state.

Every trigger (the scheduler's timer, a user's click, the CLI) becomes a job on
the repository's queue, so one repository never runs two jobs at once inside
the process (the sync lock covers other processes). A user's job goes before
background ones; a job already queued absorbs an identical trigger instead of
running twice. If the loop itself crashes (a bug, not a failed sync: those are
results), the supervisor records the error, fails the job in hand, and starts
the loop again. The job in hand is every job taken off the queue, started or
not: its future always ends, so nothing awaiting it (a user's sync, an auto
sync, the daemon's last sync at stop) waits for ever.

Between jobs the state says why nothing runs: a hold the engine placed
(`tripped`, `offline`, `paused`, most telling first) or else what the last job
left (`idle`, `offline`, `error`). Every change is published on the bus and
recorded in the status store, so every client reads the same state.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.engine.report import SyncReport
from core.events import EventBus, StateChanged, SyncFinished
from core.model import RepoState
from core.results import CANCELLED_MESSAGE, ResultKind

if TYPE_CHECKING:
    from core.git.transfer.signer import SignInPrompt
    from core.git.transfer.ssh_questions import SshPrompt

log = logging.getLogger(__name__)

RESTART_DELAY_SECONDS = 1.0
RECORD_GRACE_SECONDS = 2.0  # at stop: time for the state record in hand to land


class JobKind(enum.IntEnum):
    """What a job does; the value is its priority (lower runs first)."""

    USER_SYNC = 0
    AUTO_SYNC = 1  # auto mode's unattended sync (core.engine.auto_sync): the whole sync, nobody asked
    BACKGROUND_FETCH = 2

    @property
    def fetch_only(self) -> bool:
        return self is JobKind.BACKGROUND_FETCH

    @property
    def busy_state(self) -> RepoState:
        return RepoState.FETCHING if self.fetch_only else RepoState.SYNCING


@dataclass(order=True)
class Job:
    """Ordered by kind alone: the queue holds at most one job of each kind."""

    kind: JobKind
    done: asyncio.Future[SyncReport] = field(compare=False)
    skip_remotes: frozenset[str] = field(default=frozenset(), compare=False)
    deadline: float | None = field(default=None, compare=False)  # seconds, from its start
    unsettled: frozenset[str] = field(default=frozenset(), compare=False)  # paths not to commit yet
    settle_age: float | None = field(default=None, compare=False)  # nor files modified this recently
    snapshot: frozenset[str] = field(default=frozenset(), compare=False)  # changing too long: by snapshot
    # A user's sync asked for by the CLI through the engine (`core.engine.cli_server`):
    # its own options, and who it asks (the CLI's, not the app's); None: as `kind` says.
    request: UserRequest | None = field(default=None, compare=False)

    @property
    def busy_state(self) -> RepoState:
        fetch_only = self.request is not None and self.request.fetch_only
        return RepoState.FETCHING if fetch_only else self.kind.busy_state


@dataclass(frozen=True, eq=False)
class UserRequest:
    """What a user's sync started elsewhere than the app asks of the engine: a fetch only,
    no push, and the prompts its questions go to (None: nobody is asked). Never merged
    with another queued sync (`eq=False`: each is its own)."""

    fetch_only: bool = False
    push: bool = True
    sign_in_prompt: SignInPrompt | None = None
    ssh_prompt: SshPrompt | None = None
    askpass: bool = False  # the user's askpass program may be run (`Core.askpass`)


Runner = Callable[[Job], Coroutine[Any, Any, SyncReport]]
ErrorSink = Callable[[BaseException], Awaitable[None]]
StateSink = Callable[[RepoState], Awaitable[None]]

BUSY_STATES = frozenset({RepoState.FETCHING, RepoState.SYNCING})
HOLDS = (RepoState.TRIPPED, RepoState.OFFLINE, RepoState.PAUSED)
"""States the engine holds a worker in while it has no job, the most telling first:
a tripped remote needs the user, offline explains a pause it did not ask for."""

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
        on_state: StateSink | None = None,
        state: RepoState = RepoState.IDLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`state` is the one the store last recorded: `start` publishes the move from it
        to the worker's real state (a killed app may have left `syncing` behind);
        `on_state` records each state the worker rests in."""
        self.repo_id, self.name = repo_id, name
        self._run, self._bus, self._on_crash, self._clock = run, bus, on_crash, clock
        self._on_state = on_state
        self._queue: asyncio.PriorityQueue[Job] = asyncio.PriorityQueue()
        self._queued: dict[tuple[JobKind, UserRequest | None], Job] = {}
        self._task: asyncio.Task[None] | None = None
        self._recorder: asyncio.Task[None] | None = None
        self._unrecorded = asyncio.Event()
        self._stopping = False
        self._current: asyncio.Future[SyncReport] | None = None
        self._running: asyncio.Task[SyncReport] | None = None
        self._running_request: UserRequest | None = None
        self.state = state
        self._holds: set[RepoState] = set()
        self._left = RepoState.IDLE  # what the last job left
        self._since = clock()
        self.crashes = 0

    # Commands ---------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._supervise(), name=f"worker:{self.name}")
            if self._on_state is not None:
                self._recorder = asyncio.create_task(self._record_states(), name=f"state:{self.name}")
            self._set_state(self._resting())  # the store's state may be stale: correct it

    def hold(self, state: RepoState, on: bool) -> None:
        """Hold the worker in `state` (one of `HOLDS`) while it has no job, or let go."""
        if state not in HOLDS:
            raise ValueError(f"{state} is not a state the engine holds a worker in")
        if on == (state in self._holds):
            return
        if on:
            self._holds.add(state)
        else:
            self._holds.discard(state)
        if self.state not in BUSY_STATES:
            self._set_state(self._resting())

    def submit(
        self,
        kind: JobKind,
        *,
        skip_remotes: frozenset[str] = frozenset(),
        deadline: float | None = None,
        unsettled: frozenset[str] = frozenset(),
        settle_age: float | None = None,
        request: UserRequest | None = None,
        snapshot: frozenset[str] = frozenset(),
    ) -> asyncio.Future[SyncReport]:
        """Queue a job (or join the one of that kind already queued); its future is the report.
        `deadline`: seconds the job may run once started (the runner enforces it);
        `unsettled`, `settle_age`: files still being written, which its auto-commit leaves
        for later, `snapshot`: files changing for `settle_max` it commits from a verified
        snapshot; `request`: a user's sync with its own options and prompts, never
        merged with another."""
        key = (kind, request)
        queued = self._queued.get(key)
        if queued is not None:
            return queued.done
        future = asyncio.get_running_loop().create_future()
        job = Job(kind, future, skip_remotes, deadline, unsettled, settle_age, snapshot, request)
        self._queued[key] = job
        self._queue.put_nowait(job)
        return job.done

    def cancel_current(self) -> bool:
        """Cancel the job running now (a user's Cancel); the worker goes on with the next."""
        running = self._running
        if running is None or running.done():
            return False
        return running.cancel()

    def withdraw(self, request: UserRequest) -> bool:
        """Drop the user's sync `request` from the queue (its future cancelled); any other
        job goes on. False: it is not queued (the running one is `Engine.withdraw`'s to
        cancel, with its transfer)."""
        queued = self._queued.pop((JobKind.USER_SYNC, request), None)
        if queued is None:
            return False
        queued.done.cancel()  # the loop skips it
        return True

    def queued(self, request: UserRequest) -> bool:
        """The user's sync `request` waits in the queue (not started yet)."""
        return (JobKind.USER_SYNC, request) in self._queued

    @property
    def busy(self) -> bool:
        """A job runs now."""
        return self._running is not None

    @property
    def running_request(self) -> UserRequest | None:
        """The request of the job running now, if a `UserRequest` started it."""
        return self._running_request

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def stop(self, grace: float) -> None:
        """Let the running job finish for up to `grace` seconds, then cancel; drop queued jobs."""
        while not self._queue.empty():
            job = self._queue.get_nowait()
            job.done.cancel()
        self._queued.clear()
        await self._stop_recording()
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
                self._left = RepoState.ERROR
                self._set_state(self._resting())
                if self._on_crash is not None:
                    try:
                        await self._on_crash(exc)
                    except Exception:  # its record failed (a full disk): the worker goes on all the same
                        log.exception("the crash of the worker for %s was not recorded", self.name)
                await asyncio.sleep(RESTART_DELAY_SECONDS)

    async def _loop(self) -> None:
        while True:
            job = await self._queue.get()
            self._queued.pop((job.kind, job.request), None)
            if job.done.cancelled():
                continue
            try:
                self._set_state(job.busy_state)
                self._current = job.done
                running = asyncio.create_task(self._run(job), name=f"job:{self.name}")
            except Exception as exc:  # taken off the queue, never started: it fails, never hangs
                if not job.done.done():
                    job.done.set_exception(exc)
                raise
            self._running, self._running_request = running, job.request
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
                self._running = self._running_request = None
            cancelled = report.message == CANCELLED_MESSAGE
            self._left = RepoState.IDLE if cancelled else _STATE_AFTER.get(report.result, RepoState.IDLE)
            try:
                self._set_state(self._resting())
                self._bus.publish(
                    SyncFinished(
                        self.repo_id,
                        self.name,
                        report.result,
                        report.message,
                        report.to_json(),
                        tuple(report.parts()),
                    )
                )
            finally:
                if not job.done.done():
                    job.done.set_result(report)

    def _resting(self) -> RepoState:
        return next((state for state in HOLDS if state in self._holds), self._left)

    def _set_state(self, state: RepoState) -> None:
        if state is self.state:
            return
        now = self._clock()
        previous, self.state = self.state, state
        self._bus.publish(StateChanged(self.repo_id, self.name, previous, state, now - self._since))
        self._since = now
        self._unrecorded.set()

    async def _record_states(self) -> None:
        """Record the state the worker rests in, the latest one when several came quickly
        (a sync records its own `fetching`/`syncing` when it starts)."""
        assert self._on_state is not None
        while True:
            await self._unrecorded.wait()
            self._unrecorded.clear()
            if self.state not in BUSY_STATES:
                try:
                    await self._on_state(self.state)
                except Exception:
                    log.exception("could not record the state of %s", self.name)
            if self._stopping and not self._unrecorded.is_set():
                return

    async def _stop_recording(self) -> None:
        """Let the record in hand (and a last one still due) land rather than cut a store
        write short; a write that hangs is cancelled after `RECORD_GRACE_SECONDS`."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        self._stopping = True
        self._unrecorded.set()
        _done, pending = await asyncio.wait([recorder], timeout=RECORD_GRACE_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(recorder, return_exceptions=True)
