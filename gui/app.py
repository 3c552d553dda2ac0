"""The composition root of the desktop app.

`main()` builds the one QApplication, the qasync loop, the core and the
desktop (engine, bridge, tray, windows), makes sure only one instance runs per
user, logs and shows errors no code caught, and shuts down cleanly from the
tray's Quit, SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core.engine.core import Core
from core.errors import GitferryError
from core.paths import data_dir
from gui.desktop import Desktop
from gui.single_instance import SingleInstance

log = logging.getLogger("gitferry.gui")

LOG_BYTES = 1024 * 1024
LOG_FILES = 3
SIGNAL_POLL_MS = 250  # Python runs signal handlers only between Qt events
FIRST_PAINT_FILE = "GITFERRY_FIRST_PAINT_FILE"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gitferry", description="The Gitferry desktop app.")
    parser.add_argument("--hidden", action="store_true", help="start in the tray, window closed (at login)")
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    return parser.parse_args(list(argv))


def configure_logging(home: Path, verbose: bool) -> None:
    home.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(home / "gitferry.log", maxBytes=LOG_BYTES, backupCount=LOG_FILES)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


Notify = Callable[[str, str], None]


def install_exception_hooks(loop: asyncio.AbstractEventLoop, notify: Notify) -> None:
    """Errors nobody caught are logged and shown, never lost with a silent exit."""

    def report(exc: BaseException | None, where: str) -> None:
        what = f"{type(exc).__name__}: {exc}" if exc is not None else where
        notify("Gitferry hit an unexpected error", f"{what}. Details are in the log.")

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled error\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        report(exc, "error")

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        log.critical("unhandled error in the event loop: %s", context.get("message"), exc_info=exc)
        report(exc, str(context.get("message")))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)


class FirstPaintProbe(QObject):
    """For `bench/gui.py` (`$GITFERRY_FIRST_PAINT_FILE` set): at the status window's first
    paint that shows repositories, writes `time.time()` to that file and quits the app."""

    def __init__(self, desktop: Desktop, path: Path) -> None:
        super().__init__(desktop)
        self.desktop, self.path = desktop, path
        self.quitting: asyncio.Future[None] | None = None
        desktop.window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.desktop.window.repos.rowCount() > 0:
            self.path.write_text(repr(time.time()))
            self.desktop.window.removeEventFilter(self)
            self.quitting = asyncio.ensure_future(self._quit())
        return False

    async def _quit(self) -> None:
        # Quit once the scheduler runs: a stop that comes before it is lost (it waits out its grace).
        await self.desktop.daemon.started.wait()
        await asyncio.sleep(0)
        self.desktop.quit()


async def run_desktop(app: QApplication, instance: SingleInstance, home: Path, *, hidden: bool) -> int:
    try:
        core = await Core.open(home)
    except GitferryError as exc:
        QMessageBox.critical(None, "Gitferry cannot start", exc.message)
        return 1
    desktop = Desktop(core)
    if os.environ.get(FIRST_PAINT_FILE):
        FirstPaintProbe(desktop, Path(os.environ[FIRST_PAINT_FILE]))
    app.setWindowIcon(desktop.icon)
    loop = asyncio.get_running_loop()
    install_exception_hooks(loop, lambda title, text: desktop.tray.notify(title, text, warning=True))
    instance.raise_requested.connect(lambda: desktop.show_status(0))
    finished = asyncio.Event()
    desktop.quitting.connect(finished.set)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(desktop.quit))
    try:
        await desktop.start(show_window=not hidden)
        await finished.wait()
    finally:
        instance.release()
        await core.close(wait=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    home = data_dir()
    configure_logging(home, args.verbose)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Gitferry")
    app.setDesktopFileName("gitferry")
    app.setQuitOnLastWindowClosed(False)
    instance = SingleInstance(home)
    if not instance.claim():
        print("Gitferry is already running: its status window is shown.")
        return 0
    ticker = QTimer()
    ticker.start(SIGNAL_POLL_MS)
    ticker.timeout.connect(lambda: None)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(run_desktop(app, instance, home, hidden=args.hidden))
    log.info("Gitferry stopped")
    return code
