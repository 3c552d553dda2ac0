"""Backup refs: named by UTC stamp, newest first, no duplicates, pruned to 5, branches kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.merge.backup_refs import KEEP, backup_head, backup_refs
from tests.gitcli import commit_file, fsck, git, refs

T0 = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC


@pytest.fixture
def repo_with_commits(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "repo"
    git("init", "-q", str(path))
    shas = [commit_file(path, "f.txt", f"version {i}\n") for i in range(8)]
    return path, shas


def test_backup_is_named_by_utc_stamp_and_listed_newest_first(
    repo_with_commits: tuple[Path, list[str]],
) -> None:
    path, shas = repo_with_commits
    with Repo(str(path)) as repo:
        backup_head(repo, "main", shas[0].encode(), now=T0)
        backup_head(repo, "main", shas[1].encode(), now=T0 + 1.5)
        listed = backup_refs(repo, "main")
    assert [sha.decode() for _ref, sha in listed] == [shas[1], shas[0]]
    names = [ref.decode() for ref, _sha in listed]
    assert names == [
        "refs/gitferry/backup/main/20261118T110641.500000Z",
        "refs/gitferry/backup/main/20261118T110640.000000Z",
    ]
    on_disk = {name: sha for name, sha in refs(path).items() if name.startswith("refs/gitferry/")}
    assert on_disk == {name: sha.decode() for name, sha in ((r.decode(), s) for r, s in listed)}
    fsck(path)


def test_no_duplicate_when_the_newest_backup_already_holds_the_head(
    repo_with_commits: tuple[Path, list[str]],
) -> None:
    path, shas = repo_with_commits
    with Repo(str(path)) as repo:
        backup_head(repo, "main", shas[0].encode(), now=T0)
        backup_head(repo, "main", shas[0].encode(), now=T0 + 10)
        assert len(backup_refs(repo, "main")) == 1
        backup_head(repo, "main", shas[1].encode(), now=T0 + 20)
        backup_head(repo, "main", shas[0].encode(), now=T0 + 30)
        assert [s.decode() for _r, s in backup_refs(repo, "main")] == [shas[0], shas[1], shas[0]]


def test_pruned_to_the_newest_five(repo_with_commits: tuple[Path, list[str]]) -> None:
    path, shas = repo_with_commits
    with Repo(str(path)) as repo:
        for i, sha in enumerate(shas):
            backup_head(repo, "main", sha.encode(), now=T0 + i)
        listed = backup_refs(repo, "main")
    assert KEEP == 5
    assert [s.decode() for _r, s in listed] == shas[::-1][:KEEP]
    assert len([n for n in refs(path) if n.startswith("refs/gitferry/backup/main/")]) == KEEP
    assert not (path / ".git" / "logs" / "refs" / "gitferry").exists()


def test_same_instant_or_clock_set_back_still_makes_the_new_backup_the_newest(
    repo_with_commits: tuple[Path, list[str]],
) -> None:
    path, shas = repo_with_commits
    with Repo(str(path)) as repo:
        backup_head(repo, "main", shas[0].encode(), now=T0)
        backup_head(repo, "main", shas[1].encode(), now=T0)
        backup_head(repo, "main", shas[2].encode(), now=T0 - 3600)
        listed = backup_refs(repo, "main")
    assert [s.decode() for _r, s in listed] == [shas[2], shas[1], shas[0]]
    assert len({ref for ref, _ in listed}) == 3


def test_branch_and_nested_branch_do_not_mix(repo_with_commits: tuple[Path, list[str]]) -> None:
    path, shas = repo_with_commits
    with Repo(str(path)) as repo:
        backup_head(repo, "a", shas[0].encode(), now=T0)
        for i in range(KEEP + 2):
            backup_head(repo, "a/b", shas[i + 1].encode(), now=T0 + i)
        assert [s.decode() for _r, s in backup_refs(repo, "a")] == [shas[0]]
        assert len(backup_refs(repo, "a/b")) == KEEP
        assert backup_refs(repo, "b") == []
        assert backup_refs(repo, "other") == []
