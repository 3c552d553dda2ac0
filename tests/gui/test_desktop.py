"""The desktop app against a real core, real repositories and a `git daemon` remote."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from core.api import Api, SyncReport
from core.events import PhaseProgress
from core.git.locks.sync_lock import acquire_sync_lock
from gui.desktop import Desktop
from gui.models.repos import RESULT_COLUMN
from gui.models.table_model import ROW_ROLE
from gui.resources import TrayState
from gui.windows.status_window import StatusWindow
from tests.gitcli import ahead_behind, git, refs
from tests.gui.conftest import Run, start_desktop, stop_desktop, sync_from_the_window
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli
from tests.integration.test_branches_a_sync_leaves import drafts_behind
from tests.servers import Remote
from tests.servers.faults import CuttingProxyFactory
from tests.servers.host import LOOPBACK


def result_cell(desktop: Desktop, repo_id: int) -> str:
    model = desktop.window.repos
    position = model.position_of(repo_id)
    assert position is not None
    return str(model.data(model.index(position, RESULT_COLUMN)))


def shown_branches(desktop: Desktop) -> dict[str, tuple[int | None, int | None]]:
    model = desktop.window.branches
    return {b.name: (b.ahead, b.behind) for b in model.rows}


async def fetched_in_the_background(desktop: Desktop, repo_id: int) -> None:
    """The scheduler's own fetch, as a user who set a one-second interval would get it."""
    finished = asyncio.ensure_future(next_emit(desktop.bridge.sync_finished, lambda e: e.repo_id == repo_id))
    await desktop.api.set_repo_settings(repo_id, {"fetch_interval": "1"})
    await finished


