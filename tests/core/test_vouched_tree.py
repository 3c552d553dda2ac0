"""Staged changes answered from the index's cache-tree (`vouched_tree`), git the referee:
`git diff --cached --quiet` says the same for every form of index and every way of
staging, and a committed tree is answered without reading HEAD's trees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.index.vouched_tree import vouched_tree
from core.git.worktree.pending import staged_changes
from tests.gitcli import git


def _staged_by_git(repo: Path) -> bool:
    return subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=repo, check=False).returncode == 1


def _vouched(repo: Path) -> str | None:
    with Repo(str(repo)) as r:
        found = vouched_tree(r)
    return None if found is None else found.decode()


def _committed(tmp_path: Path, *config: tuple[str, str]) -> Path:
    repo = tmp_path / "r"
    git("init", "-q", "-b", "main", str(repo))
    for key, value in config:
        git("config", key, value, cwd=repo)
    for name in ("a.txt", "d/b.txt", "d/e/c.txt", "f/g.txt"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f"{name}\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "first", cwd=repo)
    return repo


STAGINGS = {
    "nothing": [],
    "a modified file": [["git", "add", "a.txt"]],
    "a new file": [["git", "add", "new.txt"]],
    "a removal": [["git", "rm", "-q", "--cached", "d/e/c.txt"]],
    "a rename": [["git", "mv", "f/g.txt", "f/h.txt"]],
    "an intent to add": [["git", "add", "-N", "new.txt"]],
    "added and taken back": [["git", "add", "a.txt"], ["git", "reset", "-q", "a.txt"]],
    "the index read from HEAD": [["git", "read-tree", "HEAD"]],
}
INDEX_FORMS = {
    "v2": [("index.version", "2")],
    "v3": [("index.version", "3")],
    "v4": [("index.version", "4")],
    "split": [("core.splitIndex", "true")],
    "skipHash": [("index.skipHash", "true")],
}


@pytest.mark.parametrize("staging", sorted(STAGINGS))
@pytest.mark.parametrize("form", sorted(INDEX_FORMS))
def test_staged_changes_are_gits_in_every_index_form(tmp_path: Path, form: str, staging: str) -> None:
    repo = _committed(tmp_path, *INDEX_FORMS[form])
    (repo / "a.txt").write_text("changed\n")
    (repo / "new.txt").write_text("new\n")
    for command in STAGINGS[staging]:
        subprocess.run(command, cwd=repo, check=True)
    assert staged_changes(str(repo)) == _staged_by_git(repo), (form, staging)


@pytest.mark.parametrize("form", ["v2", "v3", "v4", "skipHash"])
def test_a_committed_index_vouches_for_heads_tree(tmp_path: Path, form: str) -> None:
    """`git commit` leaves the cache-tree whole: its root is HEAD's tree, and the answer
    comes from it alone (a tree of HEAD's removed from the object store is never missed)."""
    repo = _committed(tmp_path, *INDEX_FORMS[form])
    tree = git("rev-parse", "HEAD^{tree}", cwd=repo)
    assert _vouched(repo) == tree
    subtree = git("rev-parse", "HEAD:d/e", cwd=repo)
    (repo / ".git" / "objects" / subtree[:2] / subtree[2:]).unlink()
    assert not staged_changes(str(repo))
    (repo / "a.txt").write_text("changed\n")
    git("add", "a.txt", cwd=repo)
    assert _vouched(repo) is None  # the root made invalid by the change


def test_no_vouching_for_what_the_root_does_not_cover(tmp_path: Path) -> None:
    """A split index (its root counts the shared entries too), an intent-to-add entry:
    compared in full."""
    split = _committed(tmp_path / "split", ("core.splitIndex", "true"))
    assert _vouched(split) is None
    repo = _committed(tmp_path / "ita")
    (repo / "new.txt").write_text("new\n")
    git("add", "-N", "new.txt", cwd=repo)
    assert _vouched(repo) is None


def test_a_head_that_names_no_commit_is_one_line(tmp_path: Path) -> None:
    repo = _committed(tmp_path)
    blob = git("rev-parse", "HEAD:a.txt", cwd=repo)
    (repo / ".git" / "refs" / "heads" / "main").write_text(f"{blob}\n")
    with pytest.raises(GitferryError) as raised:
        staged_changes(str(repo))
    assert str(raised.value) == f"{repo}: HEAD names a blob, not a commit"
