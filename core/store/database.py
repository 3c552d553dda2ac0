"""The SQLite file behind the status store: WAL, one writer, many readers.

Writes go through a single pooled connection that opens every transaction
with `BEGIN IMMEDIATE`, so a read-then-write never fails on a stale snapshot
and concurrent writers (a CLI run beside the GUI) queue on `busy_timeout`.
Readers use their own connections, read-only, so they never wait on the writer
(WAL lets them read the last committed state while a write is in progress).

The store is a cache that can be lost. Pooled connections open the file
read-write but never create it (`mode=rw`): only `open_store_file` makes a
store, so a deleted one is rebuilt from `repositories.json` rather than
silently recreated empty. Before each transaction `StoreFileWatch` checks that
the file is still the one the connections hold; when it was deleted, replaced
or overwritten, or SQLite called it damaged, the store is reopened once
(`open_store_file` rebuilds it when needed) with the pacing of
`ReopenPacing`, one warning is logged, and the reopen listeners hear of it. A
transaction that hit the damage ends in `StoreUnavailable` (one line), never
in SQLite's exception, so a running daemon's workers record an error and go
on instead of crashing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core.store.file_watch import ReopenPacing, StoreFileWatch
from core.store.recovery import Recovery, StoreUnavailable, open_store_file

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
_DISK_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN}
)
_DAMAGE_ERRORS = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

T = TypeVar("T")
Blocking = Callable[[Callable[[Path], T], Path], Awaitable[T]]


@dataclass(frozen=True)
class Reopened:
    """The store was reopened under a running process: why, and what was rebuilt."""

    problem: str
    recovery: Recovery | None


ReopenListener = Callable[[Reopened], None]


def _engine(path: Path, *, writer: bool) -> AsyncEngine:
    import aiosqlite
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import AsyncAdaptedQueuePool

    uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates the file: see the module doc
    engine = create_async_engine(
        "sqlite+aiosqlite://",
        async_creator=lambda: aiosqlite.connect(uri, uri=True),
        poolclass=AsyncAdaptedQueuePool,
        pool_size=1 if writer else 4,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not writer:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


async def _in_thread(fn: Callable[[Path], T], path: Path) -> T:
    return await asyncio.to_thread(fn, path)


class Database:
    """Owns the two engines; `write()` and `read()` give sessions in a transaction.

    The engines (and SQLAlchemy with them) are made at the first ORM transaction: a
    job's own reads and writes go over plain `sqlite3` (`status_reader.py`,
    `status_writer.py`), so a cold `gitferry sync` never imports the ORM.
    `blocking` runs the (blocking) reopen off the loop: the store's offload pool.
    """

    def __init__(self, path: Path, *, blocking: Blocking[Recovery | None] | None = None) -> None:
        self.path = path
        self._blocking = blocking or _in_thread
        self._engines: tuple[AsyncEngine, AsyncEngine] | None = None  # (writer, reader), on first use
        self._watch = StoreFileWatch(path)
        self._watch.remember()
        self._pacing = ReopenPacing()
        self._reopening = asyncio.Lock()
        self._listeners: list[ReopenListener] = []
        self.reopens = 0

    @staticmethod
    def prepare(path: Path) -> Recovery | None:
        """Create or migrate the file, or rebuild it when SQLite cannot read it or it is
        gone (what was done, then). Blocking: run it through the offload layer."""
        recovery = open_store_file(path)
        if recovery is not None:
            log.warning("%s", recovery.describe())
        return recovery

    def on_reopen(self, listener: ReopenListener) -> None:
        """Call `listener` after every reopen (on the loop, before the next transaction)."""
        self._listeners.append(listener)

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A write transaction; a full or failing disk, or a damaged file, ends it with
        `StoreUnavailable` (a one-line message) rather than SQLAlchemy's exception."""
        return self._transaction(True, "write to")

    def read(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self._transaction(False, "read")

    def _engine(self, *, writer: bool) -> AsyncEngine:
        if self._engines is None:
            self._engines = (_engine(self.path, writer=True), _engine(self.path, writer=False))
        return self._engines[0 if writer else 1]

    @asynccontextmanager
    async def _transaction(self, writer: bool, action: str) -> AsyncIterator[AsyncSession]:
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.ext.asyncio import AsyncSession

        await self.ensure_current()
        engine = self._engine(writer=writer)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                yield session
        except DBAPIError as exc:
            translated = self._translated(exc, action)
            if translated is None:
                raise
            raise translated from exc

    def failed(self, exc: sqlite3.Error, action: str = "read") -> StoreUnavailable | None:
        """What a `sqlite3` error on this store means (a plain read or write, or the one under
        an ORM transaction's), or None when it is no store trouble; damage is noted for
        the next transaction."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = None if code is None else code & 0xFF  # extended codes carry the primary one
        if primary in _DAMAGE_ERRORS or "no such table" in str(exc):
            self._watch.damaged(str(exc))
            return StoreUnavailable(self.path, f"{exc}; it will be rebuilt", action=action)
        if primary in _DISK_ERRORS:
            return StoreUnavailable(self.path, str(exc), action=action)
        return None

    async def ensure_current(self) -> None:
        """Reopen the store if its file is no longer the one the connections hold."""
        if self._watch.problem() is not None:
            await self._reopen()

    async def optimize(self) -> None:
        await self.ensure_current()
        async with self._engine(writer=True).connect() as conn:
            await conn.exec_driver_sql("PRAGMA optimize")
            await conn.commit()

    async def close(self) -> None:
        for engine in self._engines or ():
            await engine.dispose()
        self._engines = None

    # Errors and reopening -------------------------------------------------------

    def _translated(self, exc: DBAPIError, action: str) -> StoreUnavailable | None:
        orig = exc.orig
        return self.failed(orig, action) if isinstance(orig, sqlite3.Error) else None

    async def _reopen(self) -> None:
        async with self._reopening:
            problem = self._watch.problem()  # another transaction may have reopened it meanwhile
            if problem is None:
                return
            wait = self._pacing.wait(time.monotonic())
            if wait > 0:
                raise StoreUnavailable(self.path, f"it was {problem}; reopening it again in {wait:.0f} s")
            self._pacing.ran(time.monotonic())
            try:
                recovery = await self._blocking(open_store_file, self.path)
            except StoreUnavailable:
                raise
            except (OSError, sqlite3.Error) as exc:
                raise StoreUnavailable(
                    self.path, f"it was {problem} and could not be reopened: {exc}"
                ) from exc
            old, self._engines = self._engines or (), None  # new ones at the next ORM transaction
            self._watch.remember()
            self.reopens += 1
            what = f"rebuilt it ({recovery.outcome()})" if recovery else "reopened the file now in its place"
            log.warning("the status store %s was %s while in use: %s", self.path, problem, what)
            for engine in old:
                await engine.dispose()  # connections still checked out close when returned
            for listener in self._listeners:
                listener(Reopened(problem, recovery))
