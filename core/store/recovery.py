"""Opening the status store file, and rebuilding it when it is unreadable or gone.

A file that is not a database (SQLITE_NOTADB) or whose pages are damaged
(SQLITE_CORRUPT, or `PRAGMA quick_check` not ok), or that lacks the store's
tables, holds nothing the user can act on but would stop every client: it is
renamed aside, with its `-wal`/`-shm` companions (`status.sqlite3.corrupt-<UTC
stamp>`, kept for inspection), and a fresh store is made and filled from
`repositories.json`. A store that is missing (deleted, or left empty) while
`repositories.json` exists is rebuilt from it the same way; `-wal`/`-shm` files
left without their database (`status.sqlite3.lost-<stamp>`) are set aside
first, since SQLite would replay a foreign WAL into the new file. Every other
failure (a locked or read-only file, a disk error) is left alone and reported:
only a file SQLite itself calls unreadable is moved. A store from a newer
Gitferry is never touched (`SchemaTooNew`).

A rebuild runs under a lock file (`status.sqlite3.rebuild.lock`), so two
processes that find the store gone at once (the CLI and a running daemon)
rebuild it once, and the new store is made under a temporary name and renamed
into place whole: no client ever opens a half-filled store (and then rewrites
`repositories.json` from it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import GitferryError
from core.lazy_log import LazyLogger
from core.model import utcnow
from core.settings import APP_PARSERS, REPO_PARSERS, BadSetting, parse_setting
from core.store.migrations import LATEST, immediate_transaction, migrate
from core.store.registry_file import (
    Registration,
    Registry,
    UnreadableRegistry,
    read_registry,
    registry_outdated,
    registry_path,
)
from core.store.status_reader import connect_read_only

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any

    from core.platform.file_lock import LockedFile

    Parsers = Mapping[str, Callable[[str], Any]]

log = LazyLogger(__name__)  # `logging` at its first use (`core/lazy_log.py`)

_UNREADABLE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})
_NEARLY_FULL = 64 * 1024  # bytes free: less than SQLite needs to grow its files by a few pages
_MAGIC = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")
_TABLES = ("repos", "repo_settings", "app_settings", "remotes", "branch_status", "sync_runs")
LOCK_WAIT_SECONDS = 30.0  # another process's rebuild: a few registrations, well under a second


@dataclass(frozen=True)
class Recovery:
    """A store that could not be read (or was gone), set aside and rebuilt."""

    reason: str
    backup: Path | None  # what was set aside; None when there was nothing to keep
    restored: int  # repositories registered again from repositories.json
    registry_problem: str | None = None
    missing: bool = False  # the store was gone rather than unreadable

    def describe(self) -> str:
        if self.missing:
            return f"the status store was {self.reason}: {self.outcome()}"
        return f"the status store could not be read ({self.reason}): {self.outcome()}"

    def outcome(self) -> str:
        """What was done about it: what was kept aside, what was registered again."""
        source = (
            f"re-registered {self.restored} repositories from repositories.json"
            if self.registry_problem is None
            else f"no repositories to re-register ({self.registry_problem})"
        )
        if self.backup is None:
            return source
        kept = "what it left behind" if self.missing else "it"
        return f"kept {kept} as {self.backup.name}, {source}"


def open_store_file(path: Path) -> Recovery | None:
    """Create, migrate or (when it is unreadable, or gone while `repositories.json`
    exists) rebuild the store at `path`; what was rebuilt, if anything. Blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if _missing(path) and registry_path(path).exists():
        return _rebuild(path, "missing", missing=True)
    reason = _unreadable_reason(path)  # a brand-new store is created here
    return None if reason is None else _rebuild(path, reason)


def open_as_is(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the store at `path` (`connect_read_only`; the caller
    closes it) when opening the store would change nothing: it is there, at the latest
    schema, passes SQLite's quick check, has its tables, and `repositories.json` needs no
    rewrite. Then a read-only client (`gitferry status`, `list`) reads it over that
    connection, plain `sqlite3`; otherwise (None) it opens the store as usual (migrate,
    rebuild, rewrite the registry). Blocking."""
    if _missing(path) or not _has_sqlite_header(path) or registry_outdated(registry_path(path)):
        return None
    conn = None
    try:
        conn = connect_read_only(path)
        latest = int(conn.execute("PRAGMA user_version").fetchone()[0]) == LATEST
        if latest and _quick_check(conn) is None and _tables_missing(conn) is None:
            return conn
    except sqlite3.Error:
        pass
    if conn is not None:
        conn.close()
    return None


def _missing(path: Path) -> bool:
    """No store, or an empty file where it should be (SQLite creates one on open)."""
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def _rebuild(path: Path, reason: str, *, missing: bool = False) -> Recovery | None:
    """Set the store aside and fill a new one from `repositories.json`, under the rebuild
    lock; None if another process rebuilt it while this one waited for the lock."""
    with rebuild_lock(path):
        still = _missing(path) if missing else _unreadable_reason(path) is not None
        if not still:
            return None
        backup = _set_aside(path, "lost" if missing else "corrupt")
        fresh = path.with_name(f".{path.name}.rebuild-{os.getpid()}")
        _remove_with_companions(fresh)
        try:
            migrate(fresh)
            registry, problem = _registry_for_rebuild(path)
            restored = _refill(fresh, registry)
            os.replace(fresh, path)  # whole: nobody opens it half filled
        finally:
            _remove_with_companions(fresh)
    return Recovery(reason, backup, restored, problem, missing=missing)


@contextlib.contextmanager
def rebuild_lock(path: Path) -> Iterator[None]:
    """The lock every rebuild of the store at `path` takes, across processes."""
    from core.platform.file_lock import try_lock

    lock_path = path.with_name(f"{path.name}.rebuild.lock")
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    lock: LockedFile | None = None
    try:
        while (lock := try_lock(lock_path)) is None:
            if time.monotonic() > deadline:
                raise StoreUnavailable(path, "another Gitferry process is rebuilding it")
            time.sleep(0.05)
    except OSError as exc:
        raise StoreUnavailable(path, exc.strerror or str(exc)) from None
    try:
        yield
    finally:
        lock.release()


def _remove_with_companions(path: Path) -> None:
    for name in (path.name, *(path.name + suffix for suffix in _COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(name).unlink()


def _unreadable_reason(path: Path) -> str | None:
    """Migrate the file; SQLite's reason when it is not a readable database. A file
    without SQLite's header is not opened at all (SQLite may drop its companions)."""
    if not _has_sqlite_header(path):
        return "file is not a database"
    try:
        migrate(path)
        with contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=10.0)) as conn:
            return _quick_check(conn) or _tables_missing(conn)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) in _UNREADABLE:
            return str(exc)
        raise StoreUnavailable(path, str(exc)) from None
    except OSError as exc:
        raise StoreUnavailable(path, exc.strerror or str(exc)) from None


