"""A window's size and place held to the screen it is on: the status window's first
size (nothing remembered yet) and a restored one never larger than the room the screen
has, nor off it. At QT_SCALE_FACTOR=2 a 1400x900 screen has 700x450 of room."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room a window manager's frame (title bar, borders) takes that Qt does not know of
# before the window is mapped: the first size leaves this much of the screen free.
FRAME_SHARE = 0.9


def default_size(wanted: QSize) -> QSize:
    """`wanted`, or as much of it as fits the primary screen's room with a frame around."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    room = screen.availableGeometry()
    width = min(wanted.width(), int(room.width() * FRAME_SHARE))
    height = min(wanted.height(), int(room.height() * FRAME_SHARE))
    return QSize(width, height)


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
