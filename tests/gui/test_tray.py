"""The tray menu's actions do what they say, against a real core and `git daemon`.

Offscreen there is no tray to click, so the tests trigger the menu's actions
directly; everything behind them is real.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core.api import Api, RemoteTripped
from core.events import StateChanged
from core.model import RepoRecord, RepoState, utcnow
from core.store.remote_failure import RemoteFailure
from gui.attention_notices import CONFLICT, SIGN_IN, AttentionNotices
from gui.desktop import Desktop
from gui.models.repos import RepoView
from gui.resources import TrayState
from gui.tray import tray_state
from tests.gitcli import commit_file, git
from tests.gui.conftest import Run, start_desktop, stop_desktop
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones


def shown_states(desktop: Desktop) -> set[str]:
    return {view.state for view in desktop.window.repos.rows}


async def stored_states_become(desktop: Desktop, states: set[str]) -> None:
    """Until the status store records `states` for the repositories, as the bus said."""
    while {record.state for record in await desktop.api.repos()} != states:  # noqa: ASYNC110 (a store read)
        await asyncio.sleep(0.02)


def menu_texts(desktop: Desktop) -> list[str]:
    return [a.text() for a in desktop.tray.menu.actions() if a.isVisible() and not a.isSeparator()]


def test_the_menu_has_a_submenu_per_repository_in_spec_order(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    run(desktop.refresh())
    # each repository's name, then what the tooltip says of it (test_standing pins those words)
    assert [text.split(" — ")[0] for text in menu_texts(desktop)] == [
        "Sync all now",
        "mine",
        "theirs",
        "Pause syncing",
        "Pause syncing for 1 hour",
        "Status window",
        "Settings…",
        "About Gitferry",
        "Quit Gitferry",
    ]
    mine = run(desktop.api.core.store.repo("mine"))
    submenu = desktop.tray.repo_menus[mine.id]
    assert [a.text() for a in submenu.actions()] == [
        "Sync",
        "Open folder",
        "Status",
        "Pause syncing this repository",
    ]


def test_sync_open_folder_and_status_of_one_repository(
    run: Run, desktop: Desktop, opened: list[str], world: Clones
) -> None:
    pushed = world.commit(world.mine, "b.txt", "mine\n")
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    theirs = run(desktop.api.core.store.repo("theirs"))
    sync, open_folder, status, _pause = desktop.tray.repo_menus[mine.id].actions()
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
    run(until(lambda: shown_states(desktop) == {"paused"}))  # what the engine published
    run(stored_states_become(desktop, {"paused"}))
    assert tray.pause_action.text() == "Resume syncing"
    assert desktop.window.pause_action.isChecked() and tray.state is TrayState.PAUSED
    assert "syncing paused" in desktop.window.summary.full_text()
    tray.pause_action.trigger()
    run(until(lambda: shown_states(desktop) == {"idle"}))
    run(stored_states_become(desktop, {"idle"}))
    assert tray.state is TrayState.IDLE and not desktop.window.pause_action.isChecked()
    desktop.window.hide()
    tray.status_action.trigger()
    assert desktop.window.isVisible()
    desktop.window.hide()  # no notification service: a click on the tray's balloon opens it
    tray.icon.messageClicked.emit()
    assert desktop.window.isVisible()
    tray.quit_action.trigger()
    run(next_emit(desktop.quitting))
    engine = desktop.api.daemon.engine
    assert engine is not None and not engine.workers  # every worker stopped
    assert not desktop.window.isVisible()
    world.check()


async def gitferry(*args: str) -> None:
    """The command line in its own process, as a user types it beside the running app."""
    code = "import sys; from core.cli import main; sys.exit(main())"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


def test_a_pause_made_on_the_command_line_turns_toggles(run: Run, desktop: Desktop, world: Clones) -> None:
    """`gitferry pause` while the app runs: the engine pauses at once and the rows say
    Paused; the toolbar's and the tray's toggles said "Pause syncing" still (a trial),
    offering to pause what was paused. Now they offer Resume, and Pause again after
    `gitferry resume`."""
    run(desktop.refresh())
    tray, window = desktop.tray, desktop.window
    run(gitferry("pause"))
    run(until(lambda: shown_states(desktop) == {"paused"}))
    run(until(lambda: tray.pause_action.text() == "Resume syncing"))
    assert window.pause_action.isChecked() and window.pause_action.text() == "&Resume syncing"
    assert "syncing paused" in window.summary.full_text()
    run(gitferry("resume"))
    run(until(lambda: shown_states(desktop) == {"idle"}))
    run(until(lambda: tray.pause_action.text() == "Pause syncing"))
    assert not window.pause_action.isChecked() and window.pause_action.text() == "&Pause syncing"
    world.check()


def view(result: str | None = None, state: str = "idle", conflicts: int = 0) -> RepoView:
    return RepoView(RepoRecord(1, "r", "/r", last_result=result), state, conflicts=conflicts)


@pytest.mark.parametrize(
    ("views", "expected"),
    [
        ([view("ok")], TrayState.IDLE),
        ([view("ok", "syncing")], TrayState.SYNCING),
        ([view("ok"), view("auth_failed")], TrayState.ATTENTION),
        ([view("ok", "paused", conflicts=2)], TrayState.ATTENTION),
        ([view("ok", "paused")], TrayState.PAUSED),
        ([view("ok", "paused"), view("ok", "offline")], TrayState.OFFLINE),
        ([view("ok", "paused"), view("ok", "tripped")], TrayState.ATTENTION),
    ],
)
def test_the_icon_says_the_most_urgent_state(views: list[RepoView], expected: TrayState) -> None:
    assert tray_state(views) is expected


def test_a_tripped_remote_shows_in_the_window_and_the_tray_from_the_published_state(
    run: Run, opened: list[str], world: Clones
) -> None:
    """The breaker's trip outlives a restart (the status store keeps it): the engine
    publishes `tripped` for the repository as it starts, and the views show that state."""

    async def trip_origin_of_mine() -> None:
        api = await Api.open()
        try:
            mine = await api.core.store.repo("mine")
            now = utcnow()
            failure = RemoteFailure("origin", 3, now, now, tripped_until=now + timedelta(hours=1))
            await api.core.store.remote_health.save_failure(mine.id, failure, "repository not found")
        finally:
            await api.close()

    run(trip_origin_of_mine())
    desktop = run(start_desktop(opened))
    try:
        mine = run(desktop.api.core.store.repo("mine"))
        run(until(lambda: desktop.window.repos.row_for(mine.id).state == "tripped"))  # type: ignore[union-attr]
        run(stored_states_become(desktop, {"tripped", "idle"}))
        assert desktop.tray.state is TrayState.ATTENTION
        assert "1 with a tripped remote" in desktop.window.summary.full_text()
        row = desktop.window.repos.row_for(mine.id)
        assert row is not None and row.activity().startswith("Tripped: a remote keeps failing")
        assert run(desktop.api.snapshot()).repos[0].state == "tripped"  # mine, first by name
    finally:
        run(stop_desktop(desktop))


def test_unreachable_remotes_show_offline_once_in_the_window_and_the_tray(
    run: Run, desktop: Desktop, world: Clones, refused_port: int
) -> None:
    dead = f"git://127.0.0.1:{refused_port}/gone.git"  # every connection is refused
    for clone in (world.mine, world.theirs):
        git("remote", "set-url", "origin", dead, cwd=clone)
    run(desktop.refresh())
    for view in desktop.window.repos.rows:  # the scheduler's own fetches, within a second or two
        run(desktop.api.set_repo_settings(view.id, {"fetch_interval": "1"}))
    run(until(lambda: shown_states(desktop) == {"offline"}))
    run(stored_states_become(desktop, {"offline"}))
    assert desktop.tray.state is TrayState.OFFLINE  # said once, not a failure per repository
    assert "offline" in desktop.window.summary.full_text().split("  ·  ")
    # "Sync all" counts them offline, not as needing the user (issue 18, defect 7).
    desktop.tray.sync_all_action.trigger()
    _title, text = run(next_emit(desktop.tray.notified, lambda title, _text: title == "Sync all finished"))
    assert text == "0 of 2 repositories synced; 2 offline"
    # The scheduler fetches each second meanwhile: the tray says syncing while one runs.
    run(until(lambda: desktop.tray.state is not TrayState.SYNCING))
    assert desktop.tray.state is TrayState.OFFLINE
    run(desktop.api.pause())  # no fetch starts while the app quits (it would be cut short)


def test_pause_one_repository_and_all_for_an_hour_survive_a_restart(
    run: Run, world: Clones, opened: list[str]
) -> None:
    """The tray's per-repository pause holds `mine` alone; "Pause for 1 hour" holds all.
    Both are saved: a new desktop on the same data shows them, and resuming works there.
    (It once timed out and at times took 32 s: steps of its tasks ran while the loop stood
    between two `run`s, a pause's handler died half-way and a worker lost an auto sync's
    job, whose stop then waited out the final sync's bound; see gui/event_loop.py.)"""
    desktop = run(start_desktop(opened))
    try:
        mine = run(desktop.api.core.store.repo("mine"))
        theirs = run(desktop.api.core.store.repo("theirs"))
        pause_mine = desktop.tray.repo_menus[mine.id].actions()[-1]
        pause_mine.trigger()
        run(until(lambda: states_by_name(desktop) == {"mine": "paused", "theirs": "idle"}))
        assert pause_mine.text() == "Resume syncing this repository"
        desktop.window.select_repo(mine.id)  # the detail pane says the mode and the pause
        run(until(lambda: "paused" in desktop.window.mode_note.text()))
        assert desktop.window.mode_note.text().startswith("Manual sync")
        run(desktop.api.set_repo_settings(mine.id, {"sync_mode": "auto"}))
        run(shows_mode(desktop, mine.id, "Automatic sync"))
        assert "syncing paused" not in desktop.window.summary.full_text()  # one repository only
        desktop.tray.pause_hour_action.trigger()
        run(until(lambda: shown_states(desktop) == {"paused"}))
        assert desktop.window.pause_action.isChecked() and not desktop.tray.pause_hour_action.isVisible()
        until_text = run(desktop.api.paused())
        assert until_text.isdigit() and int(until_text) > 0
    finally:
        run(desktop.stop())
        run(desktop.api.close())

    again = run(start_desktop(opened))
    try:
        run(until(lambda: shown_states(again) == {"paused"}))
        assert again.window.pause_action.isChecked()
        assert again.tray.repo_menus[mine.id].actions()[-1].text() == "Resume syncing this repository"
        assert again.tray.repo_menus[theirs.id].actions()[-1].text() == "Pause syncing this repository"
        again.tray.pause_action.trigger()  # resume all: `mine` keeps its own pause
        run(until(lambda: states_by_name(again) == {"mine": "paused", "theirs": "idle"}))
        again.tray.repo_menus[mine.id].actions()[-1].trigger()
        run(until(lambda: shown_states(again) == {"idle"}))
        assert run(again.api.paused()) == "" and run(again.api.paused(mine.id)) == ""
    finally:
        run(again.stop())
        run(again.api.close())
    world.check()


async def shows_mode(desktop: Desktop, repo_id: int, start: str) -> None:
    """Until the detail pane, loaded again, starts with `start` (a load a background fetch's
    end started before the change may land after one started since)."""
    while not desktop.window.mode_note.text().startswith(start):
        await desktop.load_details(repo_id)
        await asyncio.sleep(0.05)


def states_by_name(desktop: Desktop) -> dict[str, str]:
    return {view.name: view.state for view in desktop.window.repos.rows}


def test_sync_all_with_no_repository_is_not_offered_not_0_of_0(run: Run, desktop: Desktop) -> None:
    """Nothing registered: the tray says so and does not offer Sync all (it once said
    "0 of 0 synced"; then it answered with a notice, where Sync now is simply disabled)."""
    assert not desktop.tray.sync_all_action.isEnabled()
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    run(desktop.sync_all())  # reached anyway (a stale shortcut): a notice, never "0 of 0"
    assert notified == [("Sync all", "No repositories to sync yet: add one in Settings.")]
    assert desktop.tray.icon.toolTip() == "Gitferry: no repositories yet"


def test_a_remote_tripped_for_never_answering_is_offline_not_a_failure_notice(
    run: Run, desktop: Desktop
) -> None:
    """With every remote down the breaker trips each in turn: that is being offline, said
    once by the tray, not a "keeps failing" warning per repository."""
    records = [
        RepoRecord(7, "down", "/d", "offline", last_result="offline", last_message="connection refused"),
        RepoRecord(8, "refusing", "/r", "idle", last_result="error", last_message="repository not found"),
    ]
    desktop.window.show_repos(records, {}, {})
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    until_ = utcnow() + timedelta(hours=1)
    desktop.bridge.remote_tripped.emit(RemoteTripped(7, "down", "origin", until_))
    desktop.bridge.remote_tripped.emit(RemoteTripped(8, "refusing", "origin", until_))
    assert [title for title, _text in notified] == ["refusing: origin keeps failing"]


def test_state_changes_in_one_pass_update_the_tray_once_with_the_last_of_them(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """Fifty fetches at once publish a hundred state changes a cycle: the tray (icon,
    tooltip, every repository's submenu title) follows once per event loop pass, and
    shows where the last of them left the repositories."""
    run(desktop.refresh())
    run(until(lambda: not desktop._tray_due))
    shown: list[set[str]] = []
    show = desktop.tray.show_repos_state
    desktop.tray.show_repos_state = lambda views: (  # type: ignore[method-assign]
        shown.append({str(view.state) for view in views}),
        show(views),
    )[1]
    rows = list(desktop.window.repos.rows)
    for _round in range(10):
        for view in rows:
            desktop._state_changed(StateChanged(view.id, view.name, RepoState.IDLE, RepoState.FETCHING, 0.0))
        for view in rows[1:]:
            desktop._state_changed(StateChanged(view.id, view.name, RepoState.FETCHING, RepoState.IDLE, 1.0))
    assert shown == []  # not yet: once the loop comes round
    run(until(lambda: not desktop._tray_due))
    assert shown == [{"fetching", "idle"}]
    assert desktop.tray.state is TrayState.SYNCING


def test_past_a_dozen_repositories_their_submenus_go_into_one_submenu(qtbot: object) -> None:
    """User trial with 50 repositories: the tray menu listed 50 submenus, two screen-high
    columns with Pause and Quit at the foot of the second."""
    from gui.tray import INLINE_REPOS, Tray

    tray = Tray()
    records = [RepoRecord(i, f"proj-{i:02}", f"/r/{i}", last_result="ok") for i in range(1, 51)]
    views = [RepoView(record, "idle") for record in records]  # up to date: the bare names
    tray.set_repos(views)
    visible = [a for a in tray.menu.actions() if a.isVisible() and not a.isSeparator()]
    assert [a.text() for a in visible][:2] == ["Sync all now", "Repositories (50)"]
    assert len(visible) == 8 and visible[-1].text() == "Quit Gitferry"
    assert [a.text() for a in tray.repos_menu.actions()] == [v.name for v in views]
    tray.set_repos(views[:INLINE_REPOS])  # a dozen: listed in the menu itself again
    assert not tray.repos_menu.menuAction().isVisible() and not tray.repos_menu.actions()
    listed = [a.text() for a in tray.menu.actions() if a.isVisible() and not a.isSeparator()]
    assert listed[1 : INLINE_REPOS + 1] == [v.name for v in views[:INLINE_REPOS]]
    assert listed[INLINE_REPOS + 1] == "Pause syncing"


def test_sync_all_says_who_needs_you_in_its_one_notice(run: Run, desktop: Desktop, world: Clones) -> None:
    """User trial: Sync all over 50 repositories, 10 of them stopping on a conflict, sent 11
    notifications, a conflict notice each and then the summary."""
    world.commit(world.theirs, "a.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "mine\n")
    run(desktop.refresh())
    notices: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notices.append((title, text)))
    desktop.tray.sync_all_action.trigger()
    run(until(lambda: bool(notices) and notices[-1][0] == "Sync all finished"))
    mine = run(desktop.api.core.store.repo("mine"))
    run(until(lambda: desktop.window.repos.row_for(mine.id).record.last_result == "conflict"))
    run(asyncio.gather(*desktop._handlers))  # every engine event handled: no notice comes later
    assert notices == [("Sync all finished", "1 of 2 repositories synced; 1 needs you: mine")]
    world.check()


def test_conflicts_outside_sync_all_within_a_few_seconds_send_one_notice(
    run: Run, desktop: Desktop, world: Clones, tmp_path: Path
) -> None:
    """User trial: auto-mode repositories conflicting within the same few seconds sent a
    desktop notice each. Both clones stop on a conflict, each synced on its own (its
    tray submenu's Sync): the notices wait out the window and go as one, naming both."""
    third = tmp_path / "third"
    git("clone", "-q", str(world.bare), str(third))
    commit_file(third, "a.txt", "third\n")
    git("push", "-q", "origin", "main", cwd=third)
    world.commit(world.mine, "a.txt", "mine\n")
    world.commit(world.theirs, "a.txt", "theirs\n")
    run(desktop.refresh())
    desktop.attention = AttentionNotices(desktop.tray, window_ms=600_000, parent=desktop)  # ends below
    notices: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notices.append((title, text)))
    ids = [run(desktop.api.core.store.repo(name)).id for name in ("mine", "theirs")]
    for repo_id in ids:
        desktop.tray.repo_menus[repo_id].actions()[0].trigger()  # Sync
    stopped = lambda: all(desktop.window.repos.row_for(i).record.last_result == "conflict" for i in ids)  # noqa: E731
    run(until(stopped))
    run(until(lambda: desktop.attention.waiting == ["mine", "theirs"]))
    run(asyncio.gather(*desktop._handlers))
    assert notices == []  # held while the window is open (a conflict notice each, before)
    desktop.attention.flush()  # the window's end (its timer's timeout)
    assert notices == [("2 repositories need you", "Conflict: mine, theirs")]
    for clone in (world.mine, world.theirs):  # git's view: each stopped short, nothing changed
        assert git("rev-list", "--count", "origin/main..main", cwd=clone) == "1"
    world.check()


def test_a_notice_waiting_for_its_window_is_sent_at_quit(run: Run, desktop: Desktop, world: Clones) -> None:
    """A conflict's notice waits a few seconds for others to group with it; a Quit within
    them dropped it. Now it goes as the app quits, before the tray and the bus close."""
    world.commit(world.theirs, "a.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "mine\n")
    run(desktop.refresh())
    desktop.attention = AttentionNotices(desktop.tray, window_ms=600_000, parent=desktop)  # open at Quit
    notices: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notices.append((title, text)))
    mine = run(desktop.api.core.store.repo("mine")).id
    desktop.tray.repo_menus[mine].actions()[0].trigger()  # Sync
    run(until(lambda: desktop.attention.waiting == ["mine"]))
    assert notices == []
    run(desktop.quit())
    assert notices == [("mine: conflict", "Resolve a.txt in mine.")], notices
    assert desktop.attention.waiting == []
    assert git("rev-list", "--count", "origin/main..main", cwd=world.mine) == "1"  # git: left as it was
    world.check()


def test_one_conflict_alone_in_its_window_is_said_as_it_was(run: Run, desktop: Desktop) -> None:
    notices: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notices.append((title, text)))
    attention = AttentionNotices(desktop.tray, window_ms=0, parent=desktop)
    attention.add("mine", CONFLICT, "mine: conflict", "Resolve a.txt in mine.")
    attention.add("mine", CONFLICT, "mine: conflict", "Resolve a.txt, b.txt in mine.")  # its latest
    run(until(lambda: bool(notices)))
    assert notices == [("mine: conflict", "Resolve a.txt, b.txt in mine.")]
    for name in ("b", "c", "d", "e"):
        attention.add(name, CONFLICT, f"{name}: conflict", "")
    attention.add("a", SIGN_IN, "a: sign-in needed", "")
    run(until(lambda: len(notices) == 2))
    assert notices[1] == ("5 repositories need you", "Conflict: b, c, d…; Sign-in needed: a")
