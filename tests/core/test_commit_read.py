"""An id that must name a commit and names something else ends in one line, not an
`AssertionError`: a hand-edited branch ref naming a blob, met by an auto-commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.objects.commit_read import commit_at, commit_tree
from core.git.worktree.autocommit import auto_commit
from tests.gitcli import git


def _with_blob_branch(tmp_path: Path) -> tuple[Path, str, str]:
    repo = tmp_path / "r"
    git("init", "-q", "-b", "main", str(repo))
    (repo / "a.txt").write_text("a\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "first", cwd=repo)
    commit, blob = git("rev-parse", "HEAD", cwd=repo), git("rev-parse", "HEAD:a.txt", cwd=repo)
    return repo, commit, blob


def test_a_commit_and_its_tree_are_read_as_git_reads_them(tmp_path: Path) -> None:
    repo, commit, _ = _with_blob_branch(tmp_path)
    with Repo(str(repo)) as r:
        assert commit_at(r, ObjectID(commit.encode())).id.decode() == commit
        assert commit_tree(r, ObjectID(commit.encode())).decode() == git("rev-parse", "HEAD^{tree}", cwd=repo)


def test_an_id_naming_a_blob_is_one_line(tmp_path: Path) -> None:
    repo, _, blob = _with_blob_branch(tmp_path)
    with Repo(str(repo)) as r:
        with pytest.raises(GitferryError, match=rf"^{blob} names a blob, not a commit$"):
            commit_tree(r, ObjectID(blob.encode()))
        with pytest.raises(GitferryError, match=r"^HEAD names a blob, not a commit$"):
            commit_at(r, ObjectID(blob.encode()), named="HEAD")


def test_an_auto_commit_on_a_branch_naming_a_blob_stops_with_one_line(tmp_path: Path) -> None:
    repo, _, blob = _with_blob_branch(tmp_path)
    (repo / ".git" / "refs" / "heads" / "main").write_text(f"{blob}\n")
    (repo / "b.txt").write_text("b\n")
    with Repo(str(repo)) as r, pytest.raises(GitferryError, match="names a blob, not a commit"):
        auto_commit(r, max_file_size=1 << 20, host="h")
    assert git("cat-file", "-t", "main", cwd=repo) == "blob"  # the ref left as it was
