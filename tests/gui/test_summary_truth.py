"""What a user trial of issue 18's app still found untrue or disagreeing: the Result
column naming only the first branch that differs, a status bar counting a warning
nobody could see, and one state (syncing on or paused) named differently in the status
bar, the toolbar and the tray."""

from __future__ import annotations

import time

from PySide6.QtCore import QDateTime, QLocale, QSize, Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from core.model import BranchStatus, RepoRecord, SkippedFile
from gui.translations import install_translations
from gui.tray import Tray
from gui.widgets.result_delegate import room, shown_text
from gui.windows.status_window import WINDOW_WIDTH, StatusWindow
from tests.gui.test_standing import NOW, RESULT_COLUMN, branch, shown, summary, tray_for, window_with

TRIAL = {1: [branch("drafts", 0, 3), branch("ideas", 1, 1), branch("main", 2, 0), branch("old", 0, 0)]}


def cell(window: StatusWindow, repo_id: int, role: Qt.ItemDataRole) -> object:
    position = window.repos.position_of(repo_id)
    assert position is not None
    return window.repos.data(window.repos.index(position, RESULT_COLUMN), role)


def test_the_result_summarises_every_branch_that_differs_not_the_first(qtbot: object) -> None:
    """The trial: 'ideas: 1 ahead, 1 behind' while main was 2 ahead and drafts 3 behind."""
    notes = RepoRecord(1, "notes", "/n", last_result="up_to_date")
    window = window_with(qtbot, notes, branches=TRIAL)
    assert shown(window, 1) == "ideas diverged, 2 more to sync"
    each = ["ideas: 1 ahead, 1 behind", "drafts: 3 behind", "main: 2 ahead"]
    tooltip = str(cell(window, 1, Qt.ItemDataRole.ToolTipRole)).splitlines()
    assert tooltip == ["Warning: ideas diverged, 2 more to sync", *each]
    window.select_repo(1)
    assert window.progress.phase.text() == "  ·  ".join(["ideas diverged, 2 more to sync", *each])
    tray = tray_for(window)
    assert tray.icon.toolTip().splitlines()[1] == "notes: ideas diverged, 2 more to sync"
    assert tray.repo_menus[1].title() == "notes — ideas diverged, 2 more to sync"
    assert "1 with a warning" in summary(window)


def test_several_branches_read_as_a_count_one_branch_by_itself(qtbot: object) -> None:
    records = [RepoRecord(i, f"r{i}", f"/{i}", last_result="ok") for i in (1, 2, 3, 4)]
    window = window_with(
        qtbot,
        *records,
        branches={
            1: [branch("main", 2, 0), branch("drafts", 0, 3)],
            2: [branch("a", 1, 1), branch("b", 2, 2)],
            3: [branch("a", 1, 1), branch("b", 2, 2), branch("c", 0, 1)],
            4: [branch("main", 0, 3), branch("topic", 0, 0)],
        },
    )
    assert shown(window, 1) == "2 branches to sync"
    assert shown(window, 2) == "2 branches diverged"
    assert shown(window, 3) == "2 branches diverged, 1 more to sync"
    assert shown(window, 4) == "main: 3 behind"
    assert "2 with a warning" in summary(window) and "2 to sync" in summary(window)


def painted(qtbot: object, branches: dict[int, list[BranchStatus]]) -> tuple[str, str, int, int]:
    """The Result cell of a new window at its first size on a 1400x900 screen: its line,
    the text the cell paints, that text's width and the room the cell gives it."""
    notes = RepoRecord(1, "notes", "/n", last_result="up_to_date")
    return measured(qtbot, window_with(qtbot, notes, branches=branches))


def measured(qtbot: object, window: StatusWindow, width: int = WINDOW_WIDTH) -> tuple[str, str, int, int]:
    """The first row's Result cell once `window` is `width` wide (its first width) and laid
    out with the row selected, its detail pane showing the longer sync mode's note (see
    `painted`)."""
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    window.select_repo(1)
    window.show_sync_mode(1, "auto", "", True)
    window.resize(width, 640)  # offscreen's screen is 800x800
    qtbot.waitUntil(lambda: window.width() == width)  # type: ignore[attr-defined]
    table = window.repo_table
    widths: list[int] = []  # the splitter settles once the detail pane is laid out

    def settled() -> bool:
        widths.append(table.columnWidth(RESULT_COLUMN))
        return len(widths) > 3 and len(set(widths[-4:])) == 1

    qtbot.waitUntil(settled)  # type: ignore[attr-defined]
    index = table.model().index(0, RESULT_COLUMN)
    option = QStyleOptionViewItem()
    option.initFrom(table.viewport())
    option.rect = table.visualRect(index)
    option.decorationSize = table.iconSize() if table.iconSize().isValid() else QSize(16, 16)
    text = shown_text(option, index)
    return str(index.data()), text, option.fontMetrics.horizontalAdvance(text), room(option)


