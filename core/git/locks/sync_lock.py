"""The per-repository sync lock: one sync at a time, across threads and processes.

The lock is `.git/gitferry/sync.lock`, held with `flock` on an open file
description, so two threads of one process exclude each other as two processes
do, and the kernel releases it when its owner dies however it dies. The file
records its owner (pid, the pid's start time, when the sync began, the host).
A clean release empties and unlinks it; finding it non-empty once the lock is
ours therefore means the previous owner died mid-sync, and the caller gets that
owner back as `taken_over`, to clean up what the dead sync left
(`core/git/locks/stale_locks.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

import psutil

from core.errors import GitferryError
from core.results import ResultKind

LOCK_NAME = "sync.lock"
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class LockOwner:
    pid: int
    pid_started: float  # the process's start time, so a reused pid is not mistaken for the owner
    since: float  # wall-clock time the sync took the lock
    host: str

    @classmethod
    def me(cls) -> LockOwner:
        pid = os.getpid()
        return cls(pid, _process_start(pid), time.time(), socket.gethostname())

    @classmethod
    def parse(cls, text: str) -> LockOwner | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), float(data["pid_started"]), float(data["since"]), str(data["host"]))
        except (ValueError, KeyError, TypeError):
            return None

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # cannot tell; a lock from another host is never taken over by guess
        return _process_start(self.pid) == self.pid_started

    def describe(self) -> str:
        started = time.strftime("%H:%M:%S", time.localtime(self.since))
        return f"pid {self.pid} since {started}"


class SyncBusy(GitferryError):
    """Another sync holds this repository's lock."""

    result = ResultKind.BUSY

    def __init__(self, path: str, owner: LockOwner | None) -> None:
        who = f" ({owner.describe()})" if owner is not None else ""
        super().__init__(f"{path}: another sync is running{who}")
        self.path = path
        self.owner = owner


class SyncLock:
    """A held sync lock; `release()` (or leaving the `with` block) gives it up."""

    def __init__(self, path: Path, fd: int, taken_over: LockOwner | None) -> None:
        self.path = path
        self._fd: int | None = fd
        self.taken_over = taken_over

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            self.path.unlink()
        os.close(fd)  # closing drops the flock

    def __enter__(self) -> SyncLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def acquire_sync_lock(git_dir: str | Path, *, wait: float = 0.0, repo_path: str | None = None) -> SyncLock:
    """Take the sync lock of the repository whose `.git` is `git_dir`.

    Waits up to `wait` seconds for a running sync to finish, then raises
    `SyncBusy` naming its owner.
    """
    path = Path(git_dir) / "gitferry" / LOCK_NAME
    path.parent.mkdir(exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        lock = _try_lock(path)
        if lock is not None:
            return lock
        if time.monotonic() >= deadline:
            raise SyncBusy(repo_path or str(Path(git_dir).parent), read_owner(path))
        time.sleep(POLL_SECONDS)


def read_owner(path: Path) -> LockOwner | None:
    try:
        return LockOwner.parse(path.read_text())
    except OSError:
        return None


def _try_lock(path: Path) -> SyncLock | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    try:
        if os.fstat(fd).st_ino != os.stat(path).st_ino:
            os.close(fd)  # the owner released (unlinked) it while we opened it: try again
            return _try_lock(path)
    except FileNotFoundError:
        os.close(fd)
        return _try_lock(path)
    previous = LockOwner.parse(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
    _write_owner(fd, LockOwner.me())
    return SyncLock(path, fd, previous)


def _write_owner(fd: int, owner: LockOwner) -> None:
    data = json.dumps(asdict(owner)).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _process_start(pid: int) -> float:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return -1.0
