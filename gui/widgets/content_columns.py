"""Table columns as wide as their content, measured once per event loop pass.

Qt's `ResizeToContents` sizes a column the same way (the widest of its cells' and its
header's size hints), but measures every cell of the column again at each layout of
the header: the status window's first paint measured the branch table's four number
columns eight times over (20 rows, seven `data` calls through the sorting proxy for
each cell: 4,500 calls into Python) and the repository list's "Last sync" four times
(1,500 calls). Here such columns are fixed sections, resized once after what changed
in an event loop pass (rows inserted, removed, changed or moved, a header's text, the
room resized or shown, the font or style): a queued call, which Qt delivers before
the window system's expose, so the first paint has the fitted widths. A hidden table's
changes wait for its showing.

The room is watched on the horizontal header, which Qt keeps as wide as the viewport
(`QTableView::updateGeometries`), not on the viewport: asking PySide6 for the viewport,
a plain `QWidget`, makes it look through every widget class for the one it is, which
builds 66 of their enum types first (5 ms before the first paint).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

# What changes what a column needs (besides the model's signals)
REFIT_EVENTS = (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.FontChange, QEvent.Type.StyleChange)


class ContentColumns(QObject):
    def __init__(self, table: QTableView, columns: Sequence[int]) -> None:
        super().__init__(table)
        self._table = table
        self._columns = tuple(columns)
        header = table.horizontalHeader()
        for column in self._columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)  # the user cannot drag them
        header.installEventFilter(self)
        self._pending = False
        model = table.model()
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            model.layoutChanged,
            model.headerDataChanged,
        ):
            signal.connect(self._changed)

    def room(self) -> int:
        """The viewport's width (the header's: see above)."""
        return self._table.horizontalHeader().width()

    def need(self, column: int) -> int:
        """What `ResizeToContents` would make the column (before the header's bounds)."""
        return max(
            self._table.sizeHintForColumn(column), self._table.horizontalHeader().sectionSizeHint(column)
        )

    def fit(self) -> None:
        self.fit_content({column: self.need(column) for column in self._columns})

    def fit_content(self, need: dict[int, int]) -> None:
        """The columns at what they need, within the header's bounds (as Qt bounds them)."""
        header = self._table.horizontalHeader()
        low, high = header.minimumSectionSize(), header.maximumSectionSize()
        for column in self._columns:
            header.resizeSection(column, min(max(need[column], low), high))

    def _changed(self) -> None:
        if self._table.isVisible():  # a hidden table is fitted when shown
            self._schedule()

    def _schedule(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._fit_pending)

    def _fit_pending(self) -> None:
        self._pending = False
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in REFIT_EVENTS:
            self._schedule()
        return False
