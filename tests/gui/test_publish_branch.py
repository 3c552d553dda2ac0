""" "Publish branch" in the status window, through the façade, against `git daemon` and
smart HTTP: a new branch shows `not published` (the status bar and the tray say so), the
button publishes it and its upstream is what `git push -u` sets (a twin repository
running git is the referee), the table then shows it tracking; an error is one line
under the table and changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from core.api import ResultKind
from gui.desktop import Desktop
from gui.models.branches import NOT_PUBLISHED, branch_state
from tests.gitcli import fsck, git, refs
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli
from tests.servers import Remote


def select_branch(desktop: Desktop, name: str) -> None:
    window = desktop.window
    position = [b.name for b in window.branches.rows].index(name)
    index = window.branch_proxy.mapFromSource(window.branches.index(position, 0))
    window.branch_table.setFocus()
    window.branch_table.selectionModel().select(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )


def branch_config(repo: Path, branch: str) -> str:
    return git("config", "--get-regexp", rf"^branch\.{branch}\.", cwd=repo, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("server", ["git_daemon", "http_server"])
def test_publish_branch_from_the_window(
    request: pytest.FixtureRequest,
    server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    run: Run,
    desktop: Desktop,
) -> None:
    remote: Remote = request.getfixturevalue(server)
    world = Clones.make(remote, tmp_path, capsys)
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    head = world.commit(world.mine, "g.txt", "more\n")
    run(desktop.refresh())
    window = desktop.window
    mine = run(desktop.api.core.store.repo("mine"))
    window.select_repo(mine.id)
    window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert report.result is ResultKind.UNPUBLISHED and report.unpublished == {"feature": 2}, report.message
    run(until(lambda: "feature" in [b.name for b in window.branches.rows]))
    feature = next(b for b in window.branches.rows if b.name == "feature")
    assert branch_state(feature) == NOT_PUBLISHED and feature.unpublished == 2
    assert "1 branch not published" in window.summary.text()
    run(until(lambda: "mine: feature: 2 commit" in desktop.tray.icon.toolTip()))
    assert "on no remote" in desktop.tray.icon.toolTip()
    run(until(lambda: desktop.tray.state.value == "attention"))  # once the record is read again

    select_branch(desktop, "main")  # tracking: nothing to publish
    assert not window.publish_button.isEnabled() and not window.publish_action.isEnabled()
    select_branch(desktop, "feature")
    assert window.publish_button.isEnabled()
    assert window.publish_button.accessibleName() == "Publish the selected branch"
    assert window.publish_action in window.branch_table.actions()  # its context menu
    assert window.branch_table.contextMenuPolicy() is Qt.ContextMenuPolicy.ActionsContextMenu

    # The referee: a twin of mine where git publishes the same branch.
    twin_bare = tmp_path / "twin.git"
    git("clone", "-q", "--bare", str(world.bare), str(twin_bare))
    twin = tmp_path / "twin"
    shutil.copytree(world.mine, twin, symlinks=True)
    git("remote", "set-url", "origin", str(twin_bare), cwd=twin)
    git("push", "-q", "-u", "origin", "feature", cwd=twin)

    window.publish_action.trigger()  # what Ctrl+Shift+P and the context menu do
    _id, report = run(next_emit(desktop.synced))  # the publish, then a sync
    assert report.result is ResultKind.UP_TO_DATE, report.message
    assert window.publish_note.text() == (
        "mine: published feature to origin (6 objects); its upstream is origin/feature"
    )
    assert branch_config(world.mine, "feature") == branch_config(twin, "feature") != ""
    assert git("rev-parse", "refs/remotes/origin/feature", cwd=world.mine) == head
    assert world.remote_head("feature") == head
    run(until(lambda: next(b for b in window.branches.rows if b.name == "feature").state == "tracking"))
    assert "not published" not in window.summary.text()
    run(until(lambda: desktop.tray.state.value == "idle"))  # the sync's record read again: settled
    assert "on no remote" not in desktop.tray.icon.toolTip()
    fsck(twin)
    world.check()


@pytest.mark.slow
def test_a_publish_error_is_one_line_and_changes_nothing(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], run: Run, desktop: Desktop
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    git("config", "push.default", "nothing", cwd=world.mine)
    run(desktop.refresh())
    window = desktop.window
    mine = run(desktop.api.core.store.repo("mine"))
    window.select_repo(mine.id)
    window.sync_action.trigger()
    run(next_emit(desktop.synced))
    run(until(lambda: "feature" in [b.name for b in window.branches.rows]))
    run(until(lambda: desktop.tray.state.value == "attention"))  # the sync's record read again: settled
    before = (refs(world.bare), refs(world.mine), (world.mine / ".git" / "config").read_bytes())
    select_branch(desktop, "feature")
    window.publish_button.click()
    run(until(lambda: "push.default" in window.publish_note.text()))
    assert window.publish_note.text() == (
        "push.default is 'nothing': git would not push feature without a refspec either"
    )
    assert window.publish_button.isEnabled()  # the user may fix it and try again
    assert (refs(world.bare), refs(world.mine), (world.mine / ".git" / "config").read_bytes()) == before
    world.check()


@pytest.mark.slow
def test_the_window_says_what_the_sync_did_before_the_branch_it_left_unpublished(
    run: Run, desktop: Desktop, world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sync now pushed main while `feature` holds a commit on no remote: the window's last
    sync says what the sync did first, then the branch left unpublished (before, the note
    came first and the push trailed after its advice). A background fetch never pushes, so
    the app's own work on `mine` cannot take the push from this sync."""
    code, _out, err = cli(capsys, "set", "mine", "push_all", "false")
    assert code == 0, err
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    git("checkout", "-q", "main", cwd=world.mine)
    ahead = world.commit(world.mine, "m.txt", "main\n")
    mine = run(desktop.api.core.store.repo("mine"))

    report, _notified = sync_from_the_window(run, desktop, mine.id)

    note = "1 branch not published: feature (1 commit); publish with gitferry publish mine feature"
    assert report.result is ResultKind.UNPUBLISHED, report.message
    assert report.message.startswith("pushed main") and report.message.endswith("; " + note), report.message
    assert world.remote_head("main") == ahead  # git's referee: main is on the remote
    phase = desktop.window.progress.phase
    run(until(lambda: phase.text().endswith("Last sync: " + report.message)))
    world.check()


