"""The first-paint hook bench/gui.py relies on: the real app, launched as a process,
writes the time of the status window's first paint and quits cleanly."""

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
from gui.app import FIRST_PAINT_FILE
from tests.gitcli import commit_file, git

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_TIMEOUT = 30.0


async def register(home: Path, repo: Path) -> None:
    core = await Core.open(home)
    try:
        await add_repository(core, str(repo), name="notes")
    finally:
        await core.close()


@pytest.mark.slow
def test_the_app_writes_its_first_paint_time_and_exits_0(tmp_path: Path) -> None:
    repo, home, painted = tmp_path / "notes", tmp_path / "home", tmp_path / "painted"
    git("init", "-q", str(repo))
    commit_file(repo, "a.txt", "a\n")
    asyncio.run(register(home, repo))
    env = {
        **os.environ,
        "GITFERRY_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        FIRST_PAINT_FILE: str(painted),
    }
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "gui"], cwd=ROOT, env=env, capture_output=True, timeout=LAUNCH_TIMEOUT
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert started < float(painted.read_text()) < time.time()
