"""The engine end to end: workers, pool and events over real repositories and `git daemon`."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.engine import Engine
from core.engine.sync import SyncOptions, sync_repository
from core.events import BranchStatusChanged, EventBus, PhaseProgress, StateChanged, SyncFinished
from core.git.locks.sync_lock import SyncBusy, acquire_sync_lock
from core.model import RepoState
from core.offload import Offload
from core.pool import RepoPool
from core.results import ResultKind
from tests.gitcli import git, refs
from tests.integration.clones import Clones
from tests.servers import Remote
from tests.servers.faults import CuttingProxyFactory
from tests.servers.host import LOOPBACK
from tests.waiting import CAP, eventually


def drain(sub: object) -> list[object]:
    events = []
    while True:
        try:
            events.append(sub.get_nowait())  # type: ignore[attr-defined]
        except asyncio.QueueEmpty:
            return events


def test_user_sync_and_background_fetch_through_the_engine(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)  # registers both clones through the CLI
    asyncio.run(_sync_and_fetch(world))
    world.check()


async def _sync_and_fetch(world: Clones) -> None:
    pushed = world.commit(world.mine, "b.txt", "mine\n")
    core = await Core.open()
    bus = EventBus()
    events = bus.subscribe(maxsize=1000)
    engine = Engine(core, bus, RepoPool(core.offload))
    try:
        for record in await core.store.repos():  # a worker each, as the daemon watches them
            engine.add(record)
        mine = await core.store.repo("mine")
        theirs = await core.store.repo("theirs")
        report = await engine.sync(mine.id)
        assert report.result == ResultKind.OK and report.pushed == ["main"]
        assert world.remote_head() == pushed
        background = await engine.fetch(theirs.id)
        assert background.result == ResultKind.OK and background.fetched_refs == ["origin/main"]
        assert background.pushed == [] and background.fast_forwarded == []  # a fetch integrates nothing
        assert git("rev-parse", "origin/main", cwd=world.theirs) == pushed
        assert engine.state(mine.id) is RepoState.IDLE
        assert engine.pool.stats().entries == 2  # kept open for the next job
        again = await asyncio.gather(engine.fetch(mine.id), engine.fetch(mine.id))
        assert [r.result for r in again] == [ResultKind.UP_TO_DATE] * 2
    finally:
        await engine.stop()
        await core.close()
    assert engine.pool.stats().entries == 0
    seen = drain(events)
    states = [e for e in seen if isinstance(e, StateChanged) and e.repo == "mine"]
    mine_states = [(e.from_state, e.to_state) for e in states]
    assert mine_states[:2] == [(RepoState.IDLE, RepoState.SYNCING), (RepoState.SYNCING, RepoState.IDLE)]
    finished = [(e.repo, e.result) for e in seen if isinstance(e, SyncFinished)]
    assert ("mine", ResultKind.OK) in finished and ("theirs", ResultKind.OK) in finished
    changed = [e for e in seen if isinstance(e, BranchStatusChanged) and e.repo == "theirs"]
    assert changed and changed[-1].branches[0].behind == 1


async def test_a_missing_repository_ends_in_error_and_the_worker_lives_on(tmp_path: Path) -> None:
    repo = tmp_path / "gone"
    git("init", "-q", "-b", "main", str(repo))
    core = await Core.open()
    engine = Engine(core, EventBus(), RepoPool(core.offload))
    try:
        record = await core.store.add_repo("gone", str(repo), {})
        engine.add(record)
        repo.rename(tmp_path / "moved")
        report = await engine.fetch(record.id)
        assert report.result == ResultKind.ERROR and "not found" in report.message
        assert engine.state(record.id) is RepoState.ERROR
        (tmp_path / "moved").rename(repo)
        assert (await engine.fetch(record.id)).result == ResultKind.UP_TO_DATE
        assert engine.state(record.id) is RepoState.IDLE
    finally:
        await engine.stop()
        await core.close()


async def test_a_sync_cancelled_while_waiting_for_the_lock_leaves_it_free(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    git("init", "-q", "-b", "main", str(repo))
    core = await Core.open()
    try:
        record = await core.store.add_repo("r", str(repo), {})
        held = acquire_sync_lock(repo / ".git")
        task = asyncio.create_task(sync_repository(core, record, SyncOptions(lock_wait=5)))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        held.release()  # the cancelled sync's thread now takes the lock, and must let it go
        await asyncio.sleep(0.3)  # (its next poll is within 50 ms): a chance to take it first

        def free() -> bool:
            try:
                acquire_sync_lock(repo / ".git").release()
            except SyncBusy:
                return False
            return True

        await eventually(free, "the cancelled sync kept the lock")
        runs = await core.store.runs(record.id)
        assert runs[0].state == "failed" and runs[0].message == "cancelled"
    finally:
        await core.close()


@pytest.mark.slow
def test_cancel_mid_fetch_stops_the_transfer_and_leaves_the_repository_as_it_was(
    git_daemon: Remote, cutting_proxy: CuttingProxyFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    world.push_big_commit()
    proxy = cutting_proxy(LOOPBACK, git_daemon.port, 1 << 40, pace_seconds=0.02)
    world.theirs_through(proxy)
    before = refs(world.theirs)
    asyncio.run(_cancel_then_fetch(world, before))
    world.check()


async def _cancel_then_fetch(world: Clones, before: dict[str, str]) -> None:
    core = await Core.open()
    bus = EventBus()
    progress = bus.subscribe(maxsize=1000, kinds=(PhaseProgress,))
    engine = Engine(core, bus, RepoPool(core.offload))
    try:
        for record in await core.store.repos():  # a worker each, as the daemon watches them
            engine.add(record)
        theirs = await core.store.repo("theirs")
        fetching = asyncio.ensure_future(engine.fetch(theirs.id))
        while True:  # cancel once objects are arriving
            event = await asyncio.wait_for(progress.get(), 20)
            if isinstance(event, PhaseProgress) and event.phase == "receiving" and event.current > 0:
                break
        assert engine.cancel(theirs.id)
        report = await asyncio.wait_for(fetching, 20)
        assert (report.result, report.message) == (ResultKind.ERROR, "cancelled")
        assert engine.state(theirs.id) is RepoState.IDLE
        # The transfer's thread stops at its next progress report: the lock is free at once after.
        lock = await asyncio.wait_for(
            core.offload.io(acquire_sync_lock, world.theirs / ".git", wait=10, repo_path=str(world.theirs)),
            15,
        )
        lock.release()
        assert refs(world.theirs) == before
        assert not list((world.theirs / ".git" / "objects" / "pack").glob("tmp_*"))
        again = await asyncio.wait_for(engine.fetch(theirs.id), 60)
        assert again.result is ResultKind.OK
        assert git("rev-parse", "origin/main", cwd=world.theirs) == world.remote_head()
    finally:
        await engine.stop()
        await core.close()


@pytest.mark.slow
def test_a_users_sync_waits_in_the_pools_ahead_of_background_work(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    asyncio.run(_user_ahead_of_background(world))
    world.check()


async def _user_ahead_of_background(world: Clones) -> None:
    """The engine tags a job's offload calls with its kind's priority: with the one CPU
    thread held, a background fetch and a user's sync both wait for it, the user's ahead
    (tests/core/test_offload.py: the gate takes the most urgent first)."""
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    core = await Core.open(offload=Offload(cpu_workers=1))
    engine = Engine(core, EventBus(), RepoPool(core.offload))
    gate = core.offload._gates[core.offload._cpu]
    release = threading.Event()
    try:
        for record in await core.store.repos():
            engine.add(record)
        mine, theirs = await core.store.repo("mine"), await core.store.repo("theirs")
        held = asyncio.ensure_future(core.offload.cpu(release.wait, CAP))
        background = asyncio.ensure_future(engine.fetch(theirs.id))
        await eventually(lambda: [w[0] for w in gate._waiting] == [2], lambda: f"waiting: {gate._waiting}")
        user = asyncio.ensure_future(engine.sync(mine.id))
        await eventually(
            lambda: sorted(w[0] for w in gate._waiting) == [0, 2], lambda: f"waiting: {gate._waiting}"
        )
        release.set()
        reports = await asyncio.gather(user, background, held)
        assert reports[0].result == ResultKind.OK and reports[0].fast_forwarded == ["main"]
        assert reports[1].result == ResultKind.UP_TO_DATE
        assert world.head(world.mine) == world.remote_head()
    finally:
        release.set()
        await engine.stop()
        await core.close()
