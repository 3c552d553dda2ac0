"""LockedIndex writes back the very bytes git wrote when nothing changed, for every index flavour git
makes; open_index reads the entries dulwich reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.errors import ChecksumMismatch
from dulwich.index import ConflictedIndexEntry, Index
from dulwich.repo import Repo

from core.git.index.locked import LockedIndex
from core.git.index.read import open_index, read_index_file
from tests.gitcli import git, merge_conflict


def make_repo(path: Path, flavour: str) -> Path:
    git("init", "-q", "-b", "main", str(path))
    for i in range(30):
        (path / f"d{i % 4}").mkdir(exist_ok=True)
        (path / f"d{i % 4}" / f"f{i}.txt").write_text(f"content {i}\n")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "all", cwd=path)
    if flavour == "intent-to-add":  # extended flags: a version 3 index
        (path / "new.txt").write_text("new\n")
        git("add", "-N", "new.txt", cwd=path)
    elif flavour == "v4":
        git("update-index", "--index-version", "4", cwd=path)
    elif flavour == "many-files":
        git("config", "feature.manyFiles", "true", cwd=path)
        git("add", "--renormalize", ".", cwd=path)
        (path / "d0" / "f0.txt").write_text("changed\n")
        git("add", "d0/f0.txt", cwd=path)
    elif flavour == "skip-hash":
        git("config", "index.skipHash", "true", cwd=path)
        (path / "d0" / "f0.txt").write_text("changed\n")
        git("add", "d0/f0.txt", cwd=path)
    elif flavour == "conflict":
        merge_conflict(path, "d1/f1.txt")
    return path


LAYOUTS = {
    "plain": (2, False),
    "intent-to-add": (3, False),
    "v4": (4, False),
    "skip-hash": (2, True),
    "conflict": (2, False),
}


@pytest.mark.parametrize("flavour", sorted(LAYOUTS))
def test_unchanged_commit_writes_back_gits_own_bytes(tmp_path: Path, flavour: str) -> None:
    path = make_repo(tmp_path / "r", flavour)
    status = git("status", "--porcelain", cwd=path)
    written = (path / ".git" / "index").read_bytes()
    with Repo(str(path)) as repo:
        index = repo.open_index()
        assert (index._version, index._skip_hash) == LAYOUTS[flavour]
        with LockedIndex(repo) as locked:
            locked.commit()
    rewritten = (path / ".git" / "index").read_bytes()
    assert rewritten[:-20] == written[:-20]  # extensions (TREE, REUC, UNTR) included
    # git 2.39 predates index.skipHash and still writes a checksum; Gitferry follows the setting.
    assert rewritten[-20:] == (b"\x00" * 20 if flavour == "skip-hash" else written[-20:])
    git("ls-files", "--stage", cwd=path)  # git checks the trailer when it reads the index
    assert git("status", "--porcelain", cwd=path) == status


def comparable(index: Index) -> dict[bytes, object]:
    """Entries by path; a conflict as its three stages (ConflictedIndexEntry has no `==`)."""
    return {
        path: (e.ancestor, e.this, e.other) if isinstance(e, ConflictedIndexEntry) else e
        for path, e in index.items()
    }


@pytest.mark.parametrize("flavour", sorted(LAYOUTS))
def test_open_index_reads_what_dulwich_reads(tmp_path: Path, flavour: str) -> None:
    path = make_repo(tmp_path / "r", flavour)
    with Repo(str(path)) as repo:
        ours, theirs = open_index(repo), repo.open_index()
    assert comparable(ours) == comparable(theirs)
    assert (flavour == "conflict") == isinstance(ours[b"d1/f1.txt"], ConflictedIndexEntry)
    assert (ours._version, ours._skip_hash, ours.object_format) == (
        theirs._version,
        theirs._skip_hash,
        theirs.object_format,
    )
    with Repo(str(path)) as repo:
        signatures = [signature for signature, _data in read_index_file(repo).extensions]
    assert signatures and set(signatures) <= {b"TREE", b"REUC", b"UNTR"}  # kept raw, for the writer
    assert ours._extensions == []  # none can be copied into a rewrite unexamined


def test_open_index_rejects_a_bad_checksum(tmp_path: Path) -> None:
    path = make_repo(tmp_path / "r", "plain")
    data = bytearray((path / ".git" / "index").read_bytes())
    data[-1] ^= 0xFF
    (path / ".git" / "index").write_bytes(bytes(data))
    with Repo(str(path)) as repo:
        with pytest.raises(ChecksumMismatch):
            repo.open_index()
        with pytest.raises(ChecksumMismatch):
            open_index(repo)


def test_open_index_without_an_index_file(tmp_path: Path) -> None:
    git("init", "-q", str(tmp_path / "r"))
    with Repo(str(tmp_path / "r")) as repo:
        assert len(open_index(repo)) == 0
