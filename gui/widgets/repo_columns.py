"""The repository list's columns give way in a narrow list, so the Result column stays in
sight.

The name column starts 160 px wide and the Activity column 100 (the user may drag
either), Last sync is as wide as its content (`content_columns.py`) and Result stretches
over what is left. With those widths fixed, a narrow list (the status window at
QT_SCALE_FACTOR=2 on a 1400x900 screen: 630 px wide, a list of about 280) put the
Result column past the list's right edge, behind a horizontal scroll bar, where nobody
saw "Needs you". Now, whenever the room changes, the name column and then Activity give
way (down to their titles beside the sort arrow, then where the room is smaller still to
the header's minimum, the titles cut with '…'; a name is cut with '…' in its middle, so
"project-01" and "project-02" stay apart as "proj…-01" and "proj…-02", where cut at the
end a trial saw eleven rows of "project…"; its tooltip has it whole) so that Result keeps
`result_min`, and they return to their widths when there is
room again. A width the user drags either to becomes the one it returns to.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from gui.widgets.content_columns import ContentColumns

NAME = 0


class NameDelegate(QStyledItemDelegate):
    """A name too long for its column is cut in its middle: names that differ at the end
    ("project-01", "project-02") stay apart."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class RepoColumns(ContentColumns):
    def __init__(
        self,
        table: QTableView,
        *,
        content: list[int],
        widths: dict[int, int],  # the columns that give way (the name first), and their widths
        result_min: int,
    ) -> None:
        super().__init__(table, content)
        self._wanted = dict(widths)
        self._result_min = result_min
        self._sharing = False
        header = table.horizontalHeader()
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.sectionResized.connect(self._resized)
        table.setItemDelegateForColumn(NAME, NameDelegate(table))
        # a title with less room than it needs is cut with '…' before the sort arrow; Qt's
        # header otherwise paints it whole and the arrow over it ("Reposit▾")
        header.setTextElideMode(Qt.TextElideMode.ElideRight)

    def fit(self) -> None:
        super().fit()
        self.share()

    def share(self) -> None:
        """The giving columns' widths for the room there is now: each as wanted while the
        Result column keeps `result_min`, else narrower, the first listed first."""
        header = self._table.horizontalHeader()
        spare = self.room() - self._result_min - sum(header.sectionSize(c) for c in self._columns)
        widths = self._given(spare, titled=True)
        if sum(widths.values()) > spare:  # Result first: the titles are cut with '…'
            widths = self._given(spare, titled=False)
        self._sharing = True
        try:
            for column, width in widths.items():
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._sharing = False

    def _given(self, spare: int, *, titled: bool) -> dict[int, int]:
        """The giving columns' widths in `spare`, the first listed giving first, each down to
        its header's minimum, or (`titled`) to its title whole beside the sort arrow: Qt
        leaves the arrow no room of its own, and German at 900 px painted it over
        "Repository". A user's narrower drag is theirs to keep."""
        header = self._table.horizontalHeader()
        giving = list(self._wanted)
        least = header.minimumSectionSize()
        widths = {}
        for i, column in enumerate(giving):
            later = sum(self._wanted[c] for c in giving[i + 1 :])  # kept whole while room allows
            wanted = self._wanted[column]
            low = max(least, min(header.sectionSizeHint(column), wanted)) if titled else least
            widths[column] = max(low, min(wanted, spare - later))
            spare -= widths[column]
        return widths

    def minimum_width(self) -> int:
        """The list's width with the giving columns at the header's minimum and Result at
        `result_min`: its frame and scroll bar around them."""
        header = self._table.horizontalHeader()
        columns = len(self._wanted) * header.minimumSectionSize() + self._result_min
        columns += sum(header.sectionSize(c) for c in self._columns)
        return columns + self._table.width() - self.room()

    def _resized(self, column: int, _old: int, new: int) -> None:
        if not self._sharing and column in self._wanted:  # the user's drag: theirs to keep
            self._wanted[column] = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # now, before the header lays out and paints
            self.share()
        return super().eventFilter(watched, event)
