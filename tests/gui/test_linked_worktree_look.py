"""A registered linked worktree (its `.git` a file naming its own git dir) is looked at
each settings round like any repository no watcher covers: a commit made there with git
shows as ahead, and a merge its `git pull` left unfinished shows as "Merge in progress"
until it is aborted, without a sync (the look read only `.git/HEAD` and `.git`'s entries,
which a linked worktree does not have: both waited for the next background fetch)."""

from __future__ import annotations

import pytest

from gui.desktop import Desktop
from tests.gitcli import ahead_behind, git
from tests.gui.conftest import Run
from tests.gui.test_desktop import result_cell
from tests.gui.waiting import until
from tests.integration.clones import Clones


@pytest.mark.slow
def test_a_linked_worktrees_commit_and_unfinished_merge_show_without_a_sync(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    linked = world.mine.parent / "linked"
    git("worktree", "add", "-q", "-b", "side", str(linked), "origin/main", cwd=world.mine)
    record = run(desktop.api.add_repository(str(linked)))
    run(desktop.refresh())
    run(until(lambda: desktop.window.repos.row_for(record.id) is not None), 20)

    def level() -> bool:
        view = desktop.window.repos.row_for(record.id)
        branches = view.branches if view is not None else ()
        return any(b.name == "side" and (b.ahead, b.behind) == (0, 0) for b in branches)

    run(until(level), 30)
    world.commit(linked, "side.txt", "committed with git\n")
    assert ahead_behind(linked, "side", "origin/main") == (1, 0)  # git's word
    # the fetch interval is 300 s: only the look at HEAD's reflog (every 5 s) sees it
    run(until(lambda: result_cell(desktop, record.id) == "side: 1 ahead"), 30)

    world.commit(world.theirs, "notes.txt", "theirs\n")
    git("push", "-q", cwd=world.theirs)
    world.commit(linked, "notes.txt", "mine\n")
    pulled = git("pull", "-q", "--no-rebase", "--no-edit", cwd=linked, check=False)
    assert git("rev-parse", "-q", "--verify", "MERGE_HEAD", cwd=linked, check=False), pulled  # git's word
    run(until(lambda: "Merge in progress" in result_cell(desktop, record.id)), 30)
    git("merge", "--abort", cwd=linked)
    run(until(lambda: "Merge in progress" not in result_cell(desktop, record.id)), 30)
