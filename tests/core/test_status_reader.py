"""The plain-sqlite3 reads (the window's first paint, before the engine is imported) equal the store's."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import timedelta
from pathlib import Path

import pytest

from core.model import BranchStatus, SubmoduleStatus, SyncReach, utcnow
from core.offload import Offload
from core.store import status_writer
from core.store.status_reader import Snapshot, _branch_status, first_snapshot
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


async def test_the_first_picture_knows_which_branch_is_checked_out_and_what_a_sync_moves(
    tmp_path: Path,
) -> None:
    """The window paints 'drafts: 1 behind, not checked out' (not 'to sync') from this alone."""
    offload = Offload()
    store = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    try:
        a = await store.add_repo("notes", str(tmp_path / "notes"), {})
        b = await store.add_repo("docs", str(tmp_path / "docs"), {})
        main = BranchStatus("main", "origin/main", "1" * 40, "1" * 40, 0, 0, checked_out=True)
        drafts = BranchStatus("drafts", "origin/drafts", "1" * 40, "2" * 40, 0, 1, checked_out=False)
        await store.save_branches(a.id, [main, drafts])
        await store.set_repo_settings(b.id, {"fast_forward_all": "true", "push_all": "false"})
        snapshot = first_snapshot(tmp_path / "status.sqlite3")
        assert snapshot.branches[a.id] == [drafts, main]
        assert snapshot.reaches == {a.id: SyncReach(), b.id: SyncReach(fast_forward_all=True, push_all=False)}
        assert snapshot.reaches[a.id].leaves(drafts) and not snapshot.reaches[b.id].leaves(drafts)
        assert (await store.snapshot()).reaches == snapshot.reaches
    finally:
        await store.close()
        offload.shutdown()


async def test_a_branch_another_worktree_uses_is_kept_and_left_alone_with_fast_forward_all(
    tmp_path: Path,
) -> None:
    """Store schema 6: the worktree that uses a branch, and how, survive the store; with
    `fast_forward_all` on, such a branch behind is still one a sync leaves (git never moves
    it from here), and one only ahead is pushed unless a rebase or bisect holds it."""
    offload = Offload()
    store = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    try:
        a = await store.add_repo("notes", str(tmp_path / "notes"), {})
        here = BranchStatus("main", "origin/main", "1" * 40, "1" * 40, 0, 0, checked_out=True)
        there = BranchStatus(
            "topic", "origin/topic", "1" * 40, "2" * 40, 0, 1, checked_out=False,
            worktree="/home/a/linked", worktree_use="checked out",
        )  # fmt: skip
        rebased = BranchStatus(
            "fix", "origin/fix", "3" * 40, "1" * 40, 2, 0, checked_out=False,
            worktree="/home/a/other", worktree_use="being rebased",
        )  # fmt: skip
        await store.save_branches(a.id, [here, there, rebased])
        snapshot = first_snapshot(tmp_path / "status.sqlite3")
        assert snapshot.branches[a.id] == [rebased, here, there] == await store.branches(a.id)
        everything = SyncReach(fast_forward_all=True, push_all=True)
        assert everything.leaves(there) and everything.leaves(rebased) and not everything.leaves(here)
        free = BranchStatus("topic", "origin/topic", "1" * 40, "2" * 40, 0, 1, checked_out=False)
        assert not everything.leaves(free)
        pushed = BranchStatus(
            "topic", "origin/topic", "3" * 40, "1" * 40, 2, 0, checked_out=False,
            worktree="/home/a/linked", worktree_use="checked out",
        )  # fmt: skip
        assert not everything.leaves(pushed)  # pushing moves nothing of that worktree
        await store.save_branches(a.id, [here, free])  # switched away there: measured again
        assert (await store.branches(a.id))[1].worktree is None
    finally:
        await store.close()
        offload.shutdown()


def test_no_store_or_an_unreadable_one_is_an_empty_picture(tmp_path: Path) -> None:
    assert first_snapshot(tmp_path / "missing.sqlite3") == Snapshot()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    assert first_snapshot(tmp_path / "junk.sqlite3") == Snapshot()


def test_a_row_read_is_the_branch_status_its_constructor_makes() -> None:
    """The reader fills a row's `__dict__` instead of running the frozen `__init__`: the
    same instance (equal, same hash and repr, still frozen) while `BranchStatus` keeps no
    `__post_init__` and no slots, which that would skip."""
    values = ("main", "origin/main", "1" * 40, "2" * 40, 3, 4, utcnow(), True, utcnow(), 5, False)
    made = BranchStatus(*values, "/tmp/other", "checked out", True)
    read = _branch_status((*values, "/tmp/other", "checked out", True))
    assert read == made and hash(read) == hash(made) and repr(read) == repr(made)
    assert vars(read) == vars(made)
    assert not hasattr(BranchStatus, "__post_init__") and not hasattr(BranchStatus, "__slots__")
    with pytest.raises(FrozenInstanceError):
        read.name = "other"  # type: ignore[misc]


def test_the_reader_imports_neither_sqlalchemy_nor_dulwich() -> None:
    heavy = "{'sqlalchemy', 'dulwich', 'asyncio'}"
    code = f"import sys, core.store.status_reader; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def _row(name: str, behind: int, gone: bool = False) -> BranchStatus:
    return BranchStatus(name, f"origin/{name}", "1" * 40, "2" * 40, 0, behind, upstream_gone=gone)


async def test_the_branches_read_again_are_those_a_fresh_reader_reads_after_every_change(
    tmp_path: Path,
) -> None:
    """Only the repositories whose rows changed are built again; whatever changed them
    (a save, a branch gone from a save, a write from another connection, a prune, a
    repository removed), every read equals a new reader's."""
    path = tmp_path / "status.sqlite3"
    offload = Offload()
    store = await StatusStore.open(path, offload)
    try:
        ids = [(await store.add_repo(f"r{n}", str(tmp_path / f"r{n}"), {})).id for n in range(4)]
        for repo_id in ids:
            await store.save_branches(repo_id, [_row("main", 0), _row("topic", 1)])

        async def same_as_a_fresh_reader() -> dict[int, list[BranchStatus]]:
            read = await store.all_branches()
            assert read == first_snapshot(path).branches
            assert (await store.snapshot()).branches == read
            return read

        first = await same_as_a_fresh_reader()
        first[ids[0]].clear()  # the caller's own lists
        again = await same_as_a_fresh_reader()
        assert all(again[i][0] is first[i][0] for i in ids[1:])  # built once, not again

        await store.save_branches(ids[1], [_row("main", 5), _row("topic", 1)])  # a save
        moved = await same_as_a_fresh_reader()
        assert moved[ids[1]][0].behind == 5 and moved[ids[1]][0] is not again[ids[1]][0]
        assert moved[ids[2]][0] is again[ids[2]][0]

        await store.save_branches(ids[2], [_row("main", 0)])  # `topic` gone from the repository
        assert [b.name for b in (await same_as_a_fresh_reader())[ids[2]]] == ["main"]

        other = sqlite3.connect(path)  # another process's plain write
        try:
            with other:
                status_writer.save_branches(other, ids[3], [_row("main", 7)], utcnow())
        finally:
            other.close()
        assert (await same_as_a_fresh_reader())[ids[3]][0].behind == 7

        await store.save_branches(ids[0], [_row("main", 0), _row("old", 0, gone=True)])
        pruned = await store.upkeep(gone_for=timedelta(0))  # a prune through the ORM
        assert pruned.branches_pruned == 1
        assert [b.name for b in (await same_as_a_fresh_reader())[ids[0]]] == ["main"]

        await store.remove_repo("r1")
        assert ids[1] not in await same_as_a_fresh_reader()
    finally:
        await store.close()
        offload.shutdown()


async def test_one_repositorys_submodules_are_those_the_snapshot_has(tmp_path: Path) -> None:
    offload = Offload()
    store = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    try:
        a = await store.add_repo("notes", str(tmp_path / "notes"), {})
        b = await store.add_repo("docs", str(tmp_path / "docs"), {})
        subs = [
            SubmoduleStatus("z/lib", "1" * 40, None, "uninitialised"),
            SubmoduleStatus("a", "2" * 40, "3" * 40, "modified"),
        ]
        await store.save_measured(a.id, [], subs)
        snapshot = await store.snapshot(submodules=True)
        assert await store.submodules(a.id) == snapshot.submodules[a.id] == sorted(subs, key=lambda s: s.path)
        assert await store.submodules(b.id) == [] and b.id not in snapshot.submodules
    finally:
        await store.close()
        offload.shutdown()
