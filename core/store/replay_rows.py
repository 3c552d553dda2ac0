"""The store's side of a replayed no-change fetch (`core/cli_replay.py`).

`standing` is what a fetch that changed nothing leaves as it found it: the
repository's rows in every table a sync writes or reads, without the times each run
stamps. A recorded fetch is replayed only while they are what the recorded run left
(`core/engine/fetch_replay.py`). `replay_fetch` then writes what that run wrote, with
the same functions as the engine's store (`run_rows`): a run of kind `fetch`,
its end, the repository's last sync, and the branch rows' times (the fetched remotes'
branches stamped as fetched), nothing else.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from core.results import ResultKind
from core.store.run_rows import RunEnd, finish_run, insert_run, start_run, stored

# Every column a no-change run stamps with its own time: not part of what stands.
_TIMES = frozenset({"last_sync", "updated_at", "last_fetch"})
_ROWS_OF_REPO = ("repo_settings", "remotes", "branch_status", "remote_failures", "conflicts", "skipped_files")
_ORDER = "ORDER BY 1, 2, 3"


class NewsToTell(Exception):
    """The replayed run would be news to the history and the activity log (`finish_run`
    says it is not quiet): the engine's sync records it, not a replay."""


def standing(conn: sqlite3.Connection, repo_id: int) -> list[Any]:
    """The repository's rows, the app's settings and the schema's version, without the
    times a run stamps, as one comparable list."""
    rows: list[Any] = [conn.execute("PRAGMA user_version").fetchone()[0]]
    rows.append(_without_times(conn.execute("SELECT * FROM repos WHERE id = ?", (repo_id,))))
    for table in _ROWS_OF_REPO:
        rows.append(
            _without_times(conn.execute(f"SELECT * FROM {table} WHERE repo_id = ? {_ORDER}", (repo_id,)))
        )
    rows.append(_without_times(conn.execute("SELECT * FROM app_settings ORDER BY key")))
    return rows


def _without_times(cursor: sqlite3.Cursor) -> list[list[Any]]:
    keep = [i for i, column in enumerate(cursor.description) if column[0] not in _TIMES]
    return [[row[i] for i in keep] for row in cursor.fetchall()]


def replay_fetch(
    conn: sqlite3.Connection,
    repo_id: int,
    end: RunEnd,
    fetched: list[str],
    now: datetime,
) -> None:
    """Record a fetch of `fetched` (remote names) that ended as `end` (up to date, idle,
    asked), in the caller's transaction; `NewsToTell` when `finish_run` finds it news."""
    run_id = insert_run(conn, repo_id, "fetch", now)
    start_run(conn, run_id, repo_id, "fetching", now)
    if end.result != ResultKind.UP_TO_DATE or not finish_run(conn, run_id, repo_id, end, now):
        raise NewsToTell
    at = stored(now)
    prefixes = tuple(f"{remote}/" for remote in fetched)
    rows = conn.execute("SELECT name, upstream FROM branch_status WHERE repo_id = ?", (repo_id,)).fetchall()
    conn.executemany(
        "UPDATE branch_status SET updated_at = ?, last_fetch = ? WHERE repo_id = ? AND name = ?",
        [(at, at, repo_id, name) for name, upstream in rows if upstream and upstream.startswith(prefixes)],
    )
    conn.execute(
        "UPDATE branch_status SET updated_at = ? WHERE repo_id = ? AND updated_at != ?", (at, repo_id, at)
    )
