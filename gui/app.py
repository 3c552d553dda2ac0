"""The composition root of the desktop app.

`main()` paints the status window from the status store first, before the
engine is even imported (the store is read over plain `sqlite3` in a thread
while Qt starts), then builds the qasync loop, the core and the desktop
(engine, bridge, tray), makes sure only one instance runs per user, logs and
shows errors no code caught, and shuts down cleanly from the tray's Quit,
SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.first_paint import Snapshot, first_snapshot
from core.logs import configure_logging
from core.paths import data_dir, store_file
from core.platform.fd_limit import raise_soft_limit
from gui.remembered import Remembered
from gui.resources import icon_path
from gui.single_instance import SingleInstance
from gui.translations import install_translations
from gui.widgets.palette_colors import dark_palette
from gui.windows.status_window import StatusWindow

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("gitferry.gui")

SIGNAL_POLL_MS = 250  # Python runs signal handlers only between Qt events
FIRST_PAINT_FILE = "GITFERRY_FIRST_PAINT_FILE"
FIRST_PAINT_MODULES = "GITFERRY_FIRST_PAINT_MODULES"  # and the modules imported by then, one a line
COLOR_SCHEME = "GITFERRY_COLOR_SCHEME"  # light | dark: over the desktop's (a desktop without one)


def apply_color_scheme(app: QApplication, scheme: str) -> None:
    """`dark` or `light` as the app's colour scheme, whatever the desktop says (where the
    desktop says nothing, as under a bare X server, Qt's Fusion style then paints it)."""
    wanted = {"dark": Qt.ColorScheme.Dark, "light": Qt.ColorScheme.Light}.get(scheme.strip().lower())
    if wanted is None:
        return
    app.setStyle("Fusion")
    app.styleHints().setColorScheme(wanted)
    style = app.style()
    app.setPalette(dark_palette() if wanted is Qt.ColorScheme.Dark else style.standardPalette())


@dataclass(frozen=True)
class Options:
    hidden: bool = False  # start in the tray, window closed (at login)
    verbose: bool = False  # log debug detail


def parse_args(argv: Sequence[str]) -> Options:
    """The app's two flags; anything else (`--help`, a mistake) through argparse, which
    (with the gettext lookups its parser makes) is not imported for a plain launch."""
    args = list(argv)
    if not all(arg in ("--hidden", "--verbose") for arg in args):
        import argparse

        parser = argparse.ArgumentParser(prog="gitferry", description="The Gitferry desktop app.")
        flag = parser.add_argument
        flag("--hidden", action="store_true", help="start in the tray, window closed (at login)")
        flag("--verbose", action="store_true", help="log debug detail")
        parser.parse_args(args)  # exits with its message: only the two flags are valid
    return Options(hidden="--hidden" in args, verbose="--verbose" in args)


Notify = Callable[[str, str], None]


def install_exception_hooks(loop: asyncio.AbstractEventLoop, notify: Notify) -> None:
    """Errors nobody caught are logged and shown, never lost with a silent exit."""

    def report(exc: BaseException | None, where: str) -> None:
        what = f"{type(exc).__name__}: {exc}" if exc is not None else where
        notify(
            QCoreApplication.translate("App", "Gitferry hit an unexpected error"),
            QCoreApplication.translate("App", "%1. Details are in the log.").replace("%1", what),
        )

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
    paint that shows repositories, writes `time.time()`, how many repositories and
    branches (of the selected one) the window shows, and the process's CPU seconds by
    then (`time.process_time()`, every thread) to that file (and, with
    `$GITFERRY_FIRST_PAINT_MODULES` set, the modules imported by then to that one: what
    tests/gui/test_first_paint_hook.py holds to); the app then quits as soon as its
    engine has started."""

    def __init__(self, window: StatusWindow, path: Path, modules: Path | None = None) -> None:
        super().__init__(window)
        self.window, self.path, self.modules = window, path, modules
        self.painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.window.repos.rowCount() > 0:
            shown = f"{self.window.repos.rowCount()} {self.window.branches.rowCount()}"
            self.path.write_text(f"{time.time()!r} {shown} {time.process_time()!r}")
            if self.modules is not None:
                self.modules.write_text("\n".join(sorted(sys.modules)))
            self.painted = True
            self.window.removeEventFilter(self)  # later paints need not pass through Python
        return False


class SnapshotRead(threading.Thread):
    """The status store's picture, read in a thread while the GUI thread starts Qt."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="first-snapshot", daemon=True)
        self.path = path
        self.snapshot = Snapshot()
        self.start()

    def run(self) -> None:
        self.snapshot = first_snapshot(self.path)

    def result(self) -> Snapshot:
        self.join()
        return self.snapshot


