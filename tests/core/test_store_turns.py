"""The status store's own threads take a user's sync's reads and writes before background
jobs' waiting for them (`PriorityGate`, as the offload pools do: core/offload.py), over a
real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from core.offload import Offload, PriorityGate, work_priority
from core.store.status_store import READ_THREADS, StatusStore
from tests.waiting import CAP, eventually


async def _in_turn(
    gate: PriorityGate,
    width: int,
    hold: Callable[[threading.Event], Coroutine[Any, Any, object]],
    call: Callable[[str], Coroutine[Any, Any, object]],
) -> None:
    """Every thread held by `hold`, then two background calls and a user's call queued."""
    release = threading.Event()
    held = [asyncio.create_task(hold(release)) for _ in range(width)]
    await eventually(lambda: gate._free == 0, "the threads were never all taken")

    def tagged(name: str, priority: int) -> asyncio.Task[object]:
        async def one() -> object:
            work_priority.set(priority)
            return await call(name)

        return asyncio.create_task(one())

    tasks = [tagged("background 1", 2), tagged("background 2", 2)]
    await eventually(lambda: len(gate._waiting) == 2, lambda: f"waiting: {gate._waiting}")
    tasks.append(tagged("user", 0))
    await eventually(lambda: len(gate._waiting) == 3, lambda: f"waiting: {gate._waiting}")
    release.set()
    await asyncio.gather(*held, *tasks)


@pytest.mark.slow
async def test_reads_and_writes_of_a_users_sync_go_first(tmp_path: Path) -> None:
    offload = Offload()
    store = await StatusStore.open(tmp_path / "status.db", offload)
    ran: list[str] = []
    try:
        repo = await store.add_repo("a", str(tmp_path / "a"), {})

        async def read_hold(release: threading.Event) -> object:
            return await store._plain_read(lambda: release.wait(CAP))

        async def read(name: str) -> object:
            return await store._plain_read(lambda: ran.append(name))

        await _in_turn(store._read_turns, READ_THREADS, read_hold, read)
        assert ran == ["user", "background 1", "background 2"]

        ran.clear()

        async def write_hold(release: threading.Event) -> object:
            return await store._plain_write(lambda _conn: release.wait(CAP))

        def writing(name: str) -> Callable[[sqlite3.Connection], None]:
            def work(conn: sqlite3.Connection) -> None:
                conn.execute("UPDATE repos SET state = ? WHERE id = ?", (name, repo.id))
                ran.append(name)

            return work

        async def write(name: str) -> object:
            return await store._plain_write(writing(name))

        await _in_turn(store._writer._turns, 1, write_hold, write)
        assert ran == ["user", "background 1", "background 2"]
        with sqlite3.connect(tmp_path / "status.db") as conn:  # each write committed
            assert conn.execute("SELECT state FROM repos WHERE id = ?", (repo.id,)).fetchone() == (
                "background 2",
            )
    finally:
        await store.close()
        offload.shutdown()
