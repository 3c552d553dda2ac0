"""One table model for every list the windows show: rows keyed, updated in place.

A view's selection and scroll position survive updates because rows are never
reset: `set_rows` diffs the new rows against the shown ones by key, emitting
`dataChanged` for the cells a changed row shows differently and inserting or removing
only what came or went.
Each column says how to display a row and what to sort it by (`SORT_ROLE`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from gui.models.formatting import when

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
BRIEF_ROLE = Qt.ItemDataRole.UserRole + 3  # shorter texts, longest first, for a column too narrow
# The roles as plain numbers: a view asks `data` about eight roles of every cell it
# measures or paints (thousands of calls before the first paint), most of them roles no
# column answers; those return at once, without looking up Qt's enums.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_SORT, _ROW, _BRIEF = int(SORT_ROLE), int(ROW_ROLE), int(BRIEF_ROLE)
_ANSWERED = frozenset({_DISPLAY, _ALIGNMENT, _TOOLTIP, _FOREGROUND, _DECORATION, _SORT, _ROW, _BRIEF})
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str  # marked with QT_TRANSLATE_NOOP("Columns", …) where it is written
    text: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    align_right: bool = False
    tooltip: Callable[[Row], str] | None = None
    foreground: Callable[[Row], Any] | None = None
    decoration: Callable[[Row], Any] | None = None  # an icon before the text, or None
    brief: Callable[[Row], tuple[str, ...]] | None = None  # shorter texts, longest first, see BRIEF_ROLE
    drawn: Callable[[Row], Any] | None = None  # what else a delegate paints in the cell (a bar)

    def shown(self, row: Row) -> tuple[Any, ...]:
        """Everything the cell shows of `row`, or sorts it by: equal, and it need not be painted again."""
        parts = (self.text, self.sort_key, self.tooltip, self.foreground, self.decoration, self.drawn)
        return tuple(None if part is None else part(row) for part in parts)


def time_column(
    header: str, moment: Callable[[Row], datetime | None], tooltip: Callable[[Row], str] | None = None
) -> Column[Row]:
    """A moment as `when` reads it ("14:02", "21 Nov 14:02", "never"), sorted by the time
    itself, never first."""
    return Column(
        header,
        lambda row: when(moment(row)),
        sort_key=lambda row: _iso(moment(row)),
        tooltip=tooltip,
    )


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


class KeyedTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(
        self,
        columns: Sequence[Column[Row]],
        key: Callable[[Row], Hashable],
        header_text: Callable[[str], str] = str,
    ) -> None:
        """`header_text`: a header as shown (its translation, where the columns are written)."""
        super().__init__()
        self.columns = list(columns)
        self._header_text = header_text
        self._key = key
        self._rows: list[Row] = []
        self._position: dict[Hashable, int] = {}

    # Qt's model interface -------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._header_text(self.columns[section].header)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(self.columns[section])
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in _ANSWERED or not index.isValid():
            return None
        at = index.row()
        if at >= len(self._rows):
            return None
        row, column = self._rows[at], self.columns[index.column()]
        if role == _DISPLAY:
            return column.text(row)
        if role == _SORT:
            return column.sort_key(row) if column.sort_key is not None else column.text(row)
        if role == _ROW:
            return row
        if role == _ALIGNMENT:
            return self._alignment(column)
        if role == _TOOLTIP and column.tooltip is not None:
            return column.tooltip(row)
        if role == _FOREGROUND and column.foreground is not None:
            return column.foreground(row)
        if role == _DECORATION and column.decoration is not None:
            return column.decoration(row)
        if role == _BRIEF and column.brief is not None:
            return column.brief(row)
        return None

    @staticmethod
    def _alignment(column: Column[Row]) -> Qt.AlignmentFlag:
        return _RIGHT if column.align_right else _LEFT

    # Updates in place -----------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_for(self, key: Hashable) -> Row | None:
        position = self._position.get(key)
        return None if position is None else self._rows[position]

    def position_of(self, key: Hashable) -> int | None:
        return self._position.get(key)

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Show exactly `rows`: changed rows repainted, new ones inserted, gone ones removed."""
        wanted = list(rows)
        keys = {self._key(row) for row in wanted}
        for position in reversed(range(len(self._rows))):
            if self._key(self._rows[position]) not in keys:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        self._reindex()
        new: dict[Hashable, Row] = {}  # in order of arrival, the last row of each key
        for row in wanted:
            key = self._key(row)
            if key in self._position:
                self.upsert(row)
            else:
                new[key] = row
        if new:  # appended in one insertion: a sorting proxy then sorts them once, not row by row
            end = len(self._rows)
            self.beginInsertRows(QModelIndex(), end, end + len(new) - 1)
            self._rows.extend(new.values())
            self._reindex()
            self.endInsertRows()

    def upsert(self, row: Row) -> None:
        """Replace the row with the same key (repainting only if it differs), or append it."""
        key = self._key(row)
        position = self._position.get(key)
        if position is None:
            end = len(self._rows)
            self.beginInsertRows(QModelIndex(), end, end)
            self._rows.append(row)
            self._position[key] = end
            self.endInsertRows()
        elif self._rows[position] != row:
            old, self._rows[position] = self._rows[position], row
            changed = [at for at, column in enumerate(self.columns) if column.shown(old) != column.shown(row)]
            if changed:  # only those columns: a sorting proxy sorts again only when its column is one
                self.dataChanged.emit(self.index(position, changed[0]), self.index(position, changed[-1]))

    def _reindex(self) -> None:
        self._position = {self._key(row): i for i, row in enumerate(self._rows)}


class SortFilterModel(QSortFilterProxyModel):
    """Sorted by each column's sort key; filtered by a case-insensitive text over all columns."""

    def __init__(self, source: QAbstractTableModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:  # unknown values sort first
            return a is None and b is not None
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
