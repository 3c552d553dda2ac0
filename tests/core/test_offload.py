"""The offload layer: bounded pools, and holding on until cancelled work really ends."""

from __future__ import annotations

import asyncio
import threading

import pytest

from core.offload import Offload


async def test_cancelled_work_keeps_running_and_after_running_waits_for_it() -> None:
    offload = Offload(io_workers=2, cpu_workers=1)
    release = threading.Event()
    finished: list[str] = []

    def blocking() -> None:
        release.wait(5)
        finished.append("work")

    task = asyncio.create_task(offload.io(blocking))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    offload.after_running(lambda: finished.append("after"))
    assert finished == []  # the thread is still in its blocking call
    release.set()
    for _ in range(100):
        if len(finished) == 2:
            break
        await asyncio.sleep(0.01)
    assert finished == ["work", "after"]
    offload.shutdown()


async def test_after_running_with_nothing_running_calls_at_once() -> None:
    offload = Offload()
    assert await offload.cpu(sum, [1, 2, 3]) == 6
    called: list[int] = []
    offload.after_running(lambda: called.append(1))
    assert called == [1]
    offload.shutdown()
