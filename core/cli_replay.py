"""A cold `gitferry sync --fetch-only` answered from the record of the last one, when
nothing it depends on has changed (`core/engine/fetch_replay.py` says what and why).

The entry point tries it once no running engine took the sync, before the CLI and the
engine are imported. For each repository named (all, without names), in order: its
record, the facts it was made with (`sync_inputs`, then the store's rows), no sync
running or left behind by a dead one (its lock file), each remote's refs read again
as the record dialled them. All the same, for every repository: under each one's sync
lock, each gets the run the engine would have recorded (`replay_rows.replay_fetch`),
then the lines the engine's sync would have printed. Anything different, for any of
them, and nothing is written: the caller runs the engine's sync, which does it all
again (one more ref advertisement asked of an unchanged remote is the only cost).
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from core.cli_output import print_sync
from core.engine.fetch_replay import facts, load_record, recorded_facts
from core.git.git_dirs import common_git_dir
from core.git.locks.sync_lock import LOCK_NAME, SyncBusy, acquire_sync_lock
from core.git.transfer.advertisement import read_advertisement
from core.paths import data_dir, store_file
from core.repo_state import utcnow
from core.results import ResultKind
from core.store.replay_rows import NewsToTell, replay_fetch
from core.store.run_rows import RunEnd, in_transaction, writer_connection

if TYPE_CHECKING:
    from pathlib import Path

    from core.cli_engine import SyncArgs


def replayed_fetch(args: SyncArgs) -> int | None:
    """`gitferry sync --fetch-only` answered from the records: its exit status, or None
    when the engine's sync must run (see the module's doc)."""
    if not args.fetch_only:
        return None
    home = data_dir()
    store = store_file(home)
    if not store.exists():
        return None
    started = time.perf_counter()
    conn = writer_connection(store)
    try:
        with ExitStack() as locks:
            records = _checked(conn, home, args.names, locks)
            if records is None:
                return None
            asked = time.perf_counter()
            if not all(_same_refs(record) for record in records):
                return None
            connect_ms = (time.perf_counter() - asked) * 1000 / len(records)
            reports = _recorded(conn, records, connect_ms, started)
            if reports is None:
                return None
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # the engine's sync meets it too, and says what it is
    finally:
        conn.close()
    return print_sync(reports, [], args.as_json, "")


def _checked(
    conn: sqlite3.Connection, home: Path, names: list[str], locks: ExitStack
) -> list[dict[str, Any]] | None:
    """The records of the repositories named, each with its facts unchanged and its sync
    lock now held (`locks`); None when any is missing, stale or busy."""
    listed = {
        name: (repo_id, path) for repo_id, name, path in conn.execute("SELECT id, name, path FROM repos")
    }
    wanted = names or sorted(listed)
    if not wanted or len(set(wanted)) != len(wanted) or not set(wanted) <= set(listed):
        return None  # nothing registered, or a name the engine's sync says is unknown
    records = []
    for name in wanted:
        repo_id, path = listed[name]
        record = load_record(home, repo_id)
        common = common_git_dir(path)
        if record is None or record["path"] != path or common is None:
            return None
        if os.path.lexists(os.path.join(common, "gitferry", LOCK_NAME)):
            return None  # a sync runs, or one died: the engine's sync says so, or cleans up after it
        try:
            locks.enter_context(acquire_sync_lock(common, repo_path=path))
        except SyncBusy:
            return None
        if facts(conn, path, repo_id) != recorded_facts(record):
            return None
        records.append(record)
    return records


def _same_refs(record: dict[str, Any]) -> bool:
    timeout = float(record["timeout"])
    return all(
        read_advertisement(remote["dial"], timeout) == remote["advertised"] for remote in record["remotes"]
    )


def _recorded(
    conn: sqlite3.Connection, records: list[dict[str, Any]], connect_ms: float, started: float
) -> list[dict[str, Any]] | None:
    """Each repository's run recorded as the engine's sync records it, in one transaction;
    their reports, or None (nothing written) when one would be news."""
    reports: list[dict[str, Any]] = []

    def write(conn: sqlite3.Connection) -> None:
        now = utcnow()
        for record in records:
            report = dict(record["report"])
            report["timings_ms"] = {"connect": round(connect_ms, 1)}
            end = RunEnd(
                str(ResultKind.UP_TO_DATE),
                report["message"],
                False,
                report,
                {"connect": connect_ms, "replay": (time.perf_counter() - started) * 1000},
                idle=True,
                asked=True,
                said=record["said"],
                notes=record.get("notes"),
            )
            replay_fetch(conn, record["repo_id"], end, [remote["name"] for remote in record["remotes"]], now)
            reports.append(report)

    try:
        in_transaction(conn, write)
    except NewsToTell:
        return None
    return reports
