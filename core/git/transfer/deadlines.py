"""Deadlines a remote cannot stretch: git's low-speed limit, and one per phase.

A read timeout alone does not stop a server that sends a byte just before it
would expire, nor one that chatters progress forever without sending the
pack, nor one that never finishes listing its refs. git has
`http.lowSpeedLimit`/`http.lowSpeedTime` (curl's: below N bytes a second for
T seconds, give up), off by default because git runs under a user's eyes.
Gitferry runs unattended and holds the repository's sync lock while it
waits, so the limit is on by default, for every transport: 1,000 B/s over 60 s
(a link slower than that for a whole minute cannot deliver a real pack, and
a server that is counting objects is under a phase deadline, not this limit).
git's settings (and its `GIT_HTTP_LOW_SPEED_*` variables) replace the default;
a limit of 0 turns it off, as in git.

The low-speed limit counts only the bytes that make progress: the pack
received (sideband 1), or the pack sent. Progress text (sideband 2) does not
count, so chatter cannot keep a stalled transfer alive. upload-pack's keep-alive
(an empty sideband 1 packet while it still compresses) is not the pack either: the
server is still preparing until the first pack byte. Each phase has an
overall deadline as well (`gitferry.<phase>Deadline`, seconds, in any git
config): the ref advertisement (a server lists even 100,000 refs in seconds),
the server's preparation before the first pack byte (counting, compressing:
progress chatter, no pack), receiving the pack and pushing (long: they are
bounded by the pack size limits and the low-speed limit first).

On expiry `TransferWatch` stops the transfer through its own `TransferStop`
(linked to the job's, so a Cancel still reaches it): the connection is cut,
the fetch drops its partial pack and moves nothing, and the error raised is
`RemoteTooSlow` (result `offline`: nothing on this side is wrong, and a later
try may do better, with the engine's backoff).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from dulwich.config import Config

from core.errors import BadInput
from core.git.transfer.errors import RemoteError
from core.git.transfer.stop import TransferStop
from core.phrase import phrase
from core.results import ResultKind

DEFAULT_LOW_SPEED_LIMIT = 1000  # bytes a second
DEFAULT_LOW_SPEED_TIME = 60.0  # seconds
_TICK = 0.2  # seconds between looks at the clock and the byte count


class TransferPhase(StrEnum):
    ADVERTISE = "advertise"  # the remote lists its refs
    PREPARE = "prepare"  # wants sent, the server counts and compresses: progress text only
    RECEIVE = "receive"  # the pack arrives
    PUSH = "push"  # the pack goes out
    VERDICT = "verdict"  # the pack is out: the remote checks it and runs its hooks
    IDLE = "idle"  # the transfer is over (indexing, checking): no deadline


_DEFAULT_DEADLINES = {
    TransferPhase.ADVERTISE: 300.0,
    TransferPhase.PREPARE: 900.0,
    TransferPhase.RECEIVE: 12 * 3600.0,  # 2 GiB (max_pack_size) at 50 KB/s
    TransferPhase.PUSH: 12 * 3600.0,
    TransferPhase.VERDICT: 3600.0,  # a server's pre-receive hooks, with progress chatter
}
_WHAT = {
    TransferPhase.ADVERTISE: "list its refs",
    TransferPhase.PREPARE: "start sending the pack",
    TransferPhase.RECEIVE: "send the pack",
    TransferPhase.PUSH: "take the pack",
    TransferPhase.VERDICT: "answer the push",
}
_MOVES = {TransferPhase.RECEIVE: "received", TransferPhase.PUSH: "sent"}


_OUTCOME = {
    TransferPhase.PUSH: "nothing was pushed",  # the remote never had the whole pack
    TransferPhase.VERDICT: "the next sync sees whether the remote took the push",
}


class RemoteTooSlow(RemoteError):
    """The remote was slower than the low-speed limit, or a phase passed its deadline."""

    result = ResultKind.OFFLINE

    def __init__(self, remote: str, reason: str, phase: TransferPhase = TransferPhase.RECEIVE) -> None:
        outcome = _OUTCOME.get(phase, "nothing was kept")
        super().__init__(remote, reason, f"{remote} is too slow: {reason}; {outcome}")
        self.phase = phase


@dataclass(frozen=True)
class TransferDeadlines:
    """How long each phase of a transfer may last, and the low-speed limit."""

    low_speed_limit: int = DEFAULT_LOW_SPEED_LIMIT  # bytes a second; 0: off
    low_speed_time: float = DEFAULT_LOW_SPEED_TIME
    advertise: float = _DEFAULT_DEADLINES[TransferPhase.ADVERTISE]
    prepare: float = _DEFAULT_DEADLINES[TransferPhase.PREPARE]
    receive: float = _DEFAULT_DEADLINES[TransferPhase.RECEIVE]
    push: float = _DEFAULT_DEADLINES[TransferPhase.PUSH]
    verdict: float = _DEFAULT_DEADLINES[TransferPhase.VERDICT]

    @classmethod
    def from_config(cls, config: Config | None) -> TransferDeadlines:
        """git's `http.lowSpeedLimit`/`http.lowSpeedTime` (the environment's
        `GIT_HTTP_LOW_SPEED_LIMIT`/`_TIME` first, as git reads them) and Gitferry's
        `gitferry.<phase>Deadline`; a value that is not a number is one line of BadInput."""

        def number(section: bytes, key: str, env: str | None, default: float) -> float:
            raw = os.environ.get(env) if env else None
            where = env
            if raw is None and config is not None:
                with contextlib.suppress(KeyError):
                    raw = config.get((section,), key.encode()).decode("utf-8", "replace")
                    where = f"git config {section.decode()}.{key}"
            if raw is None:
                return default
            value = _git_int(raw)
            if value is None or value < 0:
                raise BadInput(
                    phrase(
                        "{where}: {value} is not a whole number of 0 or more",
                        where=str(where),
                        value=repr(raw.strip()),
                    )
                )
            return float(value)

        deadline = {
            phase: number(b"gitferry", f"{phase}Deadline", None, default)
            for phase, default in _DEFAULT_DEADLINES.items()
        }
        return cls(
            low_speed_limit=int(
                number(b"http", "lowSpeedLimit", "GIT_HTTP_LOW_SPEED_LIMIT", DEFAULT_LOW_SPEED_LIMIT)
            ),
            low_speed_time=number(b"http", "lowSpeedTime", "GIT_HTTP_LOW_SPEED_TIME", DEFAULT_LOW_SPEED_TIME),
            advertise=deadline[TransferPhase.ADVERTISE],
            prepare=deadline[TransferPhase.PREPARE],
            receive=deadline[TransferPhase.RECEIVE],
            push=deadline[TransferPhase.PUSH],
            verdict=deadline[TransferPhase.VERDICT],
        )

    def deadline(self, phase: TransferPhase) -> float | None:
        """Seconds `phase` may last; None for no deadline (0 in the config turns one off)."""
        seconds = getattr(self, phase.value, 0.0)
        return float(seconds) if seconds else None


def _git_int(raw: str) -> int | None:
    """An integer as git's config reads one: an optional k, m or g suffix (1024s)."""
    text = raw.strip().lower()
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:], 1)
    if scale != 1:
        text = text[:-1]
    try:
        return int(text) * scale
    except ValueError:
        return None


