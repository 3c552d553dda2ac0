"""The status window fits the screen, is worked by keyboard alone, names its controls
for screen readers, remembers itself across a restart, and its words follow its state
(issue 18's defects 5, 6, 14 and 17's toggle)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSize, Qt
from PySide6.QtGui import QAccessible, QFontMetrics, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from core.events import PhaseProgress, StateChanged
from core.model import BranchStatus, RepoRecord, RepoState, SkippedFile
from gui.desktop import Desktop
from gui.models.repos import RESULT_COLUMN
from gui.remembered import Remembered
from gui.screen_fit import FRAME_SHARE
from gui.translations import install_translations
from gui.widgets.result_delegate import TEXT_MARGINS
from gui.windows.status_window import RESULT_MIN_WIDTH, WINDOW_WIDTH, StatusWindow
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.gui.test_status_window import window_with_two_repos
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LONG = "a-repository-whose-name-goes-on-" + "and-on-" * 40 + "end"


def records() -> list[RepoRecord]:
    return [
        RepoRecord(1, "notes", "/home/u/notes", last_result="ok"),
        RepoRecord(2, LONG, f"/home/u/{LONG}", last_result="ok"),
        RepoRecord(3, "website", "/home/u/website", last_result="ok"),
    ]


def shown_window(
    qtbot: object, memory: Remembered | None = None, branches: dict[int, list[BranchStatus]] | None = None
) -> StatusWindow:
    window = StatusWindow(memory=memory)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    branches = branches or {1: [BranchStatus("main", "origin/main", "a" * 40, "a" * 40, 0, 0, NOW)]}
    window.show_repos(records(), branches, {})
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    return window


def test_a_long_repository_name_never_widens_the_window_or_hides_the_other_columns(qtbot: object) -> None:
    window = shown_window(qtbot)
    window.select_repo(2)
    QApplication.processEvents()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert window.minimumSizeHint().width() < screen.width()
    assert window.frameGeometry().width() <= screen.width()
    table = window.repo_table
    header = table.horizontalHeader()
    viewport = table.viewport().width()
    for column in range(header.count()):  # every column starts inside the list
        assert header.sectionViewportPosition(column) < viewport, column
    assert header.sectionSize(0) <= viewport // 2
    assert window.title.full_text() == LONG and window.title.shown_text().endswith("…")
    window.resize(screen.width() * 3, 500)  # asked for more than the screen
    window.hide()
    window.show()
    assert window.frameGeometry().width() <= screen.width()


@pytest.mark.parametrize("room", [(700, 450), (800, 600)])
def test_on_a_small_screen_at_2x_the_result_column_stays_in_sight(
    qtbot: object, room: tuple[int, int]
) -> None:
    """A user trial: at QT_SCALE_FACTOR=2 on a 1400x900 screen (700x450 of room, the first
    size 630x405) the Result column sat right of the list's edge, behind a horizontal
    scroll bar: the name (160 px) and Activity (100 px) columns kept their widths whatever
    the room, and the branch table's minimum took half the window. Now they give way (a
    name is cut, as it always could be) and the Result column keeps its room, inside
    the list, with no scroll bar; with room again, a width the user dragged comes back."""
    window = shown_window(qtbot)
    first = default_room(room)
    window.resize(first)  # what `default_size` gives the first window on that screen
    qtbot.waitUntil(lambda: window.size() == first)  # type: ignore[attr-defined]
    QApplication.processEvents()  # the columns are fitted once per event loop pass
    table = window.repo_table
    header, viewport = table.horizontalHeader(), table.viewport().width()
    widths = [header.sectionSize(column) for column in range(header.count())]
    assert header.length() <= viewport, (widths, viewport)
    assert not table.horizontalScrollBar().isVisible()
    assert header.sectionViewportPosition(RESULT_COLUMN) + widths[RESULT_COLUMN] <= viewport
    assert widths[RESULT_COLUMN] >= RESULT_MIN_WIDTH, widths
    assert window.frameGeometry().width() <= QGuiApplication.primaryScreen().availableGeometry().width()
    header.resizeSection(0, 70)  # the user drags the name column
    window.resize(780, 500)
    qtbot.waitUntil(lambda: window.width() == 780)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert header.sectionSize(0) == 70 and header.length() <= table.viewport().width()


def default_room(room: tuple[int, int]) -> QSize:
    """The first window's size on a screen with `room` (gui/screen_fit.py's `default_size`)."""
    return QSize(min(WINDOW_WIDTH, int(room[0] * FRAME_SHARE)), min(640, int(room[1] * FRAME_SHARE)))


def focus_chain(qtbot: object, window: StatusWindow) -> list[QWidget]:
    """Tab from the repository list until focus comes back to it, as a user would press it."""
    window.activateWindow()
    window.repo_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.repo_table)  # type: ignore[attr-defined]
    seen: list[QWidget] = [window.repo_table]
    for _ in range(40):
        current = QApplication.focusWidget()
        assert current is not None
        QTest.keyClick(current, Qt.Key.Key_Tab)
        after = QApplication.focusWidget()
        if after is window.repo_table or after is None:
            break
        seen.append(after)
    return seen


def test_tab_leaves_the_repository_list_and_reaches_every_control(qtbot: object) -> None:
    window = shown_window(qtbot)
    window.select_repo(1)
    window.activateWindow()
    window.repo_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.repo_table)  # type: ignore[attr-defined]
    QTest.keyClick(window.repo_table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not window.repo_table  # Tab is not trapped in the table
    assert window.selected_id == 1  # and did not move the selection
    chain = focus_chain(qtbot, window)
    assert isinstance(chain[1], QTabBar)  # the detail tabs come right after the list
    assert window.filter in chain and window.branch_table in chain
    buttons = [w.accessibleName() for w in chain if isinstance(w, QAbstractButton)]
    assert {"Sync now", "Sync all", "Pause syncing", "Settings…"} <= set(buttons)
    window.tabs.setCurrentIndex(2)  # the skipped files' Retry: only where something was skipped
    assert not window.retry_button.isEnabled()
    window.skipped.set_rows([SkippedFile("video.bin", "too_large", 2 << 20, 1, NOW, NOW)])
    assert window.retry_button.isEnabled()
    assert window.retry_button in focus_chain(qtbot, window)
    window.on_state_changed(StateChanged(1, "notes", RepoState.IDLE, RepoState.SYNCING, 1.0))
    window.on_progress(PhaseProgress(1, "notes", "origin", "receiving", 1, 9, 100))
    assert window.progress.cancel in focus_chain(qtbot, window)  # Cancel, while there is something to cancel
    for tab in range(window.tabs.count()):  # every tab's controls, named as a screen reader reads them
        window.tabs.setCurrentIndex(tab)
        for widget in focus_chain(qtbot, window):
            reader = QAccessible.queryAccessibleInterface(widget)
            assert reader is not None and reader.text(QAccessible.Text.Name), type(widget).__name__
    for table in window.findChildren(QTableView):
        assert not table.tabKeyNavigation() and table.accessibleName()


def test_enter_on_the_list_syncs_the_selected_repository(qtbot: object) -> None:
    window = shown_window(qtbot)
    window.select_repo(3)
    asked: list[int] = []
    window.sync_requested.connect(asked.append)
    QTest.keyClick(window.repo_table, Qt.Key.Key_Return)
    assert asked == [3]


def test_with_nothing_remembered_the_window_opens_inside_the_screen_with_room_for_a_frame(
    qtbot: object,
) -> None:
    """Before: 1120x640 whatever the screen; at QT_SCALE_FACTOR=2 on 1400x900 (700x450 of
    room) the window manager's title bar then pushed it past the screen's bottom."""
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    room = QGuiApplication.primaryScreen().availableGeometry()  # offscreen: 800x600
    assert window.width() < room.width() and window.height() < room.height()
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    assert room.contains(window.frameGeometry())


def test_geometry_selection_and_tab_are_remembered_across_a_restart(qtbot: object, tmp_path: Path) -> None:
    first = shown_window(qtbot, Remembered(tmp_path))
    first.resize(700, 450)
    first.move(40, 30)
    first.select_repo(3)  # not the first by name
    first.tabs.setCurrentIndex(2)
    QApplication.processEvents()
    size = first.size()
    first.hide()  # closing the window (or Quit) hides it: that is when it is saved
    assert [p.name for p in tmp_path.iterdir()] == ["desktop.ini"]  # one file: the clone folder's too

    again = shown_window(qtbot, Remembered(tmp_path))
    assert again.selected_id == 3
    assert again.tabs.currentIndex() == 2
    assert again.size() == size


def test_a_remembered_repository_that_is_gone_falls_back_to_the_first_by_name(
    qtbot: object, tmp_path: Path
) -> None:
    memory = Remembered(tmp_path)
    memory.save("selected", "removed-meanwhile")
    memory.save("tab", 7)  # no such tab
    window = shown_window(qtbot, memory)
    assert window.selected_id == 2 and window.tabs.currentIndex() == 0  # LONG sorts before "notes"


def test_the_pause_toggle_says_what_it_does_now(qtbot: object) -> None:
    window = shown_window(qtbot)
    asked: list[bool] = []
    window.pause_requested.connect(asked.append)
    assert window.pause_action.text().replace("&", "") == "Pause syncing"
    window.pause_action.trigger()
    assert asked == [True] and window.pause_action.isChecked()
    assert window.pause_action.text().replace("&", "") == "Resume syncing"
    window.set_paused(False)  # the tray's Resume
    assert window.pause_action.text().replace("&", "") == "Pause syncing"


def tab_to(qtbot: object, target: QWidget, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a user would: it must be reachable."""
    key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
    for _ in range(60):
        if QApplication.focusWidget() is target:
            return
        QTest.keyClick(QApplication.focusWidget(), key)
    raise AssertionError(f"{target.accessibleName() or type(target).__name__} is not reached by Tab")


