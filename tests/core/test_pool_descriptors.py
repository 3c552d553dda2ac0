"""The pool counts the descriptors its repositories' mapped packs hold, and closes the
least recently used ones before they pass the descriptor budget."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.offload import Offload
from core.pool import RepoPool, default_descriptor_budget
from core.pool_cost import open_descriptors
from tests.gitcli import commit_file, git

PACKS = 3
PER_REPO = 4 * PACKS  # .pack and .idx, each open twice (the file and mmap's duplicate)


@pytest.fixture
async def offload() -> AsyncIterator[Offload]:
    pool = Offload(io_workers=2, cpu_workers=1)
    yield pool
    pool.shutdown()


def packed_repo(root: Path, name: str) -> str:
    """A repository of PACKS packs, one commit each; reading every commit maps them all."""
    path = root / name
    git("init", "-q", "-b", "main", str(path))
    for i in range(PACKS):
        commit_file(path, "f.txt", f"{name} {i}\n")
        git("repack", "-q", cwd=path)
    return str(path)


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def read_history(repo: object) -> None:
    from dulwich.repo import Repo
    from dulwich.walk import Walker

    assert isinstance(repo, Repo)
    list(Walker(repo.object_store, [repo.head()]))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
async def test_the_descriptor_budget_closes_least_recently_used(offload: Offload, tmp_path: Path) -> None:
    paths = [packed_repo(tmp_path, f"r{i}") for i in range(3)]
    pool = RepoPool(offload, budget=2**40, descriptor_budget=2 * PER_REPO)
    before = fds()
    for repo_id, path in enumerate(paths):
        async with pool.lease(repo_id, path) as repo:
            await offload.io(read_history, repo)
            assert open_descriptors(repo) == PER_REPO
    await pool.sweep()  # waits for the eviction's close
    stats = pool.stats()
    assert pool.lru_order() == [1, 2] and stats.descriptors == 2 * PER_REPO
    assert fds() - before == stats.descriptors  # the estimate is what /proc counts
    await pool.close_all()
    assert fds() == before


def test_the_default_budget_is_half_the_limit() -> None:
    resource = pytest.importorskip("resource")
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY:
        assert default_descriptor_budget() == max(64, soft // 2)
