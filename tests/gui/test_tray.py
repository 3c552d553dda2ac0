"""The tray menu's actions do what they say, against a real core and `git daemon`.

Offscreen there is no tray to click, so the tests trigger the menu's actions
directly; everything behind them is real.
"""

from __future__ import annotations

import pytest

from core.model import RepoRecord
from gui.desktop import Desktop
from gui.models.repos import RepoView
from gui.resources import TrayState
from gui.tray import tray_state
from tests.gui.conftest import Run
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones


def menu_texts(desktop: Desktop) -> list[str]:
    return [action.text() for action in desktop.tray.menu.actions() if not action.isSeparator()]


def test_the_menu_has_a_submenu_per_repository_in_spec_order(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    run(desktop.refresh())
    assert menu_texts(desktop) == [
        "Sync all now",
        "mine",
        "theirs",
        "Pause background fetch",
        "Status window",
        "Settings…",
        "Quit Gitferry",
    ]
    mine = run(desktop.core.store.repo("mine"))
    submenu = desktop.tray.repo_menus[mine.id]
    assert [a.text() for a in submenu.actions()] == ["Sync", "Open folder", "Status"]


def test_sync_open_folder_and_status_of_one_repository(
    run: Run, desktop: Desktop, opened: list[str], world: Clones
) -> None:
    pushed = world.commit(world.mine, "b.txt", "mine\n")
    run(desktop.refresh())
    mine = run(desktop.core.store.repo("mine"))
    theirs = run(desktop.core.store.repo("theirs"))
    sync, open_folder, status = desktop.tray.repo_menus[mine.id].actions()
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    sync.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert world.remote_head() == pushed and report.pushed == ["main"]
    assert notified[-1] == ("mine synced", "Pushed main")
    open_folder.trigger()
    assert opened == [str(world.mine)]
    desktop.window.select_repo(theirs.id)
    desktop.window.hide()
    status.trigger()
    assert desktop.window.isVisible() and desktop.window.selected_id == mine.id
    world.check()


def test_sync_all_pause_resume_status_window_and_quit(run: Run, desktop: Desktop, world: Clones) -> None:
    pushed = world.commit(world.mine, "b.txt", "mine\n")
    run(desktop.refresh())
    tray = desktop.tray
    tray.sync_all_action.trigger()
    _title, text = run(next_emit(tray.notified, lambda title, _text: title == "Sync all finished"))
    assert text == "2 of 2 repositories synced"
    assert world.remote_head() == pushed
    tray.pause_action.trigger()
    run(until(lambda: desktop.daemon.paused))
    assert tray.pause_action.text() == "Resume background fetch"
    assert desktop.window.pause_action.isChecked() and tray.state is TrayState.PAUSED
    tray.pause_action.trigger()
    run(until(lambda: not desktop.daemon.paused))
    assert tray.state is TrayState.IDLE and not desktop.window.pause_action.isChecked()
    desktop.window.hide()
    tray.status_action.trigger()
    assert desktop.window.isVisible()
    tray.quit_action.trigger()
    run(next_emit(desktop.quitting))
    assert desktop.daemon.engine is not None and not desktop.daemon.engine.workers  # every worker stopped
    assert not desktop.window.isVisible()
    world.check()


def view(result: str | None = None, state: str = "idle", conflicts: int = 0) -> RepoView:
    return RepoView(RepoRecord(1, "r", "/r", last_result=result), state, conflicts=conflicts)


@pytest.mark.parametrize(
    ("views", "paused", "offline", "expected"),
    [
        ([view("ok")], False, False, TrayState.IDLE),
        ([view("ok", "syncing")], False, False, TrayState.SYNCING),
        ([view("ok"), view("auth_failed")], False, False, TrayState.ATTENTION),
        ([view("ok", conflicts=2)], True, False, TrayState.ATTENTION),
        ([view("ok")], True, False, TrayState.PAUSED),
        ([view("ok")], True, True, TrayState.OFFLINE),
    ],
)
def test_the_icon_says_the_most_urgent_state(
    views: list[RepoView], paused: bool, offline: bool, expected: TrayState
) -> None:
    assert tray_state(views, paused=paused, offline=offline) is expected
