"""The desktop app's first steps, before PySide6 is imported (gui/startup.py): the flags
checked without Qt, the status store's picture read in a thread, and the cyclic garbage
collector paused until the window's first paint, then run as rarely as the daemon's, on the
GUI thread only."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from core.platform.collector import collect_when_due
from gui.startup import Options, begin, painted
from tests.gitcli import commit_file, git
from tests.gui.test_first_paint_hook import register

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def collector_settings_kept() -> Iterator[None]:
    """`begin` and `painted` set the process's collector: this test's process is the test run."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_begin_reads_the_store_and_pauses_the_collector_until_the_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, home = tmp_path / "notes", tmp_path / "home"
    git("init", "-q", str(repo))
    commit_file(repo, "a.txt", "a\n")
    asyncio.run(register(home, repo))
    monkeypatch.setenv("GITFERRY_HOME", str(home))
    started = begin(["--hidden"])
    assert not gc.isenabled()
    assert started.options == Options(hidden=True) and started.home == home
    assert [record.name for record in started.reading.result().repos] == ["notes"]
    painted()
    assert not gc.isenabled()  # collections on the GUI thread only (the next test)
    assert gc.get_threshold() == (20_000, 10, 10)  # as rarely as `gitferry daemon` collects


class Dialog(QDialog):
    cycle: object


def test_after_the_paint_a_widget_left_in_a_cycle_is_freed_on_the_gui_thread_not_the_engine_s(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection runs in the thread that allocates past the threshold: the engine's
    threads destroyed the GUI's garbage beside the GUI thread's event loop (a segfault)."""
    monkeypatch.setenv("GITFERRY_HOME", str(tmp_path / "home"))
    begin([]).reading.result()
    painted()
    gc.collect()  # the dialog is the youngest generation's
    freed_in: list[str] = []
    dialog = Dialog()
    dialog.cycle = dialog
    weakref.finalize(dialog, lambda: freed_in.append(threading.current_thread().name))
    del dialog
    held: list[list[object]] = []

    def engine_work() -> None:  # a sync's objects: past the youngest generation's threshold
        held.extend([] for _ in range(3 * gc.get_threshold()[0]))

    worker = threading.Thread(target=engine_work, name="engine")
    worker.start()
    worker.join()
    assert freed_in == []
    collect_when_due()  # the app's ticker, on the GUI thread
    assert freed_in == [threading.current_thread().name]


@pytest.mark.parametrize(
    ("flag", "code", "says"), [("--help", 0, "usage: gitferry"), ("--bogus", 2, "--bogus")]
)
def test_a_flag_other_than_the_two_is_answered_before_qt_is_imported(flag: str, code: int, says: str) -> None:
    script = (
        "import sys\n"
        "from gui.startup import begin\n"
        "try:\n"
        f"    begin([{flag!r}])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code, any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.splitlines()[-1] == f"exit {code} False"
    assert says in proc.stdout + proc.stderr
