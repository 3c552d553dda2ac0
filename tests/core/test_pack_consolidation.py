"""Merging a repository's small packs: every object kept, deltas reused, git fsck clean."""

from __future__ import annotations

import os
from pathlib import Path

from dulwich.repo import Repo

from core.git.objects.pack_consolidation import consolidate_packs, pack_names, packs_to_merge
from tests.gitcli import fsck, git

PACKS = 8


def all_objects(repo: Path) -> set[str]:
    out = git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)", cwd=repo)
    return set(out.split())


def deltas(repo: Path) -> int:
    """Objects stored as deltas in the repository's packs (git verify-pack's chain count)."""
    total = 0
    for name in pack_names(str(repo / ".git" / "objects" / "pack")):
        out = git("verify-pack", "-v", str(repo / ".git" / "objects" / "pack" / f"{name}.idx"), cwd=repo)
        total += sum(1 for line in out.splitlines() if len(line.split()) == 7)
    return total


def many_packs(path: Path) -> None:
    """PACKS packs, each of a few commits changing one large text file a little (deltas)."""
    git("init", "-q", "-b", "main", str(path))
    lines = [f"line {i} of a text long enough to be worth a delta\n" for i in range(400)]
    for pack in range(PACKS):
        for step in range(3):
            lines[pack * 3 + step] = f"changed in pack {pack} step {step}\n"
            (path / "big.txt").write_text("".join(lines))
            git("add", "big.txt", cwd=path)
            git("commit", "-q", "-m", f"{pack}.{step}", cwd=path)
        git("repack", "-q", cwd=path)


def test_packs_beyond_the_limit_are_merged_keeping_every_object(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    many_packs(path)
    pack_dir = str(path / ".git" / "objects" / "pack")
    before, deltas_before = all_objects(path), deltas(path)
    assert len(pack_names(pack_dir)) == PACKS and deltas_before > 0
    with Repo(str(path)) as repo:
        head = repo.head()
        repo[repo[head].tree]  # type: ignore[attr-defined]  # maps a pack
        assert consolidate_packs(repo, limit=PACKS) is None  # not above the limit
        result = consolidate_packs(repo, limit=PACKS - 1)
        assert result is not None and result.merged == PACKS  # all alike: all merged
        assert repo[head].id == head  # the open repository reads on, from the new pack
    names = pack_names(pack_dir)
    assert names == [result.name]
    assert not [n for n in os.listdir(pack_dir) if n.startswith("tmp_")]
    assert all_objects(path) == before
    assert deltas(path) == deltas_before  # reused, not inflated
    fsck(path)
    git("gc", "-q", cwd=path)  # and git can repack what we wrote
    fsck(path)


def test_a_single_pack_repository_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    many_packs(path)
    git("repack", "-adq", cwd=path)
    with Repo(str(path)) as repo:
        assert consolidate_packs(repo, limit=0) is None
    assert len(pack_names(str(path / ".git" / "objects" / "pack"))) == 1


def test_only_packs_small_next_to_the_larger_ones_are_merged() -> None:
    assert packs_to_merge({"clone": 16_000, **{f"f{i}": 1 for i in range(6)}}) == [f"f{i}" for i in range(6)]
    assert packs_to_merge({"clone": 16_000, "merged": 40, "a": 1, "b": 1}) == ["a", "b"]
    assert packs_to_merge({"clone": 16_000, "merged": 40, "a": 30, "b": 1}) == ["b", "a", "merged"]
    assert packs_to_merge({"a": 1, "b": 2, "c": 8, "d": 32}) == ["a", "b"]  # always progress


def test_a_multi_pack_index_naming_merged_packs_is_removed_as_git_repack_removes_it(tmp_path: Path) -> None:
    """Left in place, it named packs that were gone: `git fsck` failed ("failed to load
    pack in position 0") after a sync merged the packs of a repository `git maintenance`
    (incremental-repack) or `git multi-pack-index write` had indexed."""
    path = tmp_path / "repo"
    many_packs(path)
    git("multi-pack-index", "write", "--bitmap", cwd=path)
    pack_dir = path / ".git" / "objects" / "pack"
    assert [n for n in os.listdir(pack_dir) if n.startswith("multi-pack-index-") and n.endswith(".bitmap")]
    before = all_objects(path)
    with Repo(str(path)) as repo:
        head = repo.head()
        assert consolidate_packs(repo, limit=PACKS - 1) is not None
        assert repo[head].id == head
    assert not [n for n in os.listdir(pack_dir) if n.startswith("multi-pack-index")]
    assert all_objects(path) == before
    fsck(path)
    git("multi-pack-index", "verify", cwd=path)
    git("maintenance", "run", "--task=incremental-repack", cwd=path)  # git indexes them again
    assert (pack_dir / "multi-pack-index").exists()
    fsck(path)
