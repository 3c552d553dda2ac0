"""The repository pool: LRU, TTL, budget, exclusive leases, released descriptors."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest
from dulwich.diff_tree import TreeChange
from dulwich.repo import Repo
from dulwich.walk import Walker

from core.git.repository import RepositoryMissing, open_worktree_repo
from core.offload import Offload
from core.pool import RepoPool
from core.pool_cost import REPO_OVERHEAD, calibrate_overhead, delta_cache_bytes, estimate_cost, walk_history
from tests.gitcli import commit_file, git, rev_parse
from tests.waiting import CAP, eventually

TTL = 300.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def offload() -> AsyncIterator[Offload]:
    pool = Offload(io_workers=4, cpu_workers=1)
    yield pool
    pool.shutdown()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_repo(root: Path, name: str, commits: int = 1) -> str:
    """A working tree with `commits` commits, packed (so reading it maps a pack)."""
    path = root / name
    git("init", "-q", str(path))
    stream = bytearray()
    for i in range(commits):
        content = f"{name} commit {i}\n".encode() * 20
        message = f"c{i}\n".encode()
        stream += b"commit refs/heads/main\n"
        stream += f"committer T <t@example.com> {1_600_000_000 + i} +0000\n".encode()
        stream += f"data {len(message)}\n".encode() + message
        stream += f"M 100644 inline f{i % 40}.txt\ndata {len(content)}\n".encode() + content + b"\n"
    git("fast-import", "--quiet", cwd=path, input=stream.decode())
    git("checkout", "-q", "main", cwd=path)
    git("repack", "-adq", cwd=path)
    return str(path)


def files_under(path: str) -> list[str]:
    proc = psutil.Process()
    opened = [f.path for f in proc.open_files()]
    mapped = [m.path for m in proc.memory_maps()]
    return [p for p in opened + mapped if p.startswith(path)]


def pack_size(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path, ".git/objects/pack").iterdir())


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


async def use(pool: RepoPool, repo_id: int, path: str, offload: Offload) -> Repo:
    """Lease, walk the history (loads the packs), release."""
    async with pool.lease(repo_id, path) as repo:
        await offload.io(walk_history, repo)
        return repo


async def test_lease_opens_once_and_reuses(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a")
    pool = RepoPool(offload)
    async with pool.lease(1, path) as repo:
        assert repo.head().decode() == rev_parse(Path(path), "HEAD")
        assert pool.stats().entries == 1 and pool.stats().leased == 1
    async with pool.lease(1, path) as again:
        assert again is repo
    stats = pool.stats()
    assert (stats.entries, stats.leased) == (1, 0)
    assert stats.cost >= REPO_OVERHEAD
    await pool.close_all()
    assert pool.stats().entries == 0


async def test_lru_order_follows_use(tmp_path: Path, offload: Offload, clock: FakeClock) -> None:
    paths = {i: make_repo(tmp_path, f"r{i}") for i in (1, 2, 3)}
    pool = RepoPool(offload, clock=clock)
    for i in (1, 2, 3, 1):
        async with pool.lease(i, paths[i]):
            clock.advance(1)
    assert pool.lru_order() == [2, 3, 1]
    await pool.close_all()


async def test_sweep_closes_entries_idle_longer_than_the_ttl(
    tmp_path: Path, offload: Offload, clock: FakeClock
) -> None:
    a, b = make_repo(tmp_path, "a"), make_repo(tmp_path, "b")
    pool = RepoPool(offload, ttl=TTL, clock=clock)
    first_a = await use(pool, 1, a, offload)
    clock.advance(200)
    await use(pool, 2, b, offload)
    clock.advance(100)  # a idle exactly TTL: kept
    await pool.sweep()
    assert pool.lru_order() == [1, 2]
    clock.advance(1)
    await pool.sweep()
    assert pool.lru_order() == [2]
    clock.advance(200)
    await pool.sweep()
    assert pool.lru_order() == []
    assert await use(pool, 1, a, offload) is not first_a  # reopened
    await pool.close_all()


async def test_the_next_lease_expires_idle_entries_without_a_sweep(
    tmp_path: Path, offload: Offload, clock: FakeClock
) -> None:
    a, b = make_repo(tmp_path, "a"), make_repo(tmp_path, "b")
    pool = RepoPool(offload, ttl=TTL, clock=clock)
    await use(pool, 1, a, offload)
    clock.advance(TTL + 1)
    async with pool.lease(2, b):
        assert pool.lru_order() == [2]
    await pool.close_all()


async def test_budget_closes_least_recently_used_first(tmp_path: Path, offload: Offload) -> None:
    paths = {i: make_repo(tmp_path, f"r{i}") for i in range(1, 5)}
    probe = RepoPool(offload)
    costs: list[int] = []
    for i, path in paths.items():
        await use(probe, i, path, offload)
        costs.append(probe.stats().cost - sum(costs))
    await probe.close_all()
    assert min(costs) > REPO_OVERHEAD  # a walked repository maps its pack on top of the overhead
    budget = 2 * max(costs) + min(costs) // 2
    assert 3 * min(costs) > budget  # three never fit, two always do

    pool = RepoPool(offload, budget=budget)
    for i in (1, 2, 3):
        await use(pool, i, paths[i], offload)
    assert pool.lru_order() == [2, 3]
    await use(pool, 2, paths[2], offload)
    await use(pool, 4, paths[4], offload)
    assert pool.lru_order() == [2, 4]
    assert pool.stats().cost <= budget
    await pool.close_all()


async def test_cost_is_re_estimated_when_a_lease_ends(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a", commits=300)
    pack_bytes = pack_size(path)
    pool = RepoPool(offload)
    async with pool.lease(1, path) as repo:
        opened_cost = pool.stats().cost
        await offload.io(walk_history, repo)
    walked_cost = pool.stats().cost
    assert opened_cost == REPO_OVERHEAD  # nothing mapped until the first read
    assert walked_cost - opened_cost >= pack_bytes * 0.9
    await pool.close_all()


async def test_a_leased_entry_is_never_evicted(tmp_path: Path, offload: Offload, clock: FakeClock) -> None:
    a, b = make_repo(tmp_path, "a"), make_repo(tmp_path, "b")
    pool = RepoPool(offload, ttl=TTL, budget=1, clock=clock)
    async with pool.lease(1, a) as held:
        await offload.io(walk_history, held)
        await use(pool, 2, b, offload)  # over budget and idle: closed as its lease ends
        clock.advance(TTL * 10)
        await pool.sweep()
        assert pool.lru_order() == [1]
        assert pool.stats().cost > pool.stats().budget
        assert held.head().decode() == rev_parse(Path(a), "HEAD")
    assert pool.lru_order() == []  # released: now over budget and idle


async def test_one_job_at_a_time_per_repository(tmp_path: Path, offload: Offload) -> None:
    paths = {i: make_repo(tmp_path, f"r{i}") for i in (1, 2)}
    pool = RepoPool(offload)
    holders: Counter[int] = Counter()
    most: Counter[int] = Counter()
    overlap = 0

    async def job(repo_id: int) -> None:
        nonlocal overlap
        async with pool.lease(repo_id, paths[repo_id]) as repo:
            holders[id(repo)] += 1
            most[id(repo)] = max(most[id(repo)], holders[id(repo)])
            overlap = max(overlap, sum(holders.values()))
            await offload.io(walk_history, repo)
            await asyncio.sleep(0.005)
            holders[id(repo)] -= 1

    await asyncio.wait_for(asyncio.gather(*(job(1 + n % 2) for n in range(12))), 10)
    assert len(most) == 2 and set(most.values()) == {1}  # never two jobs on one Repo
    assert overlap == 2  # but different repositories do run at once
    await pool.close_all()


async def test_a_second_lease_waits_for_the_first(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a")
    pool = RepoPool(offload)
    events: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        async with pool.lease(1, path):
            events.append("first in")
            await release.wait()
            events.append("first out")

    async def second() -> None:
        async with pool.lease(1, path):
            events.append("second in")

    tasks = [asyncio.create_task(first())]
    await asyncio.sleep(0.05)
    tasks.append(asyncio.create_task(second()))
    await asyncio.sleep(0.05)
    assert events == ["first in"]
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert events == ["first in", "first out", "second in"]
    await pool.close_all()


async def test_a_missing_repository_raises_the_openers_error_and_keeps_no_entry(
    tmp_path: Path, offload: Offload
) -> None:
    pool = RepoPool(offload)
    with pytest.raises(RepositoryMissing):
        async with pool.lease(1, str(tmp_path / "never-there")):
            pytest.fail("leased a repository that does not exist")
    assert pool.stats().entries == 0 and pool.lru_order() == []

    path = make_repo(tmp_path, "a")
    await use(pool, 2, path, offload)
    shutil.rmtree(path)
    with pytest.raises(RepositoryMissing):
        async with pool.lease(2, path):
            pytest.fail("leased a deleted repository")
    assert pool.stats().entries == 0
    await pool.close_all()


async def test_a_moved_repository_is_reopened_at_its_new_path(tmp_path: Path, offload: Offload) -> None:
    old = make_repo(tmp_path, "old")
    new = make_repo(tmp_path, "new")
    commit_file(Path(new), "extra.txt", "x")
    pool = RepoPool(offload)
    await use(pool, 1, old, offload)
    async with pool.lease(1, new) as repo:
        assert repo.head().decode() == rev_parse(Path(new), "HEAD")
    assert files_under(old) == []
    await pool.close_all()


async def test_a_repository_replaced_at_its_path_is_reopened(tmp_path: Path, offload: Offload) -> None:
    """Deleted and made again (or another moved there) at the same path: a fresh `Repo`,
    whose objects are the new repository's, and nothing of the old one kept mapped; a
    repository that only changed (a commit, a new pack) keeps its `Repo`."""
    path = make_repo(tmp_path, "a", commits=3)
    pool = RepoPool(offload)
    first = await use(pool, 1, path, offload)
    old_head = first.head()
    commit_file(Path(path), "more.txt", "more")
    git("repack", "-dq", cwd=path)
    assert await use(pool, 1, path, offload) is first
    shutil.rmtree(path)
    make_repo(tmp_path, "a", commits=2)  # another history: ext4 may hand out the same inodes
    async with pool.lease(1, path) as repo:
        assert repo is not first
        assert repo.head().decode() == rev_parse(Path(path), "HEAD")
        assert old_head not in repo.object_store
    assert not [p for p in files_under(path) if p.endswith(" (deleted)")]
    elsewhere = make_repo(tmp_path, "b")
    shutil.rmtree(path)
    os.rename(elsewhere, path)  # `mv b a`
    async with pool.lease(1, path) as moved_here:
        assert moved_here is not repo
        assert moved_here.head().decode() == rev_parse(Path(path), "HEAD")
    await pool.close_all()


async def test_eviction_releases_descriptors_and_mappings(
    tmp_path: Path, offload: Offload, clock: FakeClock
) -> None:
    path = make_repo(tmp_path, "a", commits=50)
    pool = RepoPool(offload, ttl=TTL, clock=clock)
    baseline = fd_count()
    await use(pool, 1, path, offload)
    assert fd_count() > baseline
    assert any(p.endswith(".pack") for p in files_under(path))
    clock.advance(TTL + 1)
    await pool.sweep()
    assert pool.stats().entries == 0
    assert fd_count() == baseline
    assert files_under(path) == []


async def test_close_all_waits_for_a_running_lease(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a", commits=20)
    pool = RepoPool(offload)
    release = asyncio.Event()

    async def job() -> None:
        async with pool.lease(1, path) as repo:
            await offload.io(walk_history, repo)
            await release.wait()

    task = asyncio.create_task(job())
    await asyncio.sleep(0.05)
    closing = asyncio.create_task(pool.close_all())
    await asyncio.sleep(0.05)
    assert not closing.done() and pool.stats().leased == 1
    release.set()
    await asyncio.wait_for(asyncio.gather(task, closing), 5)
    assert pool.stats().entries == 0
    assert files_under(path) == []


async def test_discard_closes_one_repository(tmp_path: Path, offload: Offload) -> None:
    a, b = make_repo(tmp_path, "a", commits=5), make_repo(tmp_path, "b", commits=5)
    pool = RepoPool(offload)
    await use(pool, 1, a, offload)
    await use(pool, 2, b, offload)
    await pool.discard(1)
    await pool.discard(99)
    assert pool.lru_order() == [2]
    assert files_under(a) == [] and files_under(b) != []
    await pool.close_all()


async def test_a_lease_cancelled_while_opening_leaves_nothing_open(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a", commits=5)
    opening, gate = threading.Event(), threading.Event()

    def slow_opener(where: str) -> Repo:
        opening.set()
        gate.wait(CAP)
        repo = open_worktree_repo(where)
        repo[repo.head()]  # maps the pack
        return repo

    pool = RepoPool(offload, opener=slow_opener)

    async def job() -> None:
        async with pool.lease(1, path):
            pytest.fail("the lease was cancelled before the repository opened")

    task = asyncio.create_task(job())
    await eventually(opening.is_set, "the opener never ran")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.set()

    async def swept() -> bool:  # the opening finishes in its thread, then the orphan is closed
        await pool.sweep()
        return not files_under(path)

    await eventually(swept, lambda: f"still open: {files_under(path)}")
    assert pool.stats().entries == 0 and pool.lru_order() == []


def read_every_version(repo: Repo) -> int:
    """Walk the history reading every blob each commit wrote (a checkout-like load)."""
    count = 0
    for entry in Walker(repo.object_store, [repo.head()]):
        for change in entry.changes():
            if isinstance(change, TreeChange) and change.new is not None and change.new.sha is not None:
                repo[change.new.sha]
        count += 1
    return count


async def test_pooled_repositories_keep_a_small_delta_cache(tmp_path: Path, offload: Offload) -> None:
    path = make_repo(tmp_path, "a", commits=400)
    capped = RepoPool(offload, delta_cache_limit=64 * 1024)
    uncapped = RepoPool(offload, delta_cache_limit=2**40)
    sizes = []
    for pool in (capped, uncapped):
        async with pool.lease(1, path) as repo:
            assert await offload.io(read_every_version, repo) == 400
            sizes.append(delta_cache_bytes(repo))
        await pool.close_all()
    assert sizes[0] <= 64 * 1024 < sizes[1]


MEASURE = """
import json, sys
from dulwich.diff_tree import TreeChange
from dulwich.repo import Repo
from dulwich.walk import Walker
from core.pool_cost import measure, walk_history
from tests.core.test_pool import read_every_version
work = {"walk": walk_history, "blobs": read_every_version}[sys.argv[2]]
m = measure(sys.argv[1], Repo, work)
print(json.dumps({"commits": m.commits, "estimate": m.estimate, "rss": m.rss_growth, "mapped": m.mapped}))
"""


@pytest.mark.parametrize("work", ["walk", "blobs"])
@pytest.mark.slow
def test_estimate_is_within_a_sane_factor_of_measured_rss(tmp_path: Path, work: str) -> None:
    """In a fresh interpreter: memory freed by earlier tests would hide the growth."""
    path = make_repo(tmp_path, "big", commits=6000)
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, path, work], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    m = json.loads(out.stdout)
    assert m["commits"] == 6000 and m["mapped"] > 1_000_000
    assert 1 / 3 < m["estimate"] / m["rss"] < 3, m


@pytest.mark.slow
def test_calibrated_overhead_matches_the_constant(tmp_path: Path) -> None:
    paths = [make_repo(tmp_path, f"t{i}") for i in range(30)]
    calibration = calibrate_overhead(paths, Repo)
    assert calibration.repos == 30 and calibration.mapped > 0
    assert calibration.overhead_per_repo < 4 * REPO_OVERHEAD, calibration
    with Repo(paths[0]) as repo:
        assert estimate_cost(repo) == REPO_OVERHEAD  # nothing read yet


async def test_a_cancelled_lease_never_hands_its_repo_to_the_next_job(tmp_path: Path) -> None:
    """The cancelled job's thread may still be inside its Repo: the next lease gets
    a fresh one, and the old one is closed only once that thread is done."""
    repo_path = tmp_path / "r"
    offload = Offload()
    await offload.io(git, "init", "-q", str(repo_path))
    pool = RepoPool(offload)
    release = threading.Event()
    seen: list[Repo] = []

    async def job() -> None:
        async with pool.lease(1, str(repo_path)) as repo:
            seen.append(repo)
            await offload.io(release.wait, 5)

    task = asyncio.create_task(job())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with pool.lease(1, str(repo_path)) as fresh:
        assert fresh is not seen[0]
    release.set()
    await pool.close_all()
    offload.shutdown()
