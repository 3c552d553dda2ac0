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
import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from core.model import BranchStatus, RemoteRecord, RepoState, SubmoduleStatus
from core.offload import PriorityGate
from core.results import HELD_BY_FETCH, UP_TO_DATE_MESSAGE, ResultKind

T = TypeVar("T")
BUSY_TIMEOUT_SECONDS = 10.0


class StatusWriter:
    """One plain connection, used only by one thread (its executor), opened on first use."""

    def __init__(self, path: Path) -> None:
        self._uri = f"{path.resolve().as_uri()}?mode=rw"
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
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            out = work(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return out

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self._uri,
                uri=True,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def stored(moment: datetime | None) -> str | None:
    """A naive UTC time as SQLAlchemy's SQLite `DateTime` stores it."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_run(conn: sqlite3.Connection, repo_id: int, kind: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO sync_runs (repo_id, kind, state, requested_at) VALUES (?, ?, 'pending', ?)",
        (repo_id, kind, stored(now)),
    )
    return int(cursor.lastrowid or 0)


# States only a running app or daemon holds a repository in, and lets go of itself: a sync
# run by another process (the CLI beside the daemon) must neither replace nor end them.
_HELD_BY_ENGINE = f"('{RepoState.PAUSED}', '{RepoState.TRIPPED}')"
_IDLE_UNLESS_HELD = f"CASE WHEN state IN {_HELD_BY_ENGINE} THEN state ELSE 'idle' END"


def start_run(conn: sqlite3.Connection, run_id: int, repo_id: int, repo_state: str, now: datetime) -> None:
    conn.execute("UPDATE sync_runs SET state = 'running', started_at = ? WHERE id = ?", (stored(now), run_id))
    conn.execute(
        f"UPDATE repos SET state = ? WHERE id = ? AND state NOT IN {_HELD_BY_ENGINE}", (repo_state, repo_id)
    )


def set_repo_state(conn: sqlite3.Connection, repo_id: int, state: str) -> None:
    conn.execute("UPDATE repos SET state = ? WHERE id = ?", (state, repo_id))


def set_standing(
    conn: sqlite3.Connection,
    repo_id: int,
    result: str | None,
    message: str | None,
    unfinished: str | None,
    said: str | None,
) -> None:
    conn.execute(
        "UPDATE repos SET last_result = ?, last_message = ?, last_unfinished = ?, last_said = ? WHERE id = ?",
        (result, message, unfinished, said, repo_id),
    )


@dataclass(frozen=True)
class RunEnd:
    """How a run ended, as `finish_run` records it."""

    result: str
    message: str
    failed: bool
    details: dict[str, Any]
    timings_ms: dict[str, float]
    idle: bool = False  # it committed, fetched, integrated and pushed nothing
    asked: bool = False  # the user asked for it (Sync now, `gitferry sync`): a repeat is told
    unfinished: str | None = None  # the git command left unfinished it stopped on (`dirty`)
    said: str | None = None  # `message` as its templates and fields (`core.phrase.to_json`)


# Results after which a run that changed nothing is no news: it is `quiet`.
_WENT_WELL = (str(ResultKind.OK), str(ResultKind.UP_TO_DATE))
# A fetch's "up to date" after a branch said unpublished is about the remote only (no
# news: it answered before too). A conflict, local changes in the way or a diverged
# branch a fetch leaves standing it says again (core/engine/sync.py, `_still_stopped`):
# its "up to date" after them says they are over, which is news.
_LEFT_AS_IT_IS = (str(ResultKind.UNPUBLISHED),)


def finish_run(conn: sqlite3.Connection, run_id: int, repo_id: int, end: RunEnd, now: datetime) -> bool:
    """Record how the run ended; whether it is `quiet`: it did nothing (`idle`) and is
    up to date after a run that went well, saying nothing that run did not (a file left
    out, said again), or ends as the last one did, with the same words
    (an unpublished branch, a dirty tree, the remote still unreachable: a state, said
    once), unless the user `asked` for it. A repository's first run, and the first after a
    change of state, are news;
    a fetch (`kind` fetch) that found nothing is not when it is up to date after a branch
    said unpublished, or says again the conflict, local changes in the way or diverged
    branch the last run stopped on (it changed none of them; the words of a fetch that
    brought something before them are no news either). "The last one" is the last run
    that was news (not `busy`, which left the repository as it stood): a quiet run in
    between says nothing of how it stands, so the first run after a conflict that is up
    to date (the conflict resolved with git) is news. A run the user asked for (`asked`)
    is quiet only when up to date with nothing new: a stop or failure it meets again is told
    again."""
    result, message = end.result, end.message
    before = conn.execute(
        "SELECT result, message FROM sync_runs WHERE repo_id = ? AND id != ? AND NOT quiet"
        " AND state IN ('done', 'failed') AND result != ? ORDER BY id DESC LIMIT 1",
        (repo_id, run_id, str(ResultKind.BUSY)),
    ).fetchone()
    kind = conn.execute("SELECT kind, state FROM sync_runs WHERE id = ?", (run_id,)).fetchone()
    fetch = kind is not None and kind[0] == "fetch"
    started = kind is not None and kind[1] == "running"  # it held the sync lock: `start_run`
    settled = _WENT_WELL + (_LEFT_AS_IT_IS if fetch else ())
    # Up to date, with nothing to say the last run did not say (its notes, such as a file
    # left out, ended its message too).
    notes = message.removeprefix(UP_TO_DATE_MESSAGE)
    nothing_new = (
        before is not None
        and result == ResultKind.UP_TO_DATE
        and before[0] in settled
        and (not notes or (notes.startswith("; ") and str(before[1] or "").endswith(notes)))
    )
    held = (
        fetch
        and before is not None
        and result == before[0]
        and result in HELD_BY_FETCH  # a detached HEAD (`error`) too
        and str(before[1] or "").endswith(message)
    )
    # A run the user asked for that went well and brought nothing is no news either (the
    # row's time says it ran); one that stopped or failed again is told again: they asked.
    quiet = (
        end.idle
        and before is not None
        and (nothing_new or (not end.asked and (held or (result, message) == tuple(before))))
    )
    conn.execute(
        "UPDATE sync_runs SET state = ?, result = ?, message = ?, finished_at = ?, details = ?, timings = ?,"
        " quiet = ?, said = ? WHERE id = ?",
        (
            "failed" if end.failed else "done",
            result,
            message,
            stored(now),
            json.dumps(end.details),
            json.dumps(end.timings_ms),
            quiet,
            end.said,
            run_id,
        ),
    )
    if result == ResultKind.BUSY:
        # Another sync owns the repository: its state and result stand. A run that took the
        # sync lock (another git's `index.lock` stopped it) ends the state it set (`syncing`)
        # and leaves the last sync's result as it stood.
        if started:
            conn.execute(f"UPDATE repos SET state = {_IDLE_UNLESS_HELD} WHERE id = ?", (repo_id,))
        return quiet
    conn.execute(
        f"UPDATE repos SET state = {_IDLE_UNLESS_HELD},"
        " last_sync = ?, last_result = ?, last_message = ?, last_unfinished = ?, last_said = ? WHERE id = ?",
        (stored(now), result, message, end.unfinished, end.said, repo_id),
    )
    return quiet


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
