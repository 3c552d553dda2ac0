"""A label that never widens its window: text longer than the room it is given is
painted cut with "…" (the whole of it in `text()`, the tooltip and for screen
readers), and it asks for little width, so a long repository name, path or message
cannot push the window past the screen. Given `lines` above one, it wraps at word
boundaries onto that many lines first and keeps their height whether the text needs
them or not, so its row never jumps as the text changes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MINIMUM_CHARACTERS = 8


class ElidedLabel(QLabel):
    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        lines: int = 1,
    ) -> None:
        super().__init__(parent)
        self._mode = mode
        self._lines = lines
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self.text()

    def set_full_text(self, text: str, tooltip: str | None = None) -> None:
        self.setText(text)
        self.setToolTip(text if tooltip is None else tooltip)

    def shown_text(self) -> str:
        """What fits: the text, or its start (end, middle) and "…"; with `lines`, its
        lines joined by newlines, the last one cut if the text needs more."""
        room = max(self.contentsRect().width(), 0)
        text = self.text()
        wrapped: list[str] = []
        if self._lines > 1:
            wrapped, text = self._wrap(text, room)
        if wrapped and not text:  # it fits on fewer lines
            return "\n".join(wrapped)
        return "\n".join([*wrapped, self.fontMetrics().elidedText(text, self._mode, room)])

    def _wrap(self, text: str, room: int) -> tuple[list[str], str]:
        """All but the last of `lines` lines of the text wrapped to `room`, and the rest."""
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        wrapped: list[str] = []
        start = 0
        while len(wrapped) < self._lines - 1 and start < len(text):
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(room)
            end = line.textStart() + line.textLength()
            wrapped.append(text[start:end].rstrip())
            start = end
        layout.endLayout()
        return wrapped, text[start:]

    def _height(self, hint: QSize) -> int:
        if self._lines == 1:
            return hint.height()
        margins = self.contentsMargins()
        return self.fontMetrics().lineSpacing() * self._lines + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self._height(hint))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * MINIMUM_CHARACTERS, self._height(hint))

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
