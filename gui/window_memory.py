"""What the status window remembers across a restart: its geometry, the split between
the list and the detail pane, the selected repository and the open tab.

A `QSettings` INI file in Gitferry's data folder (`$GITFERRY_HOME`, else the
platform's), `window.ini`: the look of one window is no business of the status
store, and Qt reads and writes these values (geometry as Qt encodes it) itself.
A restored window is never larger than the screen it lands on, nor off it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QWidget

FILE_NAME = "window.ini"


class WindowMemory:
    def __init__(self, folder: Path) -> None:
        self._settings = QSettings(str(folder / FILE_NAME), QSettings.Format.IniFormat)

    def save(self, key: str, value: str | int | QByteArray) -> None:
        self._settings.setValue(key, value)

    def text(self, key: str) -> str | None:
        value = self._settings.value(key)
        return value if isinstance(value, str) else None

    def number(self, key: str) -> int | None:
        value = self._settings.value(key)
        try:
            return int(value) if value is not None else None  # INI files keep numbers as text
        except (TypeError, ValueError):
            return None

    def data(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else None

    def sync(self) -> None:
        self._settings.sync()


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move `window` so all of it lies on the screen it is on (or the primary)."""
    screen = window.screen()
    if screen is None:
        return
    room: QRect = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    width = min(window.width(), room.width() - extra_w)
    height = min(window.height(), room.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    x = min(max(frame.x(), room.left()), room.right() + 1 - width - extra_w)
    y = min(max(frame.y(), room.top()), room.bottom() + 1 - height - extra_h)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)
