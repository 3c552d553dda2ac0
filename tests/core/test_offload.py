"""The offload layer: bounded pools, and holding on until cancelled work really ends."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from core.offload import Offload, work_priority
from tests.waiting import CAP, eventually


async def test_cancelled_work_keeps_running_and_after_running_waits_for_it() -> None:
    offload = Offload(io_workers=2, cpu_workers=1)
    started, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def blocking() -> None:
        started.set()
        release.wait(CAP)
        finished.append("work")

    task = asyncio.create_task(offload.io(blocking))
    await eventually(started.is_set, "the blocking call never started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    offload.after_running(lambda: finished.append("after"))
    assert finished == []  # the thread is still in its blocking call
    release.set()
    await eventually(lambda: len(finished) == 2, lambda: f"finished: {finished}")
    assert finished == ["work", "after"]
    offload.shutdown()


async def test_after_running_with_nothing_running_calls_at_once() -> None:
    offload = Offload()
    assert await offload.cpu(sum, [1, 2, 3]) == 6
    called: list[int] = []
    offload.after_running(lambda: called.append(1))
    assert called == [1]
    offload.shutdown()


class _Blocked:
    """A 1-wide CPU pool held by one call until `release`; what runs after it, in order."""

    def __init__(self) -> None:
        self.offload = Offload(io_workers=1, cpu_workers=1)
        self.started, self.release = threading.Event(), threading.Event()
        self.ran: list[str] = []

    async def hold(self) -> asyncio.Task[None]:
        def blocking() -> None:
            self.started.set()
            self.release.wait(CAP)

        task = asyncio.create_task(self.offload.cpu(blocking))
        await eventually(self.started.is_set, "the blocking call never started")
        return task

    def call(self, name: str, priority: int) -> asyncio.Task[None]:
        async def one() -> None:
            work_priority.set(priority)  # this task's own context
            await self.offload.cpu(self.ran.append, name)

        return asyncio.create_task(one())

    async def queued(self, n: int) -> None:
        gate = self.offload._gates[self.offload._cpu]
        await eventually(lambda: len(gate._waiting) == n, lambda: f"waiting: {gate._waiting}")


async def test_a_more_urgent_call_goes_before_those_waiting_longer() -> None:
    pool = _Blocked()
    holder = await pool.hold()
    tasks = [pool.call("background 1", 2), pool.call("background 2", 2)]
    await pool.queued(2)
    tasks += [pool.call("auto", 1), pool.call("user", 0)]
    await pool.queued(4)
    pool.release.set()
    await asyncio.gather(holder, *tasks)
    assert pool.ran == ["user", "auto", "background 1", "background 2"]
    pool.offload.shutdown()


async def test_a_call_cancelled_while_waiting_gives_its_turn_on() -> None:
    pool = _Blocked()
    holder = await pool.hold()
    first, second = pool.call("first", 0), pool.call("second", 2)
    await pool.queued(2)
    first.cancel()
    pool.release.set()
    await asyncio.gather(holder, second)
    with pytest.raises(asyncio.CancelledError):
        await first
    assert pool.ran == ["second"]
    assert await pool.offload.cpu(sum, [1, 2]) == 3  # no slot lost: the pool still runs calls
    pool.offload.shutdown()


async def test_shutdown_cancels_the_calls_still_waiting() -> None:
    pool = _Blocked()
    holder = await pool.hold()
    waiting = pool.call("never", 0)
    await pool.queued(1)
    pool.release.set()
    pool.offload.shutdown(wait=True)
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert pool.ran == []


async def test_a_sync_lock_released_to_the_end_goes_though_the_caller_is_cancelled(tmp_path: Path) -> None:
    """A cancel while the release waits for a thread (the pool busy) does not drop it: a
    stopping daemon cancelled a measure there and left `.git/gitferry/sync.lock` behind."""
    from core.git.locks.sync_lock import acquire_sync_lock

    offload = Offload(io_workers=1, cpu_workers=1)
    started, go_on = threading.Event(), threading.Event()

    def busy() -> None:
        started.set()
        go_on.wait(CAP)

    blocker = asyncio.create_task(offload.io(busy))
    await eventually(started.is_set, "the blocking call never started")
    lock = acquire_sync_lock(tmp_path)
    releasing = asyncio.create_task(offload.io_to_the_end(lock.release))
    await asyncio.sleep(0.05)  # it waits for the one busy thread
    releasing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await releasing
    assert lock.path.exists()  # not yet: the thread is still busy
    go_on.set()
    await blocker
    await eventually(lambda: not lock.path.exists(), "the sync lock's file stayed")
    acquire_sync_lock(tmp_path).release()  # and the lock is free
    offload.shutdown()


async def test_a_release_the_pool_can_no_longer_run_runs_on_the_loop(tmp_path: Path) -> None:
    from core.git.locks.sync_lock import acquire_sync_lock

    offload = Offload(io_workers=1, cpu_workers=1)
    offload.shutdown()
    lock = acquire_sync_lock(tmp_path)
    with pytest.raises(RuntimeError):
        await offload.io_to_the_end(lock.release)
    assert not lock.path.exists()
