"""`refresh_status`: one measure of a repository at a time in a process. The engine's
`status --refresh` measures on the pool's lease, the daemon's look at HEAD and a publish
under the sync lock: without `Core.measure_lock` two of them could run at once in the
CPU pool on the repository's one `GenerationIndex`, which is not thread-safe. A real
repository, a real store, git moving the branch."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.engine import registry
from core.engine.branch_measure import fresh_repo, refresh_status
from core.engine.core import Core
from tests.gitcli import commit_file, git


async def test_a_measure_waits_for_the_one_under_way(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    commit_file(path, "a.txt", "a\n")
    core = await Core.open(tmp_path / "home")
    try:
        record = await registry.add_repository(core, str(path))
        lock = core.measure_lock(record.id)
        await lock.acquire()  # a measure under way
        try:
            leased = asyncio.create_task(refresh_status(core, record, fresh_repo))  # as the engine's
            opened = asyncio.create_task(refresh_status(core, record))  # as the daemon's look
            # Time enough for either to measure, were it not waiting (before: both did).
            done, _pending = await asyncio.wait({leased, opened}, timeout=1.0)
            assert not done
            head = commit_file(path, "b.txt", "b\n")  # moved while they wait
        finally:
            lock.release()
        for statuses in await asyncio.gather(leased, opened):
            assert [(s.name, s.head) for s in statuses] == [("main", head)]
    finally:
        await core.close()
