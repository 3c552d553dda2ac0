"""The Conflicts and History tabs: what they say is true, every control named and
reachable by keyboard, and the way forward from a conflict driven through the window
against a `git daemon` remote (use theirs, keep both, merge tool, editor, finish,
abort, undo), the remote and `git fsck` checked after each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from core.model import ConflictRecord
from core.results import ResultKind
from gui.desktop import Desktop
from gui.models.repos import RESULT_COLUMN
from gui.widgets.conflicts_panel import ConflictsPanel
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.gui.test_status_window import NOW, window_with_two_repos
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones, porcelain
from tests.integration.test_resolve_conflicts import (
    MINE_BIN,
    MINE_TEXT,
    THEIRS_BIN,
    THEIRS_TEXT,
    commit_bytes,
    show,
)
from tests.integration.test_resolve_rebase_steps import three_commits


def test_the_hint_never_says_no_conflicts_above_listed_conflicts(qtbot: object) -> None:
    """Defect 4: "No conflicts: every branch integrated cleanly." stood above the list."""
    window = window_with_two_repos(qtbot)
    window.select_repo(2)
    assert [c.path for c in window.conflicts.rows] == ["a.txt"]
    assert "No conflicts" not in window.conflict_hint.text()
    assert "1 conflicted path" in window.conflict_hint.text()
    window.select_repo(1)
    assert window.conflict_hint.text() == "No conflicts. A sync that stops on one lists its files here."


def test_every_control_is_named_and_the_tab_key_leaves_the_table(qtbot: object) -> None:
    window = window_with_two_repos(qtbot)
    window.show()
    window.select_repo(2)
    for panel in (window.conflicts_panel, window.history_panel):
        for control in panel.findChildren(QPushButton):
            assert control.accessibleName(), control.text()
            assert control.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert window.conflicts_panel.table.accessibleName() and window.history_panel.tree.accessibleName()
    window.tabs.setCurrentIndex(1)
    panel = window.conflicts_panel
    panel.table.setFocus()
    qtbot.waitUntil(panel.table.hasFocus)  # type: ignore[attr-defined]
    reached: list[QWidget | None] = []
    for _ in range(12):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert panel.open_folder in reached  # Tab moved on out of the table, to the buttons
    assert panel.table.selectionModel().selectedRows()[0].row() == 0  # and left the selection alone


def _conflict(world: Clones) -> None:
    commit_bytes(world.theirs, {"img.bin": b"\x89PNG\0base"}, "base image")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("pull", "-q", "--ff-only", cwd=world.mine)
    commit_bytes(world.theirs, {"a.txt": THEIRS_TEXT.encode(), "img.bin": THEIRS_BIN}, "theirs")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    commit_bytes(world.mine, {"a.txt": MINE_TEXT.encode(), "img.bin": MINE_BIN}, "mine")
    world.remember()


def _stopped(run: Run, desktop: Desktop, world: Clones) -> tuple[ConflictsPanel, str, str]:
    run(desktop.refresh())
    _conflict(world)
    mine_id = run(desktop.api.core.store.repo("mine")).id
    desktop.window.select_repo(mine_id)
    desktop.window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert report.result is ResultKind.CONFLICT
    panel = desktop.window.conflicts_panel
    run(until(lambda: panel.resolution is not None and len(panel.resolution.paths) == 2))
    return panel, world.head(world.mine), world.remote_head()


@pytest.mark.slow
def test_a_rebase_of_three_commits_is_resolved_commit_by_commit(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """Under `pull.rebase` the window says which local commit's conflicts are listed (n of
    m, its subject); Finish replays it and the clean one after it and lists the third's;
    Finish again replays that and syncs."""
    run(desktop.refresh())
    mine = three_commits(world)
    theirs = world.remote_head()
    desktop.window.select_repo(run(desktop.api.core.store.repo("mine")).id)
    desktop.window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert report.result is ResultKind.CONFLICT
    panel = desktop.window.conflicts_panel
    run(until(lambda: panel.resolution is not None and bool(panel.resolution.paths)))
    assert "replaying commit 1 of 3, “mine first”: 0 of 1 resolved" in panel.hint.text()
    _select(panel, "a.txt")
    panel.use_mine.click()
    run(until(lambda: _choice(panel, "a.txt") == "mine"))
    panel.finish.click()
    assert panel.status.text() == "Replaying the commits and syncing…"  # no merge is committed
    run(until(lambda: "stops on conflicts of its own" in panel.status.text()))
    assert (
        panel.status.text() == "Commit 3 of 3 stops on conflicts of its own: resolve them, then Finish again."
    )
    assert "replaying commit 3 of 3, “mine third”: 0 of 1 resolved" in panel.hint.text()
    assert [c.path for c in desktop.window.conflicts.rows] == ["c.txt"]
    assert world.head(world.mine) == mine[-1] and porcelain(world.mine) == ""
    _select(panel, "c.txt")
    panel.use_mine.click()
    run(until(lambda: _choice(panel, "c.txt") == "mine"))
    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    run(until(lambda: "rebased as" in panel.status.text()))
    head = world.head(world.mine)
    assert world.remote_head() == head and porcelain(world.mine) == ""
    subjects = git("log", "--format=%s", f"{theirs}..{head}", cwd=world.mine).splitlines()
    assert subjects == ["mine third", "mine second", "mine first"]
    world.check()


def _select(panel: ConflictsPanel, path: str) -> None:
    proxy = panel.table.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == path:
            panel.table.selectRow(row)
            return
    raise AssertionError(f"{path} is not listed")


def _marked(panel: ConflictsPanel) -> dict[str, str]:
    """The listed paths shown with a mark, and their tooltips."""
    proxy = panel.table.model()
    cells = [proxy.index(row, 0) for row in range(proxy.rowCount())]
    return {
        str(cell.data()): str(cell.data(Qt.ItemDataRole.ToolTipRole))
        for cell in cells
        if cell.data(Qt.ItemDataRole.DecorationRole) is not None
    }


def _choice(panel: ConflictsPanel, path: str) -> str | None:
    assert panel.resolution is not None
    return next(p.choice for p in panel.resolution.paths if p.path == path)


@pytest.mark.slow
def test_use_theirs_keep_both_finish_then_undo_is_not_offered(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    panel, mine, theirs = _stopped(run, desktop, world)
    assert "No conflicts" not in panel.hint.text() and "0 of 2 resolved" in panel.hint.text()
    _select(panel, "a.txt")
    assert "+TWO mine" in panel.mine_view.toPlainText() and "+TWO theirs" in panel.theirs_view.toPlainText()
    assert not panel.finish.isEnabled()
    set_again: list[str] = []  # a refresh paints the panel again: the diffs shown stay as they are
    for view in (panel.mine_view, panel.theirs_view):
        view.textChanged.connect(lambda: set_again.append("diff"))
    run(desktop.refresh())
    assert set_again == [] and "+TWO mine" in panel.mine_view.toPlainText()
    assert _marked(panel) == {}
    desktop.window.tabs.setCurrentIndex(1)  # the Conflicts tab, shown
    desktop.window.activateWindow()
    panel.use_theirs.setFocus()
    run(until(panel.use_theirs.hasFocus))
    QTest.keyClick(panel.use_theirs, Qt.Key.Key_Space)  # by keyboard
    run(until(lambda: _choice(panel, "a.txt") == "theirs"))
    assert panel.use_theirs.hasFocus()  # it was handed on to Open folder: a second Space opened it
    assert _marked(panel) == {"a.txt": "Resolved: theirs"}  # which one is left, seen in the list
    _select(panel, "img.bin")
    assert panel.sides.currentWidget() is panel.binary_sides
    assert panel.binary_cells["ours.size"].text() == f"{len(MINE_BIN)} B"
    assert panel.binary_cells["theirs.size"].text() == f"{len(THEIRS_BIN)} B"
    assert panel.binary_cells["theirs.when"].text()
    panel.keep_both.click()
    run(until(lambda: _choice(panel, "img.bin") == "both"))
    assert panel.finish.isEnabled() and "2 of 2 resolved" in panel.hint.text()
    assert _marked(panel) == {"a.txt": "Resolved: theirs", "img.bin": "Resolved: keep both"}

    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    head = world.head(world.mine)
    assert world.remote_head() == head
    assert git("log", "-1", "--format=%P", head, cwd=world.mine) == f"{mine} {theirs}"
    assert show(world.mine, head, "a.txt") == THEIRS_TEXT.encode()
    copies = [
        p for p in git("ls-tree", "--name-only", head, cwd=world.mine).splitlines() if "(conflict " in p
    ]
    assert len(copies) == 1 and show(world.mine, head, copies[0]) == MINE_BIN
    assert porcelain(world.mine) == ""
    assert panel.hint.text() == "No conflicts. A sync that stops on one lists its files here."
    # What Finish did is said, and stays said when the sync's end reloads the details
    run(until(lambda: "merged as" in panel.status.text()))
    run(desktop.load_details(run(desktop.api.core.store.repo("mine")).id))
    assert f"main merged as {head[:10]}" in panel.status.text()

    history = desktop.window.history_panel
    run(until(lambda: any(e.kind == "resolve" for e in history.entries)))
    run(until(lambda: "already has" in history.undo.toolTip()))  # pushed: not offered
    assert not history.undo.isEnabled()
    history.undo.click()
    assert world.head(world.mine) == head
    # ...until the next sync begins: "the sync said: …" was about the repository before it
    desktop.window.sync_action.trigger()
    run(next_emit(desktop.synced))
    assert panel.status.text() == ""
    world.check()


@pytest.mark.slow
def test_a_binary_file_is_never_opened_in_an_editor_nor_called_merged(
    run: Run, desktop: Desktop, world: Clones, opened: list[str]
) -> None:
    """A user trial: with no merge tool configured, Open in merge tool on a binary file
    opened this computer's copy in the desktop's image viewer and at once called the path
    "Resolved: merged file" (no conflict markers in it), Finish enabled: Use mine, unasked."""
    panel, _mine, _theirs = _stopped(run, desktop, world)
    _select(panel, "img.bin")
    panel.merge_tool.click()
    run(until(lambda: "is not text" in panel.status.text()))
    assert panel.status.text() == (
        "No merge tool is configured (git's merge.tool), and img.bin is not text: no editor can merge it. "
        "Choose Use mine, Use theirs or Keep both."
    )
    assert opened == [] and _choice(panel, "img.bin") is None and not panel.finish.isEnabled()
    assert panel.use_mine.isEnabled()  # the way on
    world.check()


@pytest.mark.slow
def test_merge_tool_then_editor_fallback_then_abort(
    run: Run, desktop: Desktop, world: Clones, opened: list[str]
) -> None:
    panel, mine, theirs = _stopped(run, desktop, world)
    git("config", "--global", "merge.tool", "scripted")
    git("config", "--global", "mergetool.scripted.cmd", 'cat "$LOCAL" "$REMOTE" > "$MERGED"')
    _select(panel, "a.txt")
    panel.merge_tool.click()
    run(until(lambda: _choice(panel, "a.txt") == "merged"))
    assert panel.choice.toolTip()  # the merged file's path

    git("config", "--global", "--unset", "merge.tool")  # no tool: the editor on a file with markers
    _select(panel, "img.bin")
    assert panel.choice.toolTip() == ""  # not a.txt's merged file
    panel.use_mine.click()
    run(until(lambda: _choice(panel, "img.bin") == "mine"))
    _select(panel, "a.txt")
    panel.merge_tool.click()
    run(until(lambda: bool(opened) and "open in your editor" in panel.status.text()))
    # The tool's merge is kept: the editor opens the same file.
    assert Path(opened[-1]).read_text() == MINE_TEXT + THEIRS_TEXT

    panel.abort.click()
    run(until(lambda: "nothing in the repository was changed" in panel.status.text()))
    assert _choice(panel, "a.txt") is None and _choice(panel, "img.bin") is None
    assert world.head(world.mine) == mine and world.remote_head() == theirs
    assert porcelain(world.mine) == "" and not (world.mine / ".git" / "gitferry" / "resolve").exists()
    assert (world.mine / "a.txt").read_text() == MINE_TEXT
    subprocess.run(["git", "fsck", "--no-dangling"], cwd=world.mine, check=True, capture_output=True)
    world.check()


@pytest.mark.slow
def test_a_file_open_in_the_editor_with_its_markers_is_not_called_resolved(
    run: Run, desktop: Desktop, world: Clones, opened: list[str]
) -> None:
    """A user trial: no merge tool, Open in merge tool opened the editor on a file with
    conflict markers, and at once the panel said "a.txt — Resolved: merged file" and
    "2 of 2 resolved", while Finish refused ("a.txt still has conflict markers"). Now the
    path reads as being merged until the file is saved without markers; coming back to
    the window shows what the file holds then, and Finish commits it."""
    panel, mine, theirs = _stopped(run, desktop, world)
    _select(panel, "img.bin")
    panel.use_mine.click()
    run(until(lambda: _choice(panel, "img.bin") == "mine"))
    _select(panel, "a.txt")
    panel.merge_tool.click()
    run(until(lambda: bool(opened) and "open in your editor" in panel.status.text()))
    assert "<<<<<<< " in Path(opened[-1]).read_text()
    assert "Resolved" not in panel.choice.text() and "conflict markers" in panel.choice.text()
    assert "1 of 2 resolved" in panel.hint.text()
    panel.finish.click()  # the file still has markers: refused, nothing changed
    run(until(lambda: "still has conflict markers" in panel.status.text()))
    assert world.head(world.mine) == mine

    Path(opened[-1]).write_text("merged by hand\n")  # the user edits and saves
    desktop.window.activated.emit()  # and comes back to the window
    run(until(lambda: "Resolved: merged file" in panel.choice.text()))
    assert "2 of 2 resolved" in panel.hint.text()
    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    head = world.head(world.mine)
    assert git("log", "-1", "--format=%P", head, cwd=world.mine) == f"{mine} {theirs}"
    assert show(world.mine, head, "a.txt") == b"merged by hand\n"
    assert porcelain(world.mine) == ""
    world.check()


def test_a_resolution_for_another_repository_is_not_shown(qtbot: object) -> None:
    window = window_with_two_repos(qtbot)
    window.select_repo(2)
    panel = window.conflicts_panel
    panel.show_resolution(1, None, "from elsewhere")
    assert panel.status.text() == ""
    window.update_record(window.repos.row_for(2).record, [ConflictRecord("main", "b.txt", NOW)])  # type: ignore[union-attr]
    assert [c.path for c in window.conflicts.rows] == ["b.txt"]


def _sync_stopped_dirty(run: Run, desktop: Desktop) -> QLabel:
    """Sync now on `mine` with its Conflicts tab open, a sync that stops `dirty`: the tab's hint."""
    mine_id = run(desktop.api.core.store.repo("mine")).id
    desktop.window.select_repo(mine_id)
    desktop.window.tabs.setCurrentIndex(1)
    desktop.window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert report.result is ResultKind.DIRTY
    return desktop.window.conflicts_panel.hint


