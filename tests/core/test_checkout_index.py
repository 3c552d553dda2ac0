"""LockedIndex writes exactly the bytes dulwich's checksum writer would, for every index flavour git makes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dulwich.errors import ChecksumMismatch
from dulwich.index import ConflictedIndexEntry, Index, IndexChecksumWriter, write_index_dict
from dulwich.repo import Repo

from core.git.index.locked import _POSITIONAL_EXTENSIONS, LockedIndex
from core.git.index.read import open_index
from tests.gitcli import git, merge_conflict


def reference_bytes(repo: Repo) -> bytes:
    """What `LockedIndex.commit` wrote before it buffered: dulwich's writer, field by field."""
    index = repo.open_index()
    extensions = [e for e in index._extensions if e.to_bytes() and e.signature not in _POSITIONAL_EXTENSIONS]
    out = io.BytesIO()
    fmt = index.object_format
    if index._skip_hash:
        write_index_dict(
            out, dict(index.items()), version=index._version, extensions=extensions, object_format=fmt
        )
        out.write(b"\x00" * fmt.oid_length)
    else:
        writer = IndexChecksumWriter(out, fmt)
        write_index_dict(
            writer, dict(index.items()), version=index._version, extensions=extensions, object_format=fmt
        )
        writer.write_checksum()
    return out.getvalue()


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
def test_commit_writes_the_same_bytes_as_dulwich(tmp_path: Path, flavour: str) -> None:
    path = make_repo(tmp_path / "r", flavour)
    status = git("status", "--porcelain", cwd=path)
    with Repo(str(path)) as repo:
        index = repo.open_index()
        assert (index._version, index._skip_hash) == LAYOUTS[flavour]
        expected = reference_bytes(repo)
        with LockedIndex(repo) as locked:
            locked.commit()
    assert (path / ".git" / "index").read_bytes() == expected
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
    assert [(e.signature, e.to_bytes()) for e in ours._extensions] == [
        (e.signature, e.to_bytes()) for e in theirs._extensions
    ]
    assert ours._extensions  # git wrote at least a TREE or REUC extension


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
