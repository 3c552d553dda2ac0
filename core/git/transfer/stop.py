"""Stopping a transfer from another thread: a user's Cancel, a background fetch's deadline.

A transfer runs in an offload thread and spends most of its time blocked in a
read from the remote. A remote that trickles a byte now and then never lets
that read time out, and a progress report may never come, so a flag the
transfer polls is not enough. `TransferStop.stop()` (from any thread) sets the
flag and then closes the connection under the transfer: it shuts down the
git:// socket or an HTTP response's socket, or kills the ssh process, so the
read in progress returns at once. `connected` (transport.py) then reports
`TransferStopped` instead of whatever the cut connection raised, and the
fetch's own failure path drops the partial pack and moves no ref. The
transfer also checks the flag before it connects and at every progress report
(`check`), which is all an in-process (local path) transfer has.

One `TransferStop` serves one job: its remotes are fetched one after another,
each registering its connection's closer for the time it is open (`register`).
A transfer's own deadlines (`deadlines.py`) stop a `linked` child instead, with
the error to raise (`stop_with`): that ends this remote's transfer only, while a
stop of the job still reaches the child.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from core.git.transfer.errors import RemoteError, TransferStopped

log = logging.getLogger(__name__)

Closer = Callable[[], None]


class TransferStop:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._closers: list[Closer] = []
        self._error: RemoteError | None = None
        self._unlink: Closer | None = None
        self._pause: Callable[[], AbstractContextManager[None]] | None = None

    def pauses_with(self, pause: Callable[[], AbstractContextManager[None]] | None) -> None:
        """Have `paused` use `pause` (a transfer's deadlines: `TransferWatch.ours`); None
        when the transfer is over (the watch holds this stop: the two made a cycle that
        only the cyclic collector freed, a fetch's worth of objects every fetch)."""
        self._pause = pause

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Time spent inside is the user's (a sign-in prompt, a credential helper opening a
        browser): no deadline of the transfer counts it. A stop still cuts the transfer."""
        with self._pause() if self._pause is not None else contextlib.nullcontext():
            yield

    @property
    def requested(self) -> bool:
        return self._reason is not None

    @property
    def reason(self) -> str | None:
        return self._reason

    def stop(self, reason: str) -> bool:
        """Stop the transfer (the first reason given stands); False if it was already stopped."""
        with self._lock:
            if self._reason is not None:
                return False
            self._reason = reason
            closers = list(self._closers)
        for closer in closers:
            _close(closer)
        return True

    def stop_with(self, error: RemoteError) -> bool:
        """Stop the transfer and have `check` raise `error` (a deadline's own message)."""
        with self._lock:
            if self._reason is None:
                self._error = error
        return self.stop(error.reason)

    def check(self, remote: str) -> None:
        """Raise `TransferStopped` (or the error given to `stop_with`) once a stop was asked for."""
        reason = self._reason
        if reason is not None:
            raise self._error or TransferStopped(remote, reason)

    def linked(self) -> TransferStop:
        """A stop of its own for one transfer, which this one's stop also stops (until
        its `unlink`)."""
        child = TransferStop()

        def stop_child() -> None:
            child.stop(self._reason or "stopped")

        child._unlink = self.register(stop_child)
        return child

    def unlink(self) -> None:
        """Let the parent's stop no longer reach this child (its transfer is over)."""
        if self._unlink is not None:
            self._unlink()
            self._unlink = None

    def register(self, closer: Closer) -> Closer:
        """Have a stop call `closer` (at once, if the stop came first) until the returned
        function is called, when the connection is closed."""
        with self._lock:
            stopped = self._reason is not None
            if not stopped:
                self._closers.append(closer)
        if stopped:
            _close(closer)

        def unregister() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._closers.remove(closer)

        return unregister


def registered(stop: TransferStop | None, closer: Closer) -> Closer:
    """`stop.register(closer)`, or nothing to undo without a stop."""
    return stop.register(closer) if stop is not None else nothing


def nothing() -> None:
    """A closer, or its undoing, that has nothing to do."""


def _close(closer: Closer) -> None:
    try:
        closer()
    except (OSError, ValueError, RuntimeError) as exc:  # already closed, or released
        log.debug("closing a stopped transfer's connection: %s", exc)
