"""Versioned schema migrations, tracked in SQLite's `PRAGMA user_version`.

Each migration is a list of statements applied in one `BEGIN IMMEDIATE`
transaction; before any migration runs on an existing database, the file is
copied aside with SQLite's online backup API, so a failed upgrade loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import GitferryError
from core.phrase import phrase

MIGRATIONS: list[list[str]] = [
    # 1: the first schema.
    [
        """CREATE TABLE repos (
            id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE,
            path VARCHAR NOT NULL UNIQUE,
            state VARCHAR NOT NULL DEFAULT 'idle',
            last_sync DATETIME,
            last_result VARCHAR,
            last_message VARCHAR,
            added_at DATETIME NOT NULL)""",
        """CREATE TABLE repo_settings (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            key VARCHAR NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (repo_id, key))""",
        """CREATE TABLE app_settings (key VARCHAR NOT NULL PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE remotes (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            name VARCHAR NOT NULL,
            fetch_url TEXT NOT NULL,
            push_url TEXT,
            PRIMARY KEY (repo_id, name))""",
        """CREATE TABLE branch_status (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            name VARCHAR NOT NULL,
            upstream VARCHAR,
            head VARCHAR,
            upstream_head VARCHAR,
            ahead INTEGER,
            behind INTEGER,
            last_fetch DATETIME,
            upstream_gone BOOLEAN NOT NULL DEFAULT 0,
            gone_since DATETIME,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (repo_id, name))""",
        """CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            kind VARCHAR NOT NULL,
            state VARCHAR NOT NULL,
            result VARCHAR,
            message VARCHAR,
            requested_at DATETIME NOT NULL,
            started_at DATETIME,
            finished_at DATETIME,
            details TEXT,
            timings TEXT)""",
        "CREATE INDEX ix_sync_runs_repo ON sync_runs (repo_id, id)",
        "CREATE INDEX ix_sync_runs_state ON sync_runs (state)",
        """CREATE TABLE remote_failures (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            remote VARCHAR NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            first_failure_at DATETIME,
            last_failure_at DATETIME,
            tripped_until DATETIME,
            last_error VARCHAR,
            PRIMARY KEY (repo_id, remote))""",
    ],
    # 2: what the working tree needs from the user: conflicts, files a sync left out.
    [
        """CREATE TABLE conflicts (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            branch TEXT NOT NULL,
            path TEXT NOT NULL,
            since DATETIME NOT NULL,
            PRIMARY KEY (repo_id, branch, path))""",
        """CREATE TABLE skipped_files (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            reason TEXT NOT NULL,
            size INTEGER,
            failures INTEGER NOT NULL DEFAULT 1,
            first_seen DATETIME NOT NULL,
            last_seen DATETIME NOT NULL,
            retry_after DATETIME,
            PRIMARY KEY (repo_id, path))""",
        "CREATE INDEX ix_skipped_files_seen ON skipped_files (repo_id, last_seen)",
    ],
    # 3: submodules whose checked-out commit is not the recorded one, as the last sync saw them.
    [
        """CREATE TABLE submodules (
            repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            recorded VARCHAR NOT NULL,
            checked_out VARCHAR,
            state VARCHAR NOT NULL,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (repo_id, path))""",
    ],
    # 4: commits of a branch no remote has, when it has no upstream on a remote (`unpublished`).
    ["ALTER TABLE branch_status ADD COLUMN unpublished INTEGER NOT NULL DEFAULT 0"],
    # 5: whether the branch is the worktree's HEAD (NULL: not measured since).
    ["ALTER TABLE branch_status ADD COLUMN checked_out BOOLEAN"],
    # 6: another worktree that uses the branch, and how (NULL: none, or not measured since).
    [
        "ALTER TABLE branch_status ADD COLUMN worktree VARCHAR",
        "ALTER TABLE branch_status ADD COLUMN worktree_use VARCHAR",
    ],
    # 7: a run that changed nothing after one that went well (`quiet`): kept out of the
    # history and the activity log; the runs before it that were up to date count as such.
    [
        "ALTER TABLE sync_runs ADD COLUMN quiet BOOLEAN NOT NULL DEFAULT 0",
        "UPDATE sync_runs SET quiet = 1 WHERE result = 'up_to_date'",
    ],
    # 8: the branch's push remote, a fork, has its head: ahead with nothing to push (`pushed`).
    ["ALTER TABLE branch_status ADD COLUMN pushed BOOLEAN NOT NULL DEFAULT 0"],
    # 9: the git command left unfinished that the last sync's `dirty` stopped on ("rebase", ...).
    ["ALTER TABLE repos ADD COLUMN last_unfinished VARCHAR"],
    # 10: the last sync's message as its templates and fields (`core.phrase`, JSON), beside
    # its English, so the app says it in its language (NULL: English only, as before).
    [
        "ALTER TABLE repos ADD COLUMN last_said TEXT",
        "ALTER TABLE sync_runs ADD COLUMN said TEXT",
    ],
]

LATEST = len(MIGRATIONS)


class SchemaTooNew(GitferryError):
    """The store was written by a newer Gitferry: never downgraded, never touched."""

    def __init__(self, path: Path, found: int) -> None:
        super().__init__(
            phrase(
                "{file} is from a newer Gitferry (schema {found}; this one knows {known}): "
                "upgrade Gitferry, or move {path} aside to start afresh",
                file=path.name,
                found=found,
                known=LATEST,
                path=str(path),
            )
        )
        self.path = path
        self.found = found


def migrate(path: Path) -> int:
    """Bring the database at `path` to the latest schema; returns the version it was at.

    Blocking: called once at start-up through the offload layer.
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > LATEST:
            raise SchemaTooNew(path, found)  # before anything is written (even the journal mode)
        conn.execute("PRAGMA journal_mode=WAL")
        if found < LATEST and found > 0:
            _backup(conn, path.with_name(f"{path.name}.v{found}.bak"))
        for version in range(found + 1, LATEST + 1):
            with immediate_transaction(conn):
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                    continue  # another process applied it since `found` was read
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
        return found
    finally:
        conn.close()


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any exception (an autocommit
    connection: `isolation_level=None`)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    backup = sqlite3.connect(target)
    try:
        conn.backup(backup)
    finally:
        backup.close()