@pytest.mark.slow
def test_sync_and_resolve_a_conflict_by_keyboard_alone(
    run: Run, desktop: Desktop, world: Clones, qtbot: object
) -> None:
    """Enter on the list syncs; Tab reaches the Conflicts tab, its list and its buttons; Space
    chooses "Use mine" for each path and presses Finish. The remote then has mine's side."""
    run(desktop.refresh())
    mine_commit = world.commit(world.mine, "a.txt", "mine\n")
    world.commit(world.theirs, "a.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    theirs_head = world.remote_head()
    window = desktop.window
    mine_id = run(desktop.api.core.store.repo("mine")).id
    window.select_repo(mine_id)
    window.activateWindow()
    window.repo_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.repo_table)  # type: ignore[attr-defined]
    QTest.keyClick(window.repo_table, Qt.Key.Key_Return)  # sync
    _id, report = run(next_emit(desktop.synced))
    assert report.result.value == "conflict"

    tab_to(qtbot, window.tabs.tabBar())
    while window.tabs.currentIndex() != 1:  # the arrow keys walk the tabs
        QTest.keyClick(window.tabs.tabBar(), Qt.Key.Key_Right)
    panel = window.conflicts_panel
    run(until(lambda: panel.resolution is not None and len(panel.resolution.paths) == 1))
    tab_to(qtbot, panel.table)
    QTest.keyClick(panel.table, Qt.Key.Key_Down)  # the first (only) path
    tab_to(qtbot, panel.use_mine)
    QTest.keyClick(panel.use_mine, Qt.Key.Key_Space)
    run(until(panel.finish.isEnabled))
    tab_to(qtbot, panel.finish)
    QTest.keyClick(panel.finish, Qt.Key.Key_Space)
    run(until(lambda: not window.conflicts.rows and world.remote_head() != theirs_head), timeout=60)
    head = world.remote_head()
    assert git("log", "-1", "--format=%P", head, cwd=world.mine) == f"{mine_commit} {theirs_head}"
    assert git("show", f"{head}:a.txt", cwd=world.mine) == "mine"
    world.check()


