"""Run blocking work off the event loop, in bounded executors.

Every dulwich call, disk walk and keyring call goes through `Offload.io` or
`Offload.cpu`. I/O waits (network, a ref advertisement, keyring) and CPU-heavy
work (pack indexing, delta resolution, history walks) have separate bounds:
CPU work in threads only slows itself down under the GIL (docs/ARCHITECTURE.md,
"Threads and processes"),
so it gets a small pool of its own and cannot starve the I/O waits.

Each pool runs at most its width of calls at once; the calls beyond it wait in a
priority gate (`PriorityGate`), not in the executor's first-come queue: the lowest
`work_priority` first, then in the order they came. The engine sets it around a job
(`core.engine.engine`): a user's sync goes before an unattended one, which goes
before a background fetch, as the worker orders jobs within one repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import heapq
import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

work_priority: contextvars.ContextVar[int] = contextvars.ContextVar("work_priority", default=0)
"""The priority of the offload calls made in this context: lower goes first. 0 (the
default) for whatever no job set it for: a user's command, a window's read."""


def default_io_workers() -> int:
    return 8


def default_cpu_workers() -> int:
    """`cpu_count - 1`, at most 4, at least 2. Measuring a repository's branches takes
    1.6 ms of CPU, but with fifty fetches at once each call waits for the GIL among the
    I/O threads (p95 14 to 20 ms from start to end), and one thread queued them one behind
    the other: `bench.gui --only lag`, all at once on 2 cores, the `graph` phase's median
    109 to 159 ms with one thread, 67 to 75 with two, the cycle and the GUI's lag shorter
    too (README, issue 19)."""
    return max(2, min((os.cpu_count() or 2) - 1, 4))


class PriorityGate:
    """At most `width` calls in a pool's threads at once; a call beyond it waits for a
    slot, the lowest priority first, then in arrival order. Slots are given back from
    the thread that finished the call (`leave`), to a waiter on any event loop."""

    def __init__(self, width: int) -> None:
        self._free = width
        self._waiting: list[tuple[int, int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    async def run(
        self, executor: Executor, fn: Callable[[], T], track: Callable[[Future[T]], None] | None = None
    ) -> T:
        """`fn` in `executor` once a slot is free, this context's `work_priority` deciding
        its turn; the slot is given back when the thread is done with it. `track` sees the
        future as soon as it is submitted."""
        await self.enter(work_priority.get())
        try:
            future = executor.submit(fn)
        except BaseException:
            self.leave()
            raise
        if track is not None:
            track(future)
        future.add_done_callback(lambda _done: self.leave())
        try:
            return await asyncio.wrap_future(future)
        finally:
            # A call's exception holds its traceback, this frame among its frames: the
            # future left in the frame would close a reference cycle holding every frame
            # the exception passed through (a dialog awaiting an add, in the desktop app)
            del future

    async def enter(self, priority: int) -> None:
        with self._lock:
            if self._free > 0:  # free slots only while nobody waits: see `leave`
                self._free -= 1
                return
            loop = asyncio.get_running_loop()
            slot: asyncio.Future[None] = loop.create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), loop, slot))
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():  # given a slot, then cancelled: pass it on
                self.leave()
            raise  # a waiter cancelled in the queue is dropped when it reaches the top

    def leave(self) -> None:
        with self._lock:
            while self._waiting:
                _priority, _order, loop, slot = heapq.heappop(self._waiting)
                if slot.cancelled():
                    continue
                try:
                    loop.call_soon_threadsafe(self._give, slot)
                except RuntimeError:  # its loop is closed: nobody awaits that slot
                    continue
                return
            self._free += 1

    def close(self) -> None:
        """Cancel every call still waiting (the pools are shutting down)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for _priority, _order, loop, slot in waiting:
            with contextlib.suppress(RuntimeError):  # its loop is closed: nobody awaits it
                loop.call_soon_threadsafe(slot.cancel)

    def _give(self, slot: asyncio.Future[None]) -> None:
        if slot.cancelled():  # cancelled between `leave` and now
            self.leave()
        else:
            slot.set_result(None)


class Offload:
    """Two bounded thread pools: one for I/O waits, one for CPU-heavy work."""

    def __init__(self, io_workers: int | None = None, cpu_workers: int | None = None) -> None:
        self.io_workers = io_workers or default_io_workers()
        self.cpu_workers = cpu_workers or default_cpu_workers()
        if self.io_workers < 1 or self.cpu_workers < 1:
            raise ValueError("offload bounds must be at least 1")
        self._io = ThreadPoolExecutor(self.io_workers, thread_name_prefix="gitferry-io")
        self._cpu = ThreadPoolExecutor(self.cpu_workers, thread_name_prefix="gitferry-cpu")
        self._gates = {self._io: PriorityGate(self.io_workers), self._cpu: PriorityGate(self.cpu_workers)}
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()
        # Fetches that receive and index a pack, at once: one, since in threads more
        # only slow each other down (bench.background_heavy: 4 at once 3.8x git's
        # time, 1 at a time 2.0x). Fetches with nothing to receive pass freely.
        self.pack_gate = threading.BoundedSemaphore(1)

    async def io(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the I/O pool (network, disk, keyring)."""
        return await self._run(self._io, fn, *args, **kwargs)

    async def io_to_the_end(self, fn: Callable[[], None]) -> None:
        """Run the clean-up `fn` (a lock's release) in the I/O pool; cancelling the caller
        never drops it. `io` cancelled before a thread has picked its call up drops the
        call (a daemon stopping while a measure released the sync lock left the lock's
        file behind, its owner's record in it); here the call goes on, and should the
        pool no longer run it (shut down, its gate closed) `fn` runs on the loop's thread.
        `fn` must bear a second call (it may have failed in its thread)."""
        running = asyncio.ensure_future(self.io(fn))

        def if_dropped(done: asyncio.Future[None]) -> None:
            if done.cancelled() or done.exception() is not None:
                fn()

        running.add_done_callback(if_dropped)
        await asyncio.shield(running)

    async def cpu(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the CPU pool (history walks, pack indexing)."""
        return await self._run(self._cpu, fn, *args, **kwargs)

    async def _run(
        self, pool: ThreadPoolExecutor, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        ctx = contextvars.copy_context()
        return await self._gates[pool].run(pool, functools.partial(ctx.run, fn, *args, **kwargs), self._track)

    def _track(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def after_running(self, fn: Callable[[], None]) -> None:
        """Call `fn` once every call running or queued right now has finished.

        A cancelled coroutine stops waiting for its thread, but the thread goes on
        until its blocking call returns; what that work holds (a sync lock) must
        not be let go before then.
        """
        with self._lock:
            pending = [f for f in self._running if not f.done()]
        if not pending:
            fn()
            return
        left = [len(pending)]
        guard = threading.Lock()

        def one_done(_future: Future[Any]) -> None:
            with guard:
                left[0] -= 1
                last = left[0] == 0
            if last:
                fn()

        for future in pending:
            future.add_done_callback(one_done)

    def shutdown(self, wait: bool = True) -> None:
        for gate in self._gates.values():
            gate.close()
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._cpu.shutdown(wait=wait, cancel_futures=True)
