"""The commit phase on a real repository and a real status store, with a fake clock:
skipped files recorded, the circuit breaker, FileSkipped events, the report."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from dulwich.repo import Repo

import core.git.worktree.autocommit as autocommit
from core.engine import registry
from core.engine.clock import wall_datetime
from core.engine.commit_phase import COOL_DOWN, commit_changes
from core.engine.core import Core
from core.engine.report import SyncReport
from core.events import FileSkipped
from core.git.objects.blob_stream import FileChanged, StreamedBlob
from core.model import RepoRecord, SkippedFile
from core.store.worktree_issues import MAX_SKIPPED
from tests.core.scheduler_fakes import FakeClock
from tests.gitcli import git

MINUTE = 60.0


class Phase:
    """One repository registered with auto-commit, synced step 2 only, on a fake clock."""

    def __init__(self, core: Core, record: RepoRecord, path: Path) -> None:
        self.core, self.record, self.path = core, record, path
        self.clock = FakeClock()
        self.events: list[FileSkipped] = []

    async def run(self, *, max_file_size: int = 1 << 30) -> SyncReport:
        report = SyncReport(self.record.name)
        settings = replace(await self.core.store.repo_settings(self.record.id), max_file_size=max_file_size)
        with Repo(str(self.path)) as repo:
            await commit_changes(
                self.core,
                self.record,
                repo,
                settings,
                report,
                clock=self.clock,
                publish=self.events.append,
                host="testhost",
            )
        return report

    async def rows(self) -> dict[str, SkippedFile]:
        return {s.path: s for s in await self.core.store.skipped(self.record.id)}

    def later(self, seconds: float) -> None:
        self.clock.wall_time += seconds


@pytest.fixture
async def phase(tmp_path: Path) -> AsyncIterator[Phase]:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    (path / "a.txt").write_text("a\n")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    core = await Core.open(tmp_path / "home")
    record = await registry.add_repository(core, str(path), settings={"auto_commit": "true"})
    yield Phase(core, record, path)
    await core.close()


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, type[Exception] | None], list[str]]:
    """Make reads of one file fail (EACCES, or torn); returns the list of files read."""
    read: list[str] = []
    real = autocommit.write_blob
    failing: dict[str, type[Exception] | None] = {}

    def write_blob(repo: Repo, path: bytes, st: os.stat_result, **kw: int) -> StreamedBlob:
        name = os.path.basename(os.fsdecode(path))
        read.append(name)
        error = failing.get(name)
        if error is PermissionError:
            raise PermissionError(13, "Permission denied")
        if error is FileChanged:
            raise FileChanged(path, "written to while read")
        return real(repo, path, st, **kw)

    monkeypatch.setattr(autocommit, "write_blob", write_blob)

    def fail(name: str, error: type[Exception] | None) -> list[str]:
        failing[name] = error
        return read

    return fail


async def test_commits_and_reports(phase: Phase) -> None:
    (phase.path / "a.txt").write_text("changed\n")
    (phase.path / "b.txt").write_text("new\n")
    report = await phase.run()
    assert report.committed == 2 and report.skipped == []
    assert git("log", "-1", "--format=%s", cwd=phase.path) == "Gitferry: 2 files changed on testhost"
    assert await phase.rows() == {} and phase.events == []


async def test_too_large_recorded_with_size_until_it_shrinks(phase: Phase) -> None:
    (phase.path / "big.iso").write_bytes(b"x" * 3000)
    report = await phase.run(max_file_size=1000)
    assert report.skipped == [{"path": "big.iso", "reason": "too_large", "size": 3000}]
    row = (await phase.rows())["big.iso"]
    assert (row.reason, row.size, row.failures) == ("too_large", 3000, 0)
    assert phase.events == [FileSkipped(phase.record.id, phase.record.name, "big.iso", "too_large", 3000)]
    await phase.run(max_file_size=1000)
    assert len(phase.events) == 1  # told once, not every sync
    (phase.path / "big.iso").write_bytes(b"x" * 10)
    report = await phase.run(max_file_size=1000)
    assert report.committed == 1 and await phase.rows() == {}


async def test_a_name_git_cannot_store_is_unreadable(phase: Phase) -> None:
    (phase.path / "d").mkdir()
    (phase.path / "d" / ".GIT").write_text("x\n")
    (phase.path / "ok.txt").write_text("ok\n")
    report = await phase.run()
    assert report.committed == 1
    assert report.skipped == [{"path": "d/.GIT", "reason": "unreadable", "size": None}]
    assert [(e.path, e.reason) for e in phase.events] == [("d/.GIT", "unreadable")]


async def test_three_failures_within_an_hour_trip_until_the_cool_down(
    phase: Phase, flaky: Callable[[str, type[Exception] | None], list[str]]
) -> None:
    read = flaky("locked.bin", PermissionError)
    (phase.path / "locked.bin").write_bytes(b"secret")
    for count in (1, 2):
        report = await phase.run()
        assert report.skipped == [{"path": "locked.bin", "reason": "unreadable", "size": 6}]
        assert (await phase.rows())["locked.bin"].failures == count
        phase.later(20 * MINUTE)
    report = await phase.run()
    row = (await phase.rows())["locked.bin"]
    assert (row.reason, row.failures) == ("failing", 3)
    assert row.retry_after == wall_datetime(phase.clock) + COOL_DOWN
    assert [e.reason for e in phase.events] == ["unreadable", "failing"]

    read.clear()
    (phase.path / "other.txt").write_text("other\n")
    phase.later(59 * MINUTE)
    report = await phase.run()
    assert read == ["other.txt"]  # held out: not even opened
    assert report.committed == 1
    assert report.skipped == [{"path": "locked.bin", "reason": "failing", "size": 6}]

    phase.later(2 * MINUTE)  # the cool-down is over: tried again; one failure trips it again
    report = await phase.run()
    assert read[-1] == "locked.bin"
    row = (await phase.rows())["locked.bin"]
    assert (row.reason, row.failures) == ("failing", 4)
    assert row.retry_after == wall_datetime(phase.clock) + COOL_DOWN

    flaky("locked.bin", None)  # fixed; the user clicks Retry before the cool-down ends
    await phase.core.store.clear_skipped(phase.record.id, ["locked.bin"])
    report = await phase.run()
    assert report.committed == 1 and report.skipped == [] and await phase.rows() == {}
    assert git("show", "HEAD:locked.bin", cwd=phase.path) == "secret"


async def test_failures_further_apart_than_an_hour_start_a_new_count(
    phase: Phase, flaky: Callable[[str, type[Exception] | None], list[str]]
) -> None:
    flaky("slow.bin", FileChanged)  # torn reads count as failures too
    (phase.path / "slow.bin").write_bytes(b"growing")
    await phase.run()
    phase.later(40 * MINUTE)
    await phase.run()
    phase.later(61 * MINUTE)  # the first failure is out of the window
    await phase.run()
    row = (await phase.rows())["slow.bin"]
    assert (row.reason, row.failures) == ("unreadable", 1)
    assert row.first_seen == wall_datetime(phase.clock)


async def test_a_file_that_reads_again_is_forgotten(
    phase: Phase, flaky: Callable[[str, type[Exception] | None], list[str]]
) -> None:
    flaky("x.bin", FileChanged)
    (phase.path / "x.bin").write_bytes(b"x")
    report = await phase.run()
    assert report.committed == 0 and "x.bin" in await phase.rows()
    flaky("x.bin", None)
    report = await phase.run()
    assert report.committed == 1 and await phase.rows() == {}


async def test_the_skipped_list_stays_bounded(phase: Phase) -> None:
    for i in range(MAX_SKIPPED + 50):
        (phase.path / f"big{i:04}.bin").write_bytes(b"too large")
    report = await phase.run(max_file_size=1)
    assert len(report.skipped) == MAX_SKIPPED
    assert len(await phase.rows()) == MAX_SKIPPED
    phase.later(MINUTE)
    await phase.run(max_file_size=1)
    assert len(await phase.rows()) == MAX_SKIPPED


async def test_a_detached_head_commits_nothing_and_records_nothing(phase: Phase) -> None:
    git("checkout", "-q", "--detach", cwd=phase.path)
    (phase.path / "a.txt").write_text("changed\n")
    report = await phase.run()
    assert report.committed == 0 and await phase.rows() == {}
