"""The History tab shows the selected repository's runs, however fast the selection moves:
the walk, arrowing down the list, showed another repository's "Sync: up to date" under
website's name (a history asked for one repository arrived after the next was selected,
took the tab back to the first and the second's own answer was then dropped)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli_run


def test_a_late_history_of_the_repository_left_is_not_shown(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    world.commit(world.mine, "b.txt", "mine\n")
    # mine has a sync in its history, theirs none. The CLI on a thread of its own: the app's
    # engine answers it on this thread's loop (run on this thread, the CLI's wait for that
    # answer would block the loop until it gave up on the engine, 15 s, and synced itself).
    code, report = run(asyncio.to_thread(world.sync, world.mine))
    assert code == 0 and report["pushed"] == ["main"], report
    run(desktop.refresh())
    mine_id = run(desktop.api.core.store.repo("mine")).id
    theirs_id = run(desktop.api.core.store.repo("theirs")).id
    window, history = desktop.window, desktop.window.history_panel
    window.tabs.setCurrentIndex(3)
    window.select_repo(mine_id)
    run(desktop.load_details(mine_id))  # what selecting it loads (mine may be selected already)
    run(until(lambda: history.repo_id == mine_id and bool(history.entries)))

    async def arrow_down_while_it_loads() -> None:
        late = asyncio.ensure_future(desktop.conflict_flow.load_history(mine_id))
        await asyncio.sleep(0)  # mine's history asked for
        window.select_repo(theirs_id)
        await late
        # mine's answer came after theirs was selected: the tab stays on theirs
        assert history.repo_id == theirs_id == window.selected_id
        assert not history.entries

    run(arrow_down_while_it_loads())
    run(until(lambda: history.repo_id == theirs_id and history.tree.topLevelItemCount() == 1))
    run(asyncio.sleep(0.5))  # theirs' own history has arrived by now
    assert history.repo_id == theirs_id == window.selected_id
    assert history.entries == []  # theirs has synced nothing: mine's sync is not shown as its
    assert history.tree.topLevelItem(0).text(0) == "No syncs recorded yet."
    assert git("rev-parse", "HEAD", cwd=world.mine) == world.remote_head()


def test_came_in_counts_the_remotes_commits_as_gitferry_history_does(
    run: Run, desktop: Desktop, world: Clones, tmp_path: Path
) -> None:
    """User trial: a sync that merged 2 commits from the remote said "Came in 3 commits"
    (the merge made here counted). The tab and `gitferry history` say git's count."""
    world.commit(world.theirs, "b.txt", "theirs\n")
    theirs = world.commit(world.theirs, "c.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    before = world.commit(world.mine, "d.txt", "mine\n")
    code, report = run(asyncio.to_thread(world.sync, world.mine))  # the CLI, as above
    assert code == 0 and report["merged"] == ["main"], report
    arrived = git("rev-list", "--count", f"{before}..{theirs}", cwd=world.mine)
    assert arrived == "2"
    run(desktop.refresh())
    mine_id = run(desktop.api.core.store.repo("mine")).id
    window, history = desktop.window, desktop.window.history_panel
    window.tabs.setCurrentIndex(3)
    window.select_repo(mine_id)
    run(desktop.conflict_flow.load_history(mine_id))  # what the tab asks for, awaited here
    assert history.repo_id == mine_id and history.entries
    sync = history.tree.topLevelItem(0)
    lines = [sync.child(i).text(0) for i in range(sync.childCount())]
    assert "Came in · main: 2 commits, 2 files changed" in lines, lines
    code, out, _err = run(asyncio.to_thread(cli_run, world.capsys, "history", "mine"))
    assert "  in main: 2 commits, 2 files" in str(out).splitlines()
