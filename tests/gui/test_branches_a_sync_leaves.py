"""Issue 18 (the app says only true things): a branch that is not checked out and only
behind its upstream was counted "to sync", and still was after "Sync all", which leaves
it alone while the repository's `fast_forward_all` is off. Against real clones of a
`git daemon` remote, git's rev-parse the referee."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from PySide6.QtCore import Qt

from gui.desktop import Desktop
from gui.models.repos import RESULT_COLUMN
from tests.gitcli import ahead_behind, git
from tests.gui.conftest import Run
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones
from tests.integration.test_branches_a_sync_leaves import drafts_behind
from tests.integration.test_linked_worktrees import (
    git_refuses_to_move,
    theirs_pushes,
    topic_in_a_linked_worktree,
)


def result(desktop: Desktop, repo_id: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> str:
    model = desktop.window.repos
    position = model.position_of(repo_id)
    assert position is not None
    return str(model.data(model.index(position, RESULT_COLUMN), role))


def everything_said(desktop: Desktop, repo_id: int) -> list[str]:
    """The Result cell and its tooltip, the detail pane's header, the status bar, the tray's tooltip."""
    desktop.window.select_repo(repo_id)
    return [
        result(desktop, repo_id),
        result(desktop, repo_id, Qt.ItemDataRole.ToolTipRole),
        desktop.window.progress.phase.text(),
        desktop.window.summary.full_text(),
        desktop.tray.icon.toolTip(),
    ]


def branch_state(desktop: Desktop, name: str) -> tuple[str, str]:
    """The branch table's State cell of `name` and its tooltip (the selected repository's)."""
    proxy = desktop.window.branch_table.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == name:
            state = proxy.index(row, 5)
            return str(state.data()), str(state.data(Qt.ItemDataRole.ToolTipRole) or "")
    raise AssertionError(f"no row for {name}")


async def fetched(desktop: Desktop, repo_id: int) -> None:
    """A background fetch (no sync), as the scheduler runs it; then no more for the test."""
    finished = asyncio.ensure_future(next_emit(desktop.bridge.sync_finished, lambda e: e.repo_id == repo_id))
    await desktop.api.set_repo_settings(repo_id, {"fetch_interval": "1"})
    await finished
    await desktop.api.set_repo_settings(repo_id, {"fetch_interval": "3600"})


async def synced_all(desktop: Desktop) -> None:
    """ "Sync all" from the toolbar, until its notice."""
    done = asyncio.ensure_future(
        next_emit(desktop.tray.notified, lambda title, _text: title == "Sync all finished")
    )
    desktop.window.sync_all_action.trigger()
    await done
    await desktop.refresh()


@pytest.mark.slow
def test_sync_all_leaves_a_branch_that_is_not_checked_out_and_nothing_says_to_sync(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    drafts_behind(world)  # drafts: 1 behind in mine once fetched, not checked out
    world.commit(world.theirs, "m.txt", "main moves\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)  # main, checked out: 1 behind
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(fetched(desktop, mine.id))
    desktop.window.select_repo(mine.id)
    run(
        until(
            lambda: {(b.name, b.behind) for b in desktop.window.branches.rows} == {("main", 1), ("drafts", 1)}
        )
    )
    before = everything_said(desktop, mine.id)
    drafts_before = branch_state(desktop, "drafts")[1]

    run(synced_all(desktop))
    run(until(lambda: not desktop.window.repos.row_for(mine.id).busy))  # type: ignore[union-attr]
    assert git("rev-parse", "main", cwd=world.mine) == world.remote_head("main")
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (0, 1)  # git: left as it was
    said = everything_said(desktop, mine.id)
    assert not any("to sync" in text for text in said), said
    assert not any("up to date" in text.lower() for text in said), said  # SPEC: drafts is behind
    assert said[0] == "drafts: 1 behind, not checked out"
    assert said[2].startswith("drafts: 1 behind, not checked out")
    assert "1 with a branch left behind or ahead" in said[3]
    assert "mine: drafts: 1 behind, not checked out" in said[4].splitlines()
    state, tooltip = branch_state(desktop, "drafts")
    assert state == "behind"
    assert tooltip.startswith("Not checked out: a sync moves it to its upstream only when")
    # Before the sync: the checked-out main was to sync, drafts was said as what it is.
    assert before[0] == "main: 1 behind" and "drafts: 1 behind, not checked out" in before[1]
    assert "1 to sync  ·  1 not synced yet" in before[3]  # mine (its main), theirs (never synced)
    assert drafts_before.startswith("Not checked out: a sync moves it")
    world.check()


@pytest.mark.slow
def test_with_fast_forward_all_on_to_sync_is_true_until_sync_all_moves_the_branch(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    new = drafts_behind(world)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"fast_forward_all": "true"}))
    run(fetched(desktop, mine.id))
    run(desktop.refresh())
    run(until(lambda: result(desktop, mine.id) == "drafts: 1 behind"))  # the sync will move it
    said = everything_said(desktop, mine.id)
    assert "1 to sync  ·  1 not synced yet" in said[3]  # mine, theirs (never synced)
    assert "not checked out" not in said[1]

    run(synced_all(desktop))
    run(until(lambda: result(desktop, mine.id) in ("Synced", "Up to date")))
    assert git("rev-parse", "drafts", cwd=world.mine) == new == world.remote_head("drafts")
    said = everything_said(desktop, mine.id)
    assert not any("to sync" in text or "behind" in text for text in said), said
    assert "all up to date" in said[3]
    assert branch_state(desktop, "drafts") == ("up to date", "")
    world.check()


@pytest.mark.slow
def test_a_branch_checked_out_in_another_worktree_is_never_to_sync_even_with_fast_forward_all(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """`fast_forward_all` on, `topic` behind and checked out in a linked worktree (`git
    worktree add`): git refuses to move it from here, so the sync leaves it; the window and
    the tray counted it "to sync" before and after "Sync all". Now they say where it is."""
    linked = topic_in_a_linked_worktree(world)
    theirs_pushes(world, "topic", "upstream.txt")
    topic = git("rev-parse", "topic", cwd=world.mine)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"fast_forward_all": "true"}))
    run(fetched(desktop, mine.id))
    run(desktop.refresh())
    desktop.window.select_repo(mine.id)
    run(until(lambda: ("topic", 1) in {(b.name, b.behind) for b in desktop.window.branches.rows}))
    where = f"topic: 1 behind, checked out in {linked}"
    for moment in ("fetched", "synced"):
        said = everything_said(desktop, mine.id)
        assert not any("to sync" in text for text in said[:3]), (moment, said)
        assert not any("up to date" in text.lower() for text in said), (moment, said)  # SPEC
        assert f"mine: {where}" in said[4].splitlines(), (moment, said)
        assert said[0] == where and said[2].startswith(where), (moment, said)
        state, tooltip = branch_state(desktop, "topic")
        assert state == "behind" and tooltip.startswith(f"Checked out in {linked}: git moves it only there")
        if moment == "fetched":
            run(synced_all(desktop))
            run(until(lambda: not desktop.window.repos.row_for(mine.id).busy))  # type: ignore[union-attr]
    assert git("rev-parse", "topic", cwd=world.mine) == topic  # git: left where it was
    assert ahead_behind(world.mine, "topic", "origin/topic") == (0, 1)
    world.check()


@pytest.mark.slow
def test_a_deleted_worktree_is_said_with_how_to_free_its_branch(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """`rm -rf` of a linked worktree without `git worktree prune`: git still holds its
    branch, and the window and the tray said "checked out in PATH" of a folder that is
    gone. Every place says it was deleted and what frees the branch, in the engine's words."""
    linked = topic_in_a_linked_worktree(world)
    theirs_pushes(world, "topic", "upstream.txt")
    shutil.rmtree(linked)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(fetched(desktop, mine.id))
    run(desktop.refresh())
    desktop.window.select_repo(mine.id)
    run(until(lambda: ("topic", 1) in {(b.name, b.behind) for b in desktop.window.branches.rows}))
    hint = "(folder deleted: `git worktree prune` releases it)"
    said = everything_said(desktop, mine.id)
    where = f"topic: 1 behind, checked out in {linked} {hint}"
    assert where in said[1] and said[2].startswith(where) and f"mine: {where}" in said[4].splitlines(), said
    assert branch_state(desktop, "topic")[1].endswith(hint)
    assert git_refuses_to_move(world.mine, "topic")  # git: still held


