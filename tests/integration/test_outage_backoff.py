"""A remote down for hours is synced within one fetch interval of its return: the background
scheduler on a fake clock, its fetches real ones against a server that stops and restarts."""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path

from dulwich.repo import Repo

from core.engine.fetch_outcome import FetchJob, FetchOutcome
from core.engine.scheduler import FetchScheduler
from core.git.transfer.errors import RemoteUnreachable
from core.git.transfer.fetch import fetch_remote
from tests.core.scheduler_fakes import FakeClock, settle
from tests.gitcli import commit_file, git, rev_parse
from tests.servers import LOOPBACK, Remote
from tests.servers.faults import OutageProxy

INTERVAL = 300
STEP = 30.0  # the scheduler's own tick
SLACK = INTERVAL + STEP  # a fetch's end is seen at the end of the step it ran in


class RealFetch:
    """The scheduler's trigger: a real fetch of `origin` into the clone, in a thread."""

    def __init__(self, clone: Path, clock: FakeClock) -> None:
        self.clone = clone
        self.clock = clock
        self.starts: list[float] = []
        self.running = 0

    async def __call__(self, _repo_id: int, _job: FetchJob) -> FetchOutcome:
        self.starts.append(self.clock.monotonic())
        self.running += 1
        try:
            return await asyncio.to_thread(self._fetch)
        finally:
            self.running -= 1

    def _fetch(self) -> FetchOutcome:
        repo = Repo(str(self.clone))
        try:
            fetch_remote(repo, "origin", timeout=10)
        except RemoteUnreachable as exc:
            return FetchOutcome.offline({"origin": str(exc)})
        finally:
            repo.close()
        return FetchOutcome.ok("origin")

    async def advance(self, seconds: float) -> None:
        """The fake clock moves on by `seconds`, each fetch it starts ending (in real time)
        before it moves further."""
        for _ in range(round(seconds / STEP)):
            await self.clock.advance(STEP)
            async with asyncio.timeout(60):
                while self.running:  # noqa: ASYNC110 (a thread's fetch sets no event to wait on)
                    await asyncio.sleep(0.01)
            await settle()


async def test_a_remote_back_after_hours_down_is_fetched_within_an_interval(
    git_daemon: Remote, tmp_path: Path
) -> None:
    bare = git_daemon.create("origin")
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "a.txt", "one\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    proxy = OutageProxy(LOOPBACK, git_daemon.port)
    clone = tmp_path / "clone"
    git("clone", "-q", proxy.rewrite(git_daemon.url("origin")), str(clone))
    clock = FakeClock()
    fetches = RealFetch(clone, clock)
    sched = FetchScheduler(clock, trigger=fetches, max_concurrent=2, rng=random.Random(7))
    sched.add(1, str(clone), INTERVAL)
    task = asyncio.create_task(sched.run())
    try:
        await fetches.advance(INTERVAL)
        assert fetches.starts and sched.backoff_streak(1) == 0
        proxy.down()  # the server stops for three hours
        down_at = clock.monotonic()
        await fetches.advance(3 * 3600)
        tries = [t for t in fetches.starts if t > down_at]
        assert sched.backoff_streak(1) == len(tries) >= 3 * 3600 / INTERVAL
        assert all(b - a <= SLACK for a, b in itertools.pairwise(tries))  # probes never rarer

        new = commit_file(seed, "b.txt", "two\n")
        git("push", "-q", str(bare), "main", cwd=seed)
        proxy.up()  # back; nothing tells the scheduler
        back_at = clock.monotonic()
        while rev_parse(clone, "origin/main") != new:
            assert clock.monotonic() - back_at <= SLACK, "not fetched within one interval of coming back"
            await fetches.advance(STEP)
        assert sched.backoff_streak(1) == 0
    finally:
        sched.stop(cancel_running=True)
        await asyncio.wait_for(task, 30)
        proxy.stop()
