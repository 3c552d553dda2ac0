"""gui/event_loop.py: a task's every step runs on the running loop, however often it stops.

qasync's own `run_until_complete` has Qt process pending events after the loop
stopped: with it, the tasks below took a step outside the loop in every run (202
loop-less steps in 200 runs; the tray test's pause and its stop met them too).
"""

from __future__ import annotations

import asyncio
import time

import qasync

from gui.event_loop import cancel_other_tasks, run_until_complete


def test_no_task_takes_a_step_while_the_loop_stands_still(qloop: qasync.QEventLoop) -> None:
    outside: list[str] = []

    async def keep_stepping(name: str, step: float | None) -> None:
        while True:
            if step is None:
                await asyncio.sleep(0)  # its next step queued on the loop
            else:
                await asyncio.to_thread(time.sleep, step)  # woken from a thread, as a store read is
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                outside.append(name)

    async def start() -> list[asyncio.Task[None]]:
        return [
            asyncio.ensure_future(keep_stepping("queued", None)),
            asyncio.ensure_future(keep_stepping("from a thread", 0.001)),
        ]

    tasks = run_until_complete(qloop, start())
    try:
        for _ in range(50):
            run_until_complete(qloop, asyncio.sleep(0.002))
            asyncio.set_event_loop(qloop)
    finally:
        for task in tasks:
            task.cancel()
        run_until_complete(qloop, asyncio.gather(*tasks, return_exceptions=True))
        asyncio.set_event_loop(qloop)
    assert all(not task.done() or task.cancelled() for task in tasks)  # none died of a loop-less step
    assert outside == []


def test_the_result_and_the_error_of_the_coroutine_come_back(qloop: qasync.QEventLoop) -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fail() -> None:
        await asyncio.sleep(0)
        raise ValueError("no")

    assert run_until_complete(qloop, answer()) == 42
    asyncio.set_event_loop(qloop)
    try:
        run_until_complete(qloop, fail())
    except ValueError as exc:
        assert str(exc) == "no"
    else:
        raise AssertionError("the coroutine's error was not raised")
    finally:
        asyncio.set_event_loop(qloop)


def test_at_exit_every_other_task_ends_before_the_caller_goes_on(qloop: qasync.QEventLoop) -> None:
    """What the app does before it closes the store: a slot still waiting is cancelled and
    has ended (its `finally` ran) by then; the caller itself goes on."""
    ended: list[str] = []

    async def slot() -> None:
        try:
            await asyncio.Event().wait()  # a click's coroutine, never answered
        finally:
            ended.append("slot")

    async def exit_path() -> str:
        waiting = asyncio.ensure_future(slot())
        await asyncio.sleep(0)
        await cancel_other_tasks()
        assert waiting.cancelled()
        return "closed after: " + ", ".join(ended)

    assert run_until_complete(qloop, exit_path()) == "closed after: slot"
    asyncio.set_event_loop(qloop)