@pytest.mark.slow
def test_a_switch_of_branches_with_git_moves_checked_out_at_once(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """`git switch drafts` in a manual-mode repository: the window kept saying "drafts: 1
    behind, not checked out" and "main: 1 behind" (to sync) until the next fetch, an hour
    later. The engine watches `.git` and measures again when HEAD names another branch."""
    drafts_behind(world)
    world.commit(world.theirs, "m.txt", "main moves\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(fetched(desktop, mine.id))
    run(desktop.refresh())
    desktop.window.select_repo(mine.id)
    run(until(lambda: result(desktop, mine.id) == "main: 1 behind"))
    assert "drafts: 1 behind, not checked out" in result(desktop, mine.id, Qt.ItemDataRole.ToolTipRole)

    git("switch", "-q", "drafts", cwd=world.mine)  # no fetch, no sync follows
    run(until(lambda: result(desktop, mine.id) == "drafts: 1 behind"))
    assert "main: 1 behind, not checked out" in result(desktop, mine.id, Qt.ItemDataRole.ToolTipRole)
    checked = {b.name: b.checked_out for b in run(desktop.api.core.store.branches(mine.id))}
    assert checked == {"drafts": True, "main": False}
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=world.mine) == "drafts"


@pytest.mark.slow
def test_a_repository_just_added_shows_its_branches_before_any_fetch(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """The walk's first screenshot: a repository added a moment ago showed an empty branch
    table ("Not synced yet", no branch at all) until its first background fetch. Its
    branches are measured from its own refs once it is watched."""
    drafts_behind(world)
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"fetch_interval": "3600"}))
    run(desktop.refresh())
    desktop.window.select_repo(mine.id)
    run(until(lambda: {b.name for b in desktop.window.branches.rows} == {"main", "drafts"}))
    rows = {b.name: b for b in desktop.window.branches.rows}
    assert rows["main"].checked_out is True and rows["drafts"].checked_out is False
    git_says = ahead_behind(world.mine, "drafts", "origin/drafts")
    assert (rows["drafts"].ahead, rows["drafts"].behind) == git_says
    assert result(desktop, mine.id) == "Not synced yet"


