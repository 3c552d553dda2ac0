"""The detail pane's sync mode note is true to the repository's settings: automatic sync
without auto-commit never says it commits (a user trial found "commits, integrates and
pushes a few seconds after changes" above a file left modified and uncommitted)."""

from __future__ import annotations

import pytest

from gui.desktop import Desktop
from tests.gui.conftest import Run
from tests.gui.test_tray import shows_mode
from tests.integration.clones import Clones, porcelain


@pytest.mark.slow
def test_automatic_sync_without_auto_commit_says_it_leaves_changes_to_you(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    mine = run(desktop.api.core.store.repo("mine"))
    desktop.window.select_repo(mine.id)
    run(desktop.api.set_repo_settings(mine.id, {"sync_mode": "auto", "auto_commit": "false"}))
    run(shows_mode(desktop, mine.id, "Automatic sync: integrates and pushes your commits"))
    assert "auto-commit is off" in desktop.window.mode_note.text()
    (world.mine / "a.txt").write_text("edited, not committed\n")
    assert porcelain(world.mine) == " M a.txt"  # git: what the note says, a change left to you
    run(desktop.api.set_repo_settings(mine.id, {"auto_commit": "true"}))
    run(shows_mode(desktop, mine.id, "Automatic sync: commits, integrates and pushes"))
