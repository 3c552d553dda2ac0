"""The clock port: monotonic time for scheduling, wall time for what persists.

The scheduler sleeps and measures intervals on the monotonic clock; trip times
and failure windows are wall times because they are stored and must survive a
restart. Tests replace the clock with a fake one they advance by hand.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def wall(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


async def sleep_or_wake(clock: Clock, wake: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds` on `clock`, or less when `wake` is set meanwhile."""
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    waker = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        waker.cancel()


def wall_datetime(clock: Clock) -> datetime:
    """The clock's wall time as the status store's naive UTC datetime."""
    return datetime.fromtimestamp(clock.wall(), UTC).replace(tzinfo=None)
