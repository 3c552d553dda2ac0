"""Event-loop lag of the desktop app while its 50 repositories fetch.

In this process: a `gui.desktop.Desktop` on the fleet's GITFERRY_HOME, started
with its status window shown, on a qasync loop (the app's own set-up). A 10 ms
Qt timer records how late it fires during each cycle. A cycle fetches every
repository once, after one new commit was pushed to `main` of every server, by
the engine's background fetch (the job the scheduler starts at a repository's
slot, `bench.contenders.fetch_every`):
- all at once x50: bounded by the offload pools only;
- max_concurrent at a time x50: the bound the scheduler keeps;
- git: `git fetch` of each repository, max_concurrent at a time (a thread pool),
  and io_workers at a time (the width all at once gets from the offload pools).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

from bench.contenders import fetch_every, run_git
from bench.gui_fleet import MOVED, DesktopFleet, check_reports
from bench.probes import CpuClock, Samples
from gui.event_loop import run_until_complete  # asyncio alone: no Qt before it is needed

T = TypeVar("T")
PERIOD = 0.010
RUN_TIMEOUT = 300.0
ALL_AT_ONCE = "gitferry, background fetch, all at once"
BOUNDED = "gitferry, background fetch, max_concurrent at a time"
GIT = "git fetch, max_concurrent at a time"
GIT_WIDE = "git fetch, io_workers at a time"
IDLE = "window open, idle"


class TimerLag:
    """A 10 ms precise QTimer on the GUI thread; a sample = how late each timeout came."""

    def __init__(self, period: float = PERIOD) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.period = period
        self.samples = Samples()
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(round(period * 1000))
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.samples.values.append(max(0.0, now - self._last - self.period))
        self._last = now

    @contextmanager
    def running(self) -> Iterator[TimerLag]:
        self._last = time.perf_counter()
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.stop()


@dataclass
class Lag:
    """What the lag rounds measured."""

    walls: dict[str, list[float]] = field(default_factory=dict)
    cpus: dict[str, list[float]] = field(default_factory=dict)
    lag: dict[str, Samples] = field(default_factory=dict)
    phases: dict[str, list[dict[str, float]]] = field(default_factory=dict)  # reports' timings_ms
    fds: list[int] = field(default_factory=list)  # this process's open descriptors, after each cycle
    profile: str = ""

    def keep(self, name: str, wall: float, cpu: float) -> None:
        self.walls.setdefault(name, []).append(wall)
        self.cpus.setdefault(name, []).append(cpu)


class OpenDesktop:
    """The desktop app in this process, window shown, on a qasync loop."""

    def __init__(self, home: Path) -> None:
        import qasync
        from PySide6.QtWidgets import QApplication

        from core.api import Api
        from gui.desktop import Desktop

        app = QApplication.instance() or QApplication([])
        self.loop = qasync.QEventLoop(app, already_running=False)
        asyncio.set_event_loop(self.loop)
        self.api = self.run(Api.open(home))
        self.desktop = Desktop(self.api, open_folder=lambda _path: None)
        self.run(self.desktop.start(show_window=True))
        self.ids = [view.id for view in self.desktop.window.repos.rows]

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = RUN_TIMEOUT) -> T:
        try:
            return run_until_complete(self.loop, asyncio.wait_for(coro, timeout))  # see gui/event_loop.py
        finally:
            asyncio.set_event_loop(self.loop)  # qasync lets go of the loop when it stops

    async def all_at_once(self) -> list[dict[str, Any]]:
        reports, _peak = await fetch_every(self.api.daemon, self.ids)
        return [report.to_json() for report in reports]

    async def bounded(self) -> list[dict[str, Any]]:
        at_once = (await self.api.app_settings()).max_concurrent
        reports, _peak = await fetch_every(self.api.daemon, self.ids, at_once)
        return [report.to_json() for report in reports]

    async def shown_behind(self, want: int) -> None:
        """The window's branch table (the selected repository) shows `main` `want` behind."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = {b.name: b.behind for b in self.desktop.window.branches.rows}
            if rows.get(MOVED) == want:
                return
            await asyncio.sleep(0.02)
        raise RuntimeError(f"the branch table shows {MOVED} behind {rows.get(MOVED)}, expected {want}")

    def close(self) -> None:
        self.run(self.desktop.stop())
        self.run(self.api.close())
        self.loop.close()
        asyncio.set_event_loop(None)


def git_fetch_all(locals_: list[Path], workers: int) -> None:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda repo: run_git(repo, "fetch", "-q"), locals_))


def _ours(fleet: DesktopFleet, app: OpenDesktop, lag: Lag, name: str) -> None:
    cycle: Callable[[], Coroutine[Any, Any, list[dict[str, Any]]]] = (
        app.all_at_once if name == ALL_AT_ONCE else app.bounded
    )
    probe = TimerLag()
    cpu = CpuClock().start()
    with probe.running():
        started = time.perf_counter()
        reports = app.run(cycle())
        wall = time.perf_counter() - started
    lag.keep(name, wall, cpu.own)
    lag.lag.setdefault(name, Samples()).values.extend(probe.samples.values)
    check_reports(name, reports, moved=True)
    lag.phases.setdefault(name, []).extend(report["timings_ms"] for report in reports)
    app.run(app.shown_behind(fleet.moves))


def _git(fleet: DesktopFleet, lag: Lag, name: str) -> None:
    from core.offload import default_io_workers

    cpu = CpuClock().start()
    started = time.perf_counter()
    git_fetch_all(fleet.locals, fleet.max_concurrent if name == GIT else default_io_workers())
    lag.keep(name, time.perf_counter() - started, cpu.children)


def _idle(app: OpenDesktop, lag: Lag, seconds: float) -> None:
    probe = TimerLag()
    with probe.running():
        app.run(asyncio.sleep(seconds))
    lag.lag[IDLE] = probe.samples


def _profiled(fleet: DesktopFleet, app: OpenDesktop, lag: Lag, top: int = 30) -> None:
    """One more all-at-once cycle with cProfile on the GUI thread (the lag's cause)."""
    fleet.move()
    profiler = cProfile.Profile()
    profiler.enable()
    app.run(app.all_at_once())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    for key in ("tottime", "cumulative"):
        out.write(f"-- GUI thread during one {ALL_AT_ONCE} cycle, sorted by {key}\n")
        stats.sort_stats(key).print_stats(top)
    lag.profile = out.getvalue()


def lag_rounds(fleet: DesktopFleet, rounds: int, profile: bool) -> Lag:
    lag = Lag()
    app = OpenDesktop(fleet.home)
    try:
        _idle(app, lag, 2.0)
        lag.fds.append(psutil.Process().num_fds())
        for _round in range(rounds):
            for name in (ALL_AT_ONCE, GIT_WIDE, BOUNDED, GIT):
                fleet.move()
                fleet.mark()
                _ours(fleet, app, lag, name) if name in (ALL_AT_ONCE, BOUNDED) else _git(fleet, lag, name)
                fleet.check(name)
                lag.fds.append(psutil.Process().num_fds())
        if fleet.behind() != [fleet.moves] * len(fleet.locals):
            raise RuntimeError(f"git counts {MOVED} behind {fleet.behind()}, expected {fleet.moves}")
        if profile:
            _profiled(fleet, app, lag)
    finally:
        app.close()
    return lag
