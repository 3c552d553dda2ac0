"""The bulk index reader and writer (core/git/index/serialize.py) give exactly what
dulwich's `read_index` and `write_index_dict` give, on indexes git wrote: plain, with
a conflict, executable and symlink entries, skip-worktree and intent-to-add bits
(version 3), version 4 (handed to dulwich), and a file cut short."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from pathlib import Path

import pytest
from dulwich.index import (
    ConflictedIndexEntry,
    IndexEntry,
    IndexExtension,
    read_index,
    write_index_dict,
)
from dulwich.object_format import DEFAULT_OBJECT_FORMAT as SHA1
from dulwich.repo import Repo

from core.git.index.parse import entries_by_name, parse_index_bytes
from core.git.index.read import read_index_file
from core.git.index.serialize import StoredEntries, index_bytes, read_entries, read_entries_by_name
from tests.gitcli import commit_file, git


def dulwich_bytes(entries: dict[bytes, IndexEntry | ConflictedIndexEntry], version: int | None) -> bytes:
    buffer = io.BytesIO()
    extensions = [IndexExtension(b"ZZZZ", b"kept as it is")]
    write_index_dict(buffer, entries, version=version, extensions=extensions, object_format=SHA1)
    return buffer.getvalue()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An index git wrote: nested files, an executable, a symlink, a conflicted path."""
    path = tmp_path / "r"
    git("init", "-q", "-b", "main", str(path))
    for name in ("a.txt", "src/deep/er/b.py", "src/c.txt", "z" * 200):
        commit_file(path, name, f"{name}\n")
    (path / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(path / "run.sh", 0o755)
    os.symlink("a.txt", path / "link")
    git("add", "run.sh", "link", cwd=path)
    git("commit", "-q", "-m", "more", cwd=path)
    git("checkout", "-q", "-b", "side", cwd=path)
    commit_file(path, "a.txt", "side\n")
    git("checkout", "-q", "main", cwd=path)
    commit_file(path, "a.txt", "main\n")
    git("merge", "-q", "side", cwd=path, check=False)  # a.txt conflicted: stages 1, 2 and 3
    return path


def both(data: bytes) -> None:
    """The bulk reader reads what dulwich reads; the writer writes back what dulwich writes."""
    fast = read_entries(data, SHA1.oid_length)
    buffer = io.BytesIO(data)
    slow = list(read_index(buffer, SHA1))
    assert fast is not None
    assert fast == (slow, buffer.tell())
    entries = entries_by_name(slow)
    by_name = read_entries_by_name(data, SHA1.oid_length)
    if any(isinstance(entry, ConflictedIndexEntry) for entry in entries.values()):
        assert by_name is None  # left to entries_by_name
    else:
        assert by_name is not None and by_name[:2] == (entries, buffer.tell())
        assert list(by_name[2].values())[:1] == [12]  # each entry's offset, the first past the header
    version = int.from_bytes(data[4:8], "big")
    for asked in (None, 2, 3, version):
        written = index_bytes(
            entries, version=asked, extensions=[IndexExtension(b"ZZZZ", b"kept as it is")], object_format=SHA1
        )
        assert written == dulwich_bytes(entries, asked)


def test_a_conflicted_index_reads_and_writes_as_dulwich(repo: Path) -> None:
    data = (repo / ".git" / "index").read_bytes()
    assert "a.txt" in git("diff", "--name-only", "--diff-filter=U", cwd=repo)
    both(data)


def test_extended_flags_version_3_as_dulwich(repo: Path) -> None:
    git("merge", "--abort", cwd=repo)
    git("update-index", "--skip-worktree", "src/c.txt", cwd=repo)
    (repo / "new.txt").write_text("n\n")
    git("add", "-N", "new.txt", cwd=repo)  # intent to add
    data = (repo / ".git" / "index").read_bytes()
    assert int.from_bytes(data[4:8], "big") == 3
    both(data)
    entries = entries_by_name(list(read_index(io.BytesIO(data), SHA1)))
    entry = entries[b"src/c.txt"]
    assert isinstance(entry, IndexEntry) and entry.skip_worktree


def test_a_merged_index_reads_by_name_as_dulwich(repo: Path) -> None:
    git("merge", "--abort", cwd=repo)
    data = (repo / ".git" / "index").read_bytes()
    by_name = read_entries_by_name(data, SHA1.oid_length)
    assert by_name is not None and len(by_name[0]) == 6
    both(data)


def test_what_git_reads_back(repo: Path) -> None:
    """The writer's bytes, with their trailer, are an index git reads as the one it wrote."""
    git("merge", "--abort", cwd=repo)
    index = repo / ".git" / "index"
    before = git("ls-files", "--stage", "--debug", cwd=repo)
    parsed = parse_index_bytes(index.read_bytes(), SHA1)
    data = index_bytes(entries_by_name(parsed.entries), version=2, extensions=[], object_format=SHA1)
    index.write_bytes(data + hashlib.sha1(data).digest())
    assert git("ls-files", "--stage", "--debug", cwd=repo) == before
    assert git("status", "--porcelain", cwd=repo) == ""


def test_version_4_and_a_file_cut_short_go_to_dulwich(repo: Path) -> None:
    git("update-index", "--index-version", "4", cwd=repo)
    data = (repo / ".git" / "index").read_bytes()
    assert read_entries(data, SHA1.oid_length) is None
    entries = entries_by_name(list(read_index(io.BytesIO(data), SHA1)))
    written = index_bytes(
        entries, version=4, extensions=[IndexExtension(b"ZZZZ", b"kept as it is")], object_format=SHA1
    )
    assert written == dulwich_bytes(entries, 4)
    git("update-index", "--index-version", "2", cwd=repo)
    data = (repo / ".git" / "index").read_bytes()
    assert read_entries(data[:100], SHA1.oid_length) is None
    assert read_entries(data[:8], SHA1.oid_length) is None


@pytest.mark.parametrize("when", [1_700_000_000, 1_700_000_000.25, (1_700_000_000, 250_000_000)])
def test_timestamps_in_every_form_dulwich_takes(when: int | float | tuple[int, int]) -> None:
    entry = IndexEntry(
        ctime=when,
        mtime=when,
        dev=2**40 + 5,
        ino=2**33 + 7,
        mode=0o100644,
        uid=1000,
        gid=1000,
        size=3,
        sha=b"1" * 40,
    )
    entries: dict[bytes, IndexEntry | ConflictedIndexEntry] = {b"b": entry, b"a/x": entry}
    for version in (None, 2, 3):
        written = index_bytes(
            entries,
            version=version,
            extensions=[IndexExtension(b"ZZZZ", b"kept as it is")],
            object_format=SHA1,
        )
        assert written == dulwich_bytes(entries, version)


@pytest.mark.parametrize("extended", [False, True])
def test_entries_unchanged_since_read_are_copied_as_stored(repo: Path, extended: bool) -> None:
    """A rewrite copies the stored bytes of the entries it did not change: the same bytes as
    packing every entry again, for a version 2 index and a version 3 one (extended flags)."""
    git("merge", "--abort", cwd=repo)
    if extended:
        git("update-index", "--skip-worktree", "src/c.txt", cwd=repo)
        (repo / "new.txt").write_text("n\n")
        git("add", "-N", "new.txt", cwd=repo)
    with Repo(str(repo)) as r:
        read = read_index_file(r)
    assert read.starts  # the fast reader's offsets
    before = dict(read.index.items())
    entries = dict(before)
    changed = next(name for name in entries if name.startswith(b"src/"))
    old = entries[changed]
    assert isinstance(old, IndexEntry)
    entries[changed] = dataclasses.replace(old, size=old.size + 1)
    del entries[b"a.txt"]
    entries[b"added"] = dataclasses.replace(old, size=7)
    stored = StoredEntries(read.data, read.starts, before)
    version = read.index._version
    plain = index_bytes(entries, version=version, extensions=[], object_format=SHA1)
    copied = index_bytes(entries, version=version, extensions=[], object_format=SHA1, stored=stored)
    assert copied == plain == dulwich_bytes(entries, version)[: len(plain)]
    # copied indeed: a byte of an unchanged entry's stored ctime shows in the output
    marked = bytearray(read.data)
    marked[read.starts[b"link"] + 3] ^= 0xFF
    tampered = StoredEntries(bytes(marked), read.starts, before)
    out = index_bytes(entries, version=version, extensions=[], object_format=SHA1, stored=tampered)
    assert len(out) == len(plain) and sum(a != b for a, b in zip(out, plain, strict=True)) == 1
