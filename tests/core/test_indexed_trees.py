"""A switch's tree walk takes the checked-out side from the index where its cache-tree vouches.

git is the referee: the index and its cache-tree are git's own (`git read-tree`,
`git add`, `git add -N`, a merge conflict), the changes are compared with
`git diff-tree`, and a tree the index vouches for is proven unread by deleting its
loose object: the walk without the index then fails on it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.index.indexed_trees import IndexedTrees
from core.git.index.read import read_index_file
from core.git.objects.tree_delta import CorruptTree, tree_delta
from core.git.worktree.checkout import switch_branch
from tests.gitcli import commit_file, fsck, git, init_repo, merge_conflict, rev_parse


def _repo(tmp_path: Path) -> tuple[Path, str, str]:
    """main at `old`, a branch `new` one commit ahead touching two deep directories."""
    repo = tmp_path / "repo"
    init_repo(repo)
    for d in ("a/b", "a/c", "d"):
        for i in range(3):
            (repo / d).mkdir(parents=True, exist_ok=True)
            (repo / d / f"f{i}.txt").write_text(f"{d} {i}\n")
    (repo / "a" / "b" / "run.sh").write_text("#!/bin/sh\n")
    (repo / "a" / "b" / "run.sh").chmod(0o755)
    os.symlink("f0.txt", repo / "d" / "link")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "old", cwd=repo)
    old = rev_parse(repo, "HEAD")
    git("checkout", "-q", "-b", "new", cwd=repo)
    commit_file(repo, "a/b/f1.txt", "changed\n")
    git("rm", "-q", "a/c/f2.txt", cwd=repo)
    commit_file(repo, "a/c/new.txt", "added\n")
    new = rev_parse(repo, "HEAD")
    git("checkout", "-q", "main", cwd=repo)
    git("read-tree", "HEAD", cwd=repo)  # a fully valid cache-tree, as git's checkout leaves it
    return repo, old, new


def _tree(repo: Path, rev: str) -> ObjectID:
    return ObjectID(rev_parse(repo, f"{rev}^{{tree}}").encode())


def _by_git(repo: Path, old: str, new: str) -> list[tuple[str, str]]:
    out = git("diff-tree", "-r", "--no-renames", "--name-status", old, new, cwd=repo)
    return sorted((line.split("\t")[1], line.split("\t")[0]) for line in out.splitlines())


def _ours(changes: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    kinds = {(True, False): "A", (False, True): "D", (False, False): "M"}
    return sorted((c.path.decode(), kinds[(c.old is None, c.new is None)]) for c in changes)


def _known(repo: Path) -> IndexedTrees:
    with Repo(str(repo)) as r:
        return IndexedTrees.of(read_index_file(r))


def _delete_loose(repo: Path, sha: str) -> None:
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()


def test_trees_the_cache_tree_vouches_for_are_never_read(tmp_path: Path) -> None:
    repo, old, new = _repo(tmp_path)
    known = _known(repo)
    old_tree, new_tree = _tree(repo, old), _tree(repo, new)
    assert known.entries(b"", old_tree) is not None
    by_git = _by_git(repo, old, new)
    for sha in _loose(repo, old).values():
        _delete_loose(repo, sha)
    with Repo(str(repo)) as r, pytest.raises(CorruptTree):
        tree_delta(r.object_store, old_tree, new_tree)
    with Repo(str(repo)) as r:
        changes = tree_delta(r.object_store, old_tree, new_tree, known=known)
    assert _ours(changes) == by_git == [("a/b/f1.txt", "M"), ("a/c/f2.txt", "D"), ("a/c/new.txt", "A")]


def test_entries_from_the_index_are_the_trees_own(tmp_path: Path) -> None:
    """Names, modes (executable, symlink) and ids as `git ls-tree` has them, subtrees included."""
    repo, old, _new = _repo(tmp_path)
    known = _known(repo)
    for directory in ("", "a", "a/b", "d"):
        rev = f"{old}:{directory}" if directory else f"{old}^{{tree}}"
        listed = git("ls-tree", rev, cwd=repo).splitlines()
        expected = sorted(
            (name.encode(), int(mode, 8), sha.encode())
            for mode, _kind, sha, name in (line.replace("\t", " ").split(" ", 3) for line in listed)
        )
        found = known.entries(directory.encode(), ObjectID(rev_parse(repo, rev).encode()))
        assert found is not None and sorted(found) == expected


@pytest.mark.parametrize("case", ["staged", "intent_to_add", "other_tree"])
def test_what_the_index_does_not_hold_is_read_from_the_tree(tmp_path: Path, case: str) -> None:
    """A staged edit or an intent-to-add entry invalidates its directories' nodes (git's own
    index); a tree id other than the node's is not the index's: each is read from the store,
    and the walk is still git's."""
    repo, old, new = _repo(tmp_path)
    if case == "staged":
        (repo / "a" / "b" / "f2.txt").write_text("staged\n")
        git("add", "a/b/f2.txt", cwd=repo)
    elif case == "intent_to_add":
        (repo / "a" / "b" / "later.txt").write_text("later\n")
        git("add", "-N", "a/b/later.txt", cwd=repo)
    known = _known(repo)
    asked = _tree(repo, new) if case == "other_tree" else _tree(repo, old)
    assert known.entries(b"", asked) is None
    assert (
        known.entries(
            b"a/b", ObjectID(rev_parse(repo, f"{'new' if case == 'other_tree' else old}:a/b").encode())
        )
        is None
    )
    assert (
        known.entries(b"d", ObjectID(rev_parse(repo, f"{old}:d").encode())) is not None
    )  # untouched: still vouched
    with Repo(str(repo)) as r:
        changes = tree_delta(r.object_store, _tree(repo, old), _tree(repo, new), known=known)
    assert _ours(changes) == _by_git(repo, old, new)


def test_a_conflicted_index_vouches_for_nothing_there(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    commit_file(repo, "x/f.txt", "base\n")
    merge_conflict(repo, "x/f.txt")
    known = _known(repo)
    assert known.entries(b"", _tree(repo, "HEAD")) is None
    assert known.entries(b"x", ObjectID(rev_parse(repo, "HEAD:x").encode())) is None


def test_a_fast_forward_over_a_vouched_index_is_gits(tmp_path: Path) -> None:
    """The whole switch, the old trees' objects gone: git status clean, fsck passes once
    they are back."""
    repo, old, new = _repo(tmp_path)
    loose = _loose(repo, old)
    kept = {sha: (repo / ".git" / "objects" / sha[:2] / sha[2:]).read_bytes() for sha in loose.values()}
    for sha in loose.values():
        _delete_loose(repo, sha)
    with Repo(str(repo)) as r:
        switch_branch(r, b"refs/heads/main", ObjectID(old.encode()), ObjectID(new.encode()))
    assert rev_parse(repo, "main") == new
    assert git("status", "--porcelain", cwd=repo) == ""
    for sha, data in kept.items():
        (repo / ".git" / "objects" / sha[:2] / sha[2:]).write_bytes(data)
    fsck(repo)


def _loose(repo: Path, rev: str) -> dict[str, str]:
    """The ids of the directories the commit `rev` changes (read before any is deleted)."""
    return {d: rev_parse(repo, f"{rev}:{d}") for d in ("a", "a/b", "a/c")}
