"""The status window's tabs the first paint does not show (Conflicts, Skipped files,
History) are built on first use, and then show exactly what they would have shown
built up front; a remembered tab is built for the first paint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.model import ConflictRecord, RepoRecord
from gui.remembered import Remembered
from gui.windows.status_window import TAB_KEY, StatusWindow

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def window_with_a_conflict(qtbot: object, memory: Remembered | None = None) -> StatusWindow:
    window = StatusWindow(memory=memory)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    records = [RepoRecord(1, "docs", "/d", last_result="conflict"), RepoRecord(2, "notes", "/n")]
    window.show_repos(records, {}, {1: [ConflictRecord("main", "a.txt", NOW)]})
    return window


def test_the_unshown_tabs_are_built_on_first_use_with_the_selected_repositorys_content(qtbot: object) -> None:
    window = window_with_a_conflict(qtbot)
    window.show()
    pages = [window.tabs.widget(i) for i in range(1, window.tabs.count())]
    assert [page.layout().count() for page in pages] == [0, 0, 0]  # Conflicts, Skipped, History
    assert window.tabs.tabText(1) == "Conflicts (1)"  # the tab's own title needs no page
    window.tabs.setCurrentIndex(1)
    assert window.conflicts_panel.isVisible()
    assert [r.path for r in window.conflicts.rows] == ["a.txt"]
    assert window.conflicts_panel.repo_id == 1
    assert "1 conflicted path" in window.conflict_hint.text()
    assert window.history_panel.repo_id == 1  # asked for: built for the selected repository
    window.select_repo(2)
    assert window.conflicts.rows == [] and window.history_panel.repo_id == 2


def test_a_remembered_tab_is_built_for_the_first_paint(qtbot: object, tmp_path: Path) -> None:
    memory = Remembered(tmp_path)
    memory.save(TAB_KEY, 1)
    window = window_with_a_conflict(qtbot, memory)
    window.show()
    assert window.tabs.currentIndex() == 1
    page = window.tabs.widget(1)
    assert page.layout().count() == 1 and window.conflicts_panel.isVisible()
    assert [r.path for r in window.conflicts.rows] == ["a.txt"]
