"""Typed engine events and the bus that carries them up to the GUI and CLI.

`EventBus.publish` never blocks and may be called from any thread (worker
threads publish progress). Each subscriber has its own bounded buffer that
drops its oldest event when full, counted in `Subscription.dropped`, so a
slow subscriber loses old progress lines instead of stalling the engine or
other subscribers (Syncthing's event bus does the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType, TracebackType
from typing import Any, TypeAlias

from core.model import BranchStatus, RepoState
from core.phrase import Phrase, verbatim
from core.results import ResultKind


@dataclass(frozen=True, slots=True)
class StateChanged:
    """A repository's published state moved: its worker started or ended a job, or the
    engine holds it `paused`, `offline` or `tripped` (the status store keeps the same state)."""

    repo_id: int
    repo: str
    from_state: RepoState
    to_state: RepoState
    duration: float
    """Seconds spent in `from_state`."""


@dataclass(frozen=True, slots=True)
class PhaseProgress:
    repo_id: int
    repo: str
    remote: str
    phase: str
    current: int
    total: int | None
    bytes: int


@dataclass(frozen=True, slots=True)
class BranchStatusChanged:
    repo_id: int
    repo: str
    branches: tuple[BranchStatus, ...]


@dataclass(frozen=True, slots=True)
class FileSkipped:
    repo_id: int
    repo: str
    path: str
    reason: str
    size: int | None


@dataclass(frozen=True, slots=True)
class SyncFinished:
    repo_id: int
    repo: str
    result: ResultKind
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
    # `message` as its templates and fields (`core.phrase`), for the app to say in its language.
    parts: tuple[Phrase, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
        if not self.parts:
            object.__setattr__(self, "parts", (verbatim(self.message),))


@dataclass(frozen=True, slots=True)
class RemoteTripped:
    repo_id: int
    repo: str
    remote: str
    until: datetime


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    """Another process registered the repository (`gitferry add`, `clone`) or removed it
    (`gitferry remove`), and the engine started or stopped watching it."""

    repo_id: int
    repo: str
    registered: bool


Event: TypeAlias = (
    StateChanged
    | PhaseProgress
    | BranchStatusChanged
    | FileSkipped
    | SyncFinished
    | RemoteTripped
    | RegistrationChanged
)


class SubscriptionClosed(Exception):
    """`get` or `get_nowait` on a subscription that was closed."""


class Subscription:
    """One subscriber's bounded buffer; an async iterator of events."""

    def __init__(self, bus: EventBus, maxsize: int, kinds: tuple[type, ...] | None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.kinds = kinds
        self.dropped = 0
        self._bus = bus
        self._buffer: deque[Event] = deque()
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None
        self._waiter_thread = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        return len(self._buffer)

    def get_nowait(self) -> Event:
        """The oldest buffered event; `asyncio.QueueEmpty` if there is none."""
        with self._lock:
            if self._buffer:
                return self._buffer.popleft()
            if self._closed:
                raise SubscriptionClosed
        raise asyncio.QueueEmpty

    async def get(self) -> Event:
        """Wait for the next event; `SubscriptionClosed` once closed."""
        while True:
            with self._lock:
                if self._buffer:
                    return self._buffer.popleft()
                if self._closed:
                    raise SubscriptionClosed
                waiter = self._waiter
                if waiter is None or waiter.done():
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiter = waiter
                    self._waiter_thread = threading.get_ident()
            await waiter

    def close(self) -> None:
        """Unsubscribe, drop what is buffered and end iteration."""
        self._bus._unsubscribe(self)
        with self._lock:
            self._closed = True
            self._buffer.clear()
            self._wake_locked()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        try:
            return await self.get()
        except SubscriptionClosed:
            raise StopAsyncIteration from None

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _put(self, event: Event) -> None:
        with self._lock:
            if self._closed:
                return
            if len(self._buffer) >= self._maxsize:
                self._buffer.popleft()
                self.dropped += 1
            self._buffer.append(event)
            if self._waiter is not None:
                self._wake_locked()

    def _wake_locked(self) -> None:
        """Resolve the waiter on its own loop (called with the lock held)."""
        waiter, self._waiter = self._waiter, None
        if waiter is None or waiter.done():
            return
        if threading.get_ident() == self._waiter_thread:
            waiter.set_result(None)
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            waiter.get_loop().call_soon_threadsafe(_resolve, waiter)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class EventBus:
    """Fan-out of engine events to any number of subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: tuple[Subscription, ...] = ()

    def subscribe(self, maxsize: int = 256, kinds: tuple[type, ...] | None = None) -> Subscription:
        """A new subscription receiving every event (or only those of `kinds`)."""
        sub = Subscription(self, maxsize, kinds)
        with self._lock:
            self._subscribers = (*self._subscribers, sub)
        return sub

    def publish(self, event: Event) -> None:
        """Hand `event` to every subscriber; never blocks on a slow one."""
        for sub in self._subscribers:
            if sub.kinds is None or isinstance(event, sub.kinds):
                sub._put(event)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        """Close every subscription (shutdown): their iterations end."""
        for sub in self._subscribers:
            sub.close()

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers = tuple(s for s in self._subscribers if s is not sub)
