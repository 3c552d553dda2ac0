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

from core.git.locks.sync_lock import acquire_sync_lock
from tests.gitcli import fsck, git
from tests.integration.clones import Clones, run
from tests.servers import Remote
from tests.servers.faults import TricklingServer
from tests.waiting import CAP

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]


def journal(home: Path) -> list[dict[str, object]]:
    path = home / "activity.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_daemon_fetches_in_the_background_and_stops_on_sigterm(
    git_daemon: Remote, trickling_server: TricklingServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A third repository's remote trickles a byte now and then, so its fetch never ends
    on its own and SIGTERM always lands while it is in flight: the daemon exits only if it
    abandons that fetch (how soon: `python -m bench.timeouts`)."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    stuck = tmp_path / "stuck"
    git("init", "-q", "-b", "main", str(stuck))
    git("remote", "add", "origin", f"git://127.0.0.1:{trickling_server.port}/x.git", cwd=stuck)
    run(capsys, "add", str(stuck))
    run(capsys, "set", "--global", "max_concurrent", "3")
    for name in ("mine", "theirs", "stuck"):
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
            if fetched and len(journal(home)) >= 2 and trickling_server.connections:
                break
            assert daemon.poll() is None, daemon.communicate()
            time.sleep(0.1)
        else:
            pytest.fail("the daemon fetched nothing within 30 s")
        assert git("rev-parse", "main", cwd=world.mine) != pushed  # a background fetch never integrates
        assert not [e for e in journal(home) if e.get("repo") == "stuck"]  # its fetch is still running
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=CAP)
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
    results = {(entry["repo"], entry["result"]) for entry in journal(home)}
    assert ("stuck", "error") in results  # the fetch in flight, recorded as cancelled
    assert all(result in ("ok", "up_to_date") for repo, result in results if repo != "stuck")
    with acquire_sync_lock(stuck / ".git") as lock:  # the killed transfer left no lock held
        assert lock.taken_over is not None and lock.taken_over.pid == daemon.pid
