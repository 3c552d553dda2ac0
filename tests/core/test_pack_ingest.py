"""Receiving a pack: streamed parse, delta resolution, thin-pack completion, index.

Packs come from `git pack-objects`; git's own `index-pack` is the referee for
the `.idx` we write, and `git fsck` for the repository afterwards.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.objects.pack_ingest import IncomingPack
from core.git.objects.pack_scan import PackFormatError
from core.git.progress import Phase, TransferProgress
from tests.gitcli import commit_file, fsck, git, rev_parse


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small history whose files change a little each commit: plenty of deltas."""
    repo = tmp_path_factory.mktemp("source")
    git("init", "-q", "-b", "main", str(repo))
    rng = random.Random(5)
    lines = [f"line {i}\n" for i in range(200)]
    for n in range(30):
        lines[rng.randrange(len(lines))] = f"changed in {n}\n"
        commit_file(repo, f"dir{n % 3}/file.txt", "".join(lines))
        commit_file(repo, "top.txt", "".join(lines[n:]) + str(n))
    return repo


def pack_objects(repo: Path, revs: str, *args: str) -> bytes:
    proc = subprocess.run(
        ["git", "pack-objects", "--stdout", "--revs", "-q", *args],
        cwd=repo,
        input=revs.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return proc.stdout


def receive(target: Path, pack: bytes, chunk: int | None = None) -> tuple[str | None, list[TransferProgress]]:
    seen: list[TransferProgress] = []
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store, seen.append)  # type: ignore[arg-type]
        rng = random.Random(len(pack))
        pos = 0
        while pos < len(pack):
            size = chunk or rng.randint(1, 70000)
            incoming.write(pack[pos : pos + size])
            pos += size
        received = incoming.commit()
    return (received.name if received else None), seen


def bare(tmp_path: Path, name: str = "target.git") -> Path:
    path = tmp_path / name
    git("init", "-q", "--bare", str(path))
    return path


def leftovers(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "objects" / "pack").iterdir() if "tmp" in p.name)


@pytest.mark.parametrize("offset_deltas", [True, False])
@pytest.mark.parametrize("chunk", [None, 1, 65520])
def test_index_is_byte_identical_to_gits(
    source: Path, tmp_path: Path, offset_deltas: bool, chunk: int | None
) -> None:
    args = ["--delta-base-offset"] if offset_deltas else []
    pack = pack_objects(source, "main\n", *args)
    target = bare(tmp_path)
    name, progress = receive(target, pack, chunk)
    assert name is not None
    ours = (target / "objects" / "pack" / f"{name}.idx").read_bytes()
    (tmp_path / "theirs.pack").write_bytes(pack)
    git("index-pack", "-o", str(tmp_path / "theirs.idx"), str(tmp_path / "theirs.pack"))
    assert ours == (tmp_path / "theirs.idx").read_bytes()
    git("update-ref", "refs/heads/main", rev_parse(source, "main"), cwd=target)
    fsck(target)
    assert leftovers(target) == []
    phases = [p.phase for p in progress]
    assert phases[0] is Phase.RECEIVING and Phase.RESOLVING in phases and phases[-1] is Phase.INDEXING
    assert max(p.current for p in progress if p.phase is Phase.RECEIVING) == int.from_bytes(pack[8:12])


def test_thin_pack_is_completed_from_local_objects(source: Path, tmp_path: Path) -> None:
    target = bare(tmp_path)
    receive(target, pack_objects(source, "main~10\n", "--delta-base-offset"))
    git("update-ref", "refs/heads/main", rev_parse(source, "main~10"), cwd=target)
    thin = pack_objects(source, "main\n^main~10\n", "--thin", "--delta-base-offset")
    name, _ = receive(target, thin)
    git("update-ref", "refs/heads/main", rev_parse(source, "main"), cwd=target)
    fsck(target)
    assert leftovers(target) == []
    verify = git("verify-pack", "-v", str(target / "objects" / "pack" / f"{name}.idx"))
    assert "ok" in verify.splitlines()[-1]


def test_truncated_pack_is_refused_and_leaves_nothing(source: Path, tmp_path: Path) -> None:
    pack = pack_objects(source, "main\n", "--delta-base-offset")
    target = bare(tmp_path)
    with pytest.raises(PackFormatError, match="pack ended"):
        receive(target, pack[: len(pack) // 2])
    assert list((target / "objects" / "pack").iterdir()) == []


@pytest.mark.parametrize("where", [0.3, 0.7, -5])
def test_corrupt_pack_is_refused_and_leaves_nothing(source: Path, tmp_path: Path, where: float) -> None:
    pack = bytearray(pack_objects(source, "main\n", "--delta-base-offset"))
    at = int(len(pack) * where) if where > 0 else len(pack) + int(where)
    pack[at] ^= 0x55
    target = bare(tmp_path)
    with pytest.raises(PackFormatError):
        receive(target, bytes(pack))
    assert list((target / "objects" / "pack").iterdir()) == []


def test_thin_pack_without_its_bases_is_refused(source: Path, tmp_path: Path) -> None:
    thin = pack_objects(source, "main\n^main~10\n", "--thin", "--delta-base-offset")
    target = bare(tmp_path)
    with pytest.raises(PackFormatError, match="no base"):
        receive(target, thin)
    assert list((target / "objects" / "pack").iterdir()) == []


def test_abort_removes_the_partial_pack(source: Path, tmp_path: Path) -> None:
    pack = pack_objects(source, "main\n")
    target = bare(tmp_path)
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store)  # type: ignore[arg-type]
        incoming.write(pack[:1000])
        assert leftovers(target) != []
        incoming.abort()
    assert list((target / "objects" / "pack").iterdir()) == []
