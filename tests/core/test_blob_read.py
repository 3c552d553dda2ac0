"""Large blobs read in pieces (`blob_read`): loose, whole in a pack, and deltified in a
pack (expanded into a temporary file), each byte for byte `git cat-file blob`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from dulwich.objects import Blob, ObjectID
from dulwich.repo import Repo

from core.git.objects.blob_read import LARGE, StreamedBlob, blob_content, blob_size, packs_hold_large
from core.git.objects.pack_reader import PackReader
from tests.gitcli import git

SIZE = LARGE + (3 << 20)


def _content(seed: int) -> bytes:
    lines = [
        b"%08d line of a large file, revision marker %d\n" % (n, seed if n % 5000 == 0 else 0)
        for n in range(SIZE // 48)
    ]
    return b"".join(lines)


def _cat(repo: Path, sha: str) -> bytes:
    return subprocess.run(["git", "cat-file", "blob", sha], cwd=repo, capture_output=True, check=True).stdout


def _read(repo: Path, sha: str) -> bytes:
    with Repo(str(repo)) as opened:
        blob = blob_content(opened.object_store, ObjectID(sha.encode()))
        assert isinstance(blob, StreamedBlob) and blob.raw_length() == len(_cat(repo, sha))
        assert blob_size(opened.object_store, ObjectID(sha.encode())) == blob.raw_length()
        pieces = list(blob.as_raw_chunks())
        again = b"".join(blob.as_raw_chunks())  # every pass starts afresh
        blob.close()
    assert max(len(piece) for piece in pieces) <= 1 << 20
    assert b"".join(pieces) == again
    return again


@pytest.mark.slow
def test_large_blobs_loose_whole_and_deltified(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    shas = []
    for revision in range(3):
        (repo / "big.txt").write_bytes(_content(revision))
        git("add", "big.txt", cwd=repo)
        git("commit", "-q", "-m", f"revision {revision}", cwd=repo)
        shas.append(git("rev-parse", "HEAD:big.txt", cwd=repo))
    assert _read(repo, shas[0]) == _cat(repo, shas[0])  # loose

    git("gc", "-q", "--aggressive", cwd=repo)
    listing = git("verify-pack", "-v", *map(str, (repo / ".git/objects/pack").glob("*.idx")))
    kinds = {line.split()[0]: len(line.split()) for line in listing.splitlines() if line[:40] in shas}
    assert any(width > 5 for width in kinds.values()), "git stored none of them as a delta"
    for sha in shas:
        assert _read(repo, sha) == _cat(repo, sha)
    with Repo(str(repo)) as opened:
        assert packs_hold_large(opened.object_store)
        small = blob_content(opened.object_store, ObjectID(git("rev-parse", "HEAD", cwd=repo).encode()))
        assert not isinstance(small, (Blob, StreamedBlob))  # a commit comes back as dulwich reads it


def test_a_reader_finds_packed_blobs_without_listing_the_pack_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A switch writes hundreds of blobs through one `PackReader`: each is found in the
    reader's packs, not by dulwich's `store.packs`, which lists `objects/pack` at every call."""
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    (repo / "big.bin").write_bytes(_content(7))
    for n in range(5):
        (repo / f"small{n}.txt").write_bytes(b"small file %d\n" % n)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "files", cwd=repo)
    git("gc", "-q", cwd=repo)
    names = ["big.bin", *(f"small{n}.txt" for n in range(5))]
    shas = {name: ObjectID(git("rev-parse", f"HEAD:{name}", cwd=repo).encode()) for name in names}
    with Repo(str(repo)) as opened:
        reader = PackReader(opened.object_store)
        listed: list[str] = []
        real_listdir = os.listdir

        def counting_listdir(path: str) -> list[str]:
            listed.append(str(path))
            return real_listdir(path)

        monkeypatch.setattr(os, "listdir", counting_listdir)
        found = {name: blob_content(opened.object_store, sha, reader) for name, sha in shas.items()}
        monkeypatch.undo()
        assert listed == []
        big = found.pop("big.bin")
        assert isinstance(big, StreamedBlob)
        assert b"".join(big.as_raw_chunks()) == _cat(repo, shas["big.bin"].decode())
        for name, blob in found.items():
            assert isinstance(blob, Blob) and blob.as_raw_string() == _cat(repo, shas[name].decode())
