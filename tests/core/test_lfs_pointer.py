"""Git LFS pointers and the local object store, with Debian's git-lfs as the referee.

`git lfs pointer --check` judges which texts are pointers, `git lfs pointer --file`
what the pointer of a file is; `git lfs fsck` that objects Gitferry stored are where
and what git-lfs expects them to be.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.content.filters import ContentSkipped
from core.git.content.lfs_driver import LfsDriver
from core.git.objects.blob_stream import FileChanged
from core.git.objects.lfs_pointer import EMPTY_OID, MAX_POINTER_SIZE, LfsPointer, parse_pointer
from core.git.objects.lfs_store import LfsObjectCorrupt, LfsStore
from tests.gitcli import git

pytestmark = pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")

OID = hashlib.sha256(b"hello\n").hexdigest()
V1 = "version https://git-lfs.github.com/spec/v1"

CANDIDATES = {
    "canonical": f"{V1}\noid sha256:{OID}\nsize 6\n",
    "no final newline": f"{V1}\noid sha256:{OID}\nsize 6",
    "crlf": f"{V1}\r\noid sha256:{OID}\r\nsize 6\r\n",
    "blank lines": f"\n{V1}\n\noid sha256:{OID}\nsize 6\n\n",
    "alpha version": f"version http://git-media.io/v/2\noid sha256:{OID}\nsize 6\n",
    "hawser version": f"version https://hawser.github.com/spec/v1\noid sha256:{OID}\nsize 6\n",
    "extension": f"{V1}\next-0-foo sha256:{OID}\noid sha256:{OID}\nsize 6\n",
    "keys out of order": f"{V1}\nsize 6\noid sha256:{OID}\n",
    "upper-case oid": f"{V1}\noid sha256:{OID.upper()}\nsize 6\n",
    "short oid": f"{V1}\noid sha256:{OID[:40]}\nsize 6\n",
    "sha1 oid": f"{V1}\noid sha1:{OID[:40]}\nsize 6\n",
    "negative size": f"{V1}\noid sha256:{OID}\nsize -6\n",
    "missing size": f"{V1}\noid sha256:{OID}\n",
    "extra line": f"{V1}\noid sha256:{OID}\nsize 6\nfoo bar\n",
    "unknown version": f"version https://example.com/spec/v9\noid sha256:{OID}\nsize 6\n",
    "line without a space": f"{V1}\noid\nsize 6\n",
    "plain text": "hello world\n",
}


def _git_lfs_accepts(tmp_path: Path, text: bytes) -> bool:
    candidate = tmp_path / "candidate"
    candidate.write_bytes(text)
    proc = subprocess.run(
        ["git", "lfs", "pointer", "--check", "--file", str(candidate)], capture_output=True, timeout=30
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode == 0


@pytest.mark.parametrize("name", sorted(CANDIDATES))
def test_a_pointer_is_what_git_lfs_takes_for_one(tmp_path: Path, name: str) -> None:
    text = CANDIDATES[name].encode()
    pointer = parse_pointer(text)
    assert (pointer is not None) == _git_lfs_accepts(tmp_path, text)
    if pointer is not None:
        assert (pointer.oid, pointer.size) == (OID, 6)


def test_a_blob_of_1024_bytes_or_more_is_never_a_pointer() -> None:
    """git-lfs's scanner and smudge take only blobs under its BlobSizeCutoff (1,024 bytes)
    for pointers (`git lfs pointer --check` reads a file's first 1,024 bytes instead)."""
    text = CANDIDATES["canonical"].encode()
    assert parse_pointer(text.ljust(MAX_POINTER_SIZE - 1)) is not None
    assert parse_pointer(text.ljust(MAX_POINTER_SIZE)) is None


@pytest.mark.parametrize("size", [1, 6, 1023, 1024, 70_000])
def test_the_pointer_of_a_file_is_git_lfs_s_byte_for_byte(tmp_path: Path, size: int) -> None:
    content = tmp_path / "content"
    content.write_bytes(os.urandom(size))
    expected = subprocess.run(
        ["git", "lfs", "pointer", "--file", str(content)], capture_output=True, check=True, timeout=30
    ).stdout
    store = LfsStore(str(tmp_path / "lfs"))
    assert store.pointer_of_file(content, content.stat()) == expected
    assert not (tmp_path / "lfs" / "objects").exists()  # only hashed
    assert store.store_file(content, content.stat()) == expected
    pointer = parse_pointer(expected)
    assert pointer is not None and pointer.encode() == expected
    assert Path(store.path_of(pointer.oid)).read_bytes() == content.read_bytes()


def test_empty_and_pointer_files_are_committed_as_they_are(tmp_path: Path) -> None:
    store = LfsStore(str(tmp_path / "lfs"))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert store.store_file(empty, empty.stat()) == b""
    assert parse_pointer(b"") == LfsPointer(EMPTY_OID, 0)
    already = tmp_path / "pointer"
    already.write_text(CANDIDATES["crlf"])
    assert store.store_file(already, already.stat()) == CANDIDATES["crlf"].encode()
    assert not (tmp_path / "lfs" / "objects").exists()


def test_a_file_that_changes_while_it_is_cleaned_is_not_stored(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.write_bytes(os.urandom(5000))
    seen = content.stat()
    content.write_bytes(os.urandom(6000))
    store = LfsStore(str(tmp_path / "lfs"))
    with pytest.raises(FileChanged):
        store.store_file(content, seen)
    assert [p for p in (tmp_path / "lfs").rglob("*") if p.is_file()] == []


def test_a_download_is_moved_in_only_when_size_and_sha256_match(tmp_path: Path) -> None:
    store = LfsStore(str(tmp_path / "lfs"))
    data = os.urandom(3000)
    pointer = LfsPointer(hashlib.sha256(data).hexdigest(), len(data))
    for wrong, why in ((data[:-1], "bytes received"), (data[:-1] + bytes([data[-1] ^ 1]), "sha256")):
        with pytest.raises(LfsObjectCorrupt, match=why), store.incoming(pointer) as incoming:
            incoming.write(wrong)
            incoming.commit()
        assert not store.has(pointer)
    with pytest.raises(LfsObjectCorrupt, match="more than"), store.incoming(pointer) as incoming:
        incoming.write(data + b"!")
    assert not list((tmp_path / "lfs" / "incomplete").iterdir())  # nothing left behind
    with store.incoming(pointer) as incoming:
        incoming.write(data[:1000])
        incoming.write(data[1000:])
        incoming.commit()
    assert store.has(pointer)
    assert Path(store.path_of(pointer.oid)).read_bytes() == data


def test_objects_stored_here_are_where_git_lfs_finds_them(tmp_path: Path) -> None:
    """An object kept by the clean is one `git lfs fsck` checks and `git lfs smudge` reads."""
    repo_dir = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo_dir))
    git("lfs", "install", "--local", cwd=repo_dir)
    data = os.urandom(20_000)
    (repo_dir / "big.bin").write_bytes(data)
    with Repo(str(repo_dir)) as repo:
        store = LfsStore.of(repo)
        pointer = store.store_file(repo_dir / "big.bin", (repo_dir / "big.bin").stat())
    (repo_dir / "big.bin").write_bytes(pointer)  # commit the pointer as git-lfs would have
    (repo_dir / ".gitattributes").write_text("*.bin filter=lfs diff=lfs merge=lfs -text\n")
    git("add", ".", cwd=repo_dir)
    git("commit", "-q", "-m", "pointer", cwd=repo_dir)
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=repo_dir)
    smudged = subprocess.run(
        ["git", "lfs", "smudge"], input=pointer, cwd=repo_dir, capture_output=True, check=True, timeout=30
    )
    assert smudged.stdout == data


def test_the_driver_smudges_from_the_store_and_leaves_a_missing_object_s_pointer(tmp_path: Path) -> None:
    store = LfsStore(str(tmp_path / "lfs"))
    data = os.urandom(10_000)
    source = tmp_path / "source"
    source.write_bytes(data)
    pointer = store.store_file(source, source.stat())
    driver = LfsDriver(store)
    out = io.BytesIO()
    driver.to_worktree(b"a.bin", [pointer[:10], pointer[10:]], out)
    assert out.getvalue() == data
    out = io.BytesIO()
    driver.to_worktree(b"plain.bin", [b"not a pointer\n"], out)
    assert out.getvalue() == b"not a pointer\n"  # passed through, as git-lfs smudge does
    other = LfsPointer(hashlib.sha256(b"elsewhere").hexdigest(), 9).encode()
    with pytest.raises(ContentSkipped) as caught:
        driver.to_worktree(b"gone.bin", [other], io.BytesIO())
    assert caught.value.reason == "lfs_missing" and caught.value.write_blob
    with source.open("rb") as f:
        assert driver.to_index(b"a.bin", f, len(data), for_commit=False) == pointer
