"""An exclusive lock on a small file that also carries its holder's record.

The lock is taken on an open file description without waiting (`flock`, on
Linux and macOS), so two threads of one process exclude each other as two
processes do, and the operating system drops the lock when its holder dies
however it dies. The holder may read and replace
the file's content while it holds the lock; a clean release empties the file
and removes it, so content found by the next holder was left by one that died.

Why not the `filelock` package: it opens the file with `O_TRUNC` on every
attempt, which would erase the dead holder's record before the next holder
reads it (and a failed attempt would erase the live holder's), and it keeps
the descriptor to itself.

Why `fcntl.flock` itself and not portalocker, which this module used before:
on POSIX portalocker is this same `flock` call (its "already locked" is `EACCES`
or `EAGAIN`, as here) behind an import of 15 to 25 ms (`importlib.metadata`,
its Redis lock, `uuid`, `platform`) that every cold `gitferry sync` paid before
its first byte of work (issue 19); what it adds is Windows.

Windows port: `msvcrt.locking(fd, LK_NBLCK, 1)` (or portalocker) in `try_lock`;
`os.unlink` of an open file fails there, so `release` leaves an empty file
behind (the next holder then sees no record: same meaning), and a locked range
is unreadable to other handles, so a waiter cannot read the holder's record
while it is held (`read_owner` then finds none).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

_OPEN_FLAGS = os.O_RDWR | os.O_CREAT  # non-inheritable by default (PEP 446)
_HELD = (errno.EACCES, errno.EAGAIN)  # flock's "someone else holds it" (EWOULDBLOCK is EAGAIN)


class LockedFile:
    """An open file whose exclusive lock this process holds until `release()`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def read(self, limit: int = 4096) -> bytes:
        """The file's content, up to `limit` bytes."""
        fd = self._held()
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, limit)

    def replace(self, data: bytes) -> None:
        """Make `data` the file's whole content."""
        fd = self._held()
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)

    def release(self) -> None:
        """Empty and remove the file, then drop the lock; a second call does nothing."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            self.path.unlink()
        os.close(fd)  # closing drops the lock

    def _held(self) -> int:
        if self._fd is None:
            raise ValueError(f"{self.path}: the lock was released")
        return self._fd


def try_lock(path: Path) -> LockedFile | None:
    """Open (creating) `path` and take its exclusive lock; None when someone else holds it."""
    while True:
        fd = os.open(path, _OPEN_FLAGS, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _HELD:
                return None
            raise
        if _still_linked(path, fd):
            return LockedFile(path, fd)
        os.close(fd)  # the holder released (removed) it while we opened it: try again


def _still_linked(path: Path, fd: int) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
