"""The plain-sqlite3 reads (the window's first paint, before the engine is imported) equal the store's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.model import BranchStatus
from core.offload import Offload
from core.store.status_reader import Snapshot, first_snapshot
from core.store.status_store import StatusStore


async def test_snapshot_equals_what_the_store_reads(tmp_path: Path) -> None:
    offload = Offload()
    store = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    try:
        a = await store.add_repo("notes", str(tmp_path / "notes"), {})
        b = await store.add_repo("docs", str(tmp_path / "docs"), {})
        await store.save_branches(a.id, [BranchStatus("main", "origin/main", "1" * 40, "2" * 40, 2, 3)])
        await store.set_conflicts(b.id, "main", ["x.txt", "y/z.txt"])
        snapshot = await store.snapshot()
        assert snapshot.repos == await store.repos()
        assert snapshot.branches == await store.all_branches()
        assert snapshot.conflicts == await store.all_conflicts()
        assert [r.name for r in snapshot.repos] == ["docs", "notes"]
        assert first_snapshot(tmp_path / "status.sqlite3") == snapshot
    finally:
        await store.close()
        offload.shutdown()


def test_no_store_or_an_unreadable_one_is_an_empty_picture(tmp_path: Path) -> None:
    assert first_snapshot(tmp_path / "missing.sqlite3") == Snapshot()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    assert first_snapshot(tmp_path / "junk.sqlite3") == Snapshot()


def test_the_reader_imports_neither_sqlalchemy_nor_dulwich() -> None:
    heavy = "{'sqlalchemy', 'dulwich', 'asyncio'}"
    code = f"import sys, core.store.status_reader; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
