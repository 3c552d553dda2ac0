"""The event bus: ordering, drop-oldest, filters, threads, closing. Its speed: `python -m bench.events`."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import UTC, datetime

import pytest

from core.events import (
    BranchStatusChanged,
    Event,
    EventBus,
    FileSkipped,
    PhaseProgress,
    RemoteTripped,
    StateChanged,
    Subscription,
    SubscriptionClosed,
    SyncFinished,
)
from core.model import BranchStatus, RepoState
from core.results import ResultKind
from tests.waiting import CAP


def progress(n: int, repo_id: int = 1) -> PhaseProgress:
    return PhaseProgress(repo_id, "r", "origin", "receiving", n, None, n * 10)


def drain(sub: Subscription) -> list[Event]:
    out: list[Event] = []
    while True:
        try:
            out.append(sub.get_nowait())
        except asyncio.QueueEmpty:
            return out


def test_events_are_frozen_with_repo_first() -> None:
    branch = BranchStatus("main", "origin/main", "a" * 40, "b" * 40, 1, 2)
    events: list[Event] = [
        StateChanged(1, "r", RepoState.IDLE, RepoState.FETCHING, 2.5),
        progress(3),
        BranchStatusChanged(1, "r", (branch,)),
        FileSkipped(1, "r", "big.iso", "too large", 10**9),
        SyncFinished(1, "r", ResultKind.OK, "done", {"fetched": 3}),
        RemoteTripped(1, "r", "origin", datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    for event in events:
        names = [f.name for f in dataclasses.fields(event)]
        assert names[:2] == ["repo_id", "repo"]
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.repo = "other"  # type: ignore[misc]
        assert not hasattr(event, "__dict__")


def test_sync_finished_details_cannot_be_changed_through_the_event() -> None:
    details = {"fetched": 3}
    event = SyncFinished(1, "r", ResultKind.OK, "done", details)
    details["fetched"] = 99
    assert event.details["fetched"] == 3
    with pytest.raises(TypeError):
        event.details["x"] = 1  # type: ignore[index]


async def test_each_subscriber_gets_every_event_in_order() -> None:
    bus = EventBus()
    a, b = bus.subscribe(), bus.subscribe()
    for n in range(50):
        bus.publish(progress(n))
    for sub in (a, b):
        got = [await sub.get() for _ in range(50)]
        assert got == [progress(n) for n in range(50)]
        assert sub.dropped == 0


def test_full_buffer_drops_its_oldest_and_counts_per_subscriber() -> None:
    bus = EventBus()
    small, big = bus.subscribe(maxsize=3), bus.subscribe(maxsize=100)
    for n in range(10):
        bus.publish(progress(n))
    assert drain(small) == [progress(7), progress(8), progress(9)]
    assert small.dropped == 7
    assert drain(big) == [progress(n) for n in range(10)]
    assert big.dropped == 0


async def test_a_slow_subscriber_blocks_neither_publish_nor_the_others() -> None:
    """The publisher is another thread and `stuck` is never read: had publish waited for
    room in `stuck`, the publisher would never finish (and `live` never get event 999)."""
    bus = EventBus()
    stuck = bus.subscribe(maxsize=4)  # never read
    live = bus.subscribe(maxsize=10_000)

    def publish_all() -> None:
        for n in range(1000):
            bus.publish(progress(n))

    async def consume() -> list[Event]:
        return [await live.get() for _ in range(1000)]

    reader = asyncio.create_task(consume())
    publisher = threading.Thread(target=publish_all)
    publisher.start()
    received = await asyncio.wait_for(reader, CAP)
    publisher.join(CAP)
    assert not publisher.is_alive(), "publish blocked on a full subscriber"
    assert received == [progress(n) for n in range(1000)]
    assert stuck.dropped == 996 and drain(stuck) == [progress(n) for n in range(996, 1000)]


def test_kinds_filter() -> None:
    bus = EventBus()
    only = bus.subscribe(kinds=(SyncFinished, FileSkipped))
    every = bus.subscribe()
    finished = SyncFinished(1, "r", ResultKind.UP_TO_DATE, "nothing to do")
    skipped = FileSkipped(1, "r", "a.bin", "too large", 5)
    for event in (progress(1), finished, progress(2), skipped):
        bus.publish(event)
    assert drain(only) == [finished, skipped]
    assert len(drain(every)) == 4


async def test_publish_from_eight_threads_wakes_the_loop_subscriber() -> None:
    bus = EventBus()
    sub = bus.subscribe(maxsize=100_000)
    per_thread = 2000
    barrier = threading.Barrier(8)

    def worker(repo_id: int) -> None:
        barrier.wait(5)
        for n in range(per_thread):
            bus.publish(progress(n, repo_id))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]

    async def collect() -> list[Event]:
        return [await sub.get() for _ in range(8 * per_thread)]

    task = asyncio.create_task(collect())
    await asyncio.sleep(0)  # the collector is now waiting: only other threads can wake it
    for t in threads:
        t.start()
    got = await asyncio.wait_for(task, 10)
    for t in threads:
        t.join(5)
    assert sub.dropped == 0
    for repo_id in range(8):
        mine = [e for e in got if e.repo_id == repo_id]
        assert mine == [progress(n, repo_id) for n in range(per_thread)]  # per-thread order kept


async def test_a_waiting_subscriber_is_woken_by_another_thread() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    getter = asyncio.create_task(sub.get())
    await asyncio.sleep(0.01)
    assert not getter.done()
    threading.Thread(target=bus.publish, args=(progress(1),)).start()
    assert await asyncio.wait_for(getter, 2) == progress(1)


async def test_close_ends_iteration_and_unsubscribes() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    seen: list[Event] = []

    async def consume() -> None:
        async for event in sub:
            seen.append(event)

    task = asyncio.create_task(consume())
    bus.publish(progress(1))
    await asyncio.sleep(0.01)
    sub.close()
    await asyncio.wait_for(task, 2)
    assert seen == [progress(1)]
    assert bus.subscriber_count == 0
    bus.publish(progress(2))
    with pytest.raises(SubscriptionClosed):
        sub.get_nowait()
    with pytest.raises(SubscriptionClosed):
        await sub.get()


async def test_bus_close_ends_every_subscription() -> None:
    bus = EventBus()
    subs = [bus.subscribe() for _ in range(3)]
    tasks = [asyncio.create_task(anext(sub, None)) for sub in subs]
    await asyncio.sleep(0)
    bus.close()
    assert await asyncio.wait_for(asyncio.gather(*tasks), 2) == [None, None, None]


async def test_a_cancelled_get_does_not_lose_the_next_event() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sub.get(), 0.01)
    bus.publish(progress(5))
    assert await asyncio.wait_for(sub.get(), 1) == progress(5)


def test_hundred_thousand_publishes_keep_each_subscribers_newest() -> None:
    """How fast this goes is measured by `python -m bench.events`, not here."""
    bus = EventBus()
    subs = [bus.subscribe(maxsize=256) for _ in range(3)]
    for n in range(100_000):
        bus.publish(progress(n))
    for sub in subs:
        assert sub.dropped == 100_000 - 256
        assert drain(sub) == [progress(n) for n in range(100_000 - 256, 100_000)]
