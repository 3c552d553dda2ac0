"""The status window's reads, over plain read-only `sqlite3`, off the event loop.

Through SQLAlchemy's async session a thousand rows cost the calling loop about
6 ms of CPU (rows are adapted on the loop thread), which is lag for everything
else on that loop. Here the queries and the row building run in the calling
thread (an offload thread, or the app's start-up thread) over read-only
connections (WAL: readers never wait for the writer); the loop only awaits the
result. This module imports neither SQLAlchemy nor dulwich, so the desktop app
can paint its window from the store before it has imported the engine.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from _queue import Empty, SimpleQueue  # `queue`'s own, without its module (heapq, its classes)
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from core.errors import BadInput
from core.model import BranchStatus, ConflictRecord, RepoRecord, SkippedFile, SubmoduleStatus, SyncReach
from core.phrase import phrase

_BRANCH_ROWS = (
    "SELECT repo_id, name, upstream, head, upstream_head, ahead, behind, last_fetch,"
    " upstream_gone, gone_since, unpublished, checked_out, worktree, worktree_use, pushed"
    " FROM branch_status"
)
_ALL_BRANCHES = f"{_BRANCH_ROWS} ORDER BY repo_id, name"
_REPO_BRANCHES = f"{_BRANCH_ROWS} WHERE repo_id = ? ORDER BY name"
# What each repository's rows are at: every save stamps all of them (`updated_at`) and
# deletes the ones it did not stamp; every other change deletes rows. One row of text:
# `sqlite3` lets go of the GIL at every row it steps to, and beside fifty fetches each
# row was a wait to get it back.
_BRANCH_VERSIONS = (
    "SELECT group_concat(repo_id || ' ' || rows || ' ' || latest, ',') FROM"
    " (SELECT repo_id, COUNT(*) AS rows, MAX(updated_at) AS latest FROM branch_status GROUP BY repo_id)"
)
_REPO_ROWS = (
    "SELECT id, name, path, state, last_sync, last_result, last_message, last_unfinished, last_said"
    " FROM repos"
)
_REPOS = f"{_REPO_ROWS} ORDER BY name"
_REPO = f"{_REPO_ROWS} WHERE id = ?"
_REPO_SETTINGS = "SELECT key, value FROM repo_settings WHERE repo_id = ?"
_APP_SETTINGS = "SELECT key, value FROM app_settings"
_FAILING = "SELECT 1 FROM remote_failures WHERE repo_id = ? AND remote = ?"
_CONFLICT_ROWS = "SELECT repo_id, branch, path, since FROM conflicts"
_CONFLICTS = f"{_CONFLICT_ROWS} ORDER BY repo_id, branch, path"
_REPO_CONFLICTS = f"{_CONFLICT_ROWS} WHERE repo_id = ? ORDER BY branch, path"
_SUBMODULE_ROWS = "SELECT repo_id, path, recorded, checked_out, state FROM submodules"
_SUBMODULES = f"{_SUBMODULE_ROWS} ORDER BY repo_id, path"
_REPO_SUBMODULES = f"{_SUBMODULE_ROWS} WHERE repo_id = ? ORDER BY path"
_SKIPPED_COUNTS = "SELECT repo_id, COUNT(*) FROM skipped_files GROUP BY repo_id"
_REMOTELESS = "SELECT id FROM repos WHERE NOT EXISTS (SELECT 1 FROM remotes WHERE remotes.repo_id = repos.id)"
_SKIPPED = (
    "SELECT path, reason, size, failures, first_seen, last_seen, retry_after FROM skipped_files"
    " WHERE repo_id = ? ORDER BY last_seen DESC, path"
)
_BRANCH_CONFLICTS = "SELECT path FROM conflicts WHERE repo_id = ? AND branch = ?"
_LAST_SYNC = (
    "SELECT result, message, details, said FROM sync_runs WHERE repo_id = ? AND kind = 'sync'"
    " AND state IN ('done', 'failed') AND result != 'busy' ORDER BY id DESC LIMIT 1"
)
_MODES = (
    "SELECT repo_id, key, value FROM repo_settings"
    " WHERE key IN ('sync_mode', 'paused_until', 'fast_forward_all', 'push_all')"
    " UNION ALL SELECT 0, key, value FROM app_settings WHERE key = 'paused_until'"
)
BUSY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Snapshot:
    """Everything the status window shows first, read in one transaction."""

    repos: list[RepoRecord] = field(default_factory=list)
    branches: dict[int, list[BranchStatus]] = field(default_factory=dict)
    conflicts: dict[int, list[ConflictRecord]] = field(default_factory=dict)
    submodules: dict[int, list[SubmoduleStatus]] = field(default_factory=dict)  # when asked for
    skipped: dict[int, int] = field(default_factory=dict)  # how many files each repository skipped
    # Auto mode's settings and which branches a sync moves, as stored text (`sync_mode`,
    # `paused_until`, `fast_forward_all`, `push_all`; the app's `paused_until` under id 0):
    # `core.settings.repo_settings` parses them.
    modes: dict[int, dict[str, str]] = field(default_factory=dict)
    # Which branches a sync of each repository moves besides the checked-out one.
    reaches: dict[int, SyncReach] = field(default_factory=dict)
    # The repositories with no remote (the store's copy, read again at each sync and refresh).
    remoteless: frozenset[int] = frozenset()


@dataclass(frozen=True)
class LastSync:
    """How the last whole sync ended: its result, message and the paths it found in the way."""

    result: str
    message: str
    dirty: list[str]
    not_pushed: str | None = None  # its push could not reach the remote: the line saying so
    unfinished: str | None = None  # the git command left unfinished it stopped on (`dirty`)
    said: str | None = None  # `message` as its templates and fields (`core.phrase.to_json`)
    push_stopped: str | None = None  # a hook or the remote refused its push: the line saying so


class UnknownRepository(BadInput):
    def __init__(self, name: str) -> None:
        super().__init__(phrase("no repository named {name} (see `gitferry list`)", name=repr(name)))
        self.name = name


def named(records: Sequence[RepoRecord], names: Sequence[str] = ()) -> list[RepoRecord]:
    """All `records` (by name), or the named ones in the order given."""
    if not names:
        return list(records)
    by_name = {r.name: r for r in records}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise UnknownRepository(missing[0])
    return [by_name[n] for n in names]


BranchVersion = tuple[int, str]  # how many rows, the latest `updated_at`


class BranchCache:
    """Every repository's branch rows as last read, with the version they were read at.

    The status window reads every branch while a cycle writes a few repositories' rows
    at a time: building 1,000 `BranchStatus` rows was 3 ms of Python a read (under the
    GIL, beside fifty fetches), for rows of which a handful had changed. A read takes
    each repository's version in SQL (`_BRANCH_VERSIONS`) and builds only the rows of
    the repositories whose version moved. Shared by the reader threads; the rows are
    frozen, each caller gets lists of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, tuple[BranchVersion, list[BranchStatus]]] = {}

    def read(self, conn: sqlite3.Connection) -> dict[int, list[BranchStatus]]:
        """Every repository's branches (by repository id, then name), in the caller's
        read transaction."""
        versions = _versions(conn.execute(_BRANCH_VERSIONS).fetchone()[0])
        with self._lock:
            known = {repo_id: self._rows.get(repo_id) for repo_id in versions}
        found = {
            repo_id: entry[1] for repo_id, entry in known.items() if entry and entry[0] == versions[repo_id]
        }
        stale = [repo_id for repo_id in versions if repo_id not in found]
        if len(stale) * 2 > len(versions):  # the first read, or most moved: one scan
            fresh, stale = _branches(conn), list(versions)
        elif stale:
            marks = ", ".join("?" * len(stale))
            fresh = _branches(
                conn, f"{_BRANCH_ROWS} WHERE repo_id IN ({marks}) ORDER BY repo_id, name", tuple(stale)
            )
        for repo_id in stale:
            found[repo_id] = fresh.get(repo_id, [])
        with self._lock:
            for repo_id in stale:
                self._rows[repo_id] = (versions[repo_id], found[repo_id])
            for gone in [repo_id for repo_id in self._rows if repo_id not in versions]:
                del self._rows[gone]
        return {repo_id: list(found[repo_id]) for repo_id in sorted(versions)}

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


