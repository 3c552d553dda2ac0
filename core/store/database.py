"""The SQLite file behind the status store: WAL, one writer, many readers.

Writes go through a single pooled connection that opens every transaction
with `BEGIN IMMEDIATE`, so a read-then-write never fails on a stale snapshot
and concurrent writers (a CLI run beside the GUI) queue on `busy_timeout`.
Readers use their own connections, read-only, so they never wait on the writer
(WAL lets them read the last committed state while a write is in progress).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from core.store.recovery import Recovery, StoreUnavailable, open_store_file

BUSY_TIMEOUT_MS = 10_000
_DISK_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN}
)


def _engine(path: Path, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
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


class Database:
    """Owns the two engines; `write()` and `read()` give sessions in a transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = _engine(path, writer=True)
        self._reader = _engine(path, writer=False)

    @staticmethod
    def prepare(path: Path) -> Recovery | None:
        """Create or migrate the file, or rebuild it when SQLite cannot read it (what
        was done, then). Blocking: run it through the offload layer."""
        return open_store_file(path)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction; a full or failing disk ends it with `StoreUnavailable`
        (a one-line message) rather than SQLAlchemy's exception."""
        try:
            async with AsyncSession(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            code = getattr(exc.orig, "sqlite_errorcode", None)
            if code not in _DISK_ERRORS:
                raise
            raise StoreUnavailable(self.path, str(exc.orig), action="write to") from exc

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self._reader, expire_on_commit=False) as session, session.begin():
            yield session

    async def optimize(self) -> None:
        async with self._writer.connect() as conn:
            await conn.exec_driver_sql("PRAGMA optimize")
            await conn.commit()

    async def close(self) -> None:
        await self._writer.dispose()
        await self._reader.dispose()
