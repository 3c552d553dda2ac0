"""Conflicts of other kinds in the Conflicts tab, as a user trial met them: a file one
side deleted and the other changed, said in the pane of the side that deleted it, and
the copies an auto-commit merge kept, which have nothing to choose between."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.git.merge.resolution import ConflictedPath, Resolution, Version
from core.model import ConflictRecord
from core.results import ResultKind
from gui.desktop import Desktop
from gui.widgets.conflicts_panel import ConflictsPanel
from tests.gitcli import git
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.waiting import until
from tests.integration.clones import Clones, porcelain

NOW = datetime(2026, 12, 7, 1, 34, tzinfo=UTC)


@pytest.mark.slow
def test_a_file_the_remote_deleted_is_said_deleted_on_the_remote_then_use_theirs_deletes_it(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """The remote's pane said "(deleted on this side)", read as deleted on this computer."""
    git("rm", "-q", "a.txt", cwd=world.theirs)
    git("commit", "-q", "-m", "theirs deletes a.txt", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "a.txt", "one\ntwo\nthree\nmine\n")
    theirs = world.remote_head()
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, _notices = sync_from_the_window(run, desktop, mine_id)
    assert report.result is ResultKind.CONFLICT
    panel = desktop.window.conflicts_panel
    run(until(lambda: panel.resolution is not None))
    assert panel.theirs_view.toPlainText() == "(deleted on the remote)"
    assert "+mine" in panel.mine_view.toPlainText()
    # one version to keep, not two: Keep both is not offered (it kept mine, as Use mine does)
    assert not panel.keep_both.isEnabled() and panel.keep_both.toolTip().startswith("The remote deleted")
    assert panel.use_theirs.isEnabled() and panel.use_theirs.toolTip() == "Delete the file, as the remote did"
    panel.use_theirs.click()
    run(until(lambda: panel.finish.isEnabled()))
    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    head = world.head(world.mine)
    assert world.remote_head() == head
    assert git("log", "-1", "--format=%P", head, cwd=world.mine) == f"{mine} {theirs}"
    assert git("ls-tree", "--name-only", head, cwd=world.mine) == ""
    assert porcelain(world.mine) == "" and not (world.mine / "a.txt").exists()
    world.check()


