"""The writes every job makes, over plain `sqlite3`, one thread hop per transaction.

Through SQLAlchemy's async session a write transaction is some twenty round trips
between the event loop and aiosqlite's thread (connect, begin, each statement's
cursor, execute and fetch, commit), each a hand-over of the GIL; a no-change
fetch job made about 200 of them. With 50 jobs at once they queued behind the
one writer connection (2 s each in the `store` phase) and cost the loop most of a
cycle's CPU. Here a job's transaction is one function over a plain connection,
run whole in the store's own writer thread: `BEGIN IMMEDIATE`, its statements
(`executemany` for a repository's branch rows), `COMMIT`. The schema and the
time format are SQLAlchemy's (`core/store/schema.py`), so both paths read what
either wrote; like the pooled writer this connection never creates the file
(`mode=rw`) and waits `busy_timeout` for another process's writer.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from core.model import BranchStatus, RemoteRecord, SubmoduleStatus
from core.offload import PriorityGate
from core.store.run_rows import in_transaction, stored, writer_connection

T = TypeVar("T")


class StatusWriter:
    """One plain connection, used only by one thread (its executor), opened on first use."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="gitferry-store-writer")
        self._turns = PriorityGate(1)  # a user's sync's writes before background jobs'

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` inside one `BEGIN IMMEDIATE` transaction, in the writer thread."""
        return await self._turns.run(self._thread, functools.partial(self._transaction, work))

    def reset(self) -> None:
        """Drop the connection (the file was replaced): the next write opens the new one
        (queued behind a write in progress, ahead of any later one)."""
        self._thread.submit(self._close)

    def close(self) -> None:
        self._turns.close()
        self._thread.submit(self._close).result()
        self._thread.shutdown(wait=True)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = writer_connection(self._path)
        return in_transaction(self._conn, work)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# An upsert keeps what the old row knew: the last fetch when this measure has none, and
# since when an upstream has been gone.
_SAVE_BRANCH = (
    "INSERT INTO branch_status (repo_id, name, upstream, head, upstream_head, ahead, behind, last_fetch,"
    " upstream_gone, gone_since, unpublished, checked_out, worktree, worktree_use, pushed, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (repo_id, name) DO UPDATE SET upstream = excluded.upstream, head = excluded.head,"
    " upstream_head = excluded.upstream_head, ahead = excluded.ahead, behind = excluded.behind,"
    " last_fetch = COALESCE(excluded.last_fetch, branch_status.last_fetch),"
    " upstream_gone = excluded.upstream_gone,"
    " gone_since = CASE WHEN excluded.upstream_gone"
    " THEN COALESCE(branch_status.gone_since, excluded.gone_since) END,"
    " unpublished = excluded.unpublished, checked_out = excluded.checked_out,"
    " worktree = excluded.worktree, worktree_use = excluded.worktree_use, pushed = excluded.pushed,"
    " updated_at = excluded.updated_at"
)


def save_remotes(conn: sqlite3.Connection, repo_id: int, remotes: Sequence[RemoteRecord]) -> None:
    """The repository's remotes as its git config lists them now (a `git remote add` the
    store had not heard of), rewritten only when they differ from the stored copy."""
    rows = [(r.name, r.fetch_url, r.push_url) for r in sorted(remotes, key=lambda r: r.name)]
    stored_rows = conn.execute(
        "SELECT name, fetch_url, push_url FROM remotes WHERE repo_id = ? ORDER BY name", (repo_id,)
    ).fetchall()
    if [tuple(row) for row in stored_rows] == rows:
        return
    conn.execute("DELETE FROM remotes WHERE repo_id = ?", (repo_id,))
    conn.executemany(
        "INSERT INTO remotes (repo_id, name, fetch_url, push_url) VALUES (?, ?, ?, ?)",
        [(repo_id, *row) for row in rows],
    )


def save_branches(
    conn: sqlite3.Connection, repo_id: int, statuses: Sequence[BranchStatus], now: datetime
) -> None:
    """Replace a repository's branch rows (keeping when an upstream first went missing)."""
    at = stored(now)
    conn.executemany(
        _SAVE_BRANCH,
        [
            (
                repo_id,
                st.name,
                st.upstream,
                st.head,
                st.upstream_head,
                st.ahead,
                st.behind,
                stored(st.last_fetch),
                int(st.upstream_gone),
                (stored(st.gone_since) or at) if st.upstream_gone else None,
                st.unpublished,
                None if st.checked_out is None else int(st.checked_out),
                st.worktree,
                st.worktree_use,
                int(st.pushed),
                at,
            )
            for st in statuses
        ],
    )
    # Every row just saved carries `at`: the others are branches gone from the repository.
    conn.execute("DELETE FROM branch_status WHERE repo_id = ? AND updated_at != ?", (repo_id, at))


def save_submodules(
    conn: sqlite3.Connection, repo_id: int, statuses: Sequence[SubmoduleStatus], now: datetime
) -> None:
    conn.execute("DELETE FROM submodules WHERE repo_id = ?", (repo_id,))
    conn.executemany(
        "INSERT INTO submodules (repo_id, path, recorded, checked_out, state, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(repo_id, st.path, st.recorded, st.checked_out, st.state, stored(now)) for st in statuses],
    )
