"""The Result column's cells: the repository's line, or the first of its briefer forms that
fits where the column is too narrow for the line ('ideas diverged, +2' for 'ideas diverged,
2 more to sync', '3 commits on no remote' for 'topic: 3 commits on no remote', in a narrow
window or a longer language), so the cell never ends in a cut-off '…' (issue 18,
defect 17); the whole line is in the cell's tooltip."""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from gui.models.standing import level_words
from gui.models.table_model import BRIEF_ROLE

ICON_SPACING = 4  # between the icon and the text, as QCommonStyle lays a cell out
TEXT_MARGINS = 8  # QCommonStyle's text margins either side of a cell's text, together
# QCommonStyle's PM_SmallIconSize, the size the marks are drawn at unless the table sets its own.
# Not asked of the style: naming QStyle makes its Python type (its enums, about 4 ms), and the
# least width is worked out before the first paint, which does without it.
SMALL_ICON = 16


class ResultDelegate(QStyledItemDelegate):
    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if fits(option, option.text):
            return
        forms = index.data(BRIEF_ROLE) or ()
        for form in forms:  # longest first: the first that fits, else the briefest
            option.text = form
            if fits(option, form):
                return


def least_width(table: QAbstractItemView) -> int:
    """The Result column's least width: the longest of the levels' own words ("Needs you",
    "Braucht dich") whole beside its icon, so the briefest form of any line is never cut."""
    metrics = QFontMetricsF(table.font())  # in fractions, as `fits` measures: rounded up
    widest = math.ceil(max(metrics.horizontalAdvance(word) for word in level_words()))
    icon = table.iconSize().width() if table.iconSize().isValid() else SMALL_ICON
    return widest + icon + ICON_SPACING + TEXT_MARGINS + 2  # (the cell's focus frame)


def room(option: QStyleOptionViewItem) -> int:
    """The width a cell's text has beside its icon."""
    icon = option.decorationSize.width() + ICON_SPACING if not option.icon.isNull() else 0
    return option.rect.width() - icon - TEXT_MARGINS


def fits(option: QStyleOptionViewItem, text: str) -> bool:
    """Measured in fractions of a pixel, as Qt lays the cell's text out and cuts it: in whole
    ones "1 Datei übersprungen" (131.28 px) fitted 131 and was painted "1 Datei übersprung…"."""
    return QFontMetricsF(option.font).horizontalAdvance(text) <= room(option)


def shown_text(option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> str:
    """What the cell paints, in the width `option.rect` gives it."""
    ResultDelegate().initStyleOption(option, index)
    return option.text
