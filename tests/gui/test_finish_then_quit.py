"""Finish (the conflict flow) commits the merge and syncs; a Quit right after it must
not lose that push: the final bounded sync at Quit carries it out, or the next start
does, and nothing says "up to date" meanwhile. Against a `git daemon` remote, git's
rev-list as the referee."""

from __future__ import annotations

import pytest

from gui import desktop as desktop_module
from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run, start_desktop
from tests.gui.test_conflicts_tab import _choice, _select, _stopped
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.servers.hostile import HostileServer, Stall
from tests.waiting import CAP


@pytest.mark.slow
def test_quit_right_after_finish_still_pushes_the_merge(run: Run, desktop: Desktop, world: Clones) -> None:
    panel, mine, theirs = _stopped(run, desktop, world)
    for path, button in (("a.txt", panel.use_theirs), ("img.bin", panel.use_mine)):
        _select(panel, path)
        button.click()
        run(until(lambda path=path: _choice(panel, path) is not None))
    assert panel.finish.isEnabled()
    panel.finish.click()
    run(desktop.quit())  # at once: Finish's commit and sync are still under way
    head = world.head(world.mine)
    assert git("log", "-1", "--format=%P", head, cwd=world.mine) == f"{mine} {theirs}"  # the merge
    assert world.remote_head() == head
    assert git("--git-dir", str(world.bare), "rev-list", "--count", f"{head}", "^main") == "0"
    world.check()


def result_of(desktop: Desktop, repo_id: int) -> str:
    view = desktop.window.repos.row_for(repo_id)
    assert view is not None
    return view.standing(settled=True).text


@pytest.mark.slow
def test_a_push_quit_cut_short_is_made_at_the_next_start(
    run: Run,
    world: Clones,
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The remote takes Finish's push and never answers: Quit waits its bound (2 s here),
    then stops; the merge stays committed, the sync is owed, and the next start pushes it,
    never saying "up to date" before it has."""
    monkeypatch.setattr(desktop_module, "ACTIONS_AT_QUIT", 2.0)
    desktop = run(start_desktop([]), CAP)  # not the fixture's: this test quits it itself
    panel, mine, theirs = _stopped(run, desktop, world)
    mine_id = run(desktop.api.core.store.repo("mine")).id
    for path, button in (("a.txt", panel.use_theirs), ("img.bin", panel.use_mine)):
        _select(panel, path)
        button.click()
        run(until(lambda path=path: _choice(panel, path) is not None))
    hostile_server.serve({b"refs/heads/main": theirs}, None)
    hostile_server.stall = Stall.PUSH_CHATTER
    git("remote", "set-url", "--push", "origin", hostile_server.url(), cwd=world.mine)
    panel.finish.click()
    run(until(lambda: hostile_server.pushes >= 1), timeout=CAP)
    notified: list[str] = []
    desktop.tray.notified.connect(lambda title, _text: notified.append(title))
    run(desktop.quit(), CAP)  # a hang fails here
    assert "Quit before a sync ended" in notified, notified
    merged = world.head(world.mine)
    assert git("log", "-1", "--format=%P", merged, cwd=world.mine) == f"{mine} {theirs}"  # committed
    assert world.remote_head() == theirs  # not pushed
    assert desktop.in_flight.owed() == [mine_id]
    run(desktop.api.close(wait=False), CAP)
    # The app's process ends there, and with it the push still talking to the remote; here
    # the remote drops it, and the thread that ran it lets go of the sync lock.
    hostile_server.stop()
    lock = world.mine / ".git" / "gitferry" / "sync.lock"
    run(until(lambda: not lock.exists()), timeout=CAP)

    git("config", "--unset", "remote.origin.pushurl", cwd=world.mine)
    again = run(start_desktop([]), CAP)
    try:
        seen: list[tuple[str, bool]] = []  # the Result, and whether the remote had the merge then

        def look(*_: object) -> None:
            seen.append((result_of(again, mine_id), world.remote_head() == merged))

        again.window.repos.dataChanged.connect(look)
        look()
        run(until(lambda: world.remote_head() == merged), timeout=CAP)  # pushed at the start
        run(until(lambda: result_of(again, mine_id) == "Up to date"), timeout=CAP)
        assert seen[0][0] != "Up to date"
        assert not [text for text, pushed in seen if text == "Up to date" and not pushed], seen
        assert again.in_flight.owed() == []
    finally:
        run(again.stop(), CAP)
        run(again.api.close(), CAP)
    world.check()
