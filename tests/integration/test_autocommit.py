"""Auto-commit end to end against `git daemon`: edits made without git are committed
under the sync lock before the fetch, merged with the colleague's work and pushed.
The git CLI is the referee: the pushed tree is what `git add -A && git commit`
makes of the same working tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.engine import registry
from core.engine.core import Core
from core.engine.sync import SyncOptions, sync_repository
from core.events import FileSkipped
from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run


@pytest.fixture
def world(world: Clones, capsys: pytest.CaptureFixture[str]) -> Clones:
    """The shared `world`, with auto_commit on for `mine`."""
    code, _out, err = run(capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    return world


def referee_tree(repo: Path, tmp_path: Path) -> str:
    copy = tmp_path / "referee"
    shutil.copytree(repo, copy, symlinks=True)
    git("add", "-A", cwd=copy)
    git("commit", "-q", "-m", "referee", cwd=copy)
    return git("rev-parse", "HEAD^{tree}", cwd=copy)


def edit_without_git(clone: Path) -> None:
    (clone / "a.txt").write_text("one\ntwo, edited\nthree\n")
    (clone / "notes").mkdir()
    (clone / "notes" / "todo.md").write_text("- sync\n")
    (clone / "tool.sh").write_text("#!/bin/sh\n")
    (clone / "tool.sh").chmod(0o755)
    os.symlink("notes/todo.md", clone / "todo")
    (clone / ".gitignore").write_text("*.swp\n")
    (clone / "a.txt.swp").write_text("editor state\n")


def test_auto_commit_sync_pushes_the_change(world: Clones, tmp_path: Path) -> None:
    edit_without_git(world.mine)
    expected = referee_tree(world.mine, tmp_path)
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["committed"] == 5 and report["skipped"] == []
    assert report["pushed"] == ["main"] and report["message"].startswith("committed 5 files; pushed main")
    assert world.remote_head() == world.head(world.mine)
    assert git("--git-dir", str(world.bare), "rev-parse", "main^{tree}") == expected
    assert porcelain(world.mine) == ""
    assert "a.txt.swp" not in git("ls-tree", "-r", "--name-only", "HEAD", cwd=world.mine)
    code, report = world.sync(world.theirs)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert os.readlink(world.theirs / "todo") == "notes/todo.md"
    assert os.access(world.theirs / "tool.sh", os.X_OK)
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date" and report["committed"] == 0, report


async def test_committed_under_the_lock_before_the_fetch(world: Clones, tmp_path: Path) -> None:
    """The colleague pushed meanwhile: the auto-commit is made (under the sync lock, the
    tracking ref not yet moved), then fetched, merged and pushed in the same sync."""
    theirs = world.commit(world.theirs, "b.txt", "from them\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "mine.txt").write_text("mine\n")
    (world.mine / "huge.bin").write_bytes(b"x" * 2000)
    tracking_before = world.head(world.mine, "origin/main")
    seen: list[tuple[FileSkipped, bool, str]] = []

    def on_skipped(event: FileSkipped) -> None:
        lock = world.mine / ".git" / "gitferry" / "sync.lock"
        seen.append((event, lock.exists(), world.head(world.mine, "origin/main")))

    core = await Core.open()
    try:
        await registry.set_repo_setting(core, "mine", "max_file_size", "1000")
        record = await core.store.repo("mine")
        report = await sync_repository(core, record, SyncOptions(on_skipped=on_skipped))
    finally:
        await core.close()
    world.remember()
    assert report.result == "ok" and report.committed == 1 and report.merged == ["main"], report.message
    assert [(e.path, e.reason, e.size) for e, _, _ in seen] == [("huge.bin", "too_large", 2000)]
    assert seen[0][1:] == (True, tracking_before)  # under the lock, before the fetch
    auto, merged_in = git("rev-list", "--parents", "-n1", "HEAD", cwd=world.mine).split()[1:]
    assert merged_in == theirs
    assert git("log", "-1", "--format=%s", auto, cwd=world.mine).startswith("Gitferry: 1 file changed on ")
    assert world.remote_head() == world.head(world.mine)
    assert report.skipped == [{"path": "huge.bin", "reason": "too_large", "size": 2000}]


def test_without_auto_commit_nothing_is_committed(world: Clones) -> None:
    (world.theirs / "a.txt").write_text("edited, not committed\n")
    before = world.head(world.theirs)
    code, report = world.sync(world.theirs)
    assert code == 0 and report["committed"] == 0, report
    assert world.head(world.theirs) == before and porcelain(world.theirs) == " M a.txt"
