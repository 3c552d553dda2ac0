"""Paints a repository's transfer progress as a thin bar under its Activity text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem

from gui.models.repos import RepoView, progress_fraction
from gui.models.table_model import ROW_ROLE

BAR_HEIGHT = 4


class ActivityDelegate(QStyledItemDelegate):
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        view = index.data(ROW_ROLE)
        if not isinstance(view, RepoView) or not view.busy or view.progress is None:
            return
        fraction = progress_fraction(view.progress)
        if fraction is None:
            return
        # QStyle's many enums cost milliseconds to make: not before the window's first paint
        from PySide6.QtWidgets import QStyle, QStyleOptionProgressBar

        rect: QRect = option.rect
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(rect.left() + 4, rect.bottom() - BAR_HEIGHT - 1, rect.width() - 8, BAR_HEIGHT)
        bar.minimum, bar.maximum, bar.progress = 0, 1000, round(fraction * 1000)
        bar.textVisible = False
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
