"""The branch table's two name columns share the room the numbers, the time and the state
leave: each gets what its longest text needs when both fit, else a share in proportion to
that need. Before, the branch column was a fixed 160 px and the upstream took the rest, so
in the default window at 2x scale "origin/main" read "origin/…" beside a near-empty branch
column."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
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
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged, model.layoutChanged):
            signal.connect(self.fit)

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
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
