"""The app started while `gitferry daemon` syncs its data folder (`gui/engine_take_over.py`):
it asks, then stops the real daemon process and becomes the engine, or quits and leaves
the daemon running; never a silent second engine."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from core.api import APP, EngineLock
from core.engine.engine_lock import engine_holder
from gui.engine_take_over import become_engine
from tests.gui.waiting import shown_window, until
from tests.integration.engine_process import ROOT, EngineProcess, answering, refused_daemon
from tests.waiting import CAP

Run = Callable[[Coroutine[Any, Any, Any], float], Any]


@pytest.fixture
def daemon() -> Iterator[EngineProcess]:
    process = EngineProcess()
    yield process
    assert "Traceback" not in process.stop()


async def answered(home: Path, button: str) -> tuple[EngineLock | None, str, bool]:
    """`become_engine` with `button` clicked in its question; the question's text, and
    whether the "stopping" progress showed."""
    asking = asyncio.ensure_future(become_engine(home))
    await until(lambda: shown_window(QMessageBox) is not None or asking.done())
    box = shown_window(QMessageBox)
    assert box is not None, "no question asked"
    text = box.text()
    [clicked] = [b for b in box.buttons() if b.text().replace("&", "") == button]
    clicked.click()
    progress = False
    while not asking.done():
        progress = progress or shown_window(QProgressDialog) is not None
        await asyncio.sleep(0.01)
    return await asking, text, progress


@pytest.mark.slow
def test_the_app_stops_the_daemon_and_takes_over(run: Run, daemon: EngineProcess) -> None:
    lock, text, _progress = run(answered(daemon.home, "Stop it and open Gitferry"), CAP)
    assert lock is not None
    try:
        assert f"process {daemon.proc.pid}" in text
        assert daemon.proc.wait(CAP) == 0  # SIGTERM: its clean stop
        assert "gitferry daemon: stopped" in daemon.stop()
        holder = engine_holder(daemon.home)
        assert holder is not None and (holder.pid, holder.kind) == (os.getpid(), APP)
        assert not answering(daemon.home)  # its socket went with it
        assert refused_daemon()[0] == 3
        assert shown_window(QProgressDialog) is None
    finally:
        lock.release()


@pytest.mark.slow
def test_quit_leaves_the_daemon_syncing(run: Run, daemon: EngineProcess) -> None:
    lock, _text, progress = run(answered(daemon.home, "Quit"), CAP)
    assert lock is None and not progress
    assert daemon.proc.poll() is None and answering(daemon.home)
    holder = engine_holder(daemon.home)
    assert holder is not None and holder.pid == daemon.proc.pid


# A daemon in its stop: the engine lock held, its record saying it quits, SIGTERM ends it.
QUITTING = """
import signal, sys
from pathlib import Path
from core.engine.engine_lock import DAEMON, claim_engine
lock = claim_engine(Path(sys.argv[1]), DAEMON)
lock.quitting()
print("quitting", flush=True)
signal.pause()
"""


@pytest.mark.slow
def test_a_daemon_already_quitting_is_waited_for_without_a_question(run: Run) -> None:
    home = Path(os.environ["GITFERRY_HOME"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quitting = subprocess.Popen(
        [sys.executable, "-c", QUITTING, str(home)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert quitting.stdout is not None and quitting.stdout.readline() == "quitting\n"
        lock = run(become_engine(home), CAP)
        assert lock is not None
        try:
            assert shown_window(QMessageBox) is None
            assert quitting.wait(CAP) != 0  # ended by the take-over's SIGTERM
            holder = engine_holder(home)
            assert holder is not None and (holder.pid, holder.kind) == (os.getpid(), APP)
        finally:
            lock.release()
    finally:
        if quitting.poll() is None:
            quitting.kill()
        quitting.wait(CAP)
