"""The offload layer: bounded pools, and holding on until cancelled work really ends."""

from __future__ import annotations

import asyncio
import threading

import pytest

from core.offload import Offload
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
