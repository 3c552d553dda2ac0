"""LockedIndex writes exactly the bytes dulwich's checksum writer would, for every index flavour git makes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dulwich.index import IndexChecksumWriter, write_index_dict
from dulwich.repo import Repo

from core.git.locked_index import _POSITIONAL_EXTENSIONS, LockedIndex
from tests.gitcli import commit_file, git


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
    elif flavour == "skip-hash":
        git("config", "index.skipHash", "true", cwd=path)
        (path / "d0" / "f0.txt").write_text("changed\n")
        git("add", "d0/f0.txt", cwd=path)
    elif flavour == "conflict":
        git("checkout", "-q", "-b", "side", cwd=path)
        commit_file(path, "d1/f1.txt", "side\n")
        git("checkout", "-q", "main", cwd=path)
        commit_file(path, "d1/f1.txt", "main\n")
        git("merge", "-q", "side", cwd=path, check=False)
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
