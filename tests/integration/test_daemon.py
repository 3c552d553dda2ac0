"""`gitferry daemon`: fetches on its own, and stops cleanly on SIGTERM mid-cycle."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gitcli import fsck, git
from tests.integration.clones import Clones, run
from tests.servers import Remote

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]


def journal(home: Path) -> list[dict[str, object]]:
    path = home / "activity.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_daemon_fetches_in_the_background_and_stops_on_sigterm(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    for name in ("mine", "theirs"):
        code, _out, err = run(capsys, "set", name, "fetch_interval", "1")
        assert code == 0, err
    pushed = world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    home = Path(os.environ["GITFERRY_HOME"])
    daemon = subprocess.Popen(
        [*CLI, "daemon"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            fetched = git("rev-parse", "origin/main", cwd=world.mine) == pushed
            if fetched and len(journal(home)) >= 3:
                break
            assert daemon.poll() is None, daemon.communicate()
            time.sleep(0.1)
        else:
            pytest.fail("the daemon fetched nothing within 30 s")
        assert git("rev-parse", "main", cwd=world.mine) != pushed  # a background fetch never integrates
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=10)
        assert time.monotonic() - started < 5, err
        assert daemon.returncode == 0, err
        assert "stopped" in err
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    with sqlite3.connect(home / "status.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states = {row[0] for row in db.execute("SELECT state FROM sync_runs")}
        assert states <= {"done", "failed"}, states
    for clone in (world.mine, world.theirs):
        fsck(clone)
        assert not (clone / ".git" / "gitferry" / "sync.lock").exists()
    assert all(entry["result"] in ("ok", "up_to_date", "error") for entry in journal(home))
