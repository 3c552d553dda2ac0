"""A conflicted file deep in the tree: its path above the two sides is cut with "…"
(whole in the tooltip) and never pushes the window wider or the repository list
narrower (a user trial: the split between list and details moved with every path
selected and every choice made, and a long path squeezed the list)."""

from __future__ import annotations

import pytest

from core.results import ResultKind
from gui.desktop import Desktop
from tests.gitcli import commit_file, git
from tests.gui.conftest import Run
from tests.gui.waiting import next_emit, until
from tests.integration.clones import Clones, porcelain

DEEP = "thesis/chapters/03-results-and-their-discussion/figures/captions-for-every-figure-in-this-chapter.md"


@pytest.mark.slow
def test_a_long_conflicted_path_never_widens_the_details(run: Run, desktop: Desktop, world: Clones) -> None:
    commit_file(world.theirs, DEEP, "base\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("pull", "-q", "--ff-only", cwd=world.mine)
    commit_file(world.theirs, DEEP, "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    commit_file(world.mine, DEEP, "mine\n")
    world.remember()
    window = desktop.window
    window.resize(1120, 640)
    run(desktop.refresh())
    mine = run(desktop.api.core.store.repo("mine")).id
    window.select_repo(mine)
    window.tabs.setCurrentIndex(1)
    run(until(lambda: window.splitter.sizes()[0] > 0))
    width, sizes = window.width(), window.splitter.sizes()
    window.sync_action.trigger()
    _id, report = run(next_emit(desktop.synced))
    assert report.result is ResultKind.CONFLICT
    panel = window.conflicts_panel
    run(until(lambda: panel.resolution is not None and len(panel.resolution.paths) == 1))
    panel.table.selectRow(0)
    run(until(lambda: panel.choice_path.toolTip() == DEEP and "Not resolved yet" in panel.choice.text()))
    assert porcelain(world.mine) == ""  # the stopped sync changed nothing
    panel.keep_both.click()
    run(until(lambda: "keep both" in panel.choice.text()))
    assert window.width() == width
    assert window.splitter.sizes() == sizes
    assert "…" in panel.choice_path.shown_text()  # cut in the middle, whole in its tooltip
    assert panel.choice_path.toolTip() == DEEP