def test_branch_table_shows_what_git_rev_list_counts(run: Run, opened: list[str], world: Clones) -> None:
    for i in range(3):
        world.commit(world.theirs, f"t{i}.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("checkout", "-q", "-b", "topic", cwd=world.mine)
    world.commit(world.mine, "topic.txt", "topic\n")
    git("push", "-q", "-u", "origin", "topic", cwd=world.mine)
    world.commit(world.mine, "topic2.txt", "more\n")
    git("checkout", "-q", "main", cwd=world.mine)
    world.commit(world.mine, "m.txt", "mine\n")
    desktop = run(start_desktop(opened))
    try:
        mine = run(desktop.api.core.store.repo("mine"))
        run(fetched_in_the_background(desktop, mine.id))
        desktop.window.select_repo(mine.id)
        run(until(lambda: set(shown_branches(desktop)) == {"main", "topic"}))
        for branch in ("main", "topic"):
            expected = ahead_behind(world.mine, branch, f"origin/{branch}")
            assert shown_branches(desktop)[branch] == expected
        assert shown_branches(desktop)["main"] == (1, 3)
        # The proxy's rows are what the user sees: same numbers, in the table's cells.
        proxy = desktop.window.branch_table.model()
        cells = {
            proxy.index(r, 0).data(): (proxy.index(r, 2).data(), proxy.index(r, 3).data()) for r in range(2)
        }
        assert cells == {"main": ("1", "3"), "topic": ("1", "0")}
        # The fetch itself went fine; the summaries say what the table says (issue 18, defect 3).
        # Both branches that differ, not the first alone (issue 18's user trial).
        run(until(lambda: result_cell(desktop, mine.id) == "main diverged, 1 more to sync"))
        said = "main diverged, 1 more to sync  ·  main: 1 ahead, 3 behind  ·  topic: 1 ahead"
        assert desktop.window.progress.phase.text().startswith(said)
        assert desktop.tray.state is TrayState.WARNING
        assert "mine: main diverged, 1 more to sync" in desktop.tray.icon.toolTip().splitlines()
    finally:
        run(desktop.api.pause())  # no fetch starts while the app quits (it would be cut short)
        run(stop_desktop(desktop))
    world.check()


def test_clicking_sync_sends_the_commit_and_updates_the_table_in_place(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    pushed = world.commit(world.mine, "b.txt", "mine\n")
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    window = desktop.window
    window.select_repo(mine.id)
    selected_before = window.repo_table.selectionModel().selectedRows()[0].data(ROW_ROLE).id
    rows_inserted: list[int] = []
    window.branches.rowsInserted.connect(lambda *_: rows_inserted.append(1))
    window.sync_action.trigger()  # the toolbar's "Sync now", as a click would
    _repo_id, report = run(next_emit(desktop.synced))
    assert report.result.value == "ok" and report.pushed == ["main"]
    assert world.remote_head() == pushed
    run(until(lambda: shown_branches(desktop).get("main") == (0, 0)))
    assert window.repo_table.selectionModel().selectedRows()[0].data(ROW_ROLE).id == selected_before
    run(until(lambda: window.repos.row_for(mine.id).record.last_result == "ok"))  # type: ignore[union-attr]
    assert window.progress.phase.text().startswith("Up to date  ·  Last sync: ")
    world.check()


def test_cancel_mid_fetch_leaves_the_repository_consistent(
    git_daemon: Remote, cutting_proxy: CuttingProxyFactory, run: Run, desktop: Desktop, world: Clones
) -> None:
    world.push_big_commit()
    proxy = cutting_proxy(LOOPBACK, git_daemon.port, 1 << 40, pace_seconds=0.02)
    world.theirs_through(proxy)
    before = refs(world.theirs)
    run(desktop.refresh())
    theirs = run(desktop.api.core.store.repo("theirs"))
    window = desktop.window
    window.select_repo(theirs.id)
    window.sync_action.trigger()
    run(next_emit(desktop.bridge.progress, lambda e: isinstance(e, PhaseProgress) and e.phase == "receiving"))
    assert window.progress.cancel.isEnabled() and window.progress.bar.isVisible()
    assert "Receiving objects" in window.progress.phase.text()
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    window.progress.cancel.click()
    _repo_id, report = run(next_emit(desktop.synced))
    assert report.message == "cancelled"
    run(until(lambda: not window.progress.cancel.isEnabled()))
    # The user's own Cancel is no error (issue 18, defect 11).
    assert notified == [("theirs: sync cancelled", "The repository was left as it was before the sync.")]
    run(until(lambda: result_cell(desktop, theirs.id) == "Cancelled"))
    assert window.progress.phase.text() == "Cancelled"
    assert desktop.tray.state is not TrayState.ATTENTION
    # The transfer's thread stops at its next progress report and lets go of the sync lock.
    lock = acquire_sync_lock(world.theirs / ".git", wait=10, repo_path=str(world.theirs))
    lock.release()
    assert refs(world.theirs) == before
    assert not list((world.theirs / ".git" / "objects" / "pack").glob("tmp_*"))
    world.check()


def test_an_auto_commit_sync_lists_a_too_large_file_in_the_skipped_panel(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"auto_commit": "true", "max_file_size": "1048576"}))
    (world.mine / "notes.md").write_text("a note\n")
    (world.mine / "video.bin").write_bytes(b"\0" * (2 * 1024 * 1024))
    skipped_events: list[object] = []
    desktop.bridge.file_skipped.connect(skipped_events.append)
    report, notified = sync_from_the_window(run, desktop, mine.id)
    window = desktop.window
    assert report.result.value == "ok" and report.committed == 1
    assert git("show", "--name-only", "--format=", "origin/main", cwd=world.mine) == "notes.md"
    run(until(lambda: [s.path for s in window.skipped.rows] == ["video.bin"]))
    assert window.skipped.rows[0].reason == "too_large" and window.tabs.tabText(2) == "Skipped files (1)"
    assert [getattr(e, "path", None) for e in skipped_events] == ["video.bin"]
    # Not "Ok … pushed main" and an idle tray: a warning (issue 18, defect 10).
    run(until(lambda: result_cell(desktop, mine.id) == "1 file skipped"))
    assert window.progress.phase.text().startswith("1 file skipped")
    assert desktop.tray.state is TrayState.WARNING
    assert "mine: 1 file skipped" in desktop.tray.icon.toolTip()
    said = ("mine synced; 1 file skipped", "Pushed main. See Skipped files in the status window.")
    assert notified == [said]
    world.check()


def test_a_sync_that_only_skipped_a_file_says_so_without_up_to_date(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """Before: "Already up to date.. See Skipped files in the status window." (docs/walk.sh)."""
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"auto_commit": "true", "max_file_size": "1048576"}))
    (world.mine / "video.bin").write_bytes(b"\0" * (2 * 1024 * 1024))
    report, notified = sync_from_the_window(run, desktop, mine.id)
    assert report.result.succeeded and not report.pushed and report.committed == 0
    assert notified == [("mine synced; 1 file skipped", "See Skipped files in the status window.")]
    world.check()


