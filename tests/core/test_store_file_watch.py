"""The store's file watch looks at a changed file without costing this process its
locks on it: a write made after the look still reaches every other process."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from core.store.file_watch import StoreFileWatch


def _in_another_process(path: Path, statement: str) -> list[list[object]]:
    code = (
        "import json, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "rows = c.execute(sys.argv[2]).fetchall()\n"
        "c.execute('PRAGMA wal_checkpoint(TRUNCATE)')\n"
        "c.close()\n"
        "print(json.dumps(rows))\n"
    )
    command = [sys.executable, "-c", code, str(path), statement]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    rows: list[list[object]] = json.loads(done.stdout)
    return rows


def test_a_look_at_a_changed_store_keeps_this_process_s_writes_visible(tmp_path: Path) -> None:
    """Before the fix the look read the header with open()/close(): the close dropped this
    process's shared lock, the other process's last close then deleted the WAL, and row 4
    went into a deleted file (the daemon's 'database disk image is malformed' and lost
    writes, with a CLI using the same store)."""
    path = tmp_path / "status.sqlite3"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as mine:
        mine.execute("PRAGMA journal_mode=WAL")
        mine.execute("CREATE TABLE t (x INTEGER)")
        mine.execute("INSERT INTO t VALUES (1)")
        watch = StoreFileWatch(path)
        watch.remember()
        _in_another_process(path, "INSERT INTO t VALUES (2)")  # its checkpoint changes the file
        assert watch.problem() is None  # the look: the file changed, still a database
        mine.execute("INSERT INTO t VALUES (3)")
        assert _in_another_process(path, "SELECT count(*) FROM t") == [[3]]
        mine.execute("INSERT INTO t VALUES (4)")
        assert _in_another_process(path, "SELECT x FROM t ORDER BY x") == [[1], [2], [3], [4]]


def test_a_store_overwritten_in_place_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "status.sqlite3"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as mine:
        mine.execute("CREATE TABLE t (x INTEGER)")
        watch = StoreFileWatch(path)
        watch.remember()
        with path.open("r+b") as file:  # junk over the header, the same file
            file.write(b"not a database at all, " * 200)
        assert watch.problem() == "overwritten (not a database any more)"
