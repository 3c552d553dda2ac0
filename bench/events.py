"""Event-bus throughput: what publishing costs the engine (its tests only check behaviour).

1. 100,000 publishes to three subscribers that are never read (each keeps its
   newest 256 and counts the rest as dropped): the cost of progress events
   nobody is looking at. Former test bound: the whole batch under 0.5 s.
2. 1,000 publishes from another thread while the loop reads one subscriber and
   a second one is never read: from the first publish to the reader's last event.
3. 8 threads publishing 2,000 events each to one subscriber read by the loop.

Every run is checked: the drop counts and the events received are the exact ones.
No git side: git has no event bus.

    .venv/bin/python -m bench.events [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import threading
from collections.abc import Callable

from bench.stats import interleaved, timing_table
from core.events import EventBus, PhaseProgress


def _progress(n: int, repo_id: int = 1) -> PhaseProgress:
    return PhaseProgress(repo_id, "r", "origin", "receiving", n, None, n * 10)


@functools.cache
def _batch(count: int) -> list[PhaseProgress]:
    """Built once, outside the timed runs."""
    return [_progress(n) for n in range(count)]


def unread_subscribers(count: int = 100_000) -> None:
    bus = EventBus()
    subs = [bus.subscribe(maxsize=256) for _ in range(3)]
    for event in _batch(count):
        bus.publish(event)
    if any(sub.dropped != count - 256 for sub in subs):
        raise RuntimeError(f"dropped {[sub.dropped for sub in subs]}, expected {count - 256} each")


def one_stuck_one_read(count: int = 1000) -> None:
    async def run() -> None:
        bus = EventBus()
        stuck, live = bus.subscribe(maxsize=4), bus.subscribe(maxsize=count)

        def publish_all() -> None:
            for n in range(count):
                bus.publish(_progress(n))

        publisher = threading.Thread(target=publish_all)
        publisher.start()
        got = [await live.get() for _ in range(count)]
        publisher.join()
        if got != [_progress(n) for n in range(count)] or stuck.dropped != count - 4:
            raise RuntimeError("events lost or out of order")

    asyncio.run(run())


def eight_threads(per_thread: int = 2000) -> None:
    async def run() -> None:
        bus = EventBus()
        sub = bus.subscribe(maxsize=8 * per_thread)

        def publish_all(repo_id: int) -> None:
            for n in range(per_thread):
                bus.publish(_progress(n, repo_id))

        threads = [threading.Thread(target=publish_all, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        got = [await sub.get() for _ in range(8 * per_thread)]
        for thread in threads:
            thread.join()
        if sub.dropped or len(got) != 8 * per_thread:
            raise RuntimeError(f"{sub.dropped} dropped")

    asyncio.run(run())


CONTENDERS: dict[str, Callable[[], object]] = {
    "100,000 publishes, 3 unread subscribers": unread_subscribers,
    "1,000 publishes from a thread, 1 read + 1 stuck": one_stuck_one_read,
    "8 threads x 2,000 publishes, 1 read": eight_threads,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results = interleaved(CONTENDERS, args.runs, warmup=2)
    table = timing_table("Event bus: a whole batch per run", results, {})
    table.note("former test bound for the first row: 500 ms")
    table.note(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
