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


async def test_a_measure_without_a_fetch_keeps_when_the_branch_was_last_fetched(tmp_path: Path) -> None:
    """User trial: after Undo last integration (git moving the branch), the window's
    Branches tab said "Last fetched: never" of a branch fetched a minute before: the
    measure it was handed had no fetch time; the store kept the old one, the window not."""
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    path = tmp_path / "repo"
    git("clone", "-q", str(remote), str(path))
    commit_file(path, "a.txt", "a\n")
    git("push", "-q", "origin", "main", cwd=path)
    core = await Core.open(tmp_path / "home")
    try:
        record = await registry.add_repository(core, str(path))
        fetched = await refresh_status(core, record, fetched=["origin"])  # as after a fetch
        when = fetched[0].last_fetch
        assert when is not None
        commit_file(path, "b.txt", "b\n")  # git moves the branch: measured again, no fetch
        again = await refresh_status(core, record)
        assert [(s.name, s.ahead, s.last_fetch) for s in again] == [("main", 1, when)]
        assert [s.last_fetch for s in await core.store.branches(record.id)] == [when]
    finally:
        await core.close()
