"""Waiting in tests without timing anything.

A test never asserts how long something took (timings belong in ``bench/``). When it
must wait for another thread or process, it waits for the thing itself (an event, a
future, a condition polled here) with a cap so generous that only a hang reaches it:
on a loaded machine a wait gets longer, never wrong.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

CAP = 60.0  # seconds: only a deadlock or a hang takes this long
POLL = 0.01


def _failure(what: str | Callable[[], str]) -> str:
    text = what() if callable(what) else what
    return f"{text} (still not so after {CAP:g} s)"


async def eventually(
    condition: Callable[[], object | Awaitable[object]], what: str | Callable[[], str]
) -> None:
    """Poll `condition` (a function, or a coroutine function) on the loop until it is true."""
    deadline = time.monotonic() + CAP
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(_failure(what))
        await asyncio.sleep(POLL)


def wait_until(condition: Callable[[], object], what: str | Callable[[], str]) -> None:
    """Poll `condition` from a plain (thread-blocking) test until it is true."""
    deadline = time.monotonic() + CAP
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(_failure(what))
        time.sleep(POLL)