def test_the_upstream_column_is_not_squeezed_in_the_default_window(qtbot: object) -> None:
    """Before: the branch column was a fixed 160 px, so "origin/main" read "origin/…"
    (docs/walk.sh 2x) while "main" needed a third of its column."""
    branches = {
        1: [
            BranchStatus("main", "origin/main", "a" * 40, "a" * 40, 1, 2, NOW),
            BranchStatus("drafts", "origin/drafts", "b" * 40, "b" * 40, 0, 3, NOW),
        ]
    }
    window = shown_window(qtbot, branches=branches)
    window.resize(WINDOW_WIDTH, 640)  # the first size where the screen has room (the walk's 2x: 1200x800)
    window.select_repo(1)
    QApplication.processEvents()
    table = window.branch_table
    header = table.horizontalHeader()
    assert header.sectionSize(1) >= table.sizeHintForColumn(1)  # "origin/drafts" whole
    assert header.sectionSize(0) >= table.sizeHintForColumn(0)  # and "drafts" too
    for column in range(header.count()):  # every column starts inside the table
        assert header.sectionViewportPosition(column) < table.viewport().width(), column


def test_enter_on_a_focused_button_presses_it(qtbot: QtBot) -> None:
    """User trial, keyboard only: Tab onto Use theirs, Refresh or Publish branch, then Enter:
    nothing happened (outside a dialog Qt gives Enter to the window); Space did it."""
    window = window_with_two_repos(qtbot)
    window.show()
    qtbot.waitExposed(window)
    window.select_repo(2)
    window.tabs.setCurrentIndex(3)  # History: built on first use
    history = window.history_panel
    history.refresh.setFocus()
    qtbot.waitUntil(history.refresh.hasFocus)
    with qtbot.waitSignal(history.refresh_requested, timeout=2000):
        QTest.keyClick(history.refresh, Qt.Key.Key_Return)
    window.tabs.setCurrentIndex(1)  # Conflicts: its buttons too
    assert window.conflicts_panel.use_theirs.autoDefault() and window.publish_button.autoDefault()


