"""A commit made with git in a repository the app watches (manual mode, no file
watcher) shows in the window within a settings round, not at the next background
fetch: a user trial saw "Up to date" for minutes of a branch git called 1 ahead."""

from __future__ import annotations

import pytest

from gui.desktop import Desktop
from tests.gitcli import ahead_behind
from tests.gui.conftest import Run
from tests.gui.test_desktop import result_cell
from tests.gui.waiting import until
from tests.integration.clones import Clones


@pytest.mark.slow
def test_a_commit_made_with_git_shows_as_ahead_without_a_fetch(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))

    def level() -> bool:  # its first measure done: main level with origin/main
        view = desktop.window.repos.row_for(mine.id)
        branches = view.branches if view is not None else ()
        return any(b.name == "main" and (b.ahead, b.behind) == (0, 0) for b in branches)

    run(until(level), 20)
    world.commit(world.mine, "note.md", "committed with git\n")
    assert ahead_behind(world.mine, "main", "origin/main") == (1, 0)  # git's word
    # the fetch interval is 300 s: only the look at HEAD and its reflog (every 5 s) sees it
    run(until(lambda: result_cell(desktop, mine.id) == "main: 1 ahead"), 20)
    assert "to sync" in desktop.window.summary.text()
