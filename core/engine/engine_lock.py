"""One engine per data directory: the app or `gitferry daemon`, never both, never two.

Which process is the engine is decided by the exclusive lock on `engine/engine.lock`
in the data directory (`core.platform.file_lock`: `flock`, dropped by the kernel when
its holder dies however it dies, so a holder killed with -9 never blocks the next
one), taken by the process's entry point before any background work starts: `gitferry
daemon` before it opens the store or its log (`core.cli`), the app before it opens the
core (`gui/engine_take_over.py`). The holder writes its record into the lock file (its
pid, the pid's start time, `app` or `daemon`), so another process can name it:

- a second `gitferry daemon` exits at once, one line on stderr naming the holder
  (`EngineHeld`), nothing touched; unless the holder is quitting (the app's Quit,
  a daemon's SIGTERM: `EngineLock.quitting` marks its record so), when the new
  daemon waits for its lock, bounded (`QUITTING_WAIT_SECONDS`), and then runs: a
  user who quits the app to let the daemon take over gets it, within the app's last
  sync, and the systemd unit need not retry (it does not after exit status 3);
- the app offers to stop a daemon and take over (`take_over`): SIGTERM to the
  recorded pid, only after checking that the record is still the lock holder's and
  that the pid is still the process that wrote it (its start time: a reused pid is
  another process), then the lock waited for, bounded.

The record is informative only: the lock decides. A record left by a holder that died
is found by the next holder (and replaced); a waiter that reads one whose process is
gone, or none yet (the holder just took the lock), looks again for a moment, then says
"another Gitferry engine".
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from core.cli_socket import LOCK_FILE, run_directory
from core.errors import GitferryError
from core.phrase import Phrase, phrase
from core.platform.file_lock import LockedFile, try_lock
from core.platform.processes import process_started

log = logging.getLogger(__name__)

APP = "app"
DAEMON = "daemon"
KINDS = (APP, DAEMON)
HOLDER_LOOK_SECONDS = 1.0  # how long a refused process looks for the holder's record
TAKE_OVER_SECONDS = 30.0  # a stopping daemon's last sync (10 s) and grace (3 s), with room
# How long a `gitferry daemon` waits for a holder that says it is quitting: the app's
# actions under way at Quit (10 s), the engine's last sync (10 s) and grace (3 s), with room.
QUITTING_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class EngineHolder:
    """The process that holds a data directory's engine lock, as its record says."""

    pid: int
    pid_started: float  # the process's start time: a reused pid is another process
    kind: str  # APP or DAEMON
    # It is stopping (the app's Quit, the daemon's SIGTERM) and lets the lock go soon:
    # not part of which process it is.
    quitting: bool = field(default=False, compare=False)

    @classmethod
    def me(cls, kind: str) -> EngineHolder:
        pid = os.getpid()
        started = process_started(pid)
        return cls(pid, -1.0 if started is None else started, kind)

    @classmethod
    def parse(cls, text: str) -> EngineHolder | None:
        try:
            data = json.loads(text)
            holder = cls(int(data["pid"]), float(data["pid_started"]), str(data["kind"]))
            holder = replace(holder, quitting=data.get("quitting") is True)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return holder if holder.kind in KINDS else None

    def alive(self) -> bool:
        """The recorded pid is still the process that wrote the record."""
        return process_started(self.pid) == self.pid_started

    def describe(self) -> str:
        return self.said().english()

    def said(self) -> Phrase:
        if self.kind == APP:
            return phrase("the Gitferry app (pid {pid})", pid=self.pid)
        return phrase("another `gitferry daemon` (pid {pid})", pid=self.pid)


class EngineHeld(GitferryError):
    """Another engine (the app or a daemon) syncs this data directory."""

    def __init__(self, home: Path, holder: EngineHolder | None) -> None:
        who = holder.said() if holder is not None else phrase("another Gitferry engine")
        if holder is not None and holder.quitting:
            said = phrase(
                "{who} is quitting but still syncs this data directory ({home})", who=who, home=str(home)
            )
        else:
            said = phrase("{who} already syncs this data directory ({home})", who=who, home=str(home))
        super().__init__(said)
        self.home = home
        self.holder = holder