class _Rounds:
    """One thread looks at every running transfer's deadlines each `_TICK`, started with
    the first and ending once none is left. A thread a transfer cost fifty fetches at
    once fifty thread starts and joins, each waiting for its turn at the GIL (7% of the
    samples holding it in a py-spy profile of `bench.gui`'s fleet fetching)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: set[TransferWatch] = set()
        self._thread: threading.Thread | None = None

    def add(self, watch: TransferWatch) -> None:
        with self._lock:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="transfer-watch", daemon=True)
                self._thread.start()

    def remove(self, watch: TransferWatch) -> None:
        with self._lock:
            self._watches.discard(watch)

    def _run(self) -> None:
        while True:
            time.sleep(_TICK)
            with self._lock:
                watches = list(self._watches)
                if not watches:
                    self._thread = None
                    return
            for watch in watches:
                if watch.look():
                    self.remove(watch)
            del watches, watch  # a finished transfer's watch not kept through the next tick


_ROUNDS = _Rounds()


class TransferWatch:
    """Watches one transfer (from the thread `_Rounds` keeps) and cuts it when a deadline passes.

    The transfer says where it is (`enter`) and what moved (`moved`); `stop` is the
    `TransferStop` to give its connection (a child of the job's, when there is one).
    """

    def __init__(
        self,
        remote: str,
        deadlines: TransferDeadlines,
        parent: TransferStop | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.remote = remote
        self.stop = parent.linked() if parent is not None else TransferStop()
        self.stop.pauses_with(self.ours)  # a sign-in's prompt and helpers are not the remote's time
        self._deadlines = deadlines
        self._clock = clock
        self._lock = threading.Lock()
        self._phase = TransferPhase.ADVERTISE
        self._paused = 0.0  # seconds spent in our own work (`ours`), which no deadline counts
        self._pause_start: float | None = None
        self._pausing = 0  # `ours` blocks open (a sign-in inside an LFS upload inside a push)
        self._since = clock()
        self._moved = 0
        self._samples: deque[tuple[float, int]] = deque([(self._since, 0)])
        self._ending = threading.Lock()  # held by a look and by the exit: no stop after the exit
        self._done = False

    def __enter__(self) -> TransferWatch:
        _ROUNDS.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._ending:
            self._done = True
        _ROUNDS.remove(self)
        self.stop.unlink()
        self.stop.pauses_with(None)  # no cycle left: refcounting frees the watch (bench.soak)

    def enter(self, phase: TransferPhase) -> None:
        """The transfer is now in `phase`: its deadline and its speed window start now."""
        with self._lock:
            if phase is self._phase:
                return
            self._phase, self._since = phase, self._now()
            self._samples = deque([(self._since, self._moved)])

    @contextlib.contextmanager
    def ours(self) -> Iterator[None]:
        """Time spent inside is our own work (parsing, inflating, hashing what came, waiting
        for a pack slot): the remote is not held to it, as curl does not count the time its
        write callback takes against the transfer."""
        with self._lock:
            self._pausing += 1
            if self._pausing == 1:
                self._pause_start = self._clock()
        try:
            yield
        finally:
            with self._lock:
                self._pausing -= 1
                if self._pausing == 0 and self._pause_start is not None:
                    self._paused += self._clock() - self._pause_start
                    self._pause_start = None

    def _now(self) -> float:
        """The transfer's clock: real time less the time spent in `ours` (lock held)."""
        now = self._clock()
        pausing = now - self._pause_start if self._pause_start is not None else 0.0
        return now - self._paused - pausing

    def moved(self, count: int) -> None:
        """`count` more bytes of the pack went in or out."""
        with self._lock:
            self._moved += count

    def look(self) -> bool:
        """Stop the transfer if a deadline passed; True when it is stopped or over."""
        with self._ending:
            if self._done:
                return True
            reason = self.expired()
            if reason is None:
                return False
            self.stop.stop_with(RemoteTooSlow(self.remote, reason, self._phase))
            return True

    def expired(self) -> str | None:
        """Why the transfer must stop now, or None."""
        with self._lock:
            now = self._now()
            phase, since, moved = self._phase, self._since, self._moved
            self._samples.append((now, moved))
            limits = self._deadlines
            window = limits.low_speed_time
            while len(self._samples) > 1 and self._samples[1][0] <= now - window:
                self._samples.popleft()
            oldest_time, oldest_moved = self._samples[0]
        deadline = limits.deadline(phase)
        if deadline is not None and now - since >= deadline:
            return f"it did not {_WHAT[phase]} within {deadline:g} s"
        if phase in _MOVES and limits.low_speed_limit > 0 and window > 0 and now - oldest_time >= window:
            rate = (moved - oldest_moved) / (now - oldest_time)
            if rate < limits.low_speed_limit:
                return (
                    f"under {limits.low_speed_limit:,} bytes a second {_MOVES[phase]} for {window:g} s"
                    " (git config http.lowSpeedLimit/http.lowSpeedTime)"
                )
        return None


@contextlib.contextmanager
def watched(remote: str, config: Config | None, parent: TransferStop | None) -> Iterator[TransferWatch]:
    """A running `TransferWatch` for one transfer, with the deadlines `config` gives."""
    with TransferWatch(remote, TransferDeadlines.from_config(config), parent) as watch:
        yield watch
