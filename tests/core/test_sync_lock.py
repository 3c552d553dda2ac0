"""The sync lock across threads and processes, and the clean-up after a dead owner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.git.locks import sync_lock
from core.git.locks.stale_locks import remove_stale_leftovers
from core.git.locks.sync_lock import (
    Holder,
    SyncBusy,
    SyncLock,
    acquire_for_action,
    acquire_sync_lock,
    read_owner,
)
from tests.waiting import CAP

HOLDER = """
import sys, time
from core.git.locks.sync_lock import acquire_sync_lock
lock = acquire_sync_lock(sys.argv[1])
print("locked", flush=True)
time.sleep(60)
"""

ACTION = """
import sys, time
from core.git.locks.sync_lock import Holder, acquire_for_action
lock = acquire_for_action(sys.argv[1], "elsewhere", Holder.{name})
print("locked", flush=True)
time.sleep(60)
"""

OPENER = """
import sys, time
f = open(sys.argv[1], "a")
print("open", flush=True)
time.sleep(60)
"""


def _child(script: str, arg: Path) -> subprocess.Popen[str]:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(arg)], cwd=root, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() in ("locked", "open")
    return proc


@pytest.fixture
def git_dir(tmp_path: Path) -> Path:
    path = tmp_path / "repo" / ".git"
    (path / "refs" / "heads").mkdir(parents=True)
    (path / "objects" / "pack").mkdir(parents=True)
    return path


def test_acquire_records_owner_and_release_removes_the_file(git_dir: Path) -> None:
    with acquire_sync_lock(git_dir) as lock:
        owner = read_owner(lock.path)
        assert owner is not None and owner.pid == os.getpid() and owner.alive()
        assert lock.taken_over is None
    assert not lock.path.exists()


def test_a_second_thread_is_busy_or_waits(git_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = acquire_sync_lock(git_dir)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            acquire_sync_lock(git_dir).release()
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=second)
    worker.start()
    worker.join(5)
    assert len(errors) == 1 and isinstance(errors[0], SyncBusy)
    assert f"pid {os.getpid()}" in errors[0].message

    # The patient one must find the lock busy at least once, then take it only after the
    # release: its tries are recorded, and the release waits for a busy one.
    tries: list[str] = []
    busy_seen = threading.Event()

    def recorded_try(path: Path, holder: sync_lock.Holder) -> SyncLock | None:
        taken = real_try(path, holder)
        if threading.current_thread() is worker:
            tries.append("busy" if taken is None else "took")
            busy_seen.set()
        return taken

    real_try = sync_lock._try_lock
    monkeypatch.setattr(sync_lock, "_try_lock", recorded_try)
    worker = threading.Thread(target=lambda: acquire_sync_lock(git_dir, wait=CAP).release())
    worker.start()
    assert busy_seen.wait(CAP)
    tries.append("released")
    lock.release()
    worker.join(CAP)
    assert not worker.is_alive()
    assert tries[0] == "busy" and "took" in tries, tries
    assert "released" in tries[: tries.index("took")], tries


def test_a_lock_held_by_another_process_is_busy_until_it_dies(git_dir: Path) -> None:
    holder = _child(HOLDER, git_dir)
    try:
        with pytest.raises(SyncBusy) as busy:
            acquire_sync_lock(git_dir, wait=0.2)
        assert busy.value.owner is not None and busy.value.owner.pid == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(5)
        with acquire_sync_lock(git_dir, wait=2) as lock:
            assert lock.taken_over is not None and lock.taken_over.pid == holder.pid
            assert not lock.taken_over.alive()
    finally:
        holder.kill()
        holder.wait(5)


@pytest.mark.parametrize(
    ("name", "running"),
    [
        ("FINISH", "a conflict's Finish is running"),
        ("UNDO", "an Undo is running"),
        ("PUBLISH", "a publish is running"),
    ],
)
def test_a_lock_held_by_a_users_action_says_what_runs(git_dir: Path, name: str, running: str) -> None:
    """A sync blocked by a running Finish or Undo said "another sync is running": the
    record names what holds it, and a sync and a user's action both say that."""
    holder = _child(ACTION.replace("{name}", name), git_dir)
    try:
        for meet in (
            lambda: acquire_sync_lock(git_dir, repo_path="notes"),
            lambda: acquire_for_action(git_dir, "notes", Holder.UNDO),
        ):
            with pytest.raises(SyncBusy) as busy:
                meet()
            said = busy.value.message
            assert said.startswith(f"notes: {running} (pid {holder.pid} since "), said
            assert busy.value.owner is not None and busy.value.owner.holder is Holder[name]
    finally:
        holder.kill()
        holder.wait(5)


def test_a_record_without_a_holder_is_a_syncs(git_dir: Path) -> None:
    """An older Gitferry's record (no `holder`), or one naming a holder unknown here."""
    with acquire_sync_lock(git_dir) as lock:
        for text in (
            '{"pid": 1, "pid_started": 2.0, "since": 3.0, "host": "h"}',
            '{"pid": 1, "pid_started": 2.0, "since": 3.0, "host": "h", "holder": "gc"}',
        ):
            lock.path.write_text(text)
            owner = read_owner(lock.path)
            assert owner is not None and owner.holder is Holder.SYNC and owner.pid == 1
            assert "another sync is running" in SyncBusy("notes", owner).message


def test_a_garbage_lock_file_is_simply_taken(git_dir: Path) -> None:
    (git_dir / "gitferry").mkdir()
    (git_dir / "gitferry" / "sync.lock").write_text("not json")
    with acquire_sync_lock(git_dir) as lock:
        assert lock.taken_over is None


def test_leftovers_of_a_dead_sync_are_removed_and_nothing_else(git_dir: Path, tmp_path: Path) -> None:
    old = git_dir / "refs" / "heads" / "old.lock"
    old.write_text("")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    since = time.time()
    index_lock = git_dir / "index.lock"
    ref_lock = git_dir / "refs" / "heads" / "main.lock"
    tmp_pack = git_dir / "objects" / "pack" / "tmp_pack_abc"
    loose = git_dir / "objects" / "29" / "ac3ef0.lock"
    loose.parent.mkdir()
    held = git_dir / "HEAD.lock"
    keep = git_dir / "objects" / "pack" / "pack-1.pack"
    for path in (index_lock, ref_lock, tmp_pack, loose, held, keep):
        path.write_text("x")
    opener = _child(OPENER, held)
    try:
        removed = remove_stale_leftovers(git_dir, since)
    finally:
        opener.kill()
        opener.wait(5)
    assert removed == sorted(
        ["index.lock", "refs/heads/main.lock", "objects/pack/tmp_pack_abc", "objects/29/ac3ef0.lock"]
    )
    assert old.exists() and held.exists() and keep.exists()