async def run_desktop(
    instance: SingleInstance,
    home: Path,
    window: StatusWindow,
    *,
    hidden: bool,
    probe: FirstPaintProbe | None = None,
) -> int:
    import asyncio

    from PySide6.QtWidgets import QMessageBox

    from core.api import Api, GitferryError  # the engine: SQLAlchemy, dulwich (after the first paint)
    from gui.desktop import Desktop

    try:
        api = await Api.open(home)
    except GitferryError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("App", "Gitferry cannot start"), exc.message)
        return 1
    desktop = Desktop(api, window=window)
    loop = asyncio.get_running_loop()
    install_exception_hooks(loop, lambda title, text: desktop.tray.notify(title, text, warning=True))
    instance.raise_requested.connect(lambda: desktop.show_status(0))
    finished = asyncio.Event()
    desktop.quitting.connect(finished.set)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(desktop.quit))
    try:
        await desktop.start(show_window=not hidden)
        rebuilt = api.recovery_note()
        if rebuilt is not None:  # the store was unreadable and rebuilt: say so
            desktop.tray.notify(
                QCoreApplication.translate("App", "Gitferry rebuilt its status store"), rebuilt, warning=True
            )
        if probe is not None and probe.painted:
            desktop.quit()
        await finished.wait()
    finally:
        instance.release()
        await api.close(wait=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    home = data_dir()
    reading = SnapshotRead(store_file(home))
    raise_soft_limit()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Gitferry")
    app.setDesktopFileName("gitferry")
    app.setQuitOnLastWindowClosed(False)
    instance = SingleInstance(home)
    if not instance.claim(listen=False):  # QtNetwork's server after the paint
        print("Gitferry is already running: its status window is shown.")
        return 0
    install_translations(app)
    apply_color_scheme(app, os.environ.get(COLOR_SCHEME, ""))
    window = StatusWindow(None, Remembered(home))
    snapshot = reading.result()
    window.show_repos(snapshot.repos, snapshot.branches, snapshot.conflicts, snapshot.skipped)
    probe = (
        FirstPaintProbe(
            window,
            Path(os.environ[FIRST_PAINT_FILE]),
            Path(os.environ[FIRST_PAINT_MODULES]) if FIRST_PAINT_MODULES in os.environ else None,
        )
        if FIRST_PAINT_FILE in os.environ
        else None
    )
    if not args.hidden:
        window.show()
        app.processEvents()  # the first paint, before the engine is imported
    # After the paint: the icon's SVG engine (a Qt plugin and QtSvg, then rendering it at the
    # window manager's sizes), the log's rotating handler (socket, pickle), QtNetwork's server.
    icon = QIcon(str(icon_path("gitferry")))
    app.setWindowIcon(icon)
    window.setWindowIcon(icon)
    configure_logging(home, args.verbose)
    instance.listen()
    return run_event_loop(app, instance, home, window, hidden=args.hidden, probe=probe)


def run_event_loop(
    app: QApplication,
    instance: SingleInstance,
    home: Path,
    window: StatusWindow,
    *,
    hidden: bool,
    probe: FirstPaintProbe | None,
) -> int:
    import asyncio

    import qasync

    from gui.event_loop import run_until_complete

    ticker = QTimer()
    ticker.start(SIGNAL_POLL_MS)
    ticker.timeout.connect(lambda: None)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code = run_until_complete(loop, run_desktop(instance, home, window, hidden=hidden, probe=probe))
    log.info("Gitferry stopped")
    return code
