"""Open folder through xdg-open, watched until it says whether anything opened the folder.

Qt's `QDesktopServices.openUrl` runs xdg-open detached on Linux and reports only that it
started. Where xdg-open finds nothing to open a folder with (no file manager, no desktop
session: Debian's xdg-open then tries a list of browsers and exits 3), nothing showed and
nothing was said. Here xdg-open is run in a session of its own (so that quitting Gitferry
never takes a file manager it started with it) and looked at for `WATCH_SECONDS`: a
non-zero exit within them emits `failed` (the desktop then shows the path to copy, as where
no xdg-open exists at all); one still running then is taken to have opened it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

WATCH_SECONDS = 10.0
POLL_MS = 100


class FolderLaunch(QObject):
    """One xdg-open of a folder; `failed` once it exited non-zero."""

    failed = Signal()

    def __init__(self, process: subprocess.Popen[bytes], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = process
        self._elapsed = QElapsedTimer()
        self._elapsed.start()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def _look(self) -> None:
        code = self.process.poll()
        if code is None and self._elapsed.elapsed() < WATCH_SECONDS * 1000:
            return
        self._timer.stop()
        if code not in (None, 0):
            self.failed.emit()
        self.deleteLater()


def launch_xdg_open(path: str, parent: QObject | None = None) -> FolderLaunch | None:
    """xdg-open `path`, watched (`FolderLaunch`); None where there is no xdg-open to run
    (not Linux, not on the PATH) or it cannot be started."""
    launcher = shutil.which("xdg-open") if sys.platform.startswith("linux") else None
    if launcher is None:
        return None
    try:
        process = subprocess.Popen(
            [launcher, path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return None
    return FolderLaunch(process, parent)
