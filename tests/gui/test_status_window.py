"""The status window as a view: sorting, filtering, updates in place that keep the selection."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from core.events import BranchStatusChanged, PhaseProgress, StateChanged
from core.model import BranchStatus, ConflictRecord, RepoRecord, RepoState, SkippedFile, SubmoduleStatus
from gui.windows.status_window import StatusWindow

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def branch(name: str, ahead: int, behind: int, upstream: str | None = "origin/x") -> BranchStatus:
    return BranchStatus(name, upstream, "a" * 40, "b" * 40, ahead, behind, NOW)


def window_with_two_repos(qtbot: object) -> StatusWindow:
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    records = [
        RepoRecord(1, "notes", "/n", last_result="ok"),
        RepoRecord(2, "docs", "/d", last_result="conflict"),
    ]
    branches = {1: [branch("main", 2, 0), branch("zeta", 0, 5), branch("feature/a", 1, 1)]}
    conflicts = {2: [ConflictRecord("main", "a.txt", NOW)]}
    window.show_repos(records, branches, conflicts)
    return window


def visible_branches(window: StatusWindow) -> list[str]:
    proxy = window.branch_table.model()
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def test_first_repository_by_name_is_selected_and_columns_sort_by_value(qtbot: object) -> None:
    window = window_with_two_repos(qtbot)
    assert window.selected_id == 2  # "docs" before "notes"
    window.select_repo(1)
    assert window.selected_id == 1
    window.branch_table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # behind, as numbers
    assert visible_branches(window) == ["zeta", "feature/a", "main"]
    window.filter.setText("FEAT")
    assert visible_branches(window) == ["feature/a"]
    window.filter.clear()
    assert len(visible_branches(window)) == 3


def test_events_update_rows_in_place_and_keep_the_selection(qtbot: object) -> None:
    window = window_with_two_repos(qtbot)
    window.select_repo(1)
    window.branch_table.selectRow(visible_branches(window).index("main"))
    resets: list[int] = []
    window.branches.modelReset.connect(lambda: resets.append(1))
    window.repos.modelReset.connect(lambda: resets.append(1))
    window.on_state_changed(StateChanged(1, "notes", RepoState.IDLE, RepoState.SYNCING, 1.0))
    window.on_progress(PhaseProgress(1, "notes", "origin", "receiving", 40, 80, 4096))
    assert window.progress.cancel.isEnabled() and window.progress.bar.value() == 500
    assert window.repos.row_for(1).activity(brief=True) == "Receiving 50%"  # type: ignore[union-attr]
    window.on_branches_changed(BranchStatusChanged(1, "notes", (branch("main", 0, 0), branch("zeta", 0, 5))))
    assert not resets
    assert sorted(visible_branches(window)) == ["main", "zeta"]
    assert window.selected_id == 1
    still = window.branch_table.selectionModel().selectedRows()
    assert [index.data() for index in still] == ["main"]  # its numbers changed, the row stayed
    window.on_state_changed(StateChanged(1, "notes", RepoState.SYNCING, RepoState.IDLE, 1.0))
    assert not window.progress.cancel.isEnabled()


def test_conflicts_tab_lists_the_selected_repositorys_conflicts(qtbot: object) -> None:
    window = window_with_two_repos(qtbot)
    window.select_repo(2)
    assert window.tabs.tabText(1) == "Conflicts (1)"
    assert [c.path for c in window.conflicts.rows] == ["a.txt"]
    opened: list[str] = []
    window.open_folder_requested.connect(opened.append)
    window.select_repo(1)
    assert window.tabs.tabText(1) == "Conflicts" and not window.conflicts.rows


def test_a_submodule_off_its_commit_says_the_way_on_in_german(qtbot: object, german: None) -> None:
    """A newcomer's trial: "Submodul lib steht auf …, nicht auf dem erfassten …" ended on
    the two hashes, no way on; the line says what git command brings it back, as the
    line for local changes inside says what to do."""
    window = window_with_two_repos(qtbot)
    window.select_repo(1)
    window.show_submodules(
        1,
        [
            SubmoduleStatus("lib", "4908f24baf" + "0" * 30, "8fd4e14247" + "0" * 30, "modified"),
            SubmoduleStatus("vendor", "1" * 40, None, "uninitialised"),
        ],
    )
    lines = window.submodule_note.text().split("<br>")
    assert lines == [
        "Submodul <b>lib</b> steht auf <tt>8fd4e14247</tt>, nicht auf dem erfassten <tt>4908f24baf</tt>:"
        " git submodule update checkt den erfassten aus",
        "Submodul <b>vendor</b> ist nicht ausgecheckt: git submodule update --init checkt es aus",
    ]


def test_an_empty_skipped_files_list_says_none_were_skipped(qtbot: object) -> None:
    """A newcomer's trial: the Skipped files tab of a repository that skipped nothing showed
    "Files a sync left out, and why …" above an empty list, never that there were none."""
    window = window_with_two_repos(qtbot)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    window.select_repo(1)
    window.tabs.setCurrentIndex(2)  # built on first use
    qtbot.waitUntil(lambda: hasattr(window, "skipped_hint"))  # type: ignore[attr-defined]
    hint = window.skipped_hint
    qtbot.waitUntil(lambda: hint.text().startswith("No files skipped."))  # type: ignore[attr-defined]
    window.show_skipped(1, [SkippedFile("video.bin", "too_large", 2 << 20, 0, NOW, NOW)])
    assert hint.text().startswith("Files a sync left out, and why")
    window.select_repo(2)  # docs: its list is read afresh, nothing counted skipped
    assert hint.text().startswith("No files skipped.")
    window.select_repo(1)  # notes: one counted, its list not read yet: never "No files skipped"
    assert window.skipped.rows == [] and not hint.text().startswith("No files skipped")


def test_an_empty_skipped_files_list_says_so_in_german(qtbot: object, german: None) -> None:
    window = window_with_two_repos(qtbot)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    window.select_repo(1)
    window.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: hasattr(window, "skipped_hint"))  # type: ignore[attr-defined]
    assert window.skipped_hint.text().startswith("Keine Dateien übersprungen.")
