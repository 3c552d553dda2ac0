"""A repository with no remote at all (`git init`, a commit, no `git remote add`): its
sync can send nothing anywhere, so the window, the tray and the CLI never call it
"Up to date" (a user trial: the app said "Already up to date." of work that was on
this computer only); they say there is no remote and how to add one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.results import no_remote_note
from gui.desktop import Desktop
from gui.models.standing import Level
from tests.gitcli import commit_file, git
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.test_desktop import result_cell
from tests.gui.waiting import until
from tests.integration.clones import run as cli


@pytest.mark.slow
def test_a_repository_with_no_remote_is_never_up_to_date(
    run: Run, desktop: Desktop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = tmp_path / "alone"
    git("init", "-q", "-b", "main", str(alone))
    head = commit_file(alone, "notes.md", "only here\n")
    assert git("remote", cwd=alone) == ""  # git agrees: no remote
    code, _out, err = cli(capsys, "add", str(alone))
    assert code == 0, err
    record = run(desktop.api.core.store.repo("alone"))

    report, notified = sync_from_the_window(run, desktop, record.id)

    assert report.result == "unpublished"
    assert report.message.startswith("no remote to sync with")
    run(until(lambda: result_cell(desktop, record.id) == "Commits on no remote"))
    view = desktop.window.repos.row_for(record.id)
    assert view is not None and view.standing().level is Level.ATTENTION
    assert "up to date" not in desktop.window.summary.text()
    assert not any("up to date" in text.lower() for _title, text in notified)
    assert git("rev-parse", "HEAD", cwd=alone) == head  # nothing changed
    code, out, _err = run(asyncio.to_thread(cli, capsys, "sync", "alone"))  # the app's engine answers it
    assert code != 0 and "no remote to sync with" in out + _err


@pytest.mark.slow
def test_the_window_says_what_a_sync_with_no_remote_did_before_the_note(
    run: Run, desktop: Desktop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sync now committed a change (auto-commit on) in a repository with no remote: the
    window's last sync says "committed 1 file" first, then that there is no remote (before,
    the note came first and what the sync did trailed after its advice)."""
    alone = tmp_path / "alone"
    git("init", "-q", "-b", "main", str(alone))
    head = commit_file(alone, "notes.md", "only here\n")
    code, _out, err = cli(capsys, "add", str(alone))
    assert code == 0, err
    code, _out, err = cli(capsys, "set", "alone", "auto_commit", "true")
    assert code == 0, err
    (alone / "notes.md").write_text("changed here\n")
    record = run(desktop.api.core.store.repo("alone"))

    report, _notified = sync_from_the_window(run, desktop, record.id)

    assert report.result == "unpublished"
    assert report.message == f"committed 1 file; {no_remote_note('alone')}", report.message
    assert git("rev-parse", "HEAD~1", cwd=alone) == head  # git's referee: one commit on top
    assert git("status", "--porcelain", cwd=alone) == ""
    phase = desktop.window.progress.phase
    run(until(lambda: phase.text().endswith("Last sync: " + report.message)))
