"""History's "Undo last integration" is offered only while it would run: the issue
says "when the branch has not been pushed since", and a user trial found it enabled
after the push (a click then only said it was refused). Against a `git daemon`
remote, git as the referee."""

from __future__ import annotations

import pytest

from core.results import ResultKind
from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.waiting import until
from tests.integration.clones import Clones

DEAD = "git://127.0.0.1:9/origin"  # nothing listens on the discard port: every push is refused


@pytest.mark.slow
def test_undo_is_disabled_once_the_integration_was_pushed(run: Run, desktop: Desktop, world: Clones) -> None:
    world.commit(world.theirs, "theirs.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "mine.txt", "mine\n")  # diverged: a sync merges
    git("remote", "set-url", "--push", "origin", DEAD, cwd=world.mine)
    mine_id = run(desktop.api.core.store.repo("mine")).id

    report, _notices = sync_from_the_window(run, desktop, mine_id)
    assert not report.result.succeeded  # merged here, the push refused
    merged = world.head(world.mine)
    assert git("log", "-1", "--format=%P", merged, cwd=world.mine).split()[0] == mine
    assert git("rev-list", "--count", f"origin/main..{merged}", cwd=world.mine) == "2"  # not on the remote
    history = desktop.window.history_panel
    desktop.window.tabs.setCurrentIndex(3)
    run(until(lambda: history.repo_id == mine_id and history.undo.isEnabled()))  # not pushed: it would run
    assert "already has" not in history.undo.toolTip()

    git("config", "--unset", "remote.origin.pushurl", cwd=world.mine)
    desktop.window.sync_action.trigger()
    run(until(lambda: world.remote_head() == merged), timeout=60)  # pushed
    assert git("rev-list", "--count", f"{merged}..origin/main", cwd=world.mine) == "0"
    run(until(lambda: not history.undo.isEnabled()))
    why = "Not possible now: origin/main already has main's head (pushed since, or fast-forwarded to it)"
    assert history.undo.toolTip().splitlines()[-1] == why
    assert history.undo.accessibleDescription() == why
    history.undo.click()  # disabled: nothing happens, nothing is asked of the core
    assert world.head(world.mine) == merged and world.remote_head() == merged
    assert ResultKind(str(run(desktop.api.record(mine_id)).last_result)).succeeded
    world.check()


@pytest.mark.slow
def test_the_header_says_where_the_branch_stands_once_undone(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """A trial's header said "main: 2 ahead" for seconds after the undo (the watcher measured
    it later): the undo measures the branches, and the window shows them with its line."""
    world.commit(world.theirs, "theirs.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "mine.txt", "mine\n")
    hook = world.bare / "hooks" / "pre-receive"  # the push refused by the server, as a trial's
    hook.write_text("#!/bin/sh\necho pushes are closed >&2\nexit 1\n")
    hook.chmod(0o755)
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, _notices = sync_from_the_window(run, desktop, mine_id)
    assert not report.result.succeeded  # merged here, the push refused
    window = desktop.window
    window.select_repo(mine_id)
    run(until(lambda: "main: 2 ahead" in window.progress.phase.full_text()))
    history = window.history_panel
    window.tabs.setCurrentIndex(3)
    run(until(lambda: history.repo_id == mine_id and history.undo.isEnabled()))

    history.undo.click()
    run(until(lambda: "back at" in history.status.text()))
    assert world.head(world.mine) == mine
    assert git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine) == "1\t1"
    (main,) = window.branches.rows
    assert (main.ahead, main.behind) == (1, 1)
    assert "2 ahead" not in window.progress.phase.full_text()
    world.check()
