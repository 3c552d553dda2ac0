"""A tab widget whose tab labels are never cut: the style paints a label clipped to a
rectangle that, at Fusion's size hint, is as tall as the font's line for the current
tab and 2 px less for the others (shifted down), so the dots of "Ü" ("Übersprungene
Dateien") and the descenders of "g", "p", "y" ("History") lost a row of pixels (issue 18).
Each tab asks for the height its label's glyphs need beyond the line, each side, plus the
other tabs' shift. Measured by the font alone: asking the style for its metrics would
build QStyle's Python enums, 4 ms of the first paint."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QTabBar, QTabWidget, QWidget

# the glyphs reaching farthest above and below the line in the languages shipped
TALLEST = "ÜÄÖÅÉÈgjpqy"
SHIFT = 1  # each side: a tab that is not the current one is drawn this much lower


class WholeTabBar(QTabBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._extra: int | None = None

    def _extra_height(self) -> int:
        if self._extra is None:
            metrics = self.fontMetrics()
            glyphs = metrics.tightBoundingRect(TALLEST)  # y from the baseline, up is negative
            above = max(0, -glyphs.top() - metrics.ascent())
            below = max(0, glyphs.bottom() + 1 - metrics.descent())
            self._extra = 2 * (max(above, below) + SHIFT)
        return self._extra

    def tabSizeHint(self, index: int) -> QSize:
        size = super().tabSizeHint(index)
        return QSize(size.width(), size.height() + self._extra_height())

    def minimumTabSizeHint(self, index: int) -> QSize:
        size = super().minimumTabSizeHint(index)
        return QSize(size.width(), size.height() + self._extra_height())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._extra = None
        super().changeEvent(event)


class WholeTabs(QTabWidget):
    """A `QTabWidget` with a `WholeTabBar`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabBar(WholeTabBar(self))
