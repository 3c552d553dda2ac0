"""The branch table's columns, and the repository list's "Last sync", are fitted once per
event loop pass, yet the window's first paint already shows them fitted (the queued fit
comes before the expose); the content-sized ones follow their content as rows come and go."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

from core.events import PhaseProgress, StateChanged
from core.model import BranchStatus, RepoRecord, RepoState
from gui.models.repos import LAST_SYNC_COLUMN
from gui.widgets import content_columns
from gui.windows.status_window import StatusWindow

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


class FirstPaintWidths(QObject):
    """The branch table's section widths when its viewport first paints."""

    def __init__(self, window: StatusWindow) -> None:
        super().__init__(window)
        self.window = window
        self.widths: list[int] | None = None
        window.branch_table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.widths is None:
            header = self.window.branch_table.horizontalHeader()
            self.widths = [header.sectionSize(c) for c in range(header.count())]
        return False


def test_the_first_paint_shows_the_branch_columns_fitted_and_they_are_fitted_once(qtbot: object) -> None:
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    names = ["main", "a-rather-long-feature-branch-name", *(f"topic-{n}" for n in range(18))]
    branches = {1: [BranchStatus(n, f"origin/{n}", "a" * 40, "a" * 40, 1, 0, NOW) for n in names]}
    window.show_repos([RepoRecord(1, "notes", "/n")], branches, {})
    seen = FirstPaintWidths(window)
    fits: list[int] = []
    fit = window.branch_columns.fit
    window.branch_columns.fit = lambda: (fits.append(1), fit())[1]  # type: ignore[method-assign]
    window.show()
    QApplication.processEvents()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert seen.widths is not None
    assert len(fits) == 1  # one fit for the 20 rows, the show and the resizes of the layout
    header = window.branch_table.horizontalHeader()
    fit()
    assert seen.widths == [header.sectionSize(c) for c in range(header.count())]


class FirstPaintWidth(QObject):
    """The repository list's "Last sync" width when its viewport first paints."""

    def __init__(self, window: StatusWindow) -> None:
        super().__init__(window)
        self.window = window
        self.width: int | None = None
        window.repo_table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.width is None:
            self.width = self.window.repo_table.horizontalHeader().sectionSize(LAST_SYNC_COLUMN)
        return False


def content_width(table: QTableView, column: int) -> int:
    """What Qt's ResizeToContents makes of the column: its cells' and header's widest hint,
    within the header's bounds."""
    header = table.horizontalHeader()
    need = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
    return min(max(need, header.minimumSectionSize()), header.maximumSectionSize())


def test_the_last_sync_column_is_as_wide_as_its_content_at_the_first_paint(qtbot: object) -> None:
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    records = [RepoRecord(n, f"repo-{n}", f"/r/{n}", last_sync=NOW if n % 2 else None) for n in range(1, 41)]
    window.show_repos(records, {}, {})
    seen = FirstPaintWidth(window)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert seen.width is not None
    assert seen.width == content_width(window.repo_table, LAST_SYNC_COLUMN)
    assert (
        window.repo_table.horizontalHeader().sectionResizeMode(LAST_SYNC_COLUMN)
        == QHeaderView.ResizeMode.Fixed
    )


def test_the_number_columns_follow_their_content_as_rows_come_and_go(qtbot: object) -> None:
    """As ResizeToContents did: wider for a branch far ahead, narrower once it is gone (also
    when the filter hides it), once the event loop has run."""
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    small = [BranchStatus(f"topic-{n}", f"origin/topic-{n}", "a" * 40, "a" * 40, n, 0, NOW) for n in range(5)]
    far = BranchStatus("far", "origin/far", "a" * 40, "b" * 40, 1_234_567_890, 0, NOW)
    window.show_repos([RepoRecord(1, "notes", "/n")], {1: [*small, far]}, {})
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    table, header = window.branch_table, window.branch_table.horizontalHeader()
    ahead = 2
    qtbot.waitUntil(lambda: header.sectionSize(ahead) == content_width(table, ahead))  # type: ignore[attr-defined]
    wide = header.sectionSize(ahead)
    window.filter.setText("topic")
    qtbot.waitUntil(lambda: header.sectionSize(ahead) == content_width(table, ahead))  # type: ignore[attr-defined]
    assert header.sectionSize(ahead) < wide
    window.filter.clear()
    qtbot.waitUntil(lambda: header.sectionSize(ahead) == wide)  # type: ignore[attr-defined]
    window.branches.set_rows(small)
    qtbot.waitUntil(lambda: header.sectionSize(ahead) == content_width(table, ahead))  # type: ignore[attr-defined]
    assert header.sectionSize(ahead) < wide


def test_rows_changing_many_times_a_second_are_fitted_a_few_times_and_end_fitted(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty fetches at once change every row several times a second: progress alone
    (the Activity column) fits nothing; new last-sync times fit at most once per spacing,
    and the column ends as wide as its content."""
    monkeypatch.setattr(content_columns, "DATA_SPACING", 0.3)
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    records = [RepoRecord(n, f"repo-{n}", f"/r/{n}") for n in range(1, 41)]
    window.show_repos(records, {}, {})
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    columns = window.repo_columns
    qtbot.waitUntil(lambda: not columns._queued and not columns._timer.isActive())  # type: ignore[attr-defined]
    fits: list[int] = []
    fit = columns.fit
    columns.fit = lambda: (fits.append(1), fit())[1]  # type: ignore[method-assign]
    for record in records:
        window.on_state_changed(StateChanged(record.id, record.name, RepoState.IDLE, RepoState.FETCHING, 0.0))
    for step in range(20):
        for record in records:
            window.on_progress(PhaseProgress(record.id, record.name, "origin", "receiving", step, 20, step))
        QApplication.processEvents()
        if step == 0:  # the first progress lays the window out again (a resize: fitted as ever)
            qtbot.waitUntil(lambda: not columns._queued and not columns._timer.isActive())  # type: ignore[attr-defined]
            fits.clear()
    assert fits == []  # progress shows in the Activity column only
    for record in records:
        window.on_state_changed(StateChanged(record.id, record.name, RepoState.FETCHING, RepoState.IDLE, 1.0))
    qtbot.waitUntil(lambda: not columns._queued and not columns._timer.isActive())  # type: ignore[attr-defined]
    fits.clear()
    for n, record in enumerate(records):  # each in a pass of its own
        window.update_record(replace(record, last_sync=NOW + timedelta(minutes=n)), [])
        QApplication.processEvents()
    assert 1 <= len(fits) < len(records)
    table, header = window.repo_table, window.repo_table.horizontalHeader()
    qtbot.waitUntil(lambda: not columns._queued and not columns._timer.isActive())  # type: ignore[attr-defined]
    assert header.sectionSize(LAST_SYNC_COLUMN) == content_width(table, LAST_SYNC_COLUMN)
