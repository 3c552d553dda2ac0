"""Auto mode being polite, with real syncs on a fake clock: a remote that refuses
connections for ten fake minutes gets a few attempts (the backoff's), not one per edit,
and one sync once it answers; a tree that cannot be watched is scanned instead."""

from __future__ import annotations

import asyncio
import errno
import logging
import random
from pathlib import Path

import pytest
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from core.engine import registry
from core.engine.auto_sync import AutoSync, Settle
from core.engine.auto_watch import AutoWatch
from core.engine.backoff import Backoff
from core.engine.core import Core
from core.engine.report import SyncReport
from core.engine.sync import SyncOptions, sync_repository
from core.platform.tree_watch import INSTANCE_LIMIT_HINT, WATCH_LIMIT_HINT, TreeWatch
from core.results import ResultKind
from tests.core.scheduler_fakes import FakeClock
from tests.gitcli import commit_file, git
from tests.integration.auto_machines import seeded_remote
from tests.servers import Remote
from tests.waiting import eventually


async def idle(auto: AutoSync) -> None:
    await eventually(lambda: not auto.busy, "the auto sync in flight ends")


@pytest.mark.slow
async def test_a_refused_remote_sees_no_retry_storm_and_one_sync_when_it_answers(
    git_daemon: Remote, refused_port: int, tmp_path: Path
) -> None:
    url = seeded_remote(git_daemon, tmp_path)
    tree = tmp_path / "a"
    git("clone", "-q", url, str(tree))
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=tree)
    core = await Core.open()
    try:
        record = await registry.add_repository(core, str(tree), settings={"auto_commit": "true"})
        clock = FakeClock()
        results: list[ResultKind] = []

        async def run_sync(
            repo_id: int, unsettled: frozenset[str], _quiet: float, _snapshot: frozenset[str] = frozenset()
        ) -> SyncReport:
            report = await sync_repository(core, record, SyncOptions(unsettled=unsettled))
            results.append(report.result)
            return report

        auto = AutoSync(clock, run_sync, settle=Settle(3.0, 30.0), backoff=Backoff(), rng=random.Random(3))
        auto.add(record.id)
        loop = asyncio.create_task(auto.run())
        for n in range(120):  # ten fake minutes, an edit every 5 s
            (tree / "note.md").write_text(f"edit {n}\n")
            auto.changed(record.id, ["note.md"])
            await clock.advance(5.0)
            await idle(auto)
        refused = len(results)
        assert set(results) == {ResultKind.OFFLINE}
        assert 2 <= refused <= 6, results  # the backoff's attempts, not 120
        git("remote", "set-url", "origin", url, cwd=tree)  # the remote answers again
        for _ in range(360):  # up to an hour: the backoff's longest wait
            await clock.advance(10.0)
            await idle(auto)
            if len(results) > refused:
                break
        assert results[refused:] == [ResultKind.OK]
        assert git("show", "origin/main:note.md", cwd=tree) == "edit 119"
        for _ in range(60):  # ten more quiet minutes: nothing more to do, no more syncs
            await clock.advance(10.0)
            await idle(auto)
        assert len(results) == refused + 1
        auto.stop()
        await clock.advance(0)
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    finally:
        await core.close()


