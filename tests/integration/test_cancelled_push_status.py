"""A sync cut short in its push (the daemon stopped at logout, Quit, Ctrl-C) after its
auto-commit: the store's branch rows say what git says, `main` 1 ahead of `origin/main`,
not the rows from before the commit (`gitferry status` said "ahead 0" for a commit that
never reached the remote), still fetched when the last sync fetched, and `status` says
"cancelled", not "error"."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.engine import registry
from core.engine.core import Core
from core.engine.sync import SyncOptions, sync_repository
from tests.gitcli import commit_file, git
from tests.servers.hostile import HostileServer
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def gitferry_status() -> str:
    """`gitferry status` in a process of its own, as the user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "core.cli", "status"]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout


@pytest.fixture
def server() -> Iterator[HostileServer]:
    hostile = HostileServer()  # lists its refs to a push, then never reads it nor answers
    yield hostile
    hostile.stop()


@pytest.mark.timeout(90)
async def test_a_push_cancelled_after_the_commit_leaves_the_branch_ahead_in_the_store(
    server: HostileServer, tmp_path: Path
) -> None:
    seed, mine = tmp_path / "seed", tmp_path / "mine"
    git("init", "-q", "-b", "main", str(seed))
    head = commit_file(seed, "a.txt", "one\n")
    git("clone", "-q", str(seed), str(mine))
    git("remote", "set-url", "origin", server.url(), cwd=mine)
    server.serve({b"refs/heads/main": head}, None)
    core = await Core.open()
    try:
        record = await registry.add_repository(core, str(mine), settings={"auto_commit": "true"})
        await sync_repository(core, record, SyncOptions())  # fetched: up to date
        (mine / "note.md").write_text("saved before the lid closed\n")
        syncing = asyncio.create_task(sync_repository(core, record, SyncOptions()))
        await eventually(lambda: server.pushes == 1, "the sync pushes")
        syncing.cancel()
        await asyncio.gather(syncing, return_exceptions=True)
        rows = {b.name: b for b in await core.store.branches(record.id)}
    finally:
        await core.close()

    assert git("status", "-sb", cwd=mine).splitlines()[0] == "## main...origin/main [ahead 1]"
    local = git("rev-parse", "HEAD", cwd=mine)
    assert local != head
    assert (rows["main"].head, rows["main"].ahead, rows["main"].behind) == (local, 1, 0)
    status = gitferry_status()
    assert ": cancelled\n" in status, status
    assert "origin/main  ahead 1, behind 0\n" in status, status  # fetched, as its last sync did
