"""Two registered clones of one remote in one running engine: a push from one is seen by
the other at once, not at its next background fetch (`core/engine/shared_remotes.py`).

Real clones of a loopback `git daemon` remote (or of a local path), a real daemon on the
real clock; both repositories fetch once a day, so a fetch of `theirs` minutes after the
push can only be the early fetch the push asked for.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from core.engine.core import Core
from core.engine.daemon import Daemon
from core.events import BranchStatusChanged, EventBus
from tests.gitcli import git
from tests.integration.clones import Clones, run

DAY = 86_400
PATIENCE = 60.0  # seconds: generous; the early fetch comes about two seconds after the push


def _theirs_behind_after_a_push_from_mine(world: Clones) -> None:
    for clone in (world.mine, world.theirs):
        code, _out, err = run(world.capsys, "set", clone.name, "fetch_interval", str(DAY))
        assert code == 0, err
    asyncio.run(_push_and_wait(world))
    assert git("rev-parse", "origin/main", cwd=world.theirs) == world.remote_head()
    code, doc, _err = run(world.capsys, "status", "theirs", "--json")
    assert code == 0 and doc["repos"][0]["branches"][0]["behind"] == 1, doc


async def _push_and_wait(world: Clones) -> None:
    core = await Core.open()
    bus = EventBus()
    events = bus.subscribe(maxsize=10_000, kinds=(BranchStatusChanged,))
    daemon = Daemon(core, bus=bus)
    task = asyncio.ensure_future(daemon.run())
    try:
        await asyncio.wait_for(daemon.started.wait(), PATIENCE)
        assert daemon.scheduler is not None
        mine, theirs = await core.store.repo("mine"), await core.store.repo("theirs")
        # Its slot is hours away (a day's interval): only the early fetch can come in time.
        assert daemon.scheduler.next_due(theirs.id) - time.monotonic() > 10 * PATIENCE
        world.commit(world.mine, "b.txt", "b\n")
        report = await daemon.sync_now(mine.id)
        assert report.pushed == ["main"], report.message
        async with asyncio.timeout(PATIENCE):
            async for event in events:
                assert isinstance(event, BranchStatusChanged)
                main = next(b for b in event.branches if b.name == "main")
                if event.repo_id == theirs.id and main.behind == 1:
                    break
    finally:
        daemon.stop()
        await asyncio.wait_for(task, PATIENCE)
        await core.close()
    world.remember()


def test_a_push_from_one_clone_is_fetched_soon_by_the_other(world: Clones) -> None:
    """`theirs` names the remote through a `url.<base>.insteadOf` shorthand: the URL a
    fetch connects to is the same remote (other spellings: `tests/core/test_remote_identity.py`)."""
    url = world.remote.url("origin")
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    git("config", f"url.{scheme}://{host}/.insteadOf", "gf:", cwd=world.theirs)
    git("remote", "set-url", "origin", f"gf:{path}", cwd=world.theirs)
    _theirs_behind_after_a_push_from_mine(world)


def test_clones_of_a_local_path_fetch_soon_too(world: Clones, tmp_path: Path) -> None:
    """The remote a local path: `mine` names it as it is, `theirs` through a symbolic link
    to it, as a `file://` URL."""
    link = tmp_path / "link.git"
    link.symlink_to(world.bare)
    git("remote", "set-url", "origin", str(world.bare), cwd=world.mine)
    git("remote", "set-url", "origin", f"file://{link}", cwd=world.theirs)
    _theirs_behind_after_a_push_from_mine(world)