TWO_DIVERGED = {1: [branch("a", 1, 1), branch("b", 2, 2), branch("c", 0, 1)]}


def test_the_summary_fits_the_result_column_of_a_new_window(qtbot: object) -> None:
    """Defect 17 (cut-off texts) must not come back with the longer summary: the cell's
    text fits beside its icon as the window first opens, the whole line in English."""
    for branches in (TRIAL, TWO_DIVERGED):
        line, text, width, space = painted(qtbot, branches)
        assert text == line and width <= space, (text, width, space)


def test_a_longer_language_gets_the_brief_line_never_a_cut_one(qtbot: object, qapp: QApplication) -> None:
    """German's line is longer than the column: the cell paints the brief form, whole."""
    installed = install_translations(qapp, QLocale("de_DE"))
    try:
        line, text, width, space = painted(qtbot, TRIAL)
        assert line == "ideas abgewichen, 2 weitere zu synchronisieren"
        assert text == "ideas abgewichen, +2" and width <= space
        line, text, width, space = painted(qtbot, TWO_DIVERGED)
        assert text == "2 Branches abgewichen, +1" and width <= space, line  # the longest brief that fits
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)  # the session's English stays


def test_every_repository_the_status_bar_counts_carries_the_mark_it_counts(qtbot: object) -> None:
    """The trial: '1 with a warning', and nothing visible said which (the amber text is
    the selection's colour on the selected row). Every repository counted as needing the
    user or with a warning has the icon and a tooltip saying so; no other has one."""
    records = [
        RepoRecord(1, "diverged", "/d", last_result="ok"),
        RepoRecord(2, "skipping", "/s", last_result="ok"),
        RepoRecord(3, "conflicted", "/c", last_result="conflict"),
        RepoRecord(4, "fine", "/f", last_result="ok"),
        RepoRecord(5, "behind", "/b", last_result="ok"),
    ]
    level = {i: [branch("main", 0, 0)] for i in (2, 3, 4)}
    window = window_with(
        qtbot, *records, branches={**level, 1: [branch("main", 1, 2)], 5: [branch("main", 0, 1)]}
    )
    window.show_skipped(2, [SkippedFile("video.bin", "too_large", 1 << 21, 1, NOW, NOW)])
    window.select_repo(1)  # selected: its text takes the selection's colour, the icon stays
    said = summary(window)
    assert "2 with a warning" in said and "1 needs you" in said
    style = QApplication.style()
    for repo_id, word in ((1, "Warning: "), (2, "Warning: "), (3, "Needs you: ")):
        icon = cell(window, repo_id, Qt.ItemDataRole.DecorationRole)
        assert icon is not None and not icon.isNull(), repo_id  # type: ignore[attr-defined]
        assert str(cell(window, repo_id, Qt.ItemDataRole.ToolTipRole)).startswith(word)
    warning = style.standardIcon(style.StandardPixmap.SP_MessageBoxWarning).pixmap(16).toImage()
    assert cell(window, 1, Qt.ItemDataRole.DecorationRole).pixmap(16).toImage() == warning  # type: ignore[attr-defined]
    for repo_id in (4, 5):
        assert cell(window, repo_id, Qt.ItemDataRole.DecorationRole) is None


def names_of_the_state(window: StatusWindow, tray: Tray) -> tuple[str, str, str, str]:
    """The status bar's last words, the toolbar's toggle and its tooltip, the tray's menu entry."""
    toggle = window.pause_action.text().replace("&", "")
    return summary(window).split("  ·  ")[-1], toggle, window.pause_action.toolTip(), tray.pause_action.text()


def test_syncing_on_or_paused_is_named_the_same_everywhere(qtbot: object) -> None:
    """The trial: the status bar said 'background fetch on' beside a 'Pause syncing' button."""
    window = window_with(
        qtbot, RepoRecord(1, "notes", "/n", last_result="ok"), branches={1: [branch("main", 1, 2)]}
    )
    tray = tray_for(window)
    state, toggle, tip, menu = names_of_the_state(window, tray)
    assert state == "syncing on" and toggle == menu == "Pause syncing"
    assert tip.startswith("Syncing is on: Pause syncing")
    assert tray.pause_action.toolTip() == tip
    assert not any("Syncing" in line for line in tray.icon.toolTip().splitlines()[1:])

    window.set_paused(True, "always")
    tray.set_paused(True, "always")
    state, toggle, tip, menu = names_of_the_state(window, tray)
    assert state == "syncing paused" and toggle == menu == "Resume syncing"
    assert tip.startswith("Syncing is paused: Resume syncing") and tray.pause_action.toolTip() == tip
    # the tray's headline is the diverged branch's warning: the pause is said below it
    assert tray.icon.toolTip().splitlines()[-1] == "Syncing paused"

    ends = int(time.time()) + 3600
    window.set_paused(True, str(ends))
    tray.set_paused(True, str(ends))
    clock = QDateTime.fromSecsSinceEpoch(ends).toString("HH:mm")
    assert names_of_the_state(window, tray)[0] == f"syncing paused until {clock}"
    assert tray.icon.toolTip().splitlines()[-1] == f"Syncing paused until {clock}"


