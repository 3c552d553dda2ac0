"""The branch table's two name columns share the room the numbers, the time and the state
leave: each gets what its longest text needs when both fit, else a share in proportion to
that need. Before, the branch column was a fixed 160 px and the upstream took the rest, so
in the default window at 2x scale "origin/main" read "origin/…" beside a near-empty branch
column.

Fitting asks every cell of every column for its size, so it is done once per event
loop pass, after what changed in it (rows inserted, changed or moved one by one, the
viewport resized and shown as the window's layout settles): a queued call, which Qt
delivers before the window system's expose, so the first paint has the fitted widths.
Fitting at each signal made a repository's 20 rows cost 140 column measurements, 20,000
calls of the model's `data`, before the window's first paint; a hidden table's changes
wait for its showing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

BRANCH, UPSTREAM = 0, 1


class BranchColumns(QObject):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        header = table.horizontalHeader()
        header.setSectionResizeMode(BRANCH, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(UPSTREAM, QHeaderView.ResizeMode.Stretch)
        for column in range(UPSTREAM + 1, header.count()):  # the numbers, the time, the state
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.viewport().installEventFilter(self)
        self._pending = False
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged, model.layoutChanged):
            signal.connect(self._changed)

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

    def fit(self) -> None:
        table = self._table
        header = table.horizontalHeader()
        need = [max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(header.count())]
        room = table.viewport().width() - sum(need[UPSTREAM + 1 :])
        branch_need, upstream_need = need[BRANCH], need[UPSTREAM]
        if branch_need + upstream_need <= room:
            width = branch_need
        else:
            width = room * branch_need // max(branch_need + upstream_need, 1)
        header.resizeSection(BRANCH, max(width, header.minimumSectionSize()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._schedule()
        return False