@pytest.mark.slow
def test_a_rename_on_both_sides_never_says_deleted_of_a_name_one_side_never_had(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """User trial: a.txt renamed to mine.txt here and to theirs.txt on the remote (git's
    rename/rename): mine.txt's remote pane said "(deleted on the remote)" and Use theirs
    "Delete the file, as the remote did", of a name the remote never had."""
    for clone, name in ((world.theirs, "theirs.txt"), (world.mine, "mine.txt")):
        git("mv", "a.txt", name, cwd=clone)
        git("commit", "-q", "-m", f"a.txt to {name}", cwd=clone)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    theirs = world.remote_head()
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, _notices = sync_from_the_window(run, desktop, mine_id)
    assert report.result is ResultKind.CONFLICT
    panel = desktop.window.conflicts_panel
    run(until(lambda: panel.resolution is not None and len(panel.resolution.paths) == 3))
    said = {}
    proxy = panel.table.model()
    for row in range(proxy.rowCount()):
        panel.table.selectRow(row)
        path = panel.selected_path()
        said[path] = (
            panel.mine_view.toPlainText(),
            panel.theirs_view.toPlainText(),
            panel.use_theirs.toolTip(),
        )
        panel.use_mine.click()
        run(
            until(
                lambda path=path: any(p.path == path and p.choice == "mine" for p in panel.resolution.paths)
            )
        )
    assert said["mine.txt"][1] == "(not on the remote)"
    assert said["mine.txt"][2] == "Leave the file out: the remote has no file at this path"
    assert said["theirs.txt"][0] == "(not on this computer)"
    assert said["a.txt"][:2] == ("(deleted on this computer)", "(deleted on the remote)")  # renamed away
    panel.finish.click()
    run(until(lambda: not desktop.window.conflicts.rows and world.remote_head() != theirs), timeout=60)
    head = world.head(world.mine)
    assert git("ls-tree", "--name-only", head, cwd=world.mine) == "mine.txt"
    assert porcelain(world.mine) == ""
    world.check()


def test_a_file_this_computer_deleted_is_said_deleted_on_this_computer(qtbot: object) -> None:
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_conflicts(1, [ConflictRecord("main", "a.txt", NOW)])
    side = Version(oid="1" * 40, mode=0o100644, size=4, data=b"one\n")
    path = ConflictedPath("a.txt", base=side, ours=Version(), theirs=side)
    panel.show_resolution(1, Resolution("main", "origin/main", "2" * 40, "3" * 40, [path]))
    assert panel.mine_view.toPlainText() == "(deleted on this computer)"


def test_the_two_sides_share_the_width_evenly_in_german(qtbot: object, german: None) -> None:
    """A newcomer's German trial: "Meine (dieser Computer) gegenüber der Basis" ran straight into
    "Ihre (das Remote) gegenüber der Basis", and the longer title made its pane the wider one,
    each title holding its pane's least width. The titles wrap; the panes are as wide, and
    start on one line."""
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.resize(520, 600)
    panel.show()
    qtbot.waitExposed(panel)  # type: ignore[attr-defined]
    side = Version(oid="1" * 40, mode=0o100644, size=4, data=b"one\n")
    panel.show_conflicts(1, [ConflictRecord("main", "a.txt", NOW)])
    panel.show_resolution(
        1, Resolution("main", "origin/main", "2" * 40, "3" * 40, [ConflictedPath("a.txt", side, side, side)])
    )
    mine, theirs = panel.mine_view, panel.theirs_view
    titles = (panel.mine_label, panel.theirs_label)
    qtbot.waitUntil(lambda: all(t.isVisible() and t.height() > 0 for t in titles))  # type: ignore[attr-defined]
    assert panel.mine_label.text().startswith("Meine (dieser Computer)")
    assert abs(mine.width() - theirs.width()) <= 1, (mine.width(), theirs.width())
    gap = theirs.mapTo(panel, theirs.rect().topLeft()).x() - mine.mapTo(panel, mine.rect().topRight()).x()
    for label, view in ((panel.mine_label, mine), (panel.theirs_label, theirs)):
        assert label.width() <= view.width()  # never past its own pane, into the other's title
        assert label.heightForWidth(label.width()) <= label.height(), label.text()  # whole
    assert gap > 0
    top = [view.mapTo(panel, view.rect().topLeft()).y() for view in (mine, theirs)]
    assert top[0] == top[1]  # the panes start on one line, the shorter title padded


def test_copies_an_auto_commit_merge_kept_say_what_to_do_above_the_list(qtbot: object) -> None:
    """The hint said "Select it to see both versions" above a selected copy, with empty
    panes and every button disabled; and once the copy was gone the message below stayed."""
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show()
    panel.show_conflicts(1, [ConflictRecord("main", "a (conflict vm 2026-12-07 0134).txt", NOW)])
    panel.show_resolution(1, None)
    assert panel.hint.text().startswith("Both sides were kept")
    assert not panel.detail.isVisible() and panel.status.text() == ""
    panel.show_conflicts(1, [])
    panel.show_resolution(1, None, panel.status.text())
    assert panel.hint.text() == "No conflicts. A sync that stops on one lists its files here."
    assert panel.status.text() == ""


def test_an_empty_list_is_never_called_clean_in_german_either(qtbot: object, german: None) -> None:
    """Newcomer's trial, German app: "Keine Konflikte: jeder Branch wurde sauber integriert."
    stood above a repository whose sync stopped on local changes, its branch still behind."""
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_conflicts(1, [], None, "dirty")
    assert panel.hint.text().startswith("Keine Konflikte: die letzte Synchronisierung hielt bei lokalen")
    assert "Committe oder stashe sie mit git" in panel.hint.text()
    panel.show_conflicts(1, [], None, "ok")
    assert panel.hint.text() == (
        "Keine Konflikte. Hält eine Synchronisierung bei einem an, stehen seine Dateien hier."
    )


@pytest.mark.parametrize("deleted_by", ["remote", "this computer"])
def test_keep_both_is_not_offered_for_a_file_one_side_deleted(qtbot: object, deleted_by: str) -> None:
    """Keep both, on a file the remote deleted, simply kept mine (as Use mine does): a
    modify/delete has one version to keep, not two. The button is not offered there, its
    tooltip says why, and Use mine / Use theirs say which of them keeps or deletes it; a
    conflict with both versions offers it again."""
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_conflicts(1, [ConflictRecord("main", "a.txt", NOW), ConflictRecord("main", "b.txt", NOW)])
    side = Version(oid="1" * 40, mode=0o100644, size=4, data=b"one\n")
    other = Version(oid="2" * 40, mode=0o100644, size=4, data=b"two\n")
    ours, theirs = (side, Version()) if deleted_by == "remote" else (Version(), side)
    paths = [
        ConflictedPath("a.txt", base=side, ours=ours, theirs=theirs),
        ConflictedPath("b.txt", side, side, other),
    ]
    panel.show_resolution(1, Resolution("main", "origin/main", "2" * 40, "3" * 40, paths))
    assert panel.selected_path() == "a.txt" and panel.use_mine.isEnabled() and panel.use_theirs.isEnabled()
    assert not panel.keep_both.isEnabled()
    if deleted_by == "remote":
        assert panel.keep_both.toolTip().startswith("The remote deleted this file: there is one version")
        assert panel.use_theirs.toolTip() == "Delete the file, as the remote did"
        assert panel.use_mine.toolTip() == "Keep this computer's version"
    else:
        assert panel.keep_both.toolTip().startswith("This computer deleted this file: there is one version")
        assert panel.use_mine.toolTip() == "Leave the file deleted, as this computer did"
        assert panel.use_theirs.toolTip() == "Take the remote's version"
    panel.table.selectRow(1)  # both versions there: keep both is offered, and said as ever
    assert panel.selected_path() == "b.txt" and panel.keep_both.isEnabled()
    assert panel.keep_both.toolTip() == "Theirs at the path, mine beside it as a conflict copy"


def test_the_hint_says_finish_commits_a_merge(qtbot: object) -> None:
    """User trial: in a repository whose strategy is rebase, Finish committed and pushed a
    merge, where `git pull --rebase` replays the commits; nothing said so before Finish."""
    panel = ConflictsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_conflicts(1, [ConflictRecord("main", "a.txt", NOW)])
    side = Version(oid="1" * 40, mode=0o100644, size=4, data=b"one\n")
    other = Version(oid="2" * 40, mode=0o100644, size=4, data=b"two\n")
    paths = [ConflictedPath("a.txt", side, side, other)]
    panel.show_resolution(1, Resolution("main", "origin/main", "2" * 40, "3" * 40, paths))
    assert panel.hint.text().endswith("then Finish: it commits a merge of the two, then syncs.")
