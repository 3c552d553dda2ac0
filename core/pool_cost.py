"""What an open dulwich `Repo` costs in memory, estimated from what it holds.

An open repository costs little until it reads: each pack
it has loaded maps its `.pack` and `.idx` files, keeps a delta-base cache of
resolved objects, and a parsed commit-graph file is held in Python objects.
The estimate adds those up from the repository's own bookkeeping (attribute
reads only, no I/O) plus a fixed per-repository overhead measured with
`calibrate_overhead` (RSS growth over many opened repositories, minus what
they map). Mapped file sizes are counted whole: an upper bound of what the
mapping can add to RSS, reached when a walk touches every page.

Run `python -m core.pool_cost PATH...` to compare the estimate with the RSS
growth of opening each repository and walking its whole history.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dulwich.object_store import DiskObjectStore
from dulwich.pack import Pack
from dulwich.repo import Repo
from dulwich.walk import Walker

from core.git.index.stat_data import cached_view_bytes
from core.platform.processes import own_rss_bytes

REPO_OVERHEAD = 24 * 1024
"""Bytes per open repository beyond its packs (Python 3.11, dulwich 1.2.21, Linux):
`calibrate_overhead` over 50 one-commit repositories measured 22 KB of RSS each
in a fresh process (7-8 KB on repeated runs, as the allocator reuses freed
memory); tracemalloc counts 18 KB of live Python heap each."""

COMMIT_GRAPH_BYTES_PER_COMMIT = 720
"""A commit-graph parsed by dulwich: 100,000 commits hold 65.7 MiB (689 bytes each;
`python -m bench.handwritten commit-graph`)."""


def loaded_packs(repo: Repo) -> list[Pack]:
    """The packs this repository has opened (dulwich keeps them in a private cache)."""
    store = repo.object_store
    cache: dict[str, Pack] = getattr(store, "_pack_cache", {})
    return list(cache.values())


def mapped_bytes(repo: Repo) -> int:
    """Bytes of `.pack` and `.idx` files this repository has mapped."""
    return sum(pack.mmap_size for pack in loaded_packs(repo))


DESCRIPTORS_PER_MAPPED_FILE = 2
"""The file dulwich opens and the duplicate that `mmap` keeps of it (CPython, Unix)."""


def open_descriptors(repo: Repo) -> int:
    """Descriptors this repository's loaded packs hold: two per mapped `.pack` and `.idx`."""
    files = 0
    for pack in loaded_packs(repo):
        files += (pack._data is not None) + (pack._idx is not None)
    return files * DESCRIPTORS_PER_MAPPED_FILE


def delta_cache_bytes(repo: Repo) -> int:
    """Bytes of resolved objects held by the packs' delta-base caches."""
    total = 0
    for pack in loaded_packs(repo):
        data = pack._data
        cache = getattr(data, "_offset_cache", None) if data is not None else None
        total += int(getattr(cache, "_value_size", 0))
    return total


def commit_graph_bytes(repo: Repo) -> int:
    store = repo.object_store
    graph = getattr(store, "_commit_graph", None) if isinstance(store, DiskObjectStore) else None
    return 0 if graph is None else len(graph.entries) * COMMIT_GRAPH_BYTES_PER_COMMIT


def cap_delta_cache(repo: Repo, limit: int) -> None:
    """Bound the delta-base cache of the packs this repository opens from now on.

    dulwich's default (git's core.deltaBaseCacheLimit) is 96 MiB per pack, made
    for short-lived processes; a repository kept open holds on to it. Reading
    every changed blob of 60,000 commits took as long with 4 MiB as with 96 MiB
    (23 s either way) while the estimate fell from 97 to 22 MiB.
    """
    store = repo.object_store
    if isinstance(store, DiskObjectStore):
        current = store.delta_base_cache_limit
        store.delta_base_cache_limit = limit if current is None else min(current, limit)


def estimate_cost(repo: Repo, overhead: int = REPO_OVERHEAD) -> int:
    """Estimated bytes this open repository keeps in memory (its auto-commit index view included)."""
    return (
        overhead
        + mapped_bytes(repo)
        + delta_cache_bytes(repo)
        + commit_graph_bytes(repo)
        + cached_view_bytes(repo)
    )


def rss_bytes() -> int:
    gc.collect()
    return own_rss_bytes()


@dataclass(frozen=True, slots=True)
class Calibration:
    repos: int
    rss_growth: int
    mapped: int
    overhead_per_repo: int


def calibrate_overhead(paths: Sequence[str], opener: Callable[[str], Repo]) -> Calibration:
    """Measure the per-repository overhead: open every path, read HEAD's commit.

    Use many (dozens of) small repositories: allocator noise is per process,
    not per repository, so it shrinks as the count grows.
    """
    if not paths:
        raise ValueError("calibration needs at least one repository")
    _warm_up(paths[0], opener)
    before = rss_bytes()
    repos = [opener(path) for path in paths]
    try:
        for repo in repos:
            repo[repo.head()]
        growth = rss_bytes() - before
        mapped = sum(mapped_bytes(repo) for repo in repos)
    finally:
        for repo in repos:
            repo.close()
    per_repo = max(0, growth - mapped) // len(repos)
    return Calibration(len(repos), growth, mapped, per_repo)


@dataclass(frozen=True, slots=True)
class Measurement:
    commits: int
    estimate: int
    rss_growth: int
    mapped: int

    @property
    def ratio(self) -> float:
        return self.estimate / max(1, self.rss_growth)


def walk_history(repo: Repo) -> int:
    """Read every commit reachable from HEAD and HEAD's root tree; the count of commits."""
    head = repo.head()
    repo[repo[head].tree]  # type: ignore[attr-defined]
    return sum(1 for _ in Walker(repo.object_store, [head]))


def measure(
    path: str, opener: Callable[[str], Repo], work: Callable[[Repo], int] = walk_history
) -> Measurement:
    """RSS growth of opening `path` and doing `work`, against the estimate."""
    _warm_up(path, opener)
    before = rss_bytes()
    repo = opener(path)
    try:
        commits = work(repo)
        growth = rss_bytes() - before
        return Measurement(commits, estimate_cost(repo), growth, mapped_bytes(repo))
    finally:
        repo.close()


def _warm_up(path: str, opener: Callable[[str], Repo]) -> None:
    """Run the code paths once on a small sample, so one-time costs (lazy imports) are
    not counted. Not the whole work: memory it freed would be reused, hiding growth."""
    repo = opener(path)
    try:
        head = repo.head()
        repo[repo[head].tree]  # type: ignore[attr-defined]
        for entry in Walker(repo.object_store, [head], max_entries=5):
            entry.changes()
    finally:
        repo.close()


def _report(paths: Iterable[str]) -> None:
    for path in paths:
        m = measure(path, Repo)
        print(
            f"{path}: {m.commits} commits, mapped {m.mapped / 2**20:.1f} MiB, "
            f"estimate {m.estimate / 2**20:.1f} MiB, RSS growth {m.rss_growth / 2**20:.1f} MiB, "
            f"ratio {m.ratio:.2f}"
        )


if __name__ == "__main__":
    _report(sys.argv[1:])
