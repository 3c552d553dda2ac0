"""A long-lived engine fetching the same repository again and again: every fetch lands
a new pack, and the pooled repository must not keep one more set of descriptors open
for each (it used to: about 4 per pack, without bound)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.engine import Engine
from core.events import EventBus
from core.git.objects.pack_consolidation import PACK_LIMIT
from core.pool import RepoPool
from core.results import ResultKind
from tests.gitcli import fsck, git
from tests.integration.clones import Clones
from tests.servers import Remote

FETCHES = 24  # more than twice PACK_LIMIT


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def pack_count(repo: Path) -> int:
    return sum(1 for name in os.listdir(repo / ".git" / "objects" / "pack") if name.endswith(".pack"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
@pytest.mark.slow
def test_repeated_fetches_through_the_pool_keep_descriptors_bounded(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    counts = asyncio.run(_fetch_repeatedly(world))
    # 4 descriptors per pack read (2 files, each with mmap's duplicate): bounded by the pack
    # limit, where they used to grow by 4 with every fetch
    assert max(counts) - counts[0] <= 4 * PACK_LIMIT + 8, counts
    assert pack_count(world.theirs) <= PACK_LIMIT + 1
    fsck(world.theirs)
    assert git("rev-parse", "origin/main", cwd=world.theirs) == world.remote_head()
    world.check()


async def _fetch_repeatedly(world: Clones) -> list[int]:
    core = await Core.open()
    engine = Engine(core, EventBus(), RepoPool(core.offload))
    counts = []
    try:
        for record in await core.store.repos():  # a worker each, as the daemon watches them
            engine.add(record)
        theirs = await core.store.repo("theirs")
        for i in range(FETCHES):
            world.commit(world.mine, "n.txt", f"{i}\n")
            git("push", "-q", "origin", "main", cwd=world.mine)
            report = await engine.fetch(theirs.id)
            assert report.result == ResultKind.OK, report.message
            counts.append(open_descriptors())
    finally:
        await engine.stop()
        await core.close()
    return counts