@pytest.mark.slow
def test_a_sync_stopped_on_local_changes_says_so_and_the_way_on(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """Newcomer's trial: a clone 1 behind, with an unsaved edit to the file the remote changed.
    The sync stops on local changes (as `git pull` refuses: "Please commit your changes or stash
    them"), main stays behind, and the Conflicts tab said "No conflicts: every branch integrated
    cleanly." above nothing: untrue, and no way on. Git is the referee."""
    run(desktop.refresh())
    world.commit(world.theirs, "a.txt", "one\ntwo\nthree, theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "a.txt").write_text("one, unsaved\ntwo\nthree\n")
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    hint = _sync_stopped_dirty(run, desktop)
    behind = ["## main...origin/main [behind 1]", " M a.txt"]
    assert git("status", "-sb", cwd=world.mine).splitlines() == behind
    run(until(lambda: "local changes" in hint.text()))
    assert "integrated cleanly" not in hint.text()
    way_on = "commit or stash the changes (git status lists them), then sync again"
    assert hint.text().endswith(f"C{way_on[1:]}.")
    # ... and the row's tooltip and the notice say it too, not only the tab, once: the sync's
    # message says it (the CLI's line as well)
    said = f"local changes would be overwritten: a.txt; {way_on}"
    mine_id = run(desktop.api.core.store.repo("mine")).id
    index = desktop.window.repos.index(desktop.window.repos.position_of(mine_id), RESULT_COLUMN)
    run(until(lambda: said in (index.data(Qt.ItemDataRole.ToolTipRole) or "")))
    assert index.data(Qt.ItemDataRole.ToolTipRole).lower().count("then sync again") == 1
    assert ("mine: Local changes in the way", said) in notified

    git("commit", "-qam", "my edit", cwd=world.mine)  # the way on: then the sync merges
    desktop.window.sync_action.trigger()
    run(next_emit(desktop.synced))
    run(until(lambda: "local changes" not in hint.text()))
    assert git("status", "-sb", cwd=world.mine) == "## main...origin/main"
    assert hint.text() == "No conflicts. A sync that stops on one lists its files here."


@pytest.mark.slow
def test_untracked_files_in_the_way_are_to_move_or_remove_not_to_commit_or_stash(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """Newcomer's trial: an untracked file where the remote added one stopped the sync, and
    the hint said "Commit or stash them": neither helps an untracked file. Git is the referee:
    `git pull` says "Please move or remove them before you merge."."""
    run(desktop.refresh())
    world.commit(world.theirs, "new.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "new.txt").write_text("mine, untracked\n")
    pulled = subprocess.run(["git", "pull", "--no-rebase"], cwd=world.mine, capture_output=True, text=True)
    assert "Please move or remove them before you merge." in pulled.stderr
    assert "commit your changes or stash them" not in pulled.stderr
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    hint = _sync_stopped_dirty(run, desktop)
    assert porcelain(world.mine) == "?? new.txt"
    way_on = "move or remove the untracked files (git status lists them), then sync again"
    run(until(lambda: hint.text().endswith(f"M{way_on[1:]}.")))
    said = f"untracked files are in the way: new.txt; {way_on}"
    mine_id = run(desktop.api.core.store.repo("mine")).id
    index = desktop.window.repos.index(desktop.window.repos.position_of(mine_id), RESULT_COLUMN)
    run(until(lambda: said in (index.data(Qt.ItemDataRole.ToolTipRole) or "")))
    assert index.data(Qt.ItemDataRole.ToolTipRole).count(way_on) == 1
    assert ("mine: Local changes in the way", said) in notified


@pytest.mark.slow
def test_a_merge_begun_with_git_pull_is_said_not_called_clean(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """User trial: with `git pull` stopped on a conflict (MERGE_HEAD, unmerged index), the
    summary said "Merge in progress" and the Conflicts tab "No conflicts: every branch
    integrated cleanly." beneath it. Git is the referee: `git status` says unmerged."""
    run(desktop.refresh())
    _conflict(world)
    pulled = subprocess.run(
        ["git", "pull", "--no-rebase", "-q"], cwd=world.mine, capture_output=True, text=True
    )
    assert pulled.returncode != 0 and "UU a.txt" in porcelain(world.mine)
    hint = _sync_stopped_dirty(run, desktop)
    run(until(lambda: "Merge in progress" in hint.text()))
    assert "integrated cleanly" not in hint.text() and "git status" in hint.text()

    git("merge", "--abort", cwd=world.mine)  # finished with git: the next sync says so
    desktop.window.sync_action.trigger()
    run(next_emit(desktop.synced))
    run(until(lambda: "Merge in progress" not in hint.text()))


@pytest.mark.parametrize("size", [None, (1024, 600)])
def test_the_list_shows_up_to_five_conflicts_before_the_detail(
    qtbot: object, size: tuple[int, int] | None
) -> None:
    """Three conflicts showed one and a half rows, the detail below took the rest."""
    window = window_with_two_repos(qtbot)
    if size is not None:
        window.resize(*size)
    window.show()
    window.tabs.setCurrentIndex(1)
    panel = window.conflicts_panel
    table = panel.table
    row = table.verticalHeader().defaultSectionSize()
    for count, shown in ((3, 3), (7, 5)):
        paths = [ConflictRecord("main", f"dir/file{i}.txt", NOW) for i in range(count)]
        panel.show_conflicts(2, paths)
        qtbot.waitUntil(lambda shown=shown: table.viewport().height() >= shown * row)  # type: ignore[attr-defined]
        assert panel.detail.height() > table.viewport().height()
