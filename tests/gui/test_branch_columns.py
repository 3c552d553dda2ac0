"""The branch table's name columns are fitted once per event loop pass, yet the window's
first paint already shows them fitted (the queued fit comes before the expose)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from core.model import BranchStatus, RepoRecord
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
