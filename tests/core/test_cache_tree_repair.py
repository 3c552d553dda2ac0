"""A fast-forward leaves the index's cache-tree valid for the new commit, as git's checkout does.

git is the referee: `git write-tree` trusts the cache-tree, so it must give the tree
git computes from the same entries with no cache-tree at all (`git update-index
--index-info` into a fresh index); after a clean switch the whole `TREE` extension must
be byte for byte the one `git read-tree HEAD` writes; a staged change kept across the
switch leaves the directories above it invalid, never wrong; and `git commit` after
the switch records the right tree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dulwich.object_format import SHA1
from dulwich.repo import Repo

from core.git.index.cache_tree import SIGNATURE, parse_cache_tree
from core.git.index.indexed_trees import IndexedTrees
from core.git.index.parse import parse_index_bytes
from core.git.index.read import read_index_file
from tests.core.test_checkout import Exe, Files, Link, switch, two_commits
from tests.gitcli import fsck, git, rev_parse

OLD: Files = {
    "top.txt": "top\n",
    "a/b/c/deep.txt": "deep\n",
    "a/b/c/other.txt": "other\n",
    "a/b/keep.txt": "keep\n",
    "a/x.txt": "x\n",
    "gone/one.txt": "1\n",
    "gone/sub/two.txt": "2\n",
    "swap": "a file that becomes a directory\n",
    "was-dir/inside.txt": "a directory that becomes a file\n",
    "same/untouched.txt": "never changes\n",
    "tools/run.sh": Exe("#!/bin/sh\n"),
    "tools/link": Link("run.sh"),
}
NEW: Files = {
    "top.txt": "top, changed\n",
    "a/b/c/deep.txt": "deep, changed\n",
    "a/b/c/other.txt": "other\n",
    "a/b/keep.txt": "keep\n",
    "a/x.txt": "x\n",
    "a/new/dir/file.txt": "a new directory\n",
    "swap/now-inside.txt": "the file became a directory\n",
    "was-dir": "the directory became a file\n",
    "same/untouched.txt": "never changes\n",
    "tools/run.sh": Exe("#!/bin/sh\necho changed\n"),
    "tools/link": Link("other"),
}


def _tree_extension(index: Path) -> bytes | None:
    for signature, data in parse_index_bytes(index.read_bytes(), SHA1).extensions:
        if signature == SIGNATURE:
            return data
    return None


def _from_scratch(repo: Path) -> str:
    """The tree git computes from the index's entries alone (a fresh index, no cache-tree)."""
    entries = git("ls-files", "-s", cwd=repo)
    scratch = repo / ".git" / "scratch-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch)}
    git_env(repo, env, "update-index", "--index-info", input=entries)
    assert _tree_extension(scratch) is None  # nothing for write-tree to trust
    tree = git_env(repo, env, "write-tree").strip()
    scratch.unlink()
    return tree


def git_env(repo: Path, env: dict[str, str], *args: str, input: str | None = None) -> str:
    """git with `env` (GIT_INDEX_FILE), its stdout; a failure fails the test."""
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=input, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _root_valid(repo: Path) -> bool:
    data = _tree_extension(repo / ".git" / "index")
    assert data is not None
    return parse_cache_tree(data, 20).entry_count >= 0


def test_clean_fast_forward_leaves_the_cache_tree_git_writes(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("read-tree", "HEAD", cwd=repo)  # fully valid, as git's checkout leaves it
    git("update-index", "-q", "--refresh", cwd=repo)
    switch(repo, old, new)
    assert rev_parse(repo, "HEAD") == new
    assert _root_valid(repo)
    ours = _tree_extension(repo / ".git" / "index")
    assert git("write-tree", cwd=repo).strip() == rev_parse(repo, "HEAD^{tree}") == _from_scratch(repo)
    git("read-tree", "HEAD", cwd=repo)  # git's own cache-tree for the same commit
    assert ours == _tree_extension(repo / ".git" / "index")
    assert git("status", "--porcelain", cwd=repo) == ""
    fsck(repo)


def test_the_next_switch_takes_the_checked_out_side_from_the_index(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("read-tree", "HEAD", cwd=repo)
    switch(repo, old, new)
    with Repo(str(repo)) as r:
        known = IndexedTrees.of(read_index_file(r))
    for directory in ("", "a", "a/b/c", "a/new/dir", "swap", "tools"):
        tree = rev_parse(repo, f"HEAD:{directory}" if directory else "HEAD^{tree}")
        assert known.entries(directory.encode(), tree.encode()) is not None, directory


def test_a_staged_change_kept_across_the_switch_leaves_its_directories_invalid(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("read-tree", "HEAD", cwd=repo)
    (repo / "a" / "b" / "keep.txt").write_text("staged, kept\n")
    (repo / "same" / "staged-new.txt").write_text("a new staged file\n")
    git("add", "a/b/keep.txt", "same/staged-new.txt", cwd=repo)
    switch(repo, old, new)
    assert not _root_valid(repo)
    written = git("write-tree", cwd=repo).strip()
    assert written == _from_scratch(repo)
    assert written != rev_parse(repo, "HEAD^{tree}")
    assert git("show", f"{written}:a/b/keep.txt", cwd=repo) == "staged, kept"
    with Repo(str(repo)) as r:
        known = IndexedTrees.of(read_index_file(r))
    # a/b/c changed and holds no staged change: valid; a/b and a above the staged file: not
    assert known.entries(b"a/b/c", rev_parse(repo, "HEAD:a/b/c").encode()) is not None
    assert known.entries(b"a", rev_parse(repo, "HEAD:a").encode()) is None
    git("commit", "-q", "-m", "after the switch", cwd=repo)
    assert rev_parse(repo, "HEAD^{tree}") == _from_scratch(repo) == written
    fsck(repo)


def test_commit_after_the_switch_records_the_right_tree(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("read-tree", "HEAD", cwd=repo)
    switch(repo, old, new)
    (repo / "a" / "new" / "dir" / "file.txt").write_text("edited after\n")
    git("add", "a/new/dir/file.txt", cwd=repo)
    git("commit", "-q", "-m", "edit", cwd=repo)
    assert rev_parse(repo, "HEAD^{tree}") == _from_scratch(repo)
    assert git("show", "HEAD:a/new/dir/file.txt", cwd=repo) == "edited after"
    assert git("diff", "--stat", f"{new}", "HEAD", cwd=repo).count("|") == 1
    fsck(repo)


def test_an_index_without_a_cache_tree_gets_none(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    (repo / ".git" / "index").unlink()
    git("update-index", "--index-info", cwd=repo, input=git("ls-tree", "-r", "HEAD", cwd=repo))
    git("update-index", "-q", "--refresh", cwd=repo)
    assert _tree_extension(repo / ".git" / "index") is None
    switch(repo, old, new)
    assert _tree_extension(repo / ".git" / "index") is None
    assert git("write-tree", cwd=repo).strip() == rev_parse(repo, "HEAD^{tree}")