def _versions(listed: str | None) -> dict[int, BranchVersion]:
    """`_BRANCH_VERSIONS`' text: "id rows latest" a repository (a time has one space)."""
    versions: dict[int, BranchVersion] = {}
    for entry in listed.split(",") if listed else ():
        repo_id, rows, latest = entry.split(" ", 2)
        versions[int(repo_id)] = (int(rows), latest)
    return versions


class StatusReader:
    """Read-only connections, one per concurrent reader thread, reused."""

    def __init__(self, path: Path) -> None:
        self._uri = _uri(path)
        self._idle: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        self._branch_cache = BranchCache()

    def all_branches(self) -> dict[int, list[BranchStatus]]:
        with self._borrowed(transaction=True) as conn:
            return self._branch_cache.read(conn)

    def branches(self, repo_id: int) -> list[BranchStatus]:
        """One repository's branches, by name."""
        with self._borrowed() as conn:
            return _branches(conn, _REPO_BRANCHES, (repo_id,)).get(repo_id, [])

    def repos(self) -> list[RepoRecord]:
        """Every repository, by name."""
        with self._borrowed() as conn:
            return _repos(conn)

    def repo(self, repo_id: int) -> RepoRecord | None:
        with self._borrowed() as conn:
            found = _repos(conn, _REPO, (repo_id,))
        return found[0] if found else None

    def settings(self, repo_id: int | None = None) -> dict[str, str]:
        """A repository's settings as stored (text), or the app's when `repo_id` is None."""
        with self._borrowed() as conn:
            rows = (
                conn.execute(_APP_SETTINGS) if repo_id is None else conn.execute(_REPO_SETTINGS, (repo_id,))
            )
            return dict(rows.fetchall())

    def failing(self, repo_id: int, remote: str) -> bool:
        """Whether the remote has a failure streak on record (`RemoteHealth`)."""
        with self._borrowed() as conn:
            return conn.execute(_FAILING, (repo_id, remote)).fetchone() is not None

    def skipped(self, repo_id: int) -> list[SkippedFile]:
        """A repository's skipped files, newest sighting first."""
        with self._borrowed() as conn:
            return [
                SkippedFile(path, reason, size, failures, _at(first), _at(last), _time(retry))
                for path, reason, size, failures, first, last, retry in conn.execute(_SKIPPED, (repo_id,))
            ]

    def conflicts(self, repo_id: int | None = None) -> dict[int, list[ConflictRecord]]:
        """Conflicted paths by repository (one, or all with any), then branch and path:
        the status window reads a repository's after each of its syncs."""
        with self._borrowed() as conn:
            return _conflicts(conn) if repo_id is None else _conflicts(conn, _REPO_CONFLICTS, (repo_id,))

    def conflicted_paths(self, repo_id: int, branch: str) -> set[str]:
        """One branch's conflicted paths."""
        with self._borrowed() as conn:
            return {path for (path,) in conn.execute(_BRANCH_CONFLICTS, (repo_id, branch))}

    def last_sync(self, repo_id: int) -> LastSync | None:
        """The last whole sync (not a fetch) that ran to its end, `busy` ones left out."""
        with self._borrowed() as conn:
            row = conn.execute(_LAST_SYNC, (repo_id,)).fetchone()
        if row is None:
            return None
        details = json.loads(row[2]) if row[2] else {}
        dirty, not_pushed, unfinished = (
            details.get("dirty"),
            details.get("not_pushed"),
            details.get("unfinished"),
        )
        said = str(not_pushed) if not_pushed else None
        command = str(unfinished) if unfinished else None
        paths = [str(path) for path in dirty or []]
        stopped = details.get("push_stopped")
        refused = str(stopped) if stopped else None
        return LastSync(row[0] or "", row[1] or "", paths, said, command, row[3], refused)

    def submodules(self, repo_id: int) -> list[SubmoduleStatus]:
        """One repository's submodules as its last sync saw them, by path."""
        with self._borrowed() as conn:
            return _submodules(conn, _REPO_SUBMODULES, (repo_id,)).get(repo_id, [])

    def snapshot(self, *, submodules: bool = False) -> Snapshot:
        with self._borrowed(transaction=True) as conn:
            return _snapshot(conn, self._branch_cache.read, submodules=submodules)

    @contextlib.contextmanager
    def _borrowed(self, *, transaction: bool = False) -> Iterator[sqlite3.Connection]:
        """An idle connection (or a new one), back among the idle ones afterwards;
        `transaction`: its reads in one read transaction."""
        conn = self._connection()
        try:
            if not transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        finally:
            self._idle.put(conn)

    def close(self) -> None:
        """Close the idle connections and forget what was read (the store's file may be
        another one next time)."""
        self._branch_cache.clear()
        while True:
            try:
                self._idle.get_nowait().close()
            except Empty:
                return

    def _connection(self) -> sqlite3.Connection:
        try:
            return self._idle.get_nowait()
        except Empty:
            return _read_only(self._uri)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the store at `path`, as the reader's (no transaction
    of `sqlite3`'s own: `BEGIN` when asked)."""
    return _read_only(_uri(path))