def test_status_rows_agree_with_the_branch_table(qtbot: object) -> None:
    """Each branch the branch table shows ahead or behind is named in the Result's tooltip."""
    notes = RepoRecord(1, "notes", "/n", last_result="ok")
    window = window_with(qtbot, notes, branches=TRIAL)
    window.select_repo(1)
    table: list[BranchStatus] = window.branches.rows
    lagging = {b.name for b in table if b.ahead or b.behind}
    tooltip = str(cell(window, 1, Qt.ItemDataRole.ToolTipRole))
    assert lagging == {"drafts", "ideas", "main"}
    assert all(f"{name}: " in tooltip for name in lagging) and "old" not in tooltip


def gone(name: str) -> BranchStatus:
    return BranchStatus(name, f"origin/{name}", "a" * 40, None, None, None, upstream_gone=True)


def unpublished(name: str, commits: int) -> BranchStatus:
    return BranchStatus(name, None, "a" * 40, None, None, None, unpublished=commits)


LONG = "feature/offline-first-sync-engine"
KINDS: dict[str, tuple[RepoRecord, list[BranchStatus], int]] = {  # the record, its branches, skipped files
    "unpublished": (RepoRecord(1, "n", "/n", last_result="ok"), [unpublished("topic", 3)], 0),
    "unpublished, long name": (RepoRecord(1, "n", "/n", last_result="ok"), [unpublished(LONG, 12)], 0),
    "upstream gone": (RepoRecord(1, "n", "/n", last_result="ok"), [gone(LONG)], 0),
    "ahead": (RepoRecord(1, "n", "/n", last_result="ok"), [branch(LONG, 12, 0)], 0),
    "behind": (RepoRecord(1, "n", "/n", last_result="ok"), [branch(LONG, 0, 12)], 0),
    "diverged": (RepoRecord(1, "n", "/n", last_result="ok"), [branch(LONG, 12, 34)], 0),
    "to sync": (RepoRecord(1, "n", "/n", last_result="ok"), [branch("a", 1, 0), branch("b", 0, 2)], 0),
    "several diverged": (RepoRecord(1, "n", "/n", last_result="ok"), TWO_DIVERGED[1], 0),
    "one diverged, more to sync": (RepoRecord(1, "n", "/n", last_result="ok"), TRIAL[1], 0),
    "long diverged, more": (
        RepoRecord(1, "n", "/n", last_result="ok"),
        [branch(LONG, 1, 1), branch("b", 1, 0)],
        0,
    ),
    "skipped": (RepoRecord(1, "n", "/n", last_result="ok"), [], 12),
    "conflict": (RepoRecord(1, "n", "/n", last_result="conflict"), [], 0),
    **{
        f"last run {result}": (RepoRecord(1, "n", "/n", last_result=result), [], 0)
        for result in ("auth_failed", "error", "dirty", "diverged", "unpublished", "offline")
    },
    "not synced yet": (RepoRecord(1, "n", "/n"), [], 0),
    "a remote keeps failing": (RepoRecord(1, "n", "/n", last_result="ok", state="tripped"), [], 0),
}


def painted_kind(qtbot: object, kind: str) -> tuple[str, str, int, int]:
    record, branches, skipped = KINDS[kind]
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_repos([record], {1: branches}, {}, {1: skipped})
    return measured(qtbot, window)


def test_every_kind_of_result_fits_its_cell_in_english_and_german(qtbot: object, qapp: QApplication) -> None:
    """Defect 17 for every Result line, not only 'diverged' (German read 'topic: 3 Commits
    auf kein…'): the cell paints the line or its brief form, whole, never cut; the whole
    line stays in the tooltip."""
    unfit = []
    for language in ("en_US", "de_DE"):
        installed = install_translations(qapp, QLocale(language))
        try:
            for kind in KINDS:
                line, text, width, space = painted_kind(qtbot, kind)
                assert text, (language, kind)
                if width > space:
                    unfit.append((language, kind, line, text, width, space))
        finally:
            for translator in installed:
                qapp.removeTranslator(translator)
    assert not unfit, "\n".join(map(str, unfit))
    line, text, _width, _space = painted_kind(qtbot, "unpublished, long name")
    assert (line, text) == (f"{LONG}: 12 commits on no remote", "12 commits on no remote")
