"""The History tab lists what happened, not every sync that found nothing: auto mode's
backstop syncs (one per `fetch_interval`) pushed the real syncs out of it."""

from __future__ import annotations

from core.engine.sync import SyncOptions, sync_repository
from gui.desktop import Desktop
from tests.gui.conftest import Run
from tests.gui.waiting import until
from tests.integration.clones import Clones


def test_syncs_that_found_nothing_after_a_push_are_not_listed(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    world.commit(world.mine, "b.txt", "mine\n")
    core = desktop.api.core
    record = run(core.store.repo("mine"))
    mine_id = record.id
    sync = SyncOptions(timeout=10)  # the engine's sync, in this process as the app's worker runs it
    assert run(sync_repository(core, record, sync)).pushed == ["main"]
    assert [str(run(sync_repository(core, record, sync)).result) for _ in range(3)] == ["up_to_date"] * 3
    assert world.head(world.mine) == world.remote_head()
    run(desktop.refresh())
    window, history = desktop.window, desktop.window.history_panel
    window.tabs.setCurrentIndex(3)
    window.select_repo(mine_id)
    run(until(lambda: history.repo_id == mine_id and bool(history.entries)))
    assert [(e.kind, e.result) for e in history.entries] == [("sync", "ok")]
    assert history.tree.topLevelItemCount() == 1
