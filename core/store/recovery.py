"""Opening the status store file, and rebuilding it when SQLite cannot read it.

A file that is not a database (SQLITE_NOTADB) or whose pages are damaged
(SQLITE_CORRUPT, or `PRAGMA quick_check` not ok) holds nothing the user can act
on but would stop every client: it is renamed aside, with its `-wal`/`-shm`
companions (`status.sqlite3.corrupt-<UTC stamp>`, kept for inspection), and a
fresh store is made and filled from `repositories.json`. Every other failure
(a locked or read-only file, a disk error) is left alone and reported: only a
file SQLite itself calls unreadable is moved. A store from a newer Gitferry is
never touched (`SchemaTooNew`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import GitferryError
from core.model import utcnow
from core.settings import APP_PARSERS, REPO_PARSERS, BadSetting, parse_setting
from core.store.migrations import immediate_transaction, migrate
from core.store.registry_file import (
    Registration,
    Registry,
    UnreadableRegistry,
    read_registry,
    registry_path,
)

log = logging.getLogger(__name__)

_UNREADABLE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})
_NEARLY_FULL = 64 * 1024  # bytes free: less than SQLite needs to grow its files by a few pages
_MAGIC = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")
Parsers = Mapping[str, Callable[[str], Any]]


@dataclass(frozen=True)
class Recovery:
    """A store that could not be read, set aside and rebuilt."""

    reason: str
    backup: Path
    restored: int  # repositories registered again from repositories.json
    registry_problem: str | None = None

    def describe(self) -> str:
        source = (
            f"re-registered {self.restored} repositories from repositories.json"
            if self.registry_problem is None
            else f"no repositories to re-register ({self.registry_problem})"
        )
        return f"the status store could not be read ({self.reason}): kept it as {self.backup.name}, {source}"


def open_store_file(path: Path) -> Recovery | None:
    """Create, migrate or (when SQLite cannot read it) rebuild the store at `path`. Blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    reason = _unreadable_reason(path)
    if reason is None:
        return None
    backup = _set_aside(path)
    migrate(path)
    registry, problem = _registry_for_rebuild(path)
    restored = _refill(path, registry)
    recovery = Recovery(reason, backup, restored, problem)
    log.warning("%s", recovery.describe())
    return recovery


def _unreadable_reason(path: Path) -> str | None:
    """Migrate the file; SQLite's reason when it is not a readable database. A file
    without SQLite's header is not opened at all (SQLite may drop its companions)."""
    if not _has_sqlite_header(path):
        return "file is not a database"
    try:
        migrate(path)
        return _quick_check(path)
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


def _quick_check(path: Path) -> str | None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    finally:
        conn.close()
    return None if verdict == ["ok"] else f"damaged: {'; '.join(map(str, verdict))}"


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


def _set_aside(path: Path) -> Path:
    """Rename `path` (and its companions) to a `.corrupt-<stamp>` name not yet taken."""
    base = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    backup, n = base, 1
    while backup.exists():
        n += 1
        backup = base.with_name(f"{base.name}.{n}")
    os.replace(path, backup)
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            os.replace(companion, backup.with_name(backup.name + suffix))
    return backup


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
            cursor = conn.execute(
                "INSERT OR IGNORE INTO repos (name, path, state, added_at) VALUES (?, ?, 'idle', ?)",
                (entry.name, entry.path, now),
            )
            if cursor.rowcount != 1:
                log.warning("repositories.json: %s at %s listed twice, kept once", entry.name, entry.path)
                continue
            restored += 1
            _refill_repo(conn, cursor.lastrowid or 0, entry)
        for key, value in _valid(APP_PARSERS, registry.app_settings, "app").items():
            conn.execute("INSERT INTO app_settings (key, value) VALUES (?, ?)", (key, value))
    return restored


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