@pytest.mark.slow
def test_publish_among_remotes_none_named_origin_says_a_way_the_window_has(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], run: Run, desktop: Desktop
) -> None:
    """Several remotes, none named origin: the CLI says "say which with --remote"; the
    window, which has no `--remote`, said the same. It says git's own setting, which
    Publish honours (git is the referee: `git push` with it set goes there too)."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("remote", "rename", "origin", "upstream", cwd=world.mine)
    git("remote", "add", "mirror", git_daemon.url("origin"), cwd=world.mine)
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    code, _out, err = cli(capsys, "publish", "mine", "feature")
    listed = "several remotes (mirror, upstream) and none is named origin"
    assert code == 2 and err == f"gitferry: {listed}: say which with --remote\n", err
    run(desktop.refresh())
    window = desktop.window
    window.select_repo(run(desktop.api.core.store.repo("mine")).id)
    run(until(lambda: "feature" in [b.name for b in window.branches.rows]))
    select_branch(desktop, "feature")
    before = (refs(world.bare), (world.mine / ".git" / "config").read_bytes())

    window.publish_button.click()

    run(until(lambda: "none is named origin" in window.publish_note.text()))
    assert window.publish_note.text() == f"{listed}: say which with git config remote.pushDefault NAME"
    assert (refs(world.bare), (world.mine / ".git" / "config").read_bytes()) == before
    git("config", "remote.pushDefault", "mirror", cwd=world.mine)  # the way on it says
    window.publish_button.click()
    run(until(lambda: branch_config(world.mine, "feature") != ""))
    assert "branch.feature.remote mirror" in branch_config(world.mine, "feature")
    assert git("rev-parse", "refs/remotes/mirror/feature", cwd=world.mine) == world.head(world.mine)
    assert refs(world.bare)["refs/heads/feature"] == world.head(world.mine)
