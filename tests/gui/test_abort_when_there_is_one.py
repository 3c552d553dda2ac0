"""Abort in the Conflicts tab is enabled only while there is a resolution to abort: a
newcomer's trial pressed it, read "Aborted: nothing in the repository was changed", and
found it still enabled, with nothing left to abort. A choice made enables it again."""

from __future__ import annotations

import pytest

from gui.desktop import Desktop
from tests.gui.conftest import Run
from tests.gui.test_conflicts_tab import _choice, _select, _stopped
from tests.gui.waiting import until
from tests.integration.clones import Clones


@pytest.mark.slow
def test_abort_is_disabled_once_done_and_enabled_by_the_next_choice(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    panel, mine, _theirs = _stopped(run, desktop, world)
    assert not panel.abort.isEnabled() and not panel.finish.isEnabled()  # nothing chosen yet
    _select(panel, "a.txt")
    panel.use_theirs.click()
    run(until(lambda: _choice(panel, "a.txt") == "theirs"))
    assert panel.abort.isEnabled()
    panel.abort.click()
    run(until(lambda: "nothing in the repository was changed" in panel.status.text()))
    assert _choice(panel, "a.txt") is None and world.head(world.mine) == mine
    assert not panel.abort.isEnabled() and not panel.finish.isEnabled()
    assert panel.use_mine.isEnabled()  # the conflicts are still there to resolve
    panel.use_mine.click()
    run(until(lambda: _choice(panel, "a.txt") == "mine"))
    assert panel.abort.isEnabled()
    world.check()
