"""Noticing that the store file under a running process is no longer the one it opened.

A daemon or an app keeps its SQLite connections open for days. If the file is
deleted, replaced (the CLI set a damaged one aside and rebuilt it) or
overwritten in place, those connections go on reading and writing a file
nobody else sees, or fail on every statement. `StoreFileWatch` tells the
`Database` before each transaction whether its file is still the one it
opened: same device and inode, and, when its size or modification time
changed, still starting with SQLite's header. That is one `stat` per
transaction, and a look at the header when the file changed. Damage SQLite itself
reports mid-transaction is noted with `damaged()`.

The header is read through SQLite, never with a file descriptor of our own: closing
any descriptor of the file drops every POSIX lock this process holds on it, the
shared lock of each open connection included (SQLite's "How To Corrupt An SQLite
Database File", 2.2.1). Another process closing its last connection would then take
the store for unused, checkpoint and delete the WAL under this process's writer, and
what that writer wrote next would be lost to every other process. SQLite keeps its
own descriptors open while the process holds locks on the file, so a short-lived
read-only connection is safe where `open()` is not.

`ReopenPacing` keeps a store that stays broken from being reopened in a tight
loop: the first reopen is at once, the next ones back off (1 s, 2 s, ... up to
a minute) until the store has stayed healthy for a while.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class StoreFileWatch:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self._shape: tuple[int, int] | None = None  # size and mtime when last looked at
        self._damage: str | None = None

    def remember(self) -> None:
        """The file as it is now is the one in use (after opening or reopening it)."""
        self._damage = None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._identity = self._shape = None
            return
        self._identity = (st.st_dev, st.st_ino)
        self._shape = (st.st_size, st.st_mtime_ns)

    def damaged(self, reason: str) -> None:
        """SQLite said the file is damaged: reopen (and so rebuild) before the next use."""
        self._damage = reason

    def problem(self) -> str | None:
        """Why the open connections no longer reach a usable store; None while they do."""
        if self._damage is not None:
            return f"damaged ({self._damage})"
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "deleted"
        except OSError:
            return None  # not ours to judge: the next statement reports it
        if (st.st_dev, st.st_ino) != self._identity:
            return "replaced"
        shape = (st.st_size, st.st_mtime_ns)
        if shape != self._shape:
            if not _has_header(self.path, st.st_size):
                return "overwritten (not a database any more)"
            self._shape = shape
        return None


def _has_header(path: Path, size: int) -> bool:
    if size == 0:
        return False
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()  # reads the header
    except sqlite3.DatabaseError as exc:
        return getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_NOTADB
    except (sqlite3.Error, OSError):
        pass  # unreadable now: let the next statement say why
    return True


@dataclass
class ReopenPacing:
    """When the next reopen may run: at once, then backing off while reopens keep coming."""

    first: float = 1.0
    cap: float = 60.0
    calm: float = 300.0  # a store healthy this long starts afresh
    _streak: int = 0
    _last: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until a reopen may run (0: now)."""
        if self._last is None or self._streak == 0 or now - self._last >= self.calm:
            return 0.0
        delay = min(self.cap, self.first * 2.0 ** (self._streak - 1))
        return max(0.0, self._last + delay - now)

    def ran(self, now: float) -> None:
        if self._last is not None and now - self._last >= self.calm:
            self._streak = 0
        self._streak += 1
        self._last = now
