"""The desktop app's first steps, taken before PySide6 is imported.

Importing PySide6's widgets is some 70 ms of a launch of about 200, so what the
first paint needs and Qt does not is started before it: the app's two flags
checked (argparse's `--help` answered without Qt), the process's open-file limit
raised, and the status store's picture read over plain `sqlite3` in a thread
(the query runs in SQLite's C code, which lets the import go on meanwhile).
The modules that read it (`core.first_paint`, `sqlite3`, `datetime`, the data
types) are imported before PySide6, whose import hook otherwise reads the source
of every module imported after it.

The cyclic garbage collector is paused from here until the window's first paint
(`gui/app.py` starts it again): the launch makes some 30,000 objects that live as
long as the app (PySide6's enum types, classes, the rows), and the collector ran
52 times over them while they were made (7 ms of CPU before the paint, measured
with `gc.callbacks`); paused, the 16 collections before this point and one after
the paint (4 ms) are left. From the paint on it collects as rarely as `gitferry
daemon` does (`painted`): the engine the app runs is the daemon's. But only on the GUI
thread: the automatic collector stays off and the app's ticker collects when a
collection is due (`core.platform.collector.collect_when_due`, every `SIGNAL_POLL_MS`
in `gui/app.py`). A collection runs in whichever thread allocates past the threshold,
in the app mostly the engine's (the store's, the offload pools'); a Qt object left in a
reference cycle was then destroyed there, its C++ destructor running beside the GUI
thread's event loop, and the GUI thread crashed with a segmentation fault (CI: a GUI
test's start while the store's migration ran in its thread; such collections freed
an add-folder dialog and a clone's progress relay in the I/O pool's thread).

The entry points (`python -m gui`, the `gitferry` command) call `begin` first,
then import `gui.app`. This module does not import Qt.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.first_paint import Snapshot, first_snapshot
from core.paths import data_dir, store_file
from core.platform.collector import THRESHOLDS
from core.platform.fd_limit import raise_soft_limit

FLAGS = ("--hidden", "--verbose")


@dataclass(frozen=True)
class Options:
    hidden: bool = False  # start in the tray, window closed (at login)
    verbose: bool = False  # log debug detail


def parse_args(argv: Sequence[str]) -> Options:
    """The app's two flags; anything else (`--help`, a mistake) through argparse, which
    (with the gettext lookups its parser makes) is not imported for a plain launch."""
    args = list(argv)
    if not all(arg in FLAGS for arg in args):
        import argparse

        parser = argparse.ArgumentParser(prog="gitferry", description="The Gitferry desktop app.")
        flag = parser.add_argument
        flag("--hidden", action="store_true", help="start in the tray, window closed (at login)")
        flag("--verbose", action="store_true", help="log debug detail")
        parser.parse_args(args)  # exits with its message: only the two flags are valid
    return Options(hidden="--hidden" in args, verbose="--verbose" in args)


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


@dataclass(frozen=True)
class Startup:
    options: Options
    home: Path
    reading: SnapshotRead


def begin(argv: Sequence[str]) -> Startup:
    """The flags checked (exits on a bad one), the collector paused, the open-file limit
    raised and the store's picture being read."""
    options = parse_args(argv)
    gc.disable()
    home = data_dir()
    reading = SnapshotRead(store_file(home))
    raise_soft_limit()
    return Startup(options, home, reading)


def painted() -> None:
    """The first paint is done (or the window starts hidden): the collector's thresholds
    are `gitferry daemon`'s (`core.platform.collector`: the app runs the same engine for
    days), its collections left to the GUI thread (the automatic collector stays off)."""
    gc.set_threshold(*THRESHOLDS)
