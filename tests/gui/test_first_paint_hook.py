"""The first-paint hook bench/gui.py relies on: the real app, launched as a process,
writes the time of the status window's first paint and quits cleanly; and the first
paint's import graph: the window is painted before the app imports the engine
(SQLAlchemy, dulwich, asyncio, qasync) or any widget the paint does not show (the
Conflicts and History tabs, the first-run panel, the tray, the settings dialog,
notifications, the log's rotating handler, QtNetwork), so a slow import cannot creep back in
front of the paint unnoticed, nor a Qt class whose Python type costs its enum types (QStyle,
the widget classes PySide6 makes to find a viewport's class); and the store's reader comes
before PySide6 (its read runs while PySide6 loads)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.registry import add_repository
from gui.app import FIRST_PAINT_FILE, FIRST_PAINT_MODULES
from tests.gitcli import commit_file, git

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_TIMEOUT = 30.0
# Top-level packages, and our own modules, that must wait until after the first paint.
NOT_BEFORE_THE_PAINT = (
    "dulwich",
    "sqlalchemy",
    "aiosqlite",
    "asyncio",
    "qasync",
    "jeepney",
    "core.api",
    "core.engine",
    "core.git",
    "core.events",
    "gui.desktop",
    "gui.bridge",
    "gui.tray",
    "gui.notifications",
    "gui.conflict_flow",
    "gui.windows.settings_dialog",
    "gui.widgets.conflicts_panel",
    "gui.widgets.history_panel",
    "gui.widgets.first_run",
    "logging.handlers",
    "PySide6.QtNetwork",
    "PySide6.QtSvg",
    "PySide6.QtDBus",
    # Qt classes whose Python types (and their enum types) PySide6 makes on first use:
    "PySide6.QtWidgets.QStyle",  # 11 enum types: made where a mark's pixmap or disabled text needs it
    "PySide6.QtWidgets.QWizard",  # one of 70 widget classes made when a table's viewport is asked for
    "PySide6.QtWidgets.QSystemTrayIcon",  # the tray comes after the paint
)


def too_early(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in NOT_BEFORE_THE_PAINT))


async def register(home: Path, repo: Path) -> None:
    core = await Core.open(home)
    try:
        await add_repository(core, str(repo), name="notes")
    finally:
        await core.close()


@pytest.mark.slow
def test_the_app_writes_its_first_paint_time_and_exits_0_having_imported_no_engine_by_then(
    tmp_path: Path,
) -> None:
    repo, home, painted = tmp_path / "notes", tmp_path / "home", tmp_path / "painted"
    modules_file = tmp_path / "modules"
    git("init", "-q", str(repo))
    commit_file(repo, "a.txt", "a\n")
    asyncio.run(register(home, repo))
    env = {
        **os.environ,
        "GITFERRY_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        FIRST_PAINT_FILE: str(painted),
        FIRST_PAINT_MODULES: str(modules_file),
    }
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "gui"], cwd=ROOT, env=env, capture_output=True, timeout=LAUNCH_TIMEOUT
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    when, repos, branches, cpu = painted.read_text().split()
    assert started < float(when) < time.time()
    assert float(cpu) > 0  # the process's CPU seconds to the paint (bench/gui.py reports them)
    assert (repos, branches) == ("1", "1")  # notes and its main, measured when it was added
    order = modules_file.read_text().split()  # in the order they were imported
    modules = set(order)
    # the probe saw the paint itself: the window and what it reads were imported by then
    assert {"gui.windows.status_window", "core.first_paint", "PySide6.QtWidgets"} <= modules
    assert too_early(modules) == []
    # the store's picture is read (sqlite3, in a thread) while PySide6 is imported: gui/startup.py
    assert order.index("core.store.status_reader") < order.index("PySide6")


def test_the_check_names_what_came_too_early() -> None:
    assert too_early({"gui.app", "dulwich.repo", "core.engine", "asyncio", "gui.tray", "core.model"}) == [
        "asyncio",
        "core.engine",
        "dulwich.repo",
        "gui.tray",
    ]