def _uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _read_only(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None
    )


def read_snapshot(conn: sqlite3.Connection, *, submodules: bool) -> Snapshot:
    """`StatusReader.snapshot` over `conn`, for a process that reads the store once (`gitferry
    status`, `list`): its branches in one scan, without the version query a `BranchCache`
    keeps them by."""
    conn.execute("BEGIN")
    try:
        return _snapshot(conn, _branches, submodules=submodules)
    finally:
        conn.execute("COMMIT")


def _snapshot(
    conn: sqlite3.Connection,
    branches: Callable[[sqlite3.Connection], dict[int, list[BranchStatus]]],
    *,
    submodules: bool,
) -> Snapshot:
    subs = _submodules(conn) if submodules else {}
    skipped = dict(conn.execute(_SKIPPED_COUNTS).fetchall())
    modes: dict[int, dict[str, str]] = {}
    for repo_id, key, value in conn.execute(_MODES):
        modes.setdefault(repo_id, {})[key] = value
    rows = branches(conn)
    repos = _repos(conn)
    remoteless = frozenset(row[0] for row in conn.execute(_REMOTELESS))
    reaches = _reaches(repos, modes)
    return Snapshot(repos, rows, _conflicts(conn), subs, skipped, modes, reaches, remoteless)


def first_snapshot(path: Path) -> Snapshot:
    """The store's picture at start-up; empty when there is no store yet, or one this
    build cannot read (the core opens, migrates or reports it right after)."""
    if not path.exists():
        return Snapshot()
    try:
        with contextlib.closing(connect_read_only(path)) as conn:
            return read_snapshot(conn, submodules=True)  # a row says a submodule off its commit
    except sqlite3.Error:
        return Snapshot()


