"""A repository registered by another process while the app runs (`gitferry add` in a
terminal) shows in the status window by itself: the engine starts watching it within
its settings round, and the window lists it without a restart."""

from __future__ import annotations

import pytest

from gui.desktop import Desktop
from tests.gui.conftest import Run
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli


@pytest.mark.slow
def test_a_repository_added_with_the_cli_while_the_app_runs_shows_in_the_window(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    # `world` registered mine and theirs with the CLI after the app started; nothing
    # asks the window to refresh: before, it listed them only after a restart.
    names = lambda: sorted(view.record.name for view in desktop.window.repos.rows)  # noqa: E731
    run(until(lambda: names() == ["mine", "theirs"]), 25)
    assert desktop.window.pages.currentWidget() is desktop.window.splitter  # the list, not the first-run page
    mine = run(desktop.api.core.store.repo("mine"))
    assert desktop.window.repos.row_for(mine.id) is not None
    assert "2 repositories" in desktop.window.summary.text()
    # ...and one removed with the CLI goes from the list (it kept a row that could not sync)
    code, _out, err = cli(world.capsys, "remove", "theirs")
    assert code == 0, err
    run(until(lambda: names() == ["mine"]), 25)
