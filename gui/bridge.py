"""The one place where core events become Qt signals.

The bridge reads its own bounded subscription of the engine's bus on the
qasync loop (so a slow window drops old events instead of stalling the engine)
and re-emits each event as a typed signal. Transfer progress is thinned to at
most `max_rate` signals a second per repository: the latest report wins, and
the last one before a pause is always delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from core.api import (
    BranchStatusChanged,
    Event,
    FileSkipped,
    PhaseProgress,
    RegistrationChanged,
    RemoteTripped,
    StateChanged,
    Subscription,
    SyncFinished,
)

MAX_PROGRESS_PER_SECOND = 10.0
BUFFER = 2048


class EventSource(Protocol):
    """Where events come from: the façade (`core.api.Api`) in the app, a bus in tests."""

    def subscribe(self, maxsize: int = ...) -> Subscription: ...


class Bridge(QObject):
    state_changed = Signal(object)  # StateChanged
    progress = Signal(object)  # PhaseProgress
    branches_changed = Signal(object)  # BranchStatusChanged
    file_skipped = Signal(object)  # FileSkipped
    sync_finished = Signal(object)  # SyncFinished
    remote_tripped = Signal(object)  # RemoteTripped
    registration_changed = Signal(object)  # RegistrationChanged

    def __init__(
        self,
        source: EventSource,
        *,
        max_rate: float = MAX_PROGRESS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._subscription: Subscription = source.subscribe(maxsize=BUFFER)
        self._interval = 1.0 / max_rate
        self._clock = clock
        self._last_emit: dict[int, float] = {}
        self._pending: dict[int, PhaseProgress] = {}
        self._flushes: dict[int, asyncio.TimerHandle] = {}
        self._task: asyncio.Task[None] | None = None
        self.progress_emitted = 0

    @property
    def dropped(self) -> int:
        """Events the bus dropped because this bridge fell behind."""
        return self._subscription.dropped

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._pump())

    async def stop(self) -> None:
        self._subscription.close()
        for handle in self._flushes.values():
            handle.cancel()
        self._flushes.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _pump(self) -> None:
        async for event in self._subscription:
            self.dispatch(event)

    def dispatch(self, event: Event) -> None:
        if isinstance(event, PhaseProgress):
            self._throttle(event)
            return
        if isinstance(event, StateChanged):
            if not event.to_state.startswith(("sync", "fetch")):
                self._drop_pending(event.repo_id)
            self.state_changed.emit(event)
        elif isinstance(event, SyncFinished):
            self._drop_pending(event.repo_id)
            self.sync_finished.emit(event)
        elif isinstance(event, BranchStatusChanged):
            self.branches_changed.emit(event)
        elif isinstance(event, FileSkipped):
            self.file_skipped.emit(event)
        elif isinstance(event, RemoteTripped):
            self.remote_tripped.emit(event)
        elif isinstance(event, RegistrationChanged):
            self.registration_changed.emit(event)

    def _throttle(self, event: PhaseProgress) -> None:
        repo = event.repo_id
        wait = self._still_to_wait(repo)
        if wait <= 0 and repo not in self._flushes:
            self._emit_progress(event)
            return
        self._pending[repo] = event
        if repo not in self._flushes:
            loop = asyncio.get_running_loop()
            self._flushes[repo] = loop.call_later(max(wait, 0.0), self._flush, repo)

    def _still_to_wait(self, repo: int) -> float:
        """Seconds until `repo` may have its next progress signal (<= 0: now)."""
        return self._last_emit.get(repo, -self._interval) + self._interval - self._clock()

    def _flush(self, repo: int) -> None:
        self._flushes.pop(repo, None)
        # The loop's timer may fire a little early (qasync starts a coarse Qt timer,
        # whole milliseconds, which Qt may fire up to 5% before its interval): wait
        # the rest rather than emit within the interval.
        early = self._still_to_wait(repo)
        if early > 0 and repo in self._pending:
            self._flushes[repo] = asyncio.get_running_loop().call_later(early, self._flush, repo)
            return
        event = self._pending.pop(repo, None)
        if event is not None:
            self._emit_progress(event)

    def _emit_progress(self, event: PhaseProgress) -> None:
        self._last_emit[event.repo_id] = self._clock()
        self.progress_emitted += 1
        self.progress.emit(event)

    def _drop_pending(self, repo: int) -> None:
        self._pending.pop(repo, None)
        handle = self._flushes.pop(repo, None)
        if handle is not None:
            handle.cancel()
