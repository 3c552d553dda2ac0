"""The rows of a sync run, over plain `sqlite3`: its start, its end, and the repository's
last result, as every writer of the store records them.

The engine's writer (`status_writer.StatusWriter`, in its own thread) and a replayed
no-change fetch (`core/cli_replay.py`, in a cold process that never starts the engine)
both record runs through these functions, so both record the same rows. Light on
purpose: no dataclasses, no thread pools, no event loop.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from core.repo_state import RepoState
from core.results import HELD_BY_FETCH, UP_TO_DATE_MESSAGE, ResultKind

T = TypeVar("T")
BUSY_TIMEOUT_SECONDS = 10.0


def writer_connection(path: Path) -> sqlite3.Connection:
    """A plain connection to write the store with: never creates the file, waits
    `busy_timeout` for another process's writer, usable from any one thread at a time."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=rw",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work` inside one `BEGIN IMMEDIATE` transaction, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return out


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


class RunEnd(NamedTuple):
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
    # What the message says past where the branches stand ("up to date", or a branch's line
    # in its place: "drafts: 1 behind, not checked out"), "; " first; None: past "up to date".
    notes: str | None = None


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
    notes = message.removeprefix(UP_TO_DATE_MESSAGE) if end.notes is None else end.notes
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
