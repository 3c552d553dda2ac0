"""The History tab lists what happened, not every sync that found nothing: auto mode's
backstop syncs (one per `fetch_interval`) pushed the real syncs out of it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.engine.sync import SyncOptions, sync_repository
from gui.desktop import Desktop
from gui.models.formatting import when
from gui.models.repos import LAST_SYNC_COLUMN
from tests.gitcli import git
from tests.gui.conftest import Run, sync_from_the_window
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
    # What selecting it loads: the window may have had mine selected already (the engine
    # watches it as soon as the CLI added it), and these syncs ran beside the engine,
    # which then publishes no SyncFinished to load it again.
    run(desktop.load_details(mine_id))
    run(until(lambda: history.repo_id == mine_id and bool(history.entries)))
    assert [(e.kind, e.result) for e in history.entries] == [("sync", "ok")]
    assert history.tree.topLevelItemCount() == 1


def test_the_users_sync_now_is_listed_even_when_it_says_what_the_last_one_said(
    run: Run, desktop: Desktop, world: Clones, refused_port: int
) -> None:
    """Sync now failing with the last run's words ("origin is unreachable") was recorded
    quiet: the user pressed it, saw the failure, and History had no entry of it."""
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=world.mine)
    mine_id = run(desktop.api.core.store.repo("mine")).id
    reports = [sync_from_the_window(run, desktop, mine_id)[0] for _ in range(2)]
    assert [(str(r.result), r.message) for r in reports] == [("offline", reports[0].message)] * 2
    runs = run(desktop.api.core.store.runs(mine_id, eventful=True))
    assert [(r.kind, r.result) for r in runs] == [("sync", "offline")] * 2


def test_history_says_when_the_last_sync_it_leaves_out_was(run: Run, desktop: Desktop, world: Clones) -> None:
    """The list's Last sync is stamped by syncs that found nothing new too, which History
    leaves out: a user saw 20:21 in the list and 20:16 as History's newest. The History
    tab names the later one and the Last sync cell says what it counts."""
    world.commit(world.mine, "b.txt", "mine\n")
    core = desktop.api.core
    record = run(core.store.repo("mine"))
    sync = SyncOptions(timeout=10)
    assert run(sync_repository(core, record, sync)).pushed == ["main"]
    window, history = desktop.window, desktop.window.history_panel
    window.tabs.setCurrentIndex(3)
    window.select_repo(record.id)
    run(desktop.refresh())
    run(desktop.load_details(record.id))
    run(until(lambda: history.repo_id == record.id and bool(history.entries)))
    assert "not listed" not in history.hint.text()  # the newest listed is the last sync
    assert str(run(sync_repository(core, record, sync)).result) == "up_to_date"
    run(desktop.refresh())
    run(desktop.load_details(record.id))
    last = run(core.store.repo("mine")).last_sync
    assert last is not None and history.entries[0].when is not None and last > history.entries[0].when
    run(until(lambda: "not listed" in history.hint.text()))
    # its time said when it reads other than the newest listed's (seconds apart, both read
    # alike: test_history_panel)
    alike = when(last) == when(history.entries[0].when)
    assert (f"ended at {when(last)}" in history.hint.text()) is not alike
    row = window.repos.position_of(record.id)
    assert row is not None
    cell = window.repos.index(row, LAST_SYNC_COLUMN)
    tooltip = window.repos.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert when(last) in tooltip and "History" in tooltip
    # true of a check that failed too: a "Sign-in needed" row read "Last synced with its remotes at 23:18"
    assert f"ended at {when(last)}; how it ended is under Result" in tooltip
