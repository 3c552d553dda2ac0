"""The per-repository sync lock: one sync at a time, across threads and processes.

The lock is `.git/gitferry/sync.lock`, an exclusive lock on an open file
description (`core/platform/file_lock.py`), so two threads of one process
exclude each other as two processes do, and the operating system releases it
when its owner dies however it dies. The file records its owner (pid, the
pid's start time, when the sync began, the host) and what holds it (a sync, or a
user's publish, Finish or Undo: `Holder`), so one that waits says what runs.
A clean release empties and unlinks it; finding it non-empty once the lock is
ours therefore means the previous owner died mid-sync, and the caller gets that
owner back as `taken_over`, to clean up what the dead sync left
(`core/git/locks/stale_locks.py`).
"""

from __future__ import annotations

import json
import os
import socket
import time
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from core.errors import GitferryError
from core.phrase import Phrase, phrase
from core.platform.file_lock import LockedFile, try_lock
from core.platform.processes import process_started
from core.results import ResultKind

LOCK_NAME = "sync.lock"
USER_WAIT = 5.0  # seconds a user's own action (publish, resolve, undo) waits for a running sync
POLL_SECONDS = 0.05


class Holder(StrEnum):
    """What holds the lock: a sync (a record without it, from an older Gitferry, too)
    or a user's own action."""

    SYNC = "sync"
    PUBLISH = "publish"
    FINISH = "finish"
    UNDO = "undo"


class LockOwner(NamedTuple):
    """Who holds a repository's sync lock: the process, its start time and host (a named
    tuple, not a dataclass: a cold replayed fetch takes the lock, `core/cli_replay.py`)."""

    pid: int
    pid_started: float  # the process's start time, so a reused pid is not mistaken for the owner
    since: float  # wall-clock time the sync took the lock
    host: str
    holder: Holder = Holder.SYNC

    @classmethod
    def me(cls, holder: Holder = Holder.SYNC) -> LockOwner:
        pid = os.getpid()
        started = process_started(pid)
        return cls(pid, -1.0 if started is None else started, time.time(), socket.gethostname(), holder)

    @classmethod
    def parse(cls, text: str) -> LockOwner | None:
        try:
            data = json.loads(text)
            owner = cls(int(data["pid"]), float(data["pid_started"]), float(data["since"]), str(data["host"]))
        except (ValueError, KeyError, TypeError):
            return None
        try:
            return owner._replace(holder=Holder(data.get("holder", Holder.SYNC)))
        except ValueError:  # a holder a newer Gitferry names: still held, by something
            return owner

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # cannot tell; a lock from another host is never taken over by guess
        return process_started(self.pid) == self.pid_started

    def describe(self) -> str:
        return self.said().english()

    def said(self) -> Phrase:
        started = time.strftime("%H:%M:%S", time.localtime(self.since))
        return phrase("pid {pid} since {time}", pid=self.pid, time=started)


class SyncBusy(GitferryError):
    """Something holds this repository's lock: another sync, or a user's own action (the
    owner's `holder` says which). `by_sync`: a sync met a sync ("another sync"); else a
    user's own action (publish, Finish, Undo), which is no sync ("a sync")."""

    result = ResultKind.BUSY

    def __init__(self, path: str, owner: LockOwner | None, *, by_sync: bool = True) -> None:
        if owner is None:
            said = (
                phrase("{path}: another sync is running", path=path)
                if by_sync
                else phrase("{path}: a sync is running", path=path)
            )
        elif owner.holder is Holder.PUBLISH:
            said = phrase("{path}: a publish is running ({who})", path=path, who=owner.said())
        elif owner.holder is Holder.FINISH:
            said = phrase("{path}: a conflict's Finish is running ({who})", path=path, who=owner.said())
        elif owner.holder is Holder.UNDO:
            said = phrase("{path}: an Undo is running ({who})", path=path, who=owner.said())
        elif by_sync:
            said = phrase("{path}: another sync is running ({who})", path=path, who=owner.said())
        else:
            said = phrase("{path}: a sync is running ({who})", path=path, who=owner.said())
        super().__init__(said)
        self.path = path
        self.owner = owner


class SyncLock:
    """A held sync lock; `release()` (or leaving the `with` block) gives it up."""

    def __init__(self, file: LockedFile, taken_over: LockOwner | None) -> None:
        self.path = file.path
        self._file = file
        self.taken_over = taken_over

    def release(self) -> None:
        self._file.release()  # empties and removes the file: the next owner finds no record

    def __enter__(self) -> SyncLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def acquire_for_action(git_dir: str | Path, repo_path: str, holder: Holder) -> SyncLock:
    """The sync lock for a user's own action (publish, a conflict's Finish, Undo), recorded
    as `holder`: waits `USER_WAIT` for a running sync, then `SyncBusy` says what runs ("a
    sync", not "another")."""
    return acquire_sync_lock(git_dir, wait=USER_WAIT, repo_path=repo_path, holder=holder)


def acquire_sync_lock(
    git_dir: str | Path,
    *,
    wait: float = 0.0,
    repo_path: str | None = None,
    holder: Holder = Holder.SYNC,
) -> SyncLock:
    """Take the sync lock of the repository whose `.git` is `git_dir`, recorded as `holder`'s.

    Waits up to `wait` seconds for a running sync to finish, then raises
    `SyncBusy` naming its owner (as a sync says it when `holder` is one).
    """
    path = Path(git_dir) / "gitferry" / LOCK_NAME
    path.parent.mkdir(exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        lock = _try_lock(path, holder)
        if lock is not None:
            return lock
        if time.monotonic() >= deadline:
            raise SyncBusy(
                repo_path or str(Path(git_dir).parent), read_owner(path), by_sync=holder is Holder.SYNC
            )
        time.sleep(POLL_SECONDS)


def read_owner(path: Path) -> LockOwner | None:
    try:
        return LockOwner.parse(path.read_text())
    except OSError:
        return None


def _try_lock(path: Path, holder: Holder) -> SyncLock | None:
    file = try_lock(path)
    if file is None:
        return None
    previous = LockOwner.parse(file.read().decode("utf-8", "replace"))
    file.replace(json.dumps(LockOwner.me(holder)._asdict()).encode())
    return SyncLock(file, previous)
