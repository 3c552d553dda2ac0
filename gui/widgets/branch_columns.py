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

The table asks for the room its columns need (`minimum_width`), so the splitter never
narrows the detail pane below it: at 1120 px in German the upstream read 'origin/dr…'
once the sync-mode note wrapped and stopped holding the pane wide. That room is what any
rows of the language need (the widest state word, the longest time, `NAMES_CAP` for the
names), not the rows shown: made of those, it moved the splitter at each sync and each
selection (a newcomer's trial: the list drifted wider run after run). The names' share of
that minimum is capped (and the whole at the list's least, `StatusWindow._leasts`: the
window's least one width, its Result column in sight; a wider window gives the table up
to half of it through the split), so a long branch name is cut in its column, never
widens the window past the screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

from gui.widgets.content_columns import ContentColumns
from gui.widgets.result_delegate import TEXT_MARGINS

BRANCH, UPSTREAM = 0, 1
NAMES_CAP = 200  # px the minimum keeps for the branch and upstream names together


class BranchColumns(ContentColumns):
    def __init__(
        self,
        table: QTableView,
        cap: Callable[[], int] | None = None,
        texts: Callable[[], dict[int, list[str]]] | None = None,
        fitted: Callable[[], None] | None = None,
    ) -> None:
        """`cap`: the most the table's minimum width may be now (half the window if None);
        `texts`: what a column may say of any row (`any_row_texts`), which its minimum holds;
        `fitted`: called after each fit (`minimum_width` measured again)."""
        self._cap = cap
        self._texts = texts
        self._fitted = fitted
        self._least: dict[int, int] = {}  # each content column's least width, by its possible texts
        header = table.horizontalHeader()
        super().__init__(table, range(UPSTREAM + 1, header.count()))  # the numbers, the time, the state
        header.setSectionResizeMode(BRANCH, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(UPSTREAM, QHeaderView.ResizeMode.Stretch)
        self._need: dict[int, int] = {}  # each column's need, as the last fit measured it

    def fit(self) -> None:
        header = self._table.horizontalHeader()
        self._need = {column: self.need(column) for column in range(header.count())}
        metrics = self._table.fontMetrics()
        texts = self._texts() if self._texts else {}
        self._least = {
            column: max(
                [
                    self._need[column],
                    *(metrics.horizontalAdvance(t) + TEXT_MARGINS for t in texts.get(column, ())),
                ]
            )
            for column in self._columns
        }
        self.fit_content(self._need)
        self.share()
        if self._fitted is not None:
            self._fitted()

    def share(self) -> None:
        """The names' share of the room there is now, by the last fit's measures (a resize
        measures nothing again), and the table's minimum width."""
        need, header = self._need, self._table.horizontalHeader()
        room = self.room() - sum(need[column] for column in self._columns)
        branch_need, upstream_need = need[BRANCH], need[UPSTREAM]
        if branch_need + upstream_need <= room:
            width = branch_need
        else:
            width = room * branch_need // max(branch_need + upstream_need, 1)
        header.resizeSection(BRANCH, max(width, header.minimumSectionSize()))
        # at most `cap` (half the window if none given): in a small window the list keeps its room
        minimum = min(self.minimum_width(), self._cap() if self._cap else self._table.window().width() // 2)
        if minimum != self._table.minimumWidth():
            self._table.setMinimumWidth(minimum)

    def recap(self) -> None:
        """The window's width changed, and `cap` with it: the minimum follows (no measuring)."""
        if self._need:
            self.share()

    def minimum_width(self) -> int:
        """The table's width with every column at its least (`NAMES_CAP` for the names
        together): its frame and scroll bar around the columns. The same for any rows of
        this language (a count longer than its header aside): made of the rows shown, it moved the
        splitter each time a sync or the selection changed them ("16:46" for "never", "up
        to date" for "not fetched yet")."""
        columns = NAMES_CAP + sum(self._least.values())  # none before the first fit
        return columns + self._table.width() - self.room()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._need:  # the content is as it was
            self.share()  # now, before the header lays out its stretched section and paints
            return False
        return super().eventFilter(watched, event)
