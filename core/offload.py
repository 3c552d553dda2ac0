"""Run blocking work off the event loop, in bounded executors.

Every dulwich call, disk walk and keyring call goes through `Offload.io` or
`Offload.cpu`. I/O waits (network, a ref advertisement, keyring) and CPU-heavy
work (pack indexing, delta resolution, history walks) have separate bounds:
CPU work in threads only slows itself down under the GIL (docs/ARCHITECTURE.md,
"Threads and processes"),
so it gets a small pool of its own and cannot starve the I/O waits.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def default_io_workers() -> int:
    return 8


def default_cpu_workers() -> int:
    return max(1, min((os.cpu_count() or 2) - 1, 4))


class Offload:
    """Two bounded thread pools: one for I/O waits, one for CPU-heavy work."""

    def __init__(self, io_workers: int | None = None, cpu_workers: int | None = None) -> None:
        self.io_workers = io_workers or default_io_workers()
        self.cpu_workers = cpu_workers or default_cpu_workers()
        if self.io_workers < 1 or self.cpu_workers < 1:
            raise ValueError("offload bounds must be at least 1")
        self._io = ThreadPoolExecutor(self.io_workers, thread_name_prefix="gitferry-io")
        self._cpu = ThreadPoolExecutor(self.cpu_workers, thread_name_prefix="gitferry-cpu")
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()
        # Fetches that receive and index a pack, at once: one, since in threads more
        # only slow each other down (bench.background_heavy: 4 at once 3.8x git's
        # time, 1 at a time 2.0x). Fetches with nothing to receive pass freely.
        self.pack_gate = threading.BoundedSemaphore(1)

    async def io(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the I/O pool (network, disk, keyring)."""
        return await self._run(self._io, fn, *args, **kwargs)

    async def cpu(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the CPU pool (history walks, pack indexing)."""
        return await self._run(self._cpu, fn, *args, **kwargs)

    async def _run(
        self, pool: ThreadPoolExecutor, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        ctx = contextvars.copy_context()
        future = pool.submit(functools.partial(ctx.run, fn, *args, **kwargs))
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)
        return await asyncio.wrap_future(future)

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
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._cpu.shutdown(wait=wait, cancel_futures=True)
