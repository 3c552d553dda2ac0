"""A merge the user's own `git pull` left unfinished on a conflict, in a repository the
app watches (manual mode, no file watcher), shows as "Merge in progress" in its row and
its Conflicts tab within a settings round, not at the next sync; and goes once the
user aborts it with git (GUI trial: the tab said clean meanwhile); a background fetch
in between does not make it forget."""

from __future__ import annotations

import pytest

from core.events import SyncFinished
from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.gui.test_desktop import result_cell
from tests.gui.waiting import until
from tests.integration.clones import Clones


@pytest.mark.slow
def test_a_merge_left_unfinished_by_git_pull_shows_until_it_is_aborted(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(until(lambda: desktop.window.repos.row_for(mine.id) is not None), 20)
    world.commit(world.theirs, "notes.txt", "theirs\n")
    git("push", "-q", cwd=world.theirs)
    world.commit(world.mine, "notes.txt", "mine\n")
    pulled = git("pull", "-q", "--no-rebase", "--no-edit", cwd=world.mine, check=False)
    assert git("rev-parse", "-q", "--verify", "MERGE_HEAD", cwd=world.mine, check=False), pulled  # git's word
    desktop.window.select_repo(mine.id)
    # the fetch interval is 300 s, nothing syncs: only the look at the git dir (every 5 s) sees it
    run(until(lambda: "Merge in progress" in result_cell(desktop, mine.id)), 30)
    run(until(lambda: "Merge in progress" in desktop.window.conflicts_panel.hint.text()), 10)
    # a background fetch meanwhile says what it found; the merge, still under way, again
    fetched: list[SyncFinished] = []
    desktop.bridge.sync_finished.connect(
        lambda event: fetched.append(event) if event.details and event.repo_id == mine.id else None
    )
    scheduler = desktop.api.daemon.scheduler
    assert scheduler is not None
    run(until(lambda: scheduler.fetch_soon(mine.id) or bool(fetched)), 30)
    run(until(lambda: bool(fetched)), 30)
    run(until(lambda: "Merge in progress" in result_cell(desktop, mine.id)), 30)
    git("merge", "--abort", cwd=world.mine)
    run(until(lambda: "Merge in progress" not in result_cell(desktop, mine.id)), 30)
    # the tab is painted from the selected repository's conflicts, read after the row moved
    run(until(lambda: "Merge in progress" not in desktop.window.conflicts_panel.hint.text()), 10)
    assert git("status", "--porcelain", cwd=world.mine) == ""
