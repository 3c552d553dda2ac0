"""A one-line label that never widens its window: text longer than the room it is
given is painted cut with "…" (the whole of it in `text()`, the tooltip and for
screen readers), and it asks for little width, so a long repository name, path or
message cannot push the window past the screen."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MINIMUM_CHARACTERS = 8


class ElidedLabel(QLabel):
    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(parent)
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self.text()

    def set_full_text(self, text: str, tooltip: str | None = None) -> None:
        self.setText(text)
        self.setToolTip(text if tooltip is None else tooltip)

    def shown_text(self) -> str:
        """What fits: the text, or its start (end, middle) and "…"."""
        room = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), self._mode, max(room, 0))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * MINIMUM_CHARACTERS, hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.isEnabled():
            # What QStyle::drawItemText paints for enabled text, without QStyle's Python type
            # (its many enum types cost 4 ms to make, in front of the window's first paint)
            painter.setPen(QPen(self.palette().brush(self.foregroundRole()), painter.pen().widthF()))
            painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
        else:  # the style's own disabled look (etched or dithered in some)
            self.style().drawItemText(
                painter,
                self.contentsRect(),
                int(self.alignment()),
                self.palette(),
                False,
                self.shown_text(),
                self.foregroundRole(),
            )
        painter.end()
