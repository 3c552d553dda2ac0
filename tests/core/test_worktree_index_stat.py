"""read_index_stat (own parser) against dulwich's reading of the same index, for every index git writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dulwich.errors import ChecksumMismatch
from dulwich.repo import Repo

from core.git.index.read import open_index
from core.git.index.stat_data import (
    _LAST_READ,
    IndexStat,
    NeedsFullRead,
    current_index_stat,
    has_unmerged,
    index_stat_of,
    read_index_stat,
    stat_key,
)
from tests.gitcli import commit_file, git, merge_conflict

LONG = "/".join(["x" * 200] * 25)  # longer than the name length field's 12 bits (index only)


def build(root: Path, long_name: bool = False) -> Path:
    git("init", "-q", str(root))
    files = {"a.txt": "a\n", "dir/b.txt": "b\n", "dir/sub/c.txt": "c\n", "run.sh": "#!/bin/sh\n"}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("a.txt")
    time.sleep(0.02)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "files", cwd=root)
    head = git("rev-parse", "HEAD", cwd=root)
    blob = git("rev-parse", "HEAD:a.txt", cwd=root)
    git("update-index", "--add", "--cacheinfo", f"160000,{head},module", cwd=root)
    if long_name:  # dulwich cannot read it: its reader takes the 12-bit length as the name's
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},{LONG}", cwd=root)
    git("update-index", "--skip-worktree", "dir/b.txt", cwd=root)  # an extended flag: version 3
    (root / "new.txt").write_text("n\n")
    git("add", "--intent-to-add", "new.txt", cwd=root)
    return root


def corrupt(root: Path) -> Path:
    """`root` with a byte of its index file's first entry flipped (its checksum then fails)."""
    index = root / ".git/index"
    data = bytearray(index.read_bytes())
    data[20] ^= 0xFF  # inside the first entry's stat data
    index.write_bytes(bytes(data))
    return root


def views(root: Path) -> tuple[IndexStat, IndexStat]:
    with Repo(str(root)) as repo:
        ours = read_index_stat(repo.index_path(), repo.object_format)
        theirs = index_stat_of(open_index(repo), repo.index_path())
    return ours, theirs


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_every_index_version_reads_as_dulwich_reads_it(tmp_path: Path, version: str) -> None:
    root = build(tmp_path / "r")
    if version == "2":
        git("update-index", "--no-skip-worktree", "dir/b.txt", cwd=root)
        git("reset", "-q", "--", "new.txt", cwd=root)  # intent-to-add is an extended flag too
    git("update-index", "--index-version", version, cwd=root)
    ours, theirs = views(root)
    assert ours.dirs == theirs.dirs
    assert ours.trusted == theirs.trusted
    assert ours.mtime_ns == theirs.mtime_ns
    assert {b"module"} <= ours.trusted
    assert (b"dir/b.txt" in ours.trusted) == (version != "2")
    assert ours.dirs[b""][b"a.txt"] == stat_key(os.lstat(root / "a.txt"))  # an unchanged file: equal keys
    assert ours.dirs[b""][b"link"] == stat_key(os.lstat(root / "link"))
    assert ours.dirs[b""][b"run.sh"] == stat_key(os.lstat(root / "run.sh"))
    assert ours.tracked_dirs == {b"", b"dir/", b"dir/sub/"}


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_long_names_and_every_path_as_git_lists_them(tmp_path: Path, version: str) -> None:
    root = build(tmp_path / "r", long_name=True)
    git("update-index", "--index-version", version, cwd=root)
    with Repo(str(root)) as repo:
        view = read_index_stat(repo.index_path(), repo.object_format)
    listed = set(git("ls-files", "-z", cwd=root).strip("\0").split("\0"))
    assert LONG in listed
    assert {p.decode() for p in [*view.paths(), *view.trusted, *view.unmerged]} == listed


def test_unmerged_entries(tmp_path: Path) -> None:
    root = tmp_path / "r"
    git("init", "-q", str(root))
    commit_file(root, "f", "base\n")
    merge_conflict(root, "f")
    ours, theirs = views(root)
    assert ours.unmerged == theirs.unmerged == {b"f"}
    assert ours.dirs == {}


def test_split_index_is_read_in_full_and_a_corrupt_one_detected(tmp_path: Path) -> None:
    root = corrupt(build(tmp_path / "r"))
    with pytest.raises(ChecksumMismatch):
        views(root)
    git("reset", "-q", cwd=root)
    plain, _ = views(root)
    git("update-index", "--split-index", cwd=root)
    with Repo(str(root)) as repo:
        with pytest.raises(NeedsFullRead):
            read_index_stat(repo.index_path(), repo.object_format)
        split = current_index_stat(repo)
        assert current_index_stat(repo) is split  # kept while the index file stays the same
    assert (split.dirs, split.trusted, split.unmerged) == (plain.dirs, plain.trusted, plain.unmerged)


def test_absent_index_is_empty(tmp_path: Path) -> None:
    git("init", "-q", str(tmp_path / "r"))
    with Repo(str(tmp_path / "r")) as repo:
        view = read_index_stat(repo.index_path(), repo.object_format)
    assert (view.dirs, view.trusted, view.unmerged, view.mtime_ns) == ({}, set(), set(), 0)


@pytest.mark.parametrize("version", ["2", "3", "4", "split"])
@pytest.mark.parametrize("conflict", [False, True])
def test_has_unmerged_answers_as_the_view_without_making_it_for_a_clean_index(
    tmp_path: Path, version: str, conflict: bool
) -> None:
    """Versions 2, 3 and 4 with no conflict stage are answered from the entries' flags, no
    view made; the rest (a stage, a split index) through the view, which names them."""
    if conflict:
        root = tmp_path / "c"
        git("init", "-q", "-b", "main", str(root))
        commit_file(root, "f", "base\n")
        commit_file(root, "dir/g", "other\n")
        merge_conflict(root, "f")
    else:
        root = build(tmp_path / "r")
    if version == "split":
        git("update-index", "--split-index", cwd=root)
    else:
        git("update-index", "--index-version", version, cwd=root)
    unmerged = bool(git("ls-files", "--unmerged", cwd=root))
    assert unmerged == conflict
    with Repo(str(root)) as repo:
        assert has_unmerged(repo) == unmerged
        made = _LAST_READ.get(repo) is not None
        assert made == (conflict or version == "split")
        assert bool(current_index_stat(repo).unmerged) == unmerged


def test_has_unmerged_refuses_a_corrupt_index_as_the_view_does(tmp_path: Path) -> None:
    root = corrupt(build(tmp_path / "r"))
    with Repo(str(root)) as repo, pytest.raises(ChecksumMismatch):
        has_unmerged(repo)