class EngineLock:
    """The engine lock of a data directory, held by this process until `release()`."""

    def __init__(self, home: Path, file: LockedFile | None, holder: EngineHolder) -> None:
        self.home = home
        self.holder = holder
        self._file = file  # None: the lock could not be taken (a file system without flock)

    def quitting(self) -> None:
        """Say in the record that this engine is stopping and lets the lock go soon, so a
        `gitferry daemon` started meanwhile waits for it instead of giving up."""
        if self._file is None or self.holder.quitting:
            return
        self.holder = replace(self.holder, quitting=True)
        try:
            self._file.replace(_record(self.holder))
        except OSError as exc:
            log.warning("the engine lock's record was not marked quitting: %s", exc)

    def release(self) -> None:
        """Drop the lock (its file removed); a second call does nothing."""
        if self._file is not None:
            self._file.release()
            self._file = None


def lock_path(home: Path) -> Path:
    return run_directory(home) / LOCK_FILE


def claim_engine(
    home: Path,
    kind: str,
    *,
    quitting_wait: float = 0.0,
    waiting: Callable[[EngineHolder], None] | None = None,
) -> EngineLock:
    """Become the engine of the data directory `home` (`kind`: APP or DAEMON), or raise
    `EngineHeld` naming the one that is. Blocking: brief, unless `quitting_wait` > 0 and
    the holder's record says it is quitting (`EngineLock.quitting`): then its lock is
    waited for up to that many seconds (`waiting` told once, first). A holder that is
    not quitting is never waited for."""
    holder = EngineHolder.me(kind)
    try:
        lock = _try_claim(home, holder)
    except OSError as exc:  # a data directory without flock, or one it cannot write
        log.warning("one engine per data directory is not enforced here: %s", exc)
        return EngineLock(home, None, holder)
    if lock is not None:
        return lock
    deadline = time.monotonic() + HOLDER_LOOK_SECONDS
    quit_by: float | None = None  # when a quitting holder must have let go
    while True:  # the holder may have just taken it (no record yet), or be gone meanwhile
        found = engine_holder(home)
        now = time.monotonic()
        if found is not None and found.quitting:
            if quit_by is None:
                quit_by = now + quitting_wait
                if quitting_wait > 0 and waiting is not None:
                    waiting(found)
            if now >= quit_by:
                raise EngineHeld(home, found)
            deadline = now + HOLDER_LOOK_SECONDS  # its release empties the record first
        elif found is not None:
            raise EngineHeld(home, found)
        lock = _try_claim(home, holder)
        if lock is not None:
            return lock
        if now >= deadline:
            raise EngineHeld(home, None)
        time.sleep(POLL_SECONDS)


def engine_holder(home: Path) -> EngineHolder | None:
    """The live process the record of `home`'s engine lock names; None when there is no
    record, or its process is gone (the lock then died with it, or a new holder has not
    written its own yet)."""
    try:
        holder = EngineHolder.parse(lock_path(home).read_text())
    except OSError:
        return None
    return holder if holder is not None and holder.alive() else None


async def take_over(
    home: Path, daemon: EngineHolder, kind: str, wait: float = TAKE_OVER_SECONDS
) -> EngineLock:
    """Stop `daemon`, which held `home`'s engine lock when the user was asked, and become
    the engine in its place. It is signalled only while it still holds the lock (the lock
    is tried first: a daemon that stopped meanwhile is not signalled at all) and its
    record still names it, its pid still its process; then the lock is waited for up to
    `wait` seconds. `EngineHeld` (naming who holds it now) otherwise."""
    me = EngineHolder.me(kind)
    lock = _try_claim(home, me)
    if lock is not None:
        return lock
    if daemon.kind != DAEMON or daemon.pid == os.getpid() or engine_holder(home) != daemon:
        raise EngineHeld(home, engine_holder(home))
    log.info("stopping the background daemon (pid %d) to take over %s", daemon.pid, home)
    try:
        os.kill(daemon.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it ended just now: the lock comes free
    except PermissionError as exc:
        raise EngineHeld(home, daemon) from exc
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        lock = _try_claim(home, me)
        if lock is not None:
            return lock
        if loop.time() >= deadline:
            raise EngineHeld(home, engine_holder(home))
        await asyncio.sleep(POLL_SECONDS)


def _try_claim(home: Path, holder: EngineHolder) -> EngineLock | None:
    directory = run_directory(home)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    file = try_lock(lock_path(home))
    if file is None:
        return None
    file.replace(_record(holder))
    return EngineLock(home, file, holder)


def _record(holder: EngineHolder) -> bytes:
    return json.dumps(asdict(holder)).encode()
