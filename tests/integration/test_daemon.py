"""`gitferry daemon`: fetches on its own, and stops cleanly on SIGTERM mid-cycle."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from core.engine.report import SyncReport
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
    with acquire_sync_lock(stuck / ".git") as lock:  # the cancelled transfer left no lock held:
        assert lock.taken_over is None  # it cut its connection and let go (32013bf), none to take over


@pytest.mark.slow
def test_a_stop_waits_neither_for_a_lost_job_nor_for_paused_repositories(
    world: Clones, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both repositories in auto mode, `theirs` paused; the start of `mine`'s start-up sync
    fails once before its task exists (in the desktop tests: a step Qt ran with no running
    loop). The stop's last round syncs `mine` and leaves `theirs` alone, and returns: its
    bound is an hour here, so a job left pending (as the failed start's was) would hold it
    past the cap. Before RepoWorker failed such a job, this stop hung."""
    from core.engine import daemon as daemon_module
    from core.engine.core import Core
    from core.engine.daemon import Daemon
    from core.engine.engine import Engine
    from core.engine.worker import JobKind
    from tests.waiting import eventually

    for name in ("mine", "theirs"):
        for setting, value in (("sync_mode", "auto"), ("auto_commit", "true")):
            code, _out, err = run(capsys, "set", name, setting, value)
            assert code == 0, err
    code, _out, err = run(capsys, "pause", "theirs")
    assert code == 0, err
    monkeypatch.setattr(daemon_module, "FINAL_SYNC_SECONDS", 3600.0)
    refused: list[str] = []
    start = Engine._run

    def start_once_refused(engine: Engine, repo_id: int, job: Any) -> Coroutine[Any, Any, SyncReport]:
        if job.kind is JobKind.AUTO_SYNC and not refused:
            refused.append(engine.workers[repo_id].name)
            raise RuntimeError("no running event loop")
        return start(engine, repo_id, job)

    monkeypatch.setattr(Engine, "_run", start_once_refused)
    saved = world.mine / "saved.txt"

    async def scenario() -> tuple[int, set[str]]:
        core = await Core.open()
        daemon = Daemon(core)
        task = asyncio.ensure_future(daemon.run())
        try:
            await asyncio.wait_for(daemon.started.wait(), CAP)
            await eventually(lambda: bool(refused), "the start-up sync's start refused")
            for path in (saved, world.theirs / "held.txt"):
                path.write_text("saved before the stop\n")
                os.utime(path, (time.time() - 2, time.time() - 2))  # older than the last round's hold
        finally:
            daemon.stop()
            await asyncio.wait_for(task, CAP)  # an hour's bound: only a pending job gets here
            await core.close()
        assert daemon.auto is not None and daemon.engine is not None
        left = {t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        return daemon.auto.counts.by_trigger.get("quit", 0), left

    quits, left = asyncio.run(scenario())
    assert refused == ["mine"]
    assert quits == 1  # `mine` alone: `theirs` is paused
    assert not left
    assert git("show", "origin/main:saved.txt", cwd=world.mine) == "saved before the stop"
    assert git("status", "--porcelain", cwd=world.theirs) == "?? held.txt"  # paused: left as it was
