"""Conflicts and skipped files in the status store, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.model import ConflictRecord, SkippedFile
from core.offload import Offload
from core.store.migrations import LATEST, MIGRATIONS, migrate
from core.store.schema import ConflictRow
from core.store.status_store import StatusStore
from core.store.worktree_issues import MAX_SKIPPED

T0 = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[StatusStore]:
    offload = Offload()
    s = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    yield s
    await s.close()
    offload.shutdown()


def skipped(path: str, seen: datetime, reason: str = "too_large", failures: int = 1) -> SkippedFile:
    return SkippedFile(path, reason, 10, failures, first_seen=seen, last_seen=seen, retry_after=None)


async def test_set_conflicts_replaces_a_branch_and_keeps_since(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    await store.set_conflicts(repo.id, "main", ["b.txt", "a.txt"])
    first = await store.conflicts(repo.id)
    assert [(c.branch, c.path) for c in first] == [("main", "a.txt"), ("main", "b.txt")]
    await store.set_conflicts(repo.id, "feature", ["z.txt"])
    await store.set_conflicts(repo.id, "main", ["a.txt", "c.txt"])
    now = await store.conflicts(repo.id)
    assert [(c.branch, c.path) for c in now] == [("feature", "z.txt"), ("main", "a.txt"), ("main", "c.txt")]
    assert now[1].since == first[0].since  # still conflicted: first seen then
    assert now[2].since >= first[0].since
    await store.set_conflicts(repo.id, "main", [])
    assert [c.path for c in await store.conflicts(repo.id)] == ["z.txt"]


async def test_all_conflicts_lists_only_repositories_with_conflicts(store: StatusStore) -> None:
    one = await store.add_repo("one", "/tmp/one", {})
    two = await store.add_repo("two", "/tmp/two", {})
    await store.add_repo("three", "/tmp/three", {})
    await store.set_conflicts(two.id, "main", ["x"])
    await store.set_conflicts(one.id, "dev", ["y", "w"])
    everything = await store.all_conflicts()
    assert list(everything) == [one.id, two.id]
    assert [c.path for c in everything[one.id]] == ["w", "y"]
    assert everything[two.id] == await store.conflicts(two.id)
    assert all(isinstance(c, ConflictRecord) for c in everything[two.id])
    # Read over plain sqlite3: the same records the ORM reads of what it wrote.
    async with store.db.read() as s:
        rows = (await s.execute(select(ConflictRow).order_by(ConflictRow.branch, ConflictRow.path))).scalars()
        by_orm = [(r.repo_id, ConflictRecord(r.branch, r.path, r.since)) for r in rows]
    assert by_orm == [(repo_id, c) for repo_id, records in everything.items() for c in records]


async def test_record_skipped_upserts_and_keeps_the_first_sighting(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    await store.record_skipped(repo.id, [skipped("big.bin", T0), skipped("old.bin", T0 - timedelta(hours=1))])
    later = T0 + timedelta(minutes=5)
    retry = later + timedelta(minutes=10)
    again = replace(skipped("big.bin", later, "failing", failures=3), size=None, retry_after=retry)
    await store.record_skipped(repo.id, [again])
    rows = await store.skipped(repo.id)
    assert [r.path for r in rows] == ["big.bin", "old.bin"]  # newest last_seen first
    assert rows[0] == SkippedFile("big.bin", "failing", None, 3, T0, later, retry)
    with pytest.raises(ValueError, match="nonsense"):
        await store.record_skipped(repo.id, [skipped("x", T0, "nonsense")])


async def test_skipped_files_are_bounded_dropping_the_oldest(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    other = await store.add_repo("other", "/tmp/other", {})
    await store.record_skipped(other.id, [skipped("keep.bin", T0 - timedelta(days=9))])
    batch = [skipped(f"f{i:04}", T0 + timedelta(seconds=i)) for i in range(MAX_SKIPPED)]
    await store.record_skipped(repo.id, batch)
    assert len(await store.skipped(repo.id)) == MAX_SKIPPED
    newer = [skipped(f"new{i}", T0 + timedelta(days=1, seconds=i)) for i in range(3)]
    await store.record_skipped(repo.id, newer)
    rows = await store.skipped(repo.id)
    assert len(rows) == MAX_SKIPPED
    assert [r.path for r in rows[:3]] == ["new2", "new1", "new0"]
    assert {"f0000", "f0001", "f0002"}.isdisjoint(r.path for r in rows)
    assert rows[-1].path == "f0003"
    assert [r.path for r in await store.skipped(other.id)] == ["keep.bin"]  # per repository


async def test_clear_skipped_named_paths_or_all(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    await store.record_skipped(repo.id, [skipped(p, T0) for p in ("a", "b", "c")])
    await store.clear_skipped(repo.id, ["b", "missing"])
    assert sorted(r.path for r in await store.skipped(repo.id)) == ["a", "c"]
    await store.clear_skipped(repo.id, [])
    assert len(await store.skipped(repo.id)) == 2
    await store.clear_skipped(repo.id)
    assert await store.skipped(repo.id) == []


async def test_removing_a_repository_removes_its_conflicts_and_skipped_files(
    store: StatusStore, tmp_path: Path
) -> None:
    gone = await store.add_repo("gone", "/tmp/gone", {})
    stays = await store.add_repo("stays", "/tmp/stays", {})
    for repo in (gone, stays):
        await store.set_conflicts(repo.id, "main", ["a.txt"])
        await store.record_skipped(repo.id, [skipped("big.bin", T0)])
    await store.remove_repo("gone")
    assert list(await store.all_conflicts()) == [stays.id]
    db = sqlite3.connect(tmp_path / "status.sqlite3")
    try:
        for table in ("conflicts", "skipped_files"):
            ids = db.execute(f"SELECT DISTINCT repo_id FROM {table}").fetchall()
            assert ids == [(stays.id,)], table
    finally:
        db.close()


async def test_migration_from_version_1_keeps_existing_rows(tmp_path: Path) -> None:
    path = tmp_path / "status.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    added = T0.isoformat(" ")
    conn.execute("INSERT INTO repos (id, name, path, added_at) VALUES (7, 'old', '/tmp/old', ?)", (added,))
    conn.execute(
        "INSERT INTO branch_status (repo_id, name, head, updated_at) VALUES (7, 'main', 'abc', ?)", (added,)
    )
    conn.close()
    assert migrate(path) == 1
    assert path.with_name("status.sqlite3.v1.bak").exists()
    offload = Offload()
    store = await StatusStore.open(path, offload)
    try:
        assert [r.name for r in await store.repos()] == ["old"]
        assert [(b.name, b.head) for b in await store.branches(7)] == [("main", "abc")]
        await store.set_conflicts(7, "main", ["a.txt"])
        await store.record_skipped(7, [skipped("big.bin", T0)])
        assert [c.path for c in await store.conflicts(7)] == ["a.txt"]
        assert [s.path for s in await store.skipped(7)] == ["big.bin"]
    finally:
        await store.close()
        offload.shutdown()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == LATEST >= 2