def _branches(
    conn: sqlite3.Connection, query: str = _ALL_BRANCHES, params: tuple[int, ...] = ()
) -> dict[int, list[BranchStatus]]:
    out: dict[int, list[BranchStatus]] = {}
    moment = datetime.fromisoformat
    for row in conn.execute(query, params):
        repo_id, name, up, head, tip, ahead, behind, fetched, gone, since, unpublished, here, *rest = row
        worktree, use, pushed = rest
        fetch = None if fetched is None else moment(fetched)
        gone_since = None if since is None else moment(since)
        checked_out = None if here is None else bool(here)
        values = (name, up, head, tip, ahead, behind, fetch, bool(gone), gone_since, unpublished, checked_out)
        out.setdefault(repo_id, []).append(_branch_status((*values, worktree, use, bool(pushed))))
    return out


_BRANCH_FIELDS = tuple(f.name for f in fields(BranchStatus))


def _branch_status(values: tuple[object, ...]) -> BranchStatus:
    """`BranchStatus(*values)` (every field given) without its `__init__`: a frozen
    dataclass's sets each of its 14 fields through `object.__setattr__`, about half of
    building one, 1,000 of them in `gitferry status` of 50 repositories of 20 branches.
    The instance is the same (`__dict__` is all a dataclass without `__post_init__` or
    slots keeps; `tests/core/test_status_reader.py` compares them)."""
    row = object.__new__(BranchStatus)
    row.__dict__.update(zip(_BRANCH_FIELDS, values, strict=True))
    return row


def _repos(conn: sqlite3.Connection, query: str = _REPOS, params: tuple[int, ...] = ()) -> list[RepoRecord]:
    return [
        RepoRecord(repo_id, name, path, state or "idle", _time(last_sync), *rest)
        for repo_id, name, path, state, last_sync, *rest in conn.execute(query, params)
    ]


def _conflicts(
    conn: sqlite3.Connection, query: str = _CONFLICTS, params: tuple[int, ...] = ()
) -> dict[int, list[ConflictRecord]]:
    out: dict[int, list[ConflictRecord]] = {}
    for repo_id, branch, path, since in conn.execute(query, params):
        out.setdefault(repo_id, []).append(ConflictRecord(branch, path, _at(since)))
    return out


def _submodules(
    conn: sqlite3.Connection, query: str = _SUBMODULES, params: tuple[int, ...] = ()
) -> dict[int, list[SubmoduleStatus]]:
    out: dict[int, list[SubmoduleStatus]] = {}
    for repo_id, path, recorded, checked_out, state in conn.execute(query, params):
        out.setdefault(repo_id, []).append(SubmoduleStatus(path, recorded, checked_out, state))
    return out


def _reaches(repos: Sequence[RepoRecord], modes: dict[int, dict[str, str]]) -> dict[int, SyncReach]:
    # Imported here: the desktop app reads its first snapshot in a thread of its own while
    # PySide6 loads; on the main thread, before it, the settings' module was 2 ms of the
    # first paint.
    from core.settings import repo_settings

    return {r.id: repo_settings(modes.get(r.id, {})).reach for r in repos}


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)
