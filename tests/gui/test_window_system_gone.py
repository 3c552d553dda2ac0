"""The app on a real X server (its own Xvfb) that goes away under it, as at a logout that
ends X before the session's SIGTERM, or an X crash: Qt's xcb plugin ends every event loop.
The app must quit as Quit does (the engine's last sync commits and pushes what waits) and
end, freeing its locks; before, it waited for good on the engine's threads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers.host import start_process, stop_process, wait_until
from tests.servers.xvfb import start_xvfb

ENTRY = "import sys; from gui.launch import main; sys.exit(main())"
CLI = "import sys; from core.cli import main; sys.exit(main())"
ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds for each step a loaded machine may take; never a measured duration


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_the_app_quits_with_its_last_sync_when_the_x_server_goes_away(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "GITFERRY_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "xcb",
    }
    (tmp_path / "home").mkdir()
    remote, notes = tmp_path / "remote.git", tmp_path / "notes"
    _git("init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    _git("clone", "-q", str(remote), str(notes), cwd=tmp_path)
    (notes / "a.md").write_text("a\n")
    _git("add", ".", cwd=notes)
    _git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "a", cwd=notes)
    _git("push", "-q", "origin", "main", cwd=notes)
    for command in (["add", str(notes), "--auto-commit"], ["set", "--global", "settle_time", "600"]):
        subprocess.run([sys.executable, "-c", CLI, *command], env=env, check=True, capture_output=True)
    xvfb, env["DISPLAY"] = start_xvfb(env, tmp_path / "xvfb.log", "1024x768x24")
    app = None
    try:
        app = start_process([sys.executable, "-c", ENTRY], env, tmp_path / "app.log")
        log = tmp_path / "data" / "gitferry.log"
        wait_until(
            lambda: log.exists() and "answering the CLI" in log.read_text(), "the app's engine runs", WAIT
        )
        (notes / "saved.md").write_text("saved just before the logout\n")  # the settle time holds it
        time.sleep(1.5)  # older than the second a file changed a moment ago waits at any quit
        stop_process(xvfb)
        wait_until(lambda: app.poll() is not None, "the app ends", WAIT)
        assert app.returncode == 0, (tmp_path / "app.log").read_text()
        assert "final auto sync" in log.read_text()
        assert _git("ls-tree", "--name-only", "main", cwd=remote).split() == ["a.md", "saved.md"]
        assert _git("status", "--porcelain", cwd=notes) == ""
    finally:
        if app is not None:
            stop_process(app)
        stop_process(xvfb)
