"""Run blocking work off the event loop, in bounded executors.

Every dulwich call, disk walk and keyring call goes through `Offload.io` or
`Offload.cpu`. I/O waits (network, a ref advertisement, keyring) and CPU-heavy
work (pack indexing, delta resolution, history walks) have separate bounds:
CPU work in threads only slows itself down under the GIL (DULWICH_NOTES.md),
so it gets a small pool of its own and cannot starve the I/O waits.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

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

    async def io(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the I/O pool (network, disk, keyring)."""
        return await self._run(self._io, fn, *args, **kwargs)

    async def cpu(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in the CPU pool (history walks, pack indexing)."""
        return await self._run(self._cpu, fn, *args, **kwargs)

    @staticmethod
    async def _run(pool: ThreadPoolExecutor, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        call = functools.partial(ctx.run, fn, *args, **kwargs)
        return await loop.run_in_executor(pool, call)

    def shutdown(self, wait: bool = True) -> None:
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._cpu.shutdown(wait=wait, cancel_futures=True)
