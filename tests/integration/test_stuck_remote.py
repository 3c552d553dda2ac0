"""One stuck remote delays only its own repository.

A server that keeps sending without ever finishing (`TricklingServer`: no read ever
times out) beside a healthy `git daemon` remote, in the real `Daemon` with one
concurrency slot (a two-core machine) and every repository fetched every second. The
healthy repository keeps up with its remote while the stuck fetch is in flight; the
stuck fetch is stopped at its deadline, keeps nothing, and counts as a failure of its
remote. git is the referee.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.daemon import Daemon
from core.git.locks.sync_lock import acquire_sync_lock
from tests.gitcli import fsck, git
from tests.integration.clones import Clones, run
from tests.servers.faults import TricklingServer

DEADLOCK_CAP = 90.0  # seconds: only a daemon starved by the stuck remote takes this long
DEADLINE = 12  # the fetch_deadline setting: the stuck fetch is stopped after this many seconds.
# Overtime frees its slot after a quarter of it (3 s); the two healthy rounds then took 1 s
# and 3 s more at a load of 7 (6 s and 8 s in, with 20): 6 s to spare.


def journal(repo: str) -> list[dict[str, object]]:
    path = Path(os.environ["GITFERRY_HOME"]) / "activity.jsonl"
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [entry for entry in entries if entry.get("repo") == repo]


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(DEADLOCK_CAP):
        while not await asyncio.to_thread(condition):  # noqa: ASYNC110 (git says, no event)
            await asyncio.sleep(0.05)


def test_a_remote_that_never_finishes_delays_only_its_own_repository(
    world: Clones, trickling_server: TricklingServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stuck = tmp_path / "stuck"
    git("init", "-q", "-b", "main", str(stuck))
    git("remote", "add", "origin", f"git://127.0.0.1:{trickling_server.port}/x.git", cwd=stuck)
    for args in (
        ("add", str(stuck)),
        ("set", "--global", "max_concurrent", "1"),
        ("set", "--global", "fetch_deadline", str(DEADLINE)),
        *(("set", name, "fetch_interval", "1") for name in ("mine", "theirs", "stuck")),
    ):
        code, _out, err = run(capsys, *args)
        assert code == 0, err

    def healthy_round(name: str) -> Callable[[], bool]:
        pushed = world.commit(world.theirs, name, f"{name}\n")
        git("push", "-q", "origin", "main", cwd=world.theirs)
        return lambda: git("rev-parse", "refs/remotes/origin/main", cwd=world.mine) == pushed

    async def scenario() -> None:
        core = await Core.open()
        daemon = Daemon(core)
        task = asyncio.ensure_future(daemon.run())
        try:
            await asyncio.wait_for(daemon.started.wait(), DEADLOCK_CAP)
            assert daemon.scheduler is not None and daemon.scheduler.max_concurrent == 1
            stuck_id = (await core.store.repo("stuck")).id
            assert daemon.scheduler.deadline(stuck_id) == DEADLINE
            await until(lambda: trickling_server.connections > 0)  # the stuck fetch is in flight
            for name in ("b.txt", "c.txt"):  # two of the healthy repository's fetch cycles
                await until(healthy_round(name))
            assert journal("stuck") == []  # ... done while the stuck fetch was still in flight
            await until(lambda: len(journal("stuck")) > 0)
            [entry] = journal("stuck")
            assert entry["result"] == "error"
            assert entry["message"] == (
                f"fetching from origin stopped: the background fetch ran past its deadline ({DEADLINE} s)"
            )
            scheduler = daemon.scheduler
            await until(lambda: scheduler.backoff_streak(stuck_id) >= 1)  # counted as failing: backed off
            [health] = await core.store.remote_health.failure_states(stuck_id)
            assert health.remote == "origin" and health.failures >= 1  # the breaker's count
            await until(healthy_round("d.txt"))  # and a third cycle after it
            assert daemon.engine is not None
            assert [w.crashes for w in daemon.engine.workers.values()] == [0, 0, 0]
        finally:
            daemon.stop()
            await asyncio.wait_for(task, DEADLOCK_CAP)
            await core.close()

    asyncio.run(scenario())
    # The stopped fetch kept nothing and moved nothing, and let go of its lock.
    assert not list((stuck / ".git" / "objects" / "pack").glob("*"))
    assert git("for-each-ref", cwd=stuck) == ""
    fsck(stuck)
    with acquire_sync_lock(stuck / ".git") as lock:
        assert lock.taken_over is None  # released, not left behind by a thread still reading