def _has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(len(_MAGIC))
    except FileNotFoundError:
        return True  # a new store
    return head in (b"", _MAGIC)


def _quick_check(conn: sqlite3.Connection) -> str | None:
    verdict = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    return None if verdict == ["ok"] else f"damaged: {'; '.join(map(str, verdict))}"


def _tables_missing(conn: sqlite3.Connection) -> str | None:
    """A database at the latest version without the store's tables (someone dropped
    them, or put another database here): as unusable as a damaged one."""
    found = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [table for table in _TABLES if table not in found]
    return f"its tables are missing ({', '.join(missing)})" if missing else None


class StoreUnavailable(GitferryError):
    """The store file cannot be opened or written for a reason that renaming it would
    not cure (a full or failing disk, a read-only folder, a lock held too long)."""

    def __init__(self, path: Path, why: str, *, action: str = "open") -> None:
        if _disk_full(path.parent):
            why = f"{why}; the disk holding it is full"
        super().__init__(f"cannot {action} the status store {path}: {why}")
        self.path = path


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _set_aside(path: Path, label: str = "corrupt") -> Path | None:
    """Rename `path` and its companions to a `.<label>-<stamp>` name not yet taken; the
    name, or None when there was nothing to rename."""
    base = path.with_name(f"{path.name}.{label}-{_stamp()}")
    backup, n = base, 1
    while backup.exists():
        n += 1
        backup = base.with_name(f"{base.name}.{n}")
    moved = False
    for suffix in ("", *_COMPANIONS):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path.with_name(path.name + suffix), backup.with_name(backup.name + suffix))
            moved = True
    return backup if moved else None


def _registry_for_rebuild(path: Path) -> tuple[Registry, str | None]:
    file = registry_path(path)
    try:
        registry = read_registry(file)
    except UnreadableRegistry as exc:
        _set_aside(file)  # the rebuilt (empty) store will write a fresh one over it otherwise
        return Registry(), str(exc)
    if registry is None:
        return Registry(), f"{file.name} not found"
    return registry, None


def _refill(path: Path, registry: Registry) -> int:
    """Register the repositories again, with their valid settings (their remotes are
    read from git's config by the engine: `core.engine.remotes_mirror`)."""
    now = utcnow().isoformat(sep=" ")
    restored = 0
    with (
        contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=10.0)) as conn,
        immediate_transaction(conn),
    ):
        for entry in registry.repositories:
            repo_id = _insert_repo(conn, entry, now)
            if repo_id is None:
                log.warning("repositories.json: %s at %s listed twice, kept once", entry.name, entry.path)
                continue
            restored += 1
            _refill_repo(conn, repo_id, entry)
        for key, value in _valid(APP_PARSERS, registry.app_settings, "app").items():
            conn.execute("INSERT OR REPLACE INTO app_settings (key, value) VALUES (?, ?)", (key, value))
    return restored


def _insert_repo(conn: sqlite3.Connection, entry: Registration, now: str) -> int | None:
    """The new row's id: the one the registry kept when it is free (a process still
    running knows the repository by it), else a new one; None for a name or path
    already registered."""
    for repo_id in dict.fromkeys((entry.id, None)):
        cursor = conn.execute(
            "INSERT OR IGNORE INTO repos (id, name, path, state, added_at) VALUES (?, ?, ?, 'idle', ?)",
            (repo_id, entry.name, entry.path, now),
        )
        if cursor.rowcount == 1:
            return cursor.lastrowid
    return None


def _refill_repo(conn: sqlite3.Connection, repo_id: int, entry: Registration) -> None:
    for key, value in _valid(REPO_PARSERS, entry.settings, entry.name).items():
        conn.execute(
            "INSERT INTO repo_settings (repo_id, key, value) VALUES (?, ?, ?)", (repo_id, key, value)
        )


def _valid(parsers: Parsers, settings: Mapping[str, str], owner: str) -> dict[str, str]:
    valid: dict[str, str] = {}
    for key, value in settings.items():
        try:
            valid[key] = parse_setting(parsers, key, value)
        except BadSetting as exc:
            log.warning("repositories.json: %s: %s (left out)", owner, exc.message)
    return valid
