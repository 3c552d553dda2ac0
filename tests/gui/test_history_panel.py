"""The History tab shown again for the same repository (it is reloaded after each of
its syncs) keeps the runs it already shows, opened or closed as the user left them,
and builds only the runs that are new or changed; the list reads as one built afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from core.api import BranchChange, CommitSummary, HistoryEntry
from gui.models.formatting import when
from gui.widgets.history_panel import HistoryPanel

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def run(run_id: int, message: str = "pushed main") -> HistoryEntry:
    commit = CommitSummary(f"{run_id:040x}", f"change {run_id}", "Alice", NOW)
    went_out = [BranchChange("main", None, commit.sha, [commit], 0, [f"file-{run_id}.txt"], False)]
    return HistoryEntry(run_id, "sync", "ok", message, NOW, [], went_out, 1, [], [])


def items(panel: HistoryPanel) -> list[QTreeWidgetItem]:
    shown = [panel.tree.topLevelItem(row) for row in range(panel.tree.topLevelItemCount())]
    return [item for item in shown if item is not None]


def texts(panel: HistoryPanel) -> list[str]:
    return [item.text(0) for item in items(panel)]


def fresh(entries: list[HistoryEntry], qtbot: QtBot) -> list[str]:
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.show_history(1, entries)
    return texts(panel)


def test_a_reload_keeps_the_runs_shown_and_how_the_user_left_them(qtbot: QtBot) -> None:
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.show_history(1, [run(3), run(2), run(1)])
    three, two, one = items(panel)
    assert three.isExpanded() and not two.isExpanded()  # the newest opened
    three.setExpanded(False)
    one.setExpanded(True)
    panel.show_history(1, [run(4), run(3), run(2, "pushed main again"), run(1)])
    new, *rest = items(panel)
    assert rest[0] is three and rest[2] is one  # kept, not built again
    assert rest[1] is not two and "pushed main again" in rest[1].text(0)  # changed: built again
    assert new.isExpanded() and not three.isExpanded() and one.isExpanded()
    assert texts(panel) == fresh([run(4), run(3), run(2, "pushed main again"), run(1)], qtbot)
    panel.show_history(1, [run(4), run(3)])  # the oldest fell off the list
    assert items(panel) == [new, three]


def test_another_repository_or_no_runs_is_built_afresh(qtbot: QtBot) -> None:
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.show_history(1, [run(2), run(1)])
    before = items(panel)
    panel.show_history(2, [run(2), run(1)])
    assert not set(map(id, items(panel))) & set(map(id, before))
    assert items(panel)[0].isExpanded()
    panel.show_history(2, [])
    assert texts(panel) == ["No syncs recorded yet."]
    panel.show_history(2, [run(5)])
    assert texts(panel) == fresh([run(5)], qtbot)


def test_the_hint_names_the_unlisted_sync_s_time_only_when_it_reads_other_than_the_newest(
    qtbot: QtBot,
) -> None:
    """A quiet check seconds after the listed sync: the hint said "ended at 00:50" above an
    entry at 00:50 (a trial). Said alike, the times need no telling apart; minutes apart,
    the hint says the later one, as the list's Last sync does."""
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    listed = replace(run(1), when=NOW.replace(second=7))
    panel.show_history(1, [listed], NOW.replace(second=42))
    hint = panel.hint.text()
    assert "are not listed." in hint
    assert when(NOW) not in hint and "ended at" not in hint
    panel.show_history(1, [listed], NOW + timedelta(minutes=9))
    assert f"ended at {when(NOW + timedelta(minutes=9))}." in panel.hint.text()
    assert when(listed.when) != when(NOW + timedelta(minutes=9))