@pytest.mark.slow
def test_a_diverged_branch_that_is_not_checked_out_says_the_way_forward_and_it_works(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """A user trial: drafts diverged and not checked out stayed a warning after every sync,
    and nothing said what would integrate it; doing what its State's tooltip says does."""
    drafts_behind(world)
    world.commit(world.mine, "m.txt", "mine\n")  # on main: then drafts gets a commit of its own
    git("switch", "-q", "drafts", cwd=world.mine)
    world.commit(world.mine, "mine-draft.txt", "mine\n")
    git("switch", "-q", "main", cwd=world.mine)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine"))
    run(synced_all(desktop))
    run(until(lambda: not desktop.window.repos.row_for(mine.id).busy))  # type: ignore[union-attr]
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (1, 1)  # git: diverged, left alone
    desktop.window.select_repo(mine.id)
    run(until(lambda: branch_state(desktop, "drafts")[0] == "diverged"))
    assert branch_state(desktop, "drafts")[1] == (
        "Diverged from origin/drafts and not checked out: a sync integrates only the checked-out branch; "
        "check drafts out (git switch drafts), then sync"
    )

    git("switch", "-q", "drafts", cwd=world.mine)  # as the tooltip says
    run(synced_all(desktop))
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (0, 0)
    assert git("rev-parse", "drafts", cwd=world.mine) == world.remote_head("drafts")
    world.check()
