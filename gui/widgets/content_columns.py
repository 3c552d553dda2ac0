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

While repositories sync, their rows change many times a second (fifty fetches at once:
46 fits of 16 ms in a 2.3 s cycle, a third of the GUI thread's time, which is also the
engine's event loop). So a change of cells fits the columns only when it touches one of
them, and at most every `DATA_SPACING` seconds (the first change after a quiet spell at
once, the others together at the end of the spacing); a table shown, resized or
restyled is fitted in the next pass, as before.

The room is watched on the horizontal header, which Qt keeps as wide as the viewport
(`QTableView::updateGeometries`), not on the viewport: asking PySide6 for the viewport,
a plain `QWidget`, makes it look through every widget class for the one it is, which
builds 66 of their enum types first (5 ms before the first paint).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

# What changes what a column needs (besides the model's signals)
REFIT_EVENTS = (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.FontChange, QEvent.Type.StyleChange)
DATA_SPACING = 0.25  # seconds between two fits for changed rows


class ContentColumns(QObject):
    def __init__(self, table: QTableView, columns: Sequence[int]) -> None:
        super().__init__(table)
        self._table = table
        self._columns = tuple(columns)
        header = table.horizontalHeader()
        for column in self._columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)  # the user cannot drag them
        header.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fit_pending)
        self._fitted_at = -DATA_SPACING  # time.monotonic() of the last fit
        self._queued = False  # a fit in the next pass
        model = table.model()
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.layoutChanged,
            model.headerDataChanged,
        ):
            signal.connect(self._changed)
        model.dataChanged.connect(self._cells_changed)

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

    def _cells_changed(
        self, top_left: QModelIndex | QPersistentModelIndex, bottom_right: QModelIndex | QPersistentModelIndex
    ) -> None:
        first, last = top_left.column(), bottom_right.column()
        if self._table.isVisible() and any(first <= column <= last for column in self._columns):
            since = time.monotonic() - self._fitted_at
            self._schedule(max(0.0, DATA_SPACING - since))

    def _schedule(self, delay: float = 0.0) -> None:
        """A fit in the next pass (a queued call: before the window system's expose), or
        after `delay` seconds unless one is due already (due at the same time: the
        delay is counted from the last fit)."""
        if delay <= 0:
            self._timer.stop()
            if not self._queued:
                self._queued = True
                QTimer.singleShot(0, self, self._fit_pending)
        elif not self._queued and not self._timer.isActive():
            self._timer.start(round(delay * 1000))

    def _fit_pending(self) -> None:
        self._queued = False
        self._timer.stop()
        self._fitted_at = time.monotonic()
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in REFIT_EVENTS:
            self._schedule()
        return False