class WatchLimitObserver(Observer):  # type: ignore[valid-type,misc]
    """watchdog's own observer, as it is when inotify's watch limit is reached."""

    def schedule(self, *_args: object, **_kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def no_inotify_instance_left() -> BaseObserver:
    """watchdog's observer as it is made when the inotify instance limit is reached (its
    constructor opens the inotify descriptor: a daemon used to die of it at start-up)."""
    raise OSError(errno.EMFILE, "inotify instance limit reached")


@pytest.mark.parametrize(
    ("limit", "hint"),
    [("watches", WATCH_LIMIT_HINT), ("instances", INSTANCE_LIMIT_HINT)],
)
async def test_a_tree_that_cannot_be_watched_is_scanned_and_said_once(
    git_daemon: Remote, tmp_path: Path, caplog: pytest.LogCaptureFixture, limit: str, hint: str
) -> None:
    url = seeded_remote(git_daemon, tmp_path)
    trees = [tmp_path / "a", tmp_path / "b"]
    core = await Core.open()
    try:
        clock = FakeClock()
        synced: list[tuple[int, frozenset[str]]] = []

        async def run_sync(
            repo_id: int, unsettled: frozenset[str], _quiet: float, _snapshot: frozenset[str] = frozenset()
        ) -> SyncReport:
            synced.append((repo_id, unsettled))
            return SyncReport("x", ResultKind.OK, "")

        auto = AutoSync(clock, run_sync, settle=Settle(3.0, 30.0))
        observer: BaseObserver = WatchLimitObserver()
        factory = (lambda: observer) if limit == "watches" else no_inotify_instance_left
        watch = AutoWatch(core.offload, auto, tree_watch=TreeWatch(factory), scan_every=10.0)
        with caplog.at_level(logging.INFO, logger="core.engine.auto_watch"):
            for n, tree in enumerate(trees, start=1):
                git("clone", "-q", url, str(tree))
                auto.add(n)
                await watch.watch(n, str(tree))
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and hint in warnings[0].getMessage()  # said once
        assert set(watch.fallbacks) == {1, 2}
        await watch.scan_once()
        assert auto.due(1) is None  # nothing changed yet
        (trees[0] / "new.txt").write_text("seen by the scan\n")
        (trees[0] / "readme.txt").write_text("changed\n")
        await watch.scan_once()
        assert auto.due(1) is not None and auto.due(2) is None
        await watch.scan_once()  # unchanged since the last round
        loop = asyncio.create_task(auto.run())
        await clock.advance(15.1)  # a scanned tree's quiet time is 1.5 rounds
        assert synced == [(1, frozenset())]
        auto.stop()
        await clock.advance(0)
        await asyncio.gather(loop, return_exceptions=True)
        watch.close()
    finally:
        await core.close()


async def test_a_scanned_tree_syncs_what_was_staged_with_git(tmp_path: Path) -> None:
    """A tree the watcher cannot watch, and `git rm notes.md` there: the file and its index
    entry gone together, the scan's fingerprints saw no change, so nothing synced until
    the interval. The index moving is a change now: the sync's look decides."""
    tree = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(tree))
    commit_file(tree, "notes.md", "notes\n")
    core = await Core.open()
    try:
        clock = FakeClock()
        auto = AutoSync(clock, lambda *_args: asyncio.sleep(0, SyncReport("x", ResultKind.OK, "")))
        auto.add(1)
        watch = AutoWatch(core.offload, auto, tree_watch=TreeWatch(WatchLimitObserver), scan_every=10.0)
        await watch.watch(1, str(tree))
        assert watch.fallbacks
        await watch.scan_once()
        assert auto.due(1) is None  # nothing changed yet
        git("rm", "-q", "notes.md", cwd=tree)
        await watch.scan_once()
        assert auto.due(1) is not None
        watch.close()
    finally:
        await core.close()


async def test_the_watcher_leaves_out_what_git_ignores_but_not_what_it_tracks(tmp_path: Path) -> None:
    """Ignored files (a build folder, `*.log`) wake nothing; a tracked file matching an
    ignore pattern and new files do; a new `.gitignore` rule applies at once."""
    tree = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(tree))
    (tree / ".gitignore").write_text("build/\n*.log\n")
    (tree / "keep.log").write_text("tracked although *.log is ignored\n")
    git("add", ".gitignore", cwd=tree)
    git("add", "-f", "keep.log", cwd=tree)
    git("commit", "-q", "-m", "start", cwd=tree)
    core = await Core.open()
    try:

        async def run_sync(
            _repo_id: int, _unsettled: frozenset[str], _quiet: float, _snapshot: frozenset[str] = frozenset()
        ) -> SyncReport:
            return SyncReport("x", ResultKind.OK, "")

        auto = AutoSync(FakeClock(), run_sync)
        auto.add(1)
        watch = AutoWatch(core.offload, auto)
        await watch.watch(1, str(tree))
        (tree / "build").mkdir()
        (tree / "build" / "out.o").write_bytes(b"\0" * 64)
        (tree / "debug.log").write_text("noise\n")
        (tree / "keep.log").write_text("changed\n")
        (tree / "todo.md").write_text("new\n")
        await eventually(lambda: {"keep.log", "todo.md"} <= auto.waiting(1), "the real changes seen")
        assert not {p for p in auto.waiting(1) if p.startswith("build") or p == "debug.log"}
        with (tree / ".gitignore").open("a") as rules:
            rules.write("scratch.md\n")
        (tree / "scratch.md").write_text("ignored from now on\n")
        (tree / "last.md").write_text("seen\n")
        await eventually(lambda: "last.md" in auto.waiting(1), "the change after the new rule seen")
        assert "scratch.md" not in auto.waiting(1) and ".gitignore" in auto.waiting(1)
        watch.close()
    finally:
        await core.close()
