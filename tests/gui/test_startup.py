"""The desktop app's first steps, before PySide6 is imported (gui/startup.py): the flags
checked without Qt, the status store's picture read in a thread, and the cyclic garbage
collector paused until the window's first paint, then run as rarely as the daemon's."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from gui.startup import Options, begin, painted
from tests.gitcli import commit_file, git
from tests.gui.test_first_paint_hook import register

ROOT = Path(__file__).resolve().parents[2]


def test_begin_reads_the_store_and_pauses_the_collector_until_the_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, home = tmp_path / "notes", tmp_path / "home"
    git("init", "-q", str(repo))
    commit_file(repo, "a.txt", "a\n")
    asyncio.run(register(home, repo))
    monkeypatch.setenv("GITFERRY_HOME", str(home))
    was_enabled, threshold = gc.isenabled(), gc.get_threshold()
    try:
        started = begin(["--hidden"])
        assert not gc.isenabled()
        assert started.options == Options(hidden=True) and started.home == home
        assert [record.name for record in started.reading.result().repos] == ["notes"]
        painted()
        assert gc.isenabled()
        assert gc.get_threshold() == (20_000, 10, 10)  # as rarely as `gitferry daemon` collects
    finally:
        gc.set_threshold(*threshold)
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


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
