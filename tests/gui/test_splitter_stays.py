"""The split between the repository list and the detail pane stays where it is while syncs
change the rows. A newcomer's trial saw it drift run after run: the detail pane's least
width was made of the rows shown (a branch's "never" fetched, then "16:46"; "not fetched
yet", then "up to date"; its name's length), the first window's split sat on that least,
and each change of the rows moved it. The least is now what any rows of the language
need, and the first window leaves the detail pane that much."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from core.events import BranchStatusChanged
from core.model import RepoRecord
from gui.translations import install_translations
from gui.windows.status_window import WINDOW_WIDTH, StatusWindow
from tests.gui.test_standing import NOW, branch, window_with
from tests.gui.test_whole_texts import sized


def settled(qtbot: object, window: StatusWindow) -> list[int]:
    """The split once the columns' fits of the event loop passes since are done."""
    seen: list[list[int]] = []

    def still() -> bool:
        seen.append(window.splitter.sizes())
        return len(seen) > 3 and all(sizes == seen[-1] for sizes in seen[-4:])

    qtbot.waitUntil(still)  # type: ignore[attr-defined]
    return seen[-1]


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_the_split_stays_as_syncs_and_the_selection_change_the_rows(
    qtbot: object, qapp: QApplication, locale: str
) -> None:
    installed = install_translations(qapp, QLocale(locale)) if locale != "en_US" else []
    try:
        never = replace(branch("main", 0, 0), last_fetch=None)  # "not fetched yet", "never"
        long = branch("a-feature-branch-with-a-long-name", 0, 0)
        records = [RepoRecord(1, "notes", "/notes", last_result="ok"), RepoRecord(2, "web", "/web")]
        window = window_with(qtbot, *records, branches={1: [never], 2: [branch("main", 0, 0), long]})
        window.select_repo(1)
        sized(qtbot, window, WINDOW_WIDTH)
        first = settled(qtbot, window)
        seen = []
        for tab in range(window.tabs.count()):
            window.tabs.setCurrentIndex(tab)
            for repo_id in (2, 1):
                window.select_repo(repo_id)
                QApplication.processEvents()
                seen.append(window.splitter.sizes())
        fetched = replace(never, last_fetch=NOW, behind=3)  # a sync fetched it: "21 Nov 12:00", behind
        window.tabs.setCurrentIndex(0)
        window.on_branches_changed(BranchStatusChanged(1, "notes", (fetched,)))
        QApplication.processEvents()
        seen.append(window.splitter.sizes())
        assert all(sizes == first for sizes in seen), (first, seen)
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_the_split_stays_when_the_branches_tab_is_first_shown_in_a_narrow_window(qtbot: object) -> None:
    """The walk at 1000 px, restarted on its History tab: the branch table, hidden, was
    measured when first shown, and its least then moved the split (the list 525 px wide,
    then 490)."""
    records = [RepoRecord(1, "notes", "/notes", last_result="ok")]
    window = window_with(qtbot, *records, branches={1: [branch("main", 0, 1)]})
    window.select_repo(1)
    window.tabs.setCurrentIndex(3)  # History, as remembered
    sized(qtbot, window, 1000)
    qtbot.waitUntil(lambda: window.branch_table.minimumWidth() > 0)  # type: ignore[attr-defined]
    first = settled(qtbot, window)
    window.tabs.setCurrentIndex(0)
    assert settled(qtbot, window) == first
