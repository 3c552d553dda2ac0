"""Asked for, the status window is shown: a second launch, the tray's Status window and a
notification's Show bring it back even from the taskbar (a user trial minimized it, launched
Gitferry again, read "its status window is shown", and it stayed minimized)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from gui.desktop import Desktop


def test_a_minimized_window_is_shown_again_when_asked_for(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    qtbot.waitExposed(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    desktop.tray.status_requested.emit(0)  # what a second launch and a notification's Show do too
    qtbot.waitUntil(lambda: not window.isMinimized())
    assert window.isVisible()
