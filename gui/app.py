"""The composition root of the desktop app.

`main()` paints the status window from the status store first, before the
engine is even imported (the store is read over plain `sqlite3` in a thread
started before PySide6 is imported: `gui/startup.py`), then builds the qasync loop, the core and the desktop
(engine, bridge, tray), makes sure only one instance runs per user, logs and
shows errors no code caught, and shuts down cleanly from the tray's Quit,
SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.logs import configure_logging
from core.platform.collector import collect_when_due
from gui.remembered import Remembered
from gui.resources import icon_path
from gui.single_instance import SingleInstance
from gui.startup import Startup, begin, painted
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


def qt_classes_made() -> list[str]:
    """`PySide6.QtWidgets.QStyle` and the like: the classes of the imported Qt modules whose
    Python types PySide6 has made so far (a module's namespace holds a class once made)."""
    qt = [name for name in sys.modules if name.startswith("PySide6.Qt")]
    return [f"{name}.{attr}" for name in qt for attr in list(vars(sys.modules[name])) if attr.startswith("Q")]


class FirstPaintProbe(QObject):
    """For `bench/gui.py` (`$GITFERRY_FIRST_PAINT_FILE` set): at the status window's first
    paint that shows repositories, writes `time.time()`, how many repositories and
    branches (of the selected one) the window shows, and the process's CPU seconds by
    then (`time.process_time()`, every thread) to that file (and, with
    `$GITFERRY_FIRST_PAINT_MODULES` set, the modules imported by then to that one, then
    the Qt classes PySide6 has made by then, `PySide6.QtWidgets.QStyle`: it makes a
    class's Python type, with its enum types, on first use; what
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
                self.modules.write_text("\n".join([*sys.modules, *qt_classes_made()]))  # modules in order
            self.painted = True
            self.window.removeEventFilter(self)  # later paints need not pass through Python
        return False


async def run_desktop(
    instance: SingleInstance,
    home: Path,
    window: StatusWindow,
    *,
    hidden: bool,
    probe: FirstPaintProbe | None = None,
    quit_hook: list[Callable[[], object]] | None = None,
) -> int:
    """The desktop until it quits; `quit_hook` is given its Quit (`Desktop.quit`) once the
    engine runs, for a loop that ends under it (`run_event_loop`)."""
    import asyncio

    from PySide6.QtWidgets import QMessageBox

    from core.api import Api, GitferryError  # the engine: SQLAlchemy, dulwich (after the first paint)
    from gui.desktop import Desktop
    from gui.engine_take_over import become_engine
    from gui.event_loop import cancel_other_tasks
    from gui.models.engine_words import error_text

    engine_lock = await become_engine(home, window if window.isVisible() else None)
    if engine_lock is None:  # a background daemon syncs this data folder, and keeps on
        return 0
    try:
        api = await Api.open(home, engine_lock=engine_lock)
    except GitferryError as exc:
        engine_lock.release()
        title = QCoreApplication.translate("App", "Gitferry cannot start")
        QMessageBox.critical(None, title, error_text(exc))
        return 1
    desktop = Desktop(api, window=window)
    loop = asyncio.get_running_loop()
    install_exception_hooks(loop, lambda title, text: desktop.tray.notify(title, text, warning=True))
    instance.raise_requested.connect(lambda: desktop.show_status(0))
    finished = asyncio.Event()
    desktop.quitting.connect(finished.set)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(desktop.quit))
    if quit_hook is not None:
        quit_hook.append(desktop.quit)
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
        await cancel_other_tasks()  # a click's slot still running ends before the store closes
        await api.close(wait=False)
    return 0


def main(argv: Sequence[str] | None = None, started: Startup | None = None) -> int:
    """The app; `started`: its first steps, taken before this module (and PySide6) was
    imported, as the entry points do (`gui/startup.py`), else taken here."""
    if started is None:
        started = begin(sys.argv[1:] if argv is None else argv)
    args, home, reading = started.options, started.home, started.reading
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
    window.show_snapshot(snapshot)
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
        # The first paint, before the engine is imported: painted now (`repaint`), not only
        # asked for; `processEvents` alone left it to the event loop when the window system
        # was slow to expose the window (CI at 457bcfa: the engine's modules came first).
        window.repaint()
        app.processEvents()
    painted()
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

    from gui.event_loop import LoopEnded, quit_after_loop_ended, run_until_complete

    ticker = QTimer()  # Python code between Qt events: the signal handlers, the collector
    ticker.start(SIGNAL_POLL_MS)
    ticker.timeout.connect(collect_when_due)  # on the GUI thread only (gui/startup.py)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    quit_hook: list[Callable[[], object]] = []
    with loop:
        desktop = asyncio.ensure_future(
            run_desktop(instance, home, window, hidden=hidden, probe=probe, quit_hook=quit_hook), loop=loop
        )
        try:
            code = run_until_complete(loop, desktop)
        except LoopEnded:
            code = quit_after_loop_ended(loop, desktop, quit_hook)
    log.info("Gitferry stopped")
    return code
