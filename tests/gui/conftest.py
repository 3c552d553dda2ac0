"""GUI tests: a qasync event loop over pytest-qt's QApplication.

Tests are plain functions that drive coroutines with `run(...)` on the qasync
loop, so Qt events and asyncio tasks (the engine, the bridge) both make
progress while a test waits; `qtbot.waitSignal` alone would not drive asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.api import Api
from core.engine.core import Core
from core.engine.daemon import Daemon
from core.platform.collector import collect_when_due
from gui.app import SIGNAL_POLL_MS
from gui.desktop import ACTIONS_AT_QUIT, Desktop
from gui.event_loop import run_until_complete
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.servers import Remote

T = TypeVar("T")
Run = Callable[..., Any]


@pytest.fixture(scope="session")
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for the whole session, as an app has one: a loop closed between
    tests leaves Qt timers and notifiers behind that crash a later test's event processing."""
    qapp.setQuitOnLastWindowClosed(False)  # as the app: closing a dialog must not end the loop
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    run_until_complete(loop, loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)


class CollectorOnTheMainThread:
    """As in the app (`gui/startup.py`): the automatic cyclic collector off, collections on
    the main thread only, when due (a test's end, and its ticker while the loop runs). The
    store's and the pools' threads, and the servers', otherwise ran collections that
    destroyed a test's widgets left in reference cycles beside the main thread's event
    loop (an add-folder dialog, a clone's progress relay), and a worker crashed with a
    segmentation fault in the next test's `desktop` (CI at 6f6a56f). From the first GUI
    test on, for the rest of the worker's session (its other tests included: such
    garbage outlives its test); a test that turns the collector on is undone at the next
    test's start."""

    def __init__(self) -> None:
        self.ticker = QTimer()
        self.ticker.timeout.connect(collect_when_due)

    def start(self) -> None:
        gc.disable()
        self.ticker.start(SIGNAL_POLL_MS)

    def stop(self) -> None:
        self.ticker.stop()
        gc.enable()

    @pytest.hookimpl
    def pytest_runtest_setup(self) -> None:
        gc.disable()

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self) -> None:
        collect_when_due()


@pytest.fixture(scope="session", autouse=True)
def collector_on_the_main_thread(qapp: QApplication, pytestconfig: pytest.Config) -> Iterator[None]:
    collector = CollectorOnTheMainThread()
    collector.start()
    pytestconfig.pluginmanager.register(collector)
    yield
    pytestconfig.pluginmanager.unregister(collector)
    collector.stop()


