"""History's "Came in" after a conflict resolved by Keep both: the copy holding this
computer's version is made here, by the resolution, and never came in from the remote. A
newcomer's trial read it under "Came in" (its count and its files); it is said apart, as
made here, and `gitferry history` says it as the tab does."""

from __future__ import annotations

import asyncio

import pytest

from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.gui.test_conflicts_tab import _choice, _select, _stopped
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli_run


@pytest.mark.slow
def test_a_keep_both_copy_is_said_as_made_here_not_as_came_in(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    panel, mine, theirs = _stopped(run, desktop, world)
    for path, button, choice in (("a.txt", panel.use_theirs, "theirs"), ("img.bin", panel.keep_both, "both")):
        _select(panel, path)
        button.click()
        run(until(lambda p=path, c=choice: _choice(panel, p) == c))
    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    head = world.head(world.mine)
    [copy] = [
        p for p in git("ls-tree", "--name-only", head, cwd=world.mine).splitlines() if "(conflict " in p
    ]
    arrived = git("diff", "--name-only", mine, theirs, cwd=world.mine).splitlines()
    assert sorted(arrived) == ["a.txt", "img.bin"]  # what the remote's commit changed

    history = desktop.window.history_panel
    run(until(lambda: any(e.kind == "resolve" for e in history.entries)))
    runs = [history.tree.topLevelItem(i) for i in range(history.tree.topLevelItemCount())]
    item = next(run for run in runs if run.text(0).startswith("Conflicts resolved"))
    lines = {item.child(i).text(0): item.child(i) for i in range(item.childCount())}
    assert "Came in · main: 1 commit, 2 files changed" in lines, list(lines)
    came = lines["Came in · main: 1 commit, 2 files changed"]
    files = next(came.child(i) for i in range(came.childCount()) if came.child(i).text(0) == "Files changed")
    assert sorted(files.child(i).text(0) for i in range(files.childCount())) == ["a.txt", "img.bin"]
    made = lines["Made here · main: 1 copy of this computer's version (keep both)"]
    assert [made.child(i).text(0) for i in range(made.childCount())] == [copy]

    code, out, _err = run(asyncio.to_thread(cli_run, world.capsys, "history", "mine"))
    assert code == 0
    said = str(out).splitlines()
    assert "  in main: 1 commit, 2 files" in said and "  made here main: 1 file" in said, said
    world.check()
