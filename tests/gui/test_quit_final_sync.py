"""The last auto sync at Quit, through the desktop app (`Desktop.stop` → `Api.stop` →
the daemon's bounded final sync): an edit saved just before Quit reaches the remote,
and Quit returns, with the edit committed and nothing lost, even when the remote
takes the push and never answers (the hostile server)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.engine import daemon as daemon_module
from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run, start_desktop
from tests.integration.clones import Clones, run
from tests.servers import Remote
from tests.servers.hostile import HostileServer, Stall
from tests.waiting import CAP

SAVED = "saved just before Quit\n"


@pytest.fixture
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


def auto_mode(capsys: pytest.CaptureFixture[str], name: str) -> None:
    """`name` in auto mode with a settle time of a minute and an hour's interval: within
    the test only the start-up sync and the last one at Quit run."""
    for args in (
        (name, "sync_mode", "auto"),
        (name, "auto_commit", "true"),
        (name, "fetch_interval", "3600"),
        ("--global", "settle_time", "60"),
        ("--global", "settle_max", "60"),
    ):
        code, _out, err = run(capsys, "set", *args)
        assert code == 0, err


def save_before_quit(tree: Path) -> Path:
    saved = tree / "before-quit.txt"
    saved.write_text(SAVED)
    os.utime(saved, (time.time() - 2, time.time() - 2))  # older than the last sync's 1 s hold
    return saved


async def runs_of(desktop: Desktop, name: str) -> int:
    api = desktop.api
    record = await api.core.store.repo(name)
    return len(await api.core.store.runs(record.id))


def started_and_synced_once(run_: Run, name: str) -> Desktop:
    """The app started and its start-up sync recorded, in one stretch of the loop, as in
    the app: between two `run`s the loop stands still, and the start-up sync's task,
    stepped by a Qt timer there, found no running loop (CI: 'no running event loop')."""

    async def started() -> Desktop:
        desktop = await start_desktop([])
        async with asyncio.timeout(CAP):
            while await runs_of(desktop, name) == 0:  # noqa: ASYNC110 (the store says, no event)
                await asyncio.sleep(0.05)
        return desktop

    desktop: Desktop = run_(started(), 2 * CAP)
    return desktop


@pytest.mark.slow
def test_an_edit_saved_just_before_quit_reaches_the_remote(
    run: Run, git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    auto_mode(capsys, "mine")
    desktop = started_and_synced_once(run, "mine")
    save_before_quit(world.mine)
    run(desktop.stop(), CAP)
    run(desktop.api.close(), CAP)
    head = git("rev-parse", "main", cwd=world.bare)
    assert git("show", f"{head}:before-quit.txt", cwd=world.bare) == SAVED.strip()
    assert head == git("rev-parse", "HEAD", cwd=world.mine)
    git("fsck", "--strict", cwd=world.bare)


@pytest.mark.slow
def test_quit_returns_when_the_remote_takes_the_push_and_never_answers(
    run: Run,
    git_daemon: Remote,
    hostile_server: HostileServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The remote advertises what `mine` has, then swallows the push, chattering progress
    and never giving a verdict (the push alone would wait an hour): the last sync is
    cancelled at its bound (2 s here) and Quit returns; the edit stays committed locally
    for the next start, the working tree as the user left it."""
    monkeypatch.setattr(daemon_module, "FINAL_SYNC_SECONDS", 2.0)
    world = Clones.make(git_daemon, tmp_path, capsys)
    hostile_server.serve({b"refs/heads/main": git("rev-parse", "HEAD", cwd=world.mine)}, None)
    hostile_server.stall = Stall.PUSH_CHATTER  # never idle long enough for a socket timeout
    git("remote", "set-url", "origin", hostile_server.url(), cwd=world.mine)
    git("config", "http.lowSpeedLimit", "0", cwd=world.mine)  # no speed limit ends it: the bound only
    auto_mode(capsys, "mine")
    desktop = started_and_synced_once(run, "mine")
    before = git("rev-parse", "HEAD", cwd=world.mine)
    save_before_quit(world.mine)
    run(desktop.stop(), CAP)  # a hang fails here, at the cap
    run(desktop.api.close(wait=False), CAP)
    assert hostile_server.pushes >= 1  # the last sync did try to push
    assert git("show", "HEAD:before-quit.txt", cwd=world.mine) == SAVED.strip()  # committed, kept
    assert git("rev-parse", "HEAD~1", cwd=world.mine) == before
    assert git("status", "--porcelain", cwd=world.mine) == ""
    assert (world.mine / "before-quit.txt").read_text() == SAVED
    git("fsck", "--strict", cwd=world.mine)