@pytest.fixture(autouse=True)
def qt_events_on_the_loop(qloop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest-qt processes Qt events between a test's phases. qasync runs asyncio's callbacks
    from Qt timers, so outside `run` they would run with no running loop: a task resumed
    there (an event handler still reading the store when the test's last line ran) fails
    half-way through its transaction and leaves the connection's thread behind, and the
    test process never exits. Here they are processed on the loop, as in the app."""
    import pytestqt.plugin

    def on_the_loop() -> None:
        if qloop.is_running() or qloop.is_closed():
            return
        try:
            run_until_complete(qloop, asyncio.sleep(0))
        finally:
            asyncio.set_event_loop(qloop)

    monkeypatch.setattr(pytestqt.plugin, "_process_events", on_the_loop)


@pytest.fixture
def run(qloop: qasync.QEventLoop) -> Callable[[Coroutine[Any, Any, T], float], T]:
    """`run(coro, timeout=30)`: the coroutine's result, on the qasync loop."""

    def runner(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        try:  # not qloop.run_until_complete: see gui/event_loop.py
            return run_until_complete(qloop, asyncio.wait_for(coro, timeout))
        finally:
            # qasync lets go of the loop when it stops; a click between two `run`s
            # (an asyncSlot) needs it as the current loop to schedule its task.
            asyncio.set_event_loop(qloop)

    return runner


@dataclass
class Running:
    """The façade over a real core on the test's GITFERRY_HOME, the background engine running."""

    api: Api
    task: asyncio.Task[None]

    @property
    def core(self) -> Core:
        return self.api.core

    @property
    def daemon(self) -> Daemon:
        return self.api.daemon


@pytest.fixture
def running(run: Run) -> Iterator[Running]:
    async def start() -> Running:
        api = await Api.open()
        task = asyncio.ensure_future(api.run())
        await asyncio.wait_for(api.started.wait(), 10)
        return Running(api, task)

    engine = run(start())
    yield engine

    async def stop() -> None:
        engine.api.stop()
        await asyncio.wait_for(engine.task, 15)
        await engine.api.close()

    run(stop())


@pytest.fixture
def opened() -> list[str]:
    """The folders the desktop was asked to open in the file manager."""
    return []


async def start_desktop(folders: list[str], *, show_window: bool = True) -> Desktop:
    """The desktop app on the test's GITFERRY_HOME, its window shown (unless not
    `show_window`); "Open folder" lands in `folders`."""
    desktop = Desktop(await Api.open(), open_folder=folders.append)
    await desktop.start(show_window=show_window)
    return desktop


async def stop_desktop(desktop: Desktop) -> None:
    """The user's actions under way ended, as Quit lets them end (a test that clicked Finish
    may stop at the line Finish shows before it reads the history: that read, left running,
    met a closed store in the next test's event loop); then the engine stopped, then the
    status store closed."""
    await desktop.in_flight.settle(ACTIONS_AT_QUIT)
    await desktop.stop()
    await desktop.api.close()


@pytest.fixture
def desktop(run: Run, opened: list[str]) -> Iterator[Desktop]:
    started = run(start_desktop(opened))
    yield started
    run(stop_desktop(started))


LIVE_SYNC_WAIT = 45.0  # a loaded CI machine's background fetch; a lock left behind outlasts any wait


@dataclass
class ClonesBesideTheApp(Clones):
    """`Clones` whose `check()` first lets the running app's own work on them end: both clones
    are registered, and the app fetches a registered repository in the background (soon after
    it is added, then at its interval), holding its sync lock for a moment. A lock left behind
    is never let go: the wait gives up and `Clones.check` fails on it."""

    run: Run | None = None

    def check(self) -> None:
        if self.run is None:
            super().check()
            return
        # The app may start a fetch between the wait and the check (a push by one clone has
        # the other, of the same remote, fetched about 2 s later): a lock met then is waited
        # out again, twice at most; one left behind outlasts every wait.
        for attempt in range(3):
            with contextlib.suppress(TimeoutError):
                self.run(until(self.no_sync_running), LIVE_SYNC_WAIT)
            try:
                super().check()
                return
            except AssertionError as exc:
                if "sync lock is still there" not in str(exc) or attempt == 2:
                    raise

    def no_sync_running(self) -> bool:
        return not any(
            (clone / ".git" / "gitferry" / "sync.lock").exists() for clone in (self.mine, self.theirs)
        )


@pytest.fixture
def world(git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], run: Run) -> Clones:
    """`mine` and `theirs`, cloned from a `git daemon` remote and registered. Ask for it after
    `desktop`: the clones are then made once the desktop app runs, as a user would add them."""
    world = ClonesBesideTheApp.make(git_daemon, tmp_path, capsys)
    world.run = run
    return world


@pytest.fixture(scope="session", autouse=True)
def translations(qapp: QApplication) -> None:
    """The app's translations, as `gui.app.main` installs them (English's plural forms)."""
    from gui.translations import install_translations

    assert install_translations(qapp), "resources/translations/gitferry_en.qm did not load"


@pytest.fixture
def german(qapp: QApplication) -> Iterator[None]:
    """The app in German for one test; the session's English stays afterwards."""
    from PySide6.QtCore import QLocale

    from gui.translations import install_translations

    installed = install_translations(qapp, QLocale("de_DE"))
    yield
    for translator in installed:
        qapp.removeTranslator(translator)


def sync_from_the_window(run: Run, desktop: Desktop, repo_id: int) -> tuple[Any, list[tuple[str, str]]]:
    """Refresh, select `repo_id`, press Sync now: its report and the notices the tray gave."""
    from tests.gui.waiting import next_emit

    run(desktop.refresh())
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    desktop.window.select_repo(repo_id)
    desktop.window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    return report, notified
