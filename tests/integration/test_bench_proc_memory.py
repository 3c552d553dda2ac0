"""The soak's split of a process's RSS (`bench.proc_memory`) puts a mapped `.pack` file's
pages under mapped packs, counts it, and names the mapping that grew."""

from __future__ import annotations

import mmap
import os
import sys
from pathlib import Path

import pytest

from bench import proc_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_mapped_pack_is_counted_and_named_as_it_grows(tmp_path: Path) -> None:
    pack = tmp_path / "pack-1.pack"
    pack.write_bytes(os.urandom(4 * 1024 * 1024))
    before = proc_memory.breakdown(os.getpid())
    maps_before = proc_memory.mappings(os.getpid())
    with pack.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        assert sum(data[i] for i in range(0, len(data), mmap.PAGESIZE)) >= 0  # every page read
        after = proc_memory.breakdown(os.getpid())
        grown = proc_memory.grown(maps_before, proc_memory.mappings(os.getpid()), top=3)
    assert after["mapped .pack files"] == before["mapped .pack files"] + 1
    assert after["map: mapped .pack MiB"] - before["map: mapped .pack MiB"] == pytest.approx(4, abs=0.1)
    assert any("mapped .pack pack-1.pack (new)" in line for line in grown)
    kernel = after["RssAnon MiB"] + after["RssFile MiB"] + after["RssShmem MiB"]
    assert sum(value for key, value in after.items() if key.startswith("map: ")) == pytest.approx(
        kernel, rel=0.05
    )
