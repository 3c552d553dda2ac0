"""The status store is a cache that can be lost: deleted, or overwritten in place, under a
running daemon, or gone when the CLI starts. `repositories.json` is the source of truth
for what is registered: the store is rebuilt from it, a daemon reopens its store and
keeps fetching (no crash loop), and no write ever shrinks the registry file.

Real daemons (a `gitferry daemon` process, or the `Daemon` class in-process) against a
`git daemon` remote, fetching every second; git says whether they kept fetching.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.daemon import Daemon
from core.model import RemoteRecord
from core.store.registry_file import REGISTRY_NAME
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, run

ROOT = Path(__file__).resolve().parents[2]
DEADLOCK_CAP = 60.0  # seconds: only a daemon that stopped fetching takes this long
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
REOPENED = "while in use"  # the one warning a reopen logs


def home() -> Path:
    return Path(os.environ["GITFERRY_HOME"])


def registered(path: Path | None = None) -> list[tuple[str, int | None]]:
    doc = json.loads((path or home() / REGISTRY_NAME).read_text())
    return [(entry["name"], entry.get("id")) for entry in doc["repositories"]]


def stored_repos() -> list[tuple[int, str]]:
    with sqlite3.connect(home() / "status.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [(row[0], row[1]) for row in db.execute("SELECT id, name FROM repos ORDER BY name")]


def push_from_theirs(world: Clones, name: str) -> str:
    pushed = world.commit(world.theirs, name, f"{name}\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    return pushed


def fetched(world: Clones) -> str:
    return git("rev-parse", "refs/remotes/origin/main", cwd=world.mine)


def every_second(capsys: pytest.CaptureFixture[str], *names: str) -> None:
    for name in names:
        code, _out, err = run(capsys, "set", name, "fetch_interval", "1")
        assert code == 0, err


def a_third_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    third = tmp_path / "third"
    git("init", "-q", "-b", "main", str(third))
    commit_file(third, "t.txt", "t\n")
    code, _out, err = run(capsys, "add", str(third))
    assert code == 0, err


# The CLI ------------------------------------------------------------------------


def test_a_deleted_store_is_rebuilt_from_the_registry_before_an_add(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    every_second(capsys, "mine")
    before = registered()
    assert [name for name, _id in before] == ["mine", "theirs"] and all(before_id for _n, before_id in before)
    (home() / "status.sqlite3").unlink()
    with caplog.at_level(logging.WARNING):
        a_third_repository(tmp_path, capsys)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "the status store was missing: re-registered 2 repositories" in warning, warning
    assert registered()[:2] == before and [name for name, _id in registered()] == ["mine", "theirs", "third"]
    assert stored_repos() == [(repo_id, name) for name, repo_id in registered()]  # the same ids
    code, out, err = run(capsys, "list")
    assert code == 0, err
    assert [line.split("\t")[0] for line in out.splitlines()] == ["mine", "theirs", "third"]
    code, shown, err = run(capsys, "show", "mine", "--json")
    assert code == 0 and shown["settings"]["fetch_interval"] == "1", err
    url = world.remote.url("origin")
    assert shown["remotes"] == [
        {"name": "origin", "url": url, "push_url": None, "urls": [url], "push_urls": [url]}
    ]


def test_a_store_that_lost_registrations_never_shrinks_the_registry(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(home() / "status.sqlite3") as db:  # a store that forgot them (hand-edited, stale)
        db.execute("DELETE FROM repos")
    before = (home() / REGISTRY_NAME).read_bytes()
    with caplog.at_level(logging.WARNING):
        a_third_repository(tmp_path, capsys)
    assert (home() / REGISTRY_NAME).read_bytes() == before
    assert any(
        "not rewriting" in r.getMessage() and "mine, theirs" in r.getMessage() for r in caplog.records
    ), caplog.text
    code, _out, err = run(capsys, "remove", "third")  # a removal of its own is written
    assert code == 0, err
    assert [name for name, _id in registered()] == ["mine", "theirs"]


# A daemon process ------------------------------------------------------------------


@contextmanager
def daemon_process() -> Iterator[subprocess.Popen[str]]:
    daemon = subprocess.Popen(
        [*CLI, "daemon"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield daemon
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()


def wait_for(condition: Callable[[], bool], daemon: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + DEADLOCK_CAP
    while not condition():
        assert daemon.poll() is None, daemon.communicate()
        assert time.monotonic() < deadline, "the daemon stopped fetching"
        time.sleep(0.05)


def test_store_deleted_under_a_running_daemon(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every_second(capsys, "mine", "theirs")
    ids = registered()
    with daemon_process() as daemon:
        first = push_from_theirs(world, "b.txt")
        wait_for(lambda: fetched(world) == first, daemon)
        (home() / "status.sqlite3").unlink()  # what `rm` does: the -wal and -shm stay
        second = push_from_theirs(world, "c.txt")
        wait_for(lambda: fetched(world) == second, daemon)  # it kept fetching
        code, out, err = run(capsys, "list")
        assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["mine", "theirs"], err
        a_third_repository(tmp_path, capsys)
        assert registered()[:2] == ids and [n for n, _id in registered()] == ["mine", "theirs", "third"]
        third = push_from_theirs(world, "d.txt")
        wait_for(lambda: fetched(world) == third, daemon)
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=DEADLOCK_CAP)
    assert daemon.returncode == 0, err
    assert "crashed" not in err and "Traceback" not in err, err
    assert err.count(REOPENED) == 1, err  # the daemon's one reopen, rebuilt from the registry
    assert "was deleted while in use: rebuilt it" in err, err
    assert [name for _id, name in stored_repos()] == ["mine", "theirs", "third"]
    assert [name for name, _id in registered()] == ["mine", "theirs", "third"]


# The Daemon class, in-process ------------------------------------------------------


def test_store_corrupted_in_place_under_a_running_daemon(
    world: Clones, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    every_second(capsys, "mine", "theirs")
    store = home() / "status.sqlite3"

    async def until(condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(DEADLOCK_CAP):
            while not await asyncio.to_thread(condition):  # noqa: ASYNC110 (git says, no event)
                await asyncio.sleep(0.05)

    async def scenario() -> None:
        core = await Core.open()
        daemon = Daemon(core)
        task = asyncio.ensure_future(daemon.run())
        try:
            await asyncio.wait_for(daemon.started.wait(), DEADLOCK_CAP)
            first = push_from_theirs(world, "b.txt")
            await until(lambda: fetched(world) == first)
            inode = store.stat().st_ino
            with store.open("r+b") as file:  # garbage over the whole file, same inode
                file.write(os.urandom(max(store.stat().st_size, 64 * 1024)))
            assert store.stat().st_ino == inode
            for name in ("c.txt", "d.txt", "e.txt"):  # several fetch cycles after the damage
                pushed = push_from_theirs(world, name)
                await until(lambda pushed=pushed: fetched(world) == pushed)  # type: ignore[misc]
            assert daemon.engine is not None
            assert [w.crashes for w in daemon.engine.workers.values()] == [0, 0]  # no crash loop
            assert core.store.db.reopens == 1
            listed = await asyncio.to_thread(
                subprocess.run, [*CLI, "list"], cwd=ROOT, capture_output=True, text=True, check=True
            )
            assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["mine", "theirs"]
            mine = await core.store.repo("mine")  # the daemon re-read the remotes from git
            assert await core.store.remotes(mine.id) == [RemoteRecord("origin", world.remote.url("origin"))]
            runs = await core.store.runs(mine.id)  # recorded in the rebuilt store
            assert any(run.result in ("ok", "up_to_date") for run in runs), runs
        finally:
            daemon.stop()
            await asyncio.wait_for(task, DEADLOCK_CAP)
            await core.close()

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # random bytes over the file read as "not a database" or as a malformed page, as the
    # first read after the damage meets them: either way one reopen, said once
    said = [w for w in warnings if REOPENED in w]
    assert len(said) == 1 and "while in use: rebuilt it" in said[0], warnings
    assert "overwritten (not a database any more)" in said[0] or "was damaged (" in said[0], said
    assert not [r for r in caplog.records if "crashed" in r.getMessage()]
    assert len(list(home().glob("status.sqlite3.corrupt-*"))) >= 1  # the damaged file, kept aside
    assert [name for _id, name in stored_repos()] == ["mine", "theirs"]
