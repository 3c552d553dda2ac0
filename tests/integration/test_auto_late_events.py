"""Auto mode's watch events that arrive late: a laptop's daemon stopped (SIGSTOP, a
suspended process) while the user saved a note that the other machine also made. When
the daemon runs again its queued events say the note changed "just now", but the file
has stood still for minutes: the sync commits it and keeps both sides, as for any
conflict, instead of ending `dirty` ("untracked files are in the way") until a later
round. git is the referee: both versions are in the pushed commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.engine import registry
from core.engine.core import Core
from core.engine.sync import SyncOptions, sync_repository
from core.results import ResultKind
from tests.gitcli import commit_file, git
from tests.integration.auto_machines import seeded_remote
from tests.servers import Remote

QUIET = 0.2  # auto mode's settle time in this test


async def test_a_late_event_for_a_file_long_still_does_not_hold_it_back(
    git_daemon: Remote, tmp_path: Path
) -> None:
    url = seeded_remote(git_daemon, tmp_path)
    desktop, laptop = tmp_path / "desktop", tmp_path / "laptop"
    git("clone", "-q", url, str(desktop))
    git("clone", "-q", url, str(laptop))
    commit_file(desktop, "new.md", "desktop version\n")
    git("push", "-q", "origin", "main", cwd=desktop)
    (laptop / "new.md").write_text("laptop version\n")
    await asyncio.sleep(QUIET * 2)  # the note stands still; its event is only delivered now
    core = await Core.open()
    try:
        record = await registry.add_repository(core, str(laptop), settings={"auto_commit": "true"})
        options = SyncOptions(unsettled=frozenset({"new.md"}), settle_age=QUIET)
        report = await sync_repository(core, record, options)
    finally:
        await core.close()

    assert report.result is ResultKind.OK, report.message
    assert report.unsettled == [] and report.pushed == ["main"], report
    assert git("status", "--porcelain", cwd=laptop) == ""
    assert git("rev-parse", "HEAD", cwd=laptop) == git("ls-remote", url, "main", cwd=laptop).split()[0]
    assert git("show", "HEAD:new.md", cwd=laptop) == "desktop version"
    [copy] = report.conflicts
    assert git("show", f"HEAD:{copy}", cwd=laptop) == "laptop version"


async def test_a_file_still_being_written_is_still_held_back(git_daemon: Remote, tmp_path: Path) -> None:
    url = seeded_remote(git_daemon, tmp_path)
    laptop = tmp_path / "laptop"
    git("clone", "-q", url, str(laptop))
    (laptop / "log.md").write_text("written a moment ago\n")
    core = await Core.open()
    try:
        record = await registry.add_repository(core, str(laptop), settings={"auto_commit": "true"})
        options = SyncOptions(unsettled=frozenset({"log.md"}), settle_age=60.0)
        report = await sync_repository(core, record, options)
    finally:
        await core.close()

    assert "log.md" in report.unsettled and report.committed == 0, report
    assert git("status", "--porcelain", cwd=laptop) == "?? log.md"


async def test_a_file_moved_a_moment_ago_is_committed_as_one_rename(
    git_daemon: Remote, tmp_path: Path
) -> None:
    """A sync that starts a moment after `mv` (the background fetch's interval): the watch
    reported both names as just changed. The deletion of the old name went in alone and
    the new name a round later, so a machine that edited the note meanwhile got a
    deletion against its edit (a second copy) instead of git's rename."""
    url = seeded_remote(git_daemon, tmp_path)
    laptop = tmp_path / "laptop"
    git("clone", "-q", url, str(laptop))
    commit_file(laptop, "ideas.md", "keep me\n")
    git("push", "-q", "origin", "main", cwd=laptop)
    before = git("rev-parse", "HEAD", cwd=laptop)
    (laptop / "ideas.md").rename(laptop / "ideas-2026.md")
    moved = frozenset({"ideas.md", "ideas-2026.md"})  # as the watch reports a move
    core = await Core.open()
    try:
        record = await registry.add_repository(core, str(laptop), settings={"auto_commit": "true"})
        held = await sync_repository(core, record, SyncOptions(unsettled=moved, settle_age=60.0))
        assert held.committed == 0 and set(held.unsettled) == moved, held
        assert git("rev-parse", "HEAD", cwd=laptop) == before  # neither half went alone
        await asyncio.sleep(QUIET * 2)  # the move settles (a quick first sync came within QUIET of it)
        settled = await sync_repository(core, record, SyncOptions(settle_age=QUIET))
    finally:
        await core.close()

    assert settled.result is ResultKind.OK and settled.pushed == ["main"], settled.message
    assert git("diff", "--name-status", "-M", before, "HEAD", cwd=laptop) == "R100\tideas.md\tideas-2026.md"
    assert git("rev-list", "--count", f"{before}..HEAD", cwd=laptop) == "1"
    assert git("status", "--porcelain", cwd=laptop) == ""