def test_enter_on_a_focused_toolbar_button_presses_it(qtbot: QtBot) -> None:
    """User trial, keyboard only: Tab onto Settings (or Resume syncing) in the toolbar, then
    Enter: nothing happened (Qt's tool buttons take Space only); Space did it."""
    window = window_with_two_repos(qtbot)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.repo_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.repo_table)
    settings = window.toolbar.widgetForAction(window.settings_action)
    tab_to(qtbot, settings)
    with qtbot.waitSignal(window.settings_requested, timeout=2000):
        QTest.keyClick(settings, Qt.Key.Key_Return)
    pause = window.toolbar.widgetForAction(window.pause_action)
    tab_to(qtbot, pause, backwards=True)
    QTest.keyClick(pause, Qt.Key.Key_Enter)
    assert window.pause_action.isChecked()


def test_names_cut_in_a_narrow_list_stay_apart(qtbot: QtBot) -> None:
    """A trial with fourteen repositories in a 650 px window: the name column gave way and
    eleven rows read "project…"; cut in the middle, each keeps its end ("proj…-07")."""
    window = StatusWindow()
    qtbot.addWidget(window)
    names = [f"project-{n:02}" for n in range(1, 12)]
    window.show_repos([RepoRecord(n, name, f"/home/u/{name}") for n, name in enumerate(names, 1)], {}, {})
    window.show()
    qtbot.waitExposed(window)
    window.resize(480, 360)  # as small as the window goes
    table = window.repo_table
    needed = QFontMetrics(table.font()).horizontalAdvance(names[0])
    qtbot.waitUntil(lambda: table.horizontalHeader().sectionSize(0) < needed)
    shown = []
    for row in range(table.model().rowCount()):
        index = table.model().index(row, 0)
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.textElideMode = table.textElideMode()
        table.itemDelegateForIndex(index).initStyleOption(option, index)
        width = table.horizontalHeader().sectionSize(0) - TEXT_MARGINS
        shown.append(option.fontMetrics.elidedText(option.text, option.textElideMode, width))
    assert all("…" in text for text in shown)  # cut, each of them
    assert len(set(shown)) == len(names), shown


def test_retry_done_leaves_the_focus_on_the_list_not_on_open_folder(qtbot: QtBot) -> None:
    """A trial: Retry committed the skipped file, Retry was disabled and Qt handed its focus
    to Open folder, where the next Space opens the file manager."""
    window = shown_window(qtbot)
    window.select_repo(1)
    window.tabs.setCurrentIndex(2)
    window.skipped.set_rows([SkippedFile("video.bin", "too_large", 2 << 20, 1, NOW, NOW)])
    window.activateWindow()
    window.retry_button.setFocus()
    qtbot.waitUntil(window.retry_button.hasFocus)
    window.skipped.set_rows([])  # what the retry's sync leaves: nothing skipped
    QApplication.processEvents()
    assert not window.retry_button.isEnabled()
    assert QApplication.focusWidget() is window.skipped_table


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_at_its_least_width_the_list_keeps_the_result_column_in_sight(
    qtbot: object, qapp: QApplication, locale: str
) -> None:
    """A trial's window at its least (480 px) gave the list 165 px: Result behind its scroll
    bar, "Last sync" cut. The list holds the room its columns need given way, and a window
    made wide narrows to the same least again (a list minimum tried before could not), in
    one drag: with the branch table's least half the window, each drag only halved the way
    there (1600 px, then 795, 737…; German's least 830 px, wider than an 800 px screen)."""

    def dragged(width: int) -> int:  # one drag: the window manager resizes, then Qt settles
        window.resize(width, 500)
        QApplication.processEvents()
        QApplication.processEvents()
        return window.width()

    installed = install_translations(qapp, QLocale(locale)) if locale != "en_US" else []
    try:
        window = shown_window(qtbot)
        QApplication.processEvents()  # the columns are fitted once per event loop pass
        narrowest = dragged(200)
        assert dragged(200) == narrowest  # reached in one
        table = window.repo_table
        header, viewport = table.horizontalHeader(), table.viewport().width()
        assert header.sectionViewportPosition(RESULT_COLUMN) + header.sectionSize(RESULT_COLUMN) <= viewport
        assert header.sectionSize(RESULT_COLUMN) >= RESULT_MIN_WIDTH
        assert not table.horizontalScrollBar().isVisible()
        assert dragged(1600) == 1600
        assert dragged(200) == narrowest
        screen = QGuiApplication.primaryScreen().availableGeometry()  # offscreen's: 800 px
        assert window.frameGeometry().width() <= screen.width()
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
