"""What a background benchmark watches while the engine works, from inside its process.

- `LoopLag`: a coroutine on the engine's own loop that sleeps a few ms and
  records how late it woke (what a GUI sharing the loop would feel).
- `ReadLatency`: a coroutine that repeats one read (the status window's
  query) and records how long each took while the engine writes.
- `RssSampler`: a thread sampling the process's RSS, independent of the loop.
- `CpuClock`: CPU seconds of this process (all its threads) and of its
  waited-for children (the git CLI's processes).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from typing import TypeVar

import psutil

from bench.stats import percentile

MIB = 1024 * 1024
T = TypeVar("T")


@dataclass
class Samples:
    """Durations in seconds, summarised in ms."""

    values: list[float] = field(default_factory=list)

    def ms(self, pct: float) -> str:
        return f"{percentile(self.values, pct) * 1000:,.1f}" if self.values else "-"

    def max_ms(self) -> str:
        return f"{max(self.values) * 1000:,.1f}" if self.values else "-"


class LoopLag:
    """Overshoot of `asyncio.sleep(period)` on the running loop, one sample per wake."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.samples = Samples()

    async def _probe(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(self.period)
            self.samples.values.append(max(0.0, time.perf_counter() - started - self.period))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LoopLag]:
        async with _background(self._probe):
            yield self


class ReadLatency:
    """Latency of `read()` called again and again, `pause` seconds apart."""

    def __init__(self, read: Callable[[], Awaitable[object]], pause: float = 0.02) -> None:
        self.read, self.pause = read, pause
        self.samples = Samples()

    async def _probe(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await self.read()
            self.samples.values.append(time.perf_counter() - started)
            await asyncio.sleep(self.pause)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ReadLatency]:
        async with _background(self._probe):
            yield self


STOP_TIMEOUT = 10.0


@asynccontextmanager
async def _background(probe: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    """Runs `probe(stop)` beside the body; at the end sets `stop` and lets the probe finish
    its sample (cancelling a store read mid-way would make SQLAlchemy log a failed reset)."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(probe(stop))
    await asyncio.sleep(0)  # let the probe take its first sample before the work starts
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_TIMEOUT)
        except TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


class RssSampler:
    """Peak RSS and open descriptors of this process, sampled every `period` seconds in a
    thread."""

    def __init__(self, period: float = 0.02) -> None:
        self.period = period
        self.peak = 0
        self.peak_fds = 0
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self._process.memory_info().rss)
            self.peak_fds = max(self.peak_fds, self._process.num_fds())
            if self._stop.wait(self.period):
                return

    def _launch(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)
        self._thread.start()

    def _halt(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.peak = max(self.peak, self._process.memory_info().rss)

    @contextmanager
    def running(self) -> Iterator[RssSampler]:
        self._launch()
        try:
            yield self
        finally:
            self._halt()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No sampling thread at all inside (its wake-ups would count as idle CPU)."""
        self._halt()
        try:
            yield
        finally:
            self._launch()

    @property
    def peak_mib(self) -> float:
        return self.peak / MIB


def rss_mib() -> float:
    return float(psutil.Process().memory_info().rss) / MIB


class CpuClock:
    """CPU seconds (user + system) spent since `start()` by this process's threads
    (`own`: `time.process_time`, nanosecond resolution) and by the children it has
    waited for (`children`: `os.times`, clock-tick resolution)."""

    def __init__(self) -> None:
        self._own = time.process_time()
        self._children = _children()

    def start(self) -> CpuClock:
        self._own, self._children = time.process_time(), _children()
        return self

    @property
    def own(self) -> float:
        return time.process_time() - self._own

    @property
    def children(self) -> float:
        return _children() - self._children


def _children() -> float:
    t = os.times()
    return t.children_user + t.children_system


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far per group of this process's threads: the event loop's
    (MainThread), the offload pools', SQLite's connection threads, and the rest."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    for t in psutil.Process().threads():
        group = _thread_group(names.get(t.id, ""))
        out[group] = out.get(group, 0.0) + t.user_time + t.system_time
    return out


def _thread_group(name: str) -> str:
    if name == "MainThread":
        return "event loop"
    if name.startswith("gitferry-"):
        return name.split("_")[0]  # the executor's prefix, without the worker number
    if "_connection_worker_thread" in name:
        return "sqlite"
    return "other"


def cpu_split(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {group: after[group] - before.get(group, 0.0) for group in sorted(after)}


async def timed(run: Callable[[], Awaitable[T]]) -> tuple[float, float, T]:
    """Wall seconds, CPU seconds of this process, and the result of `await run()`."""
    cpu = CpuClock().start()
    started = time.perf_counter()
    out = await run()
    return time.perf_counter() - started, cpu.own, out
