"""`PackReader` hands back the pages of the packs it read (`madvise(MADV_DONTNEED)`).

Every page of a pack read through its mapping counts in the process's resident set
until it is released; a clone's checkout read 47 MiB of its pack that way. The
objects read after a release are still the ones git reads (`git cat-file`).
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.objects import pack_reader
from core.git.objects.pack_reader import PackReader
from tests.gitcli import git

FILES = 400


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pack of FILES incompressible blobs of 8 KiB (about 3 MiB), and their trees."""
    repo = tmp_path_factory.mktemp("packed")
    git("init", "-q", "-b", "main", str(repo))
    rng = random.Random(7)
    for i in range(FILES):
        (repo / f"f{i}.bin").write_bytes(rng.randbytes(8192))
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "blobs", cwd=repo)
    git("repack", "-adq", cwd=repo)
    return repo


def _pack_rss_kib(pack: Path) -> int:
    """The resident KiB of this process's mappings of `pack` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if not line.split(maxsplit=1)[0].endswith(":"):  # a mapping's first line, not a field
            inside = line.rstrip().endswith(str(pack))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


@pytest.mark.parametrize("release_every", [64 << 10, 1 << 40])
def test_pages_read_are_released_and_reads_stay_right(
    packed: Path, monkeypatch: pytest.MonkeyPatch, release_every: int
) -> None:
    monkeypatch.setattr(pack_reader, "RELEASE_EVERY", release_every)
    names = git("ls-tree", "--format=%(objectname)", "main", cwd=packed).split()
    assert len(names) == FILES
    pack = next((packed / ".git" / "objects" / "pack").glob("*.pack"))
    with Repo(str(packed)) as repo:
        reader = PackReader(repo.object_store)
        for name in names:
            _type_num, data = reader.raw(ObjectID(name.encode()))
            expected = subprocess.run(
                ["git", "cat-file", "blob", name], cwd=packed, capture_output=True, check=True
            ).stdout
            assert data == expected
        resident = _pack_rss_kib(pack)
    size_kib = os.path.getsize(pack) // 1024
    if release_every < size_kib * 1024:
        assert resident <= (release_every >> 10) + 128  # what was read since the last release, about
    else:
        assert resident > size_kib // 2  # never released: most of the pack is resident
