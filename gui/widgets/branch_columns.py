"""The branch table's two name columns share the room the numbers, the time and the state
leave: each gets what its longest text needs when both fit, else a share in proportion to
that need. Before, the branch column was a fixed 160 px and the upstream took the rest, so
in the default window at 2x scale "origin/main" read "origin/…" beside a near-empty branch
column.

The numbers, the time and the state are as wide as their content, and the fitting of all
of them is done once per event loop pass, after what changed in it
(`gui/widgets/content_columns.py`). Fitting at each signal made a repository's 20 rows
cost 140 column measurements, 20,000 calls of the model's `data`, before the window's
first paint.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView

from gui.widgets.content_columns import ContentColumns

BRANCH, UPSTREAM = 0, 1


class BranchColumns(ContentColumns):
    def __init__(self, table: QTableView) -> None:
        header = table.horizontalHeader()
        super().__init__(table, range(UPSTREAM + 1, header.count()))  # the numbers, the time, the state
        header.setSectionResizeMode(BRANCH, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(UPSTREAM, QHeaderView.ResizeMode.Stretch)

    def fit(self) -> None:
        header = self._table.horizontalHeader()
        need = {column: self.need(column) for column in range(header.count())}
        self.fit_content(need)
        room = self.room() - sum(need[column] for column in self._columns)
        branch_need, upstream_need = need[BRANCH], need[UPSTREAM]
        if branch_need + upstream_need <= room:
            width = branch_need
        else:
            width = room * branch_need // max(branch_need + upstream_need, 1)
        header.resizeSection(BRANCH, max(width, header.minimumSectionSize()))