def test_a_sync_that_leaves_a_branch_behind_never_notifies_already_up_to_date(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """SPEC: never "up to date" with a branch behind. The notice of a sync that moved
    nothing and left drafts behind (not checked out) said "Already up to date."."""
    drafts_behind(world)
    mine = run(desktop.api.core.store.repo("mine"))
    report, notified = sync_from_the_window(run, desktop, mine.id)
    assert report.result.succeeded and not report.pushed and not report.fast_forwarded, report
    assert notified == [("mine synced", "drafts: 1 behind, not checked out")]
    world.check()


def moved_submodule_synced(run: Run, desktop: Desktop, world: Clones) -> tuple[int, Path, SyncReport]:
    """`mine` with a submodule deps/lib (one file, lib.txt) checked out one commit past the
    recorded one, synced from the window: its id, the submodule's folder, the report."""
    library = world.mine.parent / "library"
    git("init", "-q", "-b", "main", str(library))
    (library / "lib.txt").write_text("one\n")
    git("add", "lib.txt", cwd=library)
    git("commit", "-q", "-m", "one", cwd=library)
    git("submodule", "add", "-q", str(library), "deps/lib", cwd=world.mine)
    git("commit", "-q", "-m", "a submodule", cwd=world.mine)
    inner = world.mine / "deps" / "lib"
    git("commit", "-q", "--allow-empty", "-m", "two", cwd=inner)  # moved, not recorded
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    desktop.window.select_repo(mine.id)
    desktop.window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    return mine.id, inner, report


def test_a_submodule_off_its_recorded_commit_shows_in_the_detail_pane(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    _mine, _inner, report = moved_submodule_synced(run, desktop, world)
    mine = run(desktop.api.core.store.repo("mine"))
    window = desktop.window
    assert report.result.value == "ok" and [s["state"] for s in report.submodules] == ["modified"]
    run(until(lambda: not window.submodule_note.isHidden()))
    text = window.submodule_note.text()
    assert "deps/lib" in text and git("rev-parse", "HEAD", cwd=world.mine / "deps" / "lib")[:10] in text
    # the way on is said (a newcomer's trial: the line ended on the two hashes), and it works
    assert text.endswith(": git submodule update checks out the recorded one"), text
    git("submodule", "update", "-q", cwd=world.mine)
    assert git("submodule", "status", cwd=world.mine)[0] not in "+-U"  # back where it is recorded
    again = run(desktop.api.sync(mine.id))
    assert [s["state"] for s in again.submodules] == ["ok"], again
    run(desktop.load_details(mine.id))
    assert window.submodule_note.isHidden()
    world.check()


def test_a_submodule_off_its_commit_or_changed_is_never_up_to_date(
    run: Run, desktop: Desktop, world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """The GUI trial: a submodule off its recorded commit, or with local changes, read "Up to
    date" and the detail said nothing of the changes. The row, the header and the note say
    what `gitferry status` says, `git submodule status` and `git status` the referees."""
    _id, inner, report = moved_submodule_synced(run, desktop, world)
    mine = run(desktop.api.core.store.repo("mine"))
    window = desktop.window
    assert report.result.value == "ok", report.message
    assert git("submodule", "status", cwd=world.mine).startswith("+")  # off its recorded commit
    off = "Submodule deps/lib: not at the recorded commit"
    run(until(lambda: window.repos.row_for(mine.id).standing().text == off))  # type: ignore[union-attr]
    assert window.progress.phase.text().startswith(off)
    code, said, _err = cli(capsys, "status", "mine")
    assert code == 0 and "submodule deps/lib: checks out" in said, said

    git("checkout", "-q", "HEAD~1", cwd=inner)  # back where it is recorded, then edited
    (inner / "lib.txt").write_text("my edit\n")
    assert git("submodule", "status", cwd=world.mine)[0] not in "+-U"  # at its recorded commit
    assert " S.M. " in git("status", "--porcelain=v2", cwd=world.mine)  # "modified content"
    window.sync_action.trigger()
    run(next_emit(desktop.synced))
    changed = "Submodule deps/lib: has local changes"
    run(until(lambda: window.repos.row_for(mine.id).standing().text == changed))  # type: ignore[union-attr]
    assert window.progress.phase.text().startswith(changed)
    assert "has local changes: commit or discard them" in window.submodule_note.text()
    assert "Up to date" not in window.summary.full_text()
    code, said, _err = cli(capsys, "status", "mine")
    assert code == 0 and "submodule deps/lib: has local changes" in said, said

    git("checkout", "-q", "lib.txt", cwd=inner)  # discarded: up to date again
    run(desktop.api.sync(mine.id))
    run(until(lambda: window.repos.row_for(mine.id).standing().in_sync))  # type: ignore[union-attr]
    run(until(lambda: window.submodule_note.isHidden()))
    world.check()


@pytest.mark.slow
async def painted_with_mine_selected(api: Api) -> tuple[StatusWindow, int]:
    """The window as gui.app paints it, before the desktop exists: the store's picture,
    `mine` selected (its id returned)."""
    mine = await api.core.store.repo("mine")
    snapshot = await api.snapshot()
    window = StatusWindow()
    window.show_repos(snapshot.repos, snapshot.branches, snapshot.conflicts, snapshot.skipped)
    window.select_repo(mine.id)
    return window, mine.id


def test_the_repository_selected_at_first_paint_shows_its_details(
    run: Run, world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """As gui.app paints it: the window shows the store's picture (and selects a repository)
    before the desktop exists, so the selection's signal goes unheard. Before: the selected
    repository's sync mode line (and skipped files, submodules, conflicts) stayed empty
    until another was chosen (docs/walk.sh's first shot)."""

    assert cli(capsys, "pause")[0] == 0  # no sync and no fetch finishes to load the details meanwhile

    async def scenario() -> str:
        api = await Api.open()
        window, _mine = await painted_with_mine_selected(api)
        desktop = Desktop(api, window=window)
        await desktop.start(show_window=True)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until(lambda: window.mode_note.text() != ""), 10)
            return window.mode_note.text()
        finally:
            window.hide()
            await desktop.stop()
            await api.close()

    assert run(scenario(), 30).startswith("Manual sync")


def test_sync_now_clicked_before_the_desktop_listens_is_not_lost(run: Run, world: Clones) -> None:
    """As gui.app paints it: the window is shown, its buttons enabled, while the engine is
    imported and the desktop made. A user trial's Sync now clicked then did nothing at all
    (the remote's commit never came in, nothing said why); now it is run once the desktop
    listens. git is the referee."""
    theirs = world.commit(world.theirs, "t.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)

    async def scenario() -> SyncReport:
        api = await Api.open()
        window, mine = await painted_with_mine_selected(api)
        window.sync_action.trigger()  # nobody listens yet
        desktop = Desktop(api, window=window)
        synced = asyncio.ensure_future(next_emit(desktop.synced, lambda repo_id, _report: repo_id == mine))
        await desktop.start(show_window=True)
        try:
            _repo_id, report = await asyncio.wait_for(synced, 20)
            return report
        finally:
            window.hide()
            await desktop.stop()
            await api.close()

    report = run(scenario(), 40)
    assert report.result.value == "ok"
    assert git("rev-parse", "main", cwd=world.mine) == theirs
    world.check()


def test_a_submodule_checked_out_with_git_leaves_the_window_without_a_sync(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """A trial: "Submodule deps/lib is not checked out" stayed after the user's own `git
    submodule update --init` until the next sync or fetch (300 s). The daemon's look at
    `.git` sees its config and modules move and measures again; no sync runs."""
    mine, _inner, _report = moved_submodule_synced(run, desktop, world)
    git("submodule", "deinit", "-q", "-f", "deps/lib", cwd=world.mine)
    assert git("submodule", "status", cwd=world.mine).startswith("-")  # git: not initialised
    run(desktop.api.set_repo_settings(mine, {"fetch_interval": "3600"}))
    desktop.window.sync_action.trigger()
    run(next_emit(desktop.synced))
    window = desktop.window
    run(
        until(
            lambda: (
                "is not checked out" in window.submodule_note.text() and not window.submodule_note.isHidden()
            )
        )
    )
    runs = len(run(desktop.api.core.store.runs(mine, 100)))

    git("submodule", "update", "-q", "--init", cwd=world.mine)
    assert git("submodule", "status", cwd=world.mine)[0] not in "+-U"  # git: checked out, as recorded
    run(until(lambda: window.submodule_note.isHidden()))
    assert len(run(desktop.api.core.store.runs(mine, 100))) == runs  # no sync, no fetch did it
