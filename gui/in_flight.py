"""The user's actions under way (a sync they asked for, Finish, Undo…), and the syncs they
asked for that have not ended.

Quit lets the actions end before it stops the engine (`settle`, bounded): Finish's merge
commit and its push are one action the user pressed once, and a Quit right after it
must not cut it in half. A sync the user asked for is remembered as owed until it ends
(`owe`, `paid`, in desktop.ini): one that Quit still cut short (a remote slower than the
bound) or a crash ended is run again at the next start (`owed`), so the merge Finish
committed is pushed then.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from gui.remembered import Remembered

OWED_KEY = "owed/syncs"  # repository ids, comma-separated
T = TypeVar("T")


class InFlight:
    def __init__(self, memory: Remembered | None = None) -> None:
        self._tasks: Counter[asyncio.Task[Any]] = Counter()  # an action may run another (publish, sync)
        self._memory = memory
        self.closing = False  # Quit has begun: what ends now was cut short, not done

    async def run(self, action: Awaitable[T]) -> T:
        """Await `action`, counting the running task as one of the user's actions meanwhile."""
        task = asyncio.current_task()
        if task is None:
            return await action
        self._tasks[task] += 1
        try:
            return await action
        finally:
            self._tasks[task] -= 1
            if not self._tasks[task]:
                del self._tasks[task]

    async def settle(self, bound: float) -> int:
        """Quit: wait up to `bound` seconds for the actions under way; how many still run."""
        if not self._tasks:
            self.closing = True
            return 0
        _done, running = await asyncio.wait(list(self._tasks), timeout=bound)
        self.closing = True
        return len(running)

    def owed(self) -> list[int]:
        """The repositories whose sync the user asked for and did not see end."""
        text = self._memory.text(OWED_KEY) if self._memory is not None else None
        return sorted({int(part) for part in (text or "").split(",") if part.strip().isdigit()})

    def owe(self, *repo_ids: int) -> None:
        """Remember these syncs as owed (one write for several: Sync all)."""
        self._remember(sorted({*self.owed(), *repo_ids}))

    def paid(self, repo_id: int) -> None:
        """The sync ended (whatever its result), unless Quit cut it short."""
        if not self.closing:
            self._remember([i for i in self.owed() if i != repo_id])

    def _remember(self, ids: list[int]) -> None:
        if self._memory is not None:
            self._memory.save(OWED_KEY, ",".join(str(i) for i in ids))
            self._memory.sync()  # a crash must not forget it


class Acting(Protocol):
    in_flight: InFlight


Action = TypeVar("Action", bound=Callable[..., Awaitable[None]])


def counted(method: Action) -> Action:
    """An action of the user's (under `qasync.asyncSlot`): Quit waits for it (`InFlight`)."""

    @functools.wraps(method)
    async def counting(self: Acting, *args: object) -> None:
        await self.in_flight.run(method(self, *args))

    return counting  # type: ignore[return-value]
