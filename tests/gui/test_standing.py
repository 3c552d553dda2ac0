"""What the window and the tray say is true to the branch table (issue 18's defects 3, 7,
10, 11, 17 and the tray's tooltip), as a user reads it: the Result column's cell, the
detail pane's header, the status bar, the tray's icon and tooltip, from the same rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dulwich.repo import Repo
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication

from core.events import BranchStatusChanged, PhaseProgress, StateChanged
from core.git.worktree.switch_check import WorktreeInTheWay
from core.model import BranchStatus, ConflictRecord, RepoRecord, RepoState, SkippedFile, left_alone_said
from core.phrase import joined, phrase, to_json
from gui.models.branches import branch_model
from gui.models.standing import way_on
from gui.resources import TrayState
from gui.translations import install_translations
from gui.tray import Tray, tray_state
from gui.windows.status_window import StatusWindow
from tests.git_operations import UNFINISHED, Unfinished, unfinished_id
from tests.gitcli import commit_file, git

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def branch(name: str, ahead: int, behind: int) -> BranchStatus:
    return BranchStatus(name, f"origin/{name}", "a" * 40, "b" * 40, ahead, behind, NOW)


RESULT_COLUMN = 3


def shown(window: StatusWindow, repo_id: int) -> str:
    """The Result column's cell of the repository, as the list shows it."""
    position = window.repos.position_of(repo_id)
    assert position is not None and window.repos.columns[RESULT_COLUMN].header == "Result"
    return str(window.repos.data(window.repos.index(position, RESULT_COLUMN)))


def tray_for(window: StatusWindow) -> Tray:
    """A tray showing the window's repositories, as the desktop keeps it."""
    tray = Tray()
    tray.show_repos_state(window.repos.rows)
    return tray


def summary(window: StatusWindow) -> str:
    return window.summary.full_text()


def window_with(qtbot: object, *records: RepoRecord, **kwargs: object) -> StatusWindow:
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_repos(list(records), kwargs.get("branches", {}), kwargs.get("conflicts", {}))  # type: ignore[arg-type]
    return window


def test_a_diverged_branch_after_a_clean_fetch_is_never_up_to_date(qtbot: object) -> None:
    """The background fetch's run says up_to_date; the branch table says main is 1 ahead, 2 behind."""
    notes = RepoRecord(1, "notes", "/n", last_result="up_to_date", last_message="up to date")
    window = window_with(qtbot, notes, branches={1: [branch("main", 1, 2), branch("topic", 0, 0)]})
    assert shown(window, 1) == "main: 1 ahead, 2 behind"
    assert window.progress.phase.text() == "main: 1 ahead, 2 behind"  # not "· Last sync: up to date"
    assert "up to date" not in summary(window)
    assert "1 with a warning" in summary(window)
    tray = tray_for(window)
    assert tray.state is TrayState.WARNING
    assert tray.icon.toolTip().splitlines() == [
        "Gitferry: worth a look",
        "notes: main: 1 ahead, 2 behind",
    ]


def test_behind_or_ahead_is_work_for_the_next_sync_not_up_to_date(qtbot: object) -> None:
    notes = RepoRecord(1, "notes", "/n", last_result="ok")
    window = window_with(qtbot, notes, branches={1: [branch("main", 0, 3)]})
    assert shown(window, 1) == "main: 3 behind"
    tray = tray_for(window)
    assert tray.state is TrayState.IDLE  # nothing wrong, nothing running
    assert tray.icon.toolTip().splitlines() == ["Gitferry: nothing needs you", "notes: main: 3 behind"]
    assert "1 to sync" in summary(window)
    window.on_branches_changed(BranchStatusChanged(1, "notes", (branch("main", 0, 0),)))
    assert shown(window, 1) == "Up to date"
    assert tray_for(window).icon.toolTip() == "Gitferry: everything up to date"
    assert summary(window).startswith("1 repository  ·  all up to date")


def test_an_unresolved_conflict_stays_the_headline_after_a_later_clean_fetch(qtbot: object) -> None:
    docs = RepoRecord(2, "docs", "/d", last_result="up_to_date")
    window = window_with(
        qtbot,
        docs,
        branches={2: [branch("main", 0, 0)]},
        conflicts={2: [ConflictRecord("main", "a.txt", NOW)]},
    )
    assert shown(window, 2) == "Conflict: 1 file"
    assert window.progress.phase.text().startswith("Conflict: 1 file")
    assert "1 needs you" in summary(window)
    tray = tray_for(window)
    assert tray.state is TrayState.ATTENTION
    assert tray.icon.toolTip().splitlines()[1] == "docs: Conflict: 1 file"


def test_skipped_files_are_a_warning_in_the_result_the_header_and_the_tray(qtbot: object) -> None:
    notes = RepoRecord(1, "notes", "/n", last_result="ok", last_message="pushed main")
    other = RepoRecord(2, "other", "/o", last_result="ok")
    window = window_with(qtbot, notes, other, branches={1: [branch("main", 0, 0)], 2: [branch("main", 0, 0)]})
    window.select_repo(1)
    skipped = SkippedFile("video.bin", "too_large", 1 << 21, 1, NOW, NOW)
    window.show_skipped(2, [skipped])  # not the selected one: still counted
    assert shown(window, 2) == "1 file skipped"
    position = window.repos.position_of(2)
    assert window.repos.data(window.repos.index(position, RESULT_COLUMN), Qt.ItemDataRole.ForegroundRole)
    window.show_skipped(1, [skipped, SkippedFile("b.iso", "too_large", 1 << 22, 1, NOW, NOW)])
    assert window.progress.phase.text() == "2 files skipped  ·  Last sync: pushed main"
    assert window.tabs.tabText(2) == "Skipped files (2)"
    tray = tray_for(window)
    assert tray.state is TrayState.WARNING
    assert tray.icon.toolTip().splitlines()[1:] == ["notes: 2 files skipped", "other: 1 file skipped"]


def test_a_cancelled_sync_reads_cancelled_not_error(qtbot: object) -> None:
    notes = RepoRecord(1, "notes", "/n", last_result="error", last_message="cancelled")
    window = window_with(qtbot, notes, branches={1: [branch("main", 0, 0)]})
    assert window.progress.phase.text() == "Cancelled"  # it read "Error: cancelled"
    assert shown(window, 1) == "Cancelled"
    assert tray_state(window.repos.rows) is TrayState.IDLE
    assert "error" not in window.repos.row_for(1).activity().lower()  # type: ignore[union-attr]


def test_every_remote_down_is_offline_not_attention(qtbot: object) -> None:
    """A remote the breaker tripped because it never answered is part of being offline."""
    records = [
        RepoRecord(i, name, f"/{name}", state=state, last_result="offline", last_message="connection refused")
        for i, (name, state) in enumerate([("a", "tripped"), ("b", "offline"), ("c", "tripped")], 1)
    ]
    window = window_with(qtbot, *records)
    tray = tray_for(window)
    assert tray.state is TrayState.OFFLINE  # it said "something needs you"
    assert {shown(window, i) for i in (1, 2, 3)} == {"Offline"}
    assert window.repos.row_for(1).activity(brief=True) == "Offline"  # type: ignore[union-attr]
    assert tray.icon.toolTip().splitlines()[0] == "Gitferry: offline, no remote answers"
    said = summary(window)
    assert "offline" in said.split("  ·  ") and "need" not in said and "tripped" not in said


def test_the_tray_tooltip_names_who_needs_attention_and_the_transfer_under_way(qtbot: object) -> None:
    records = [
        RepoRecord(1, "alpha", "/a", last_result="auth_failed", last_message="401"),
        RepoRecord(2, "beta", "/b", last_result="ok"),
        RepoRecord(3, "gamma", "/g", last_result="ok"),
    ]
    window = window_with(qtbot, *records, branches={i: [branch("main", 0, 0)] for i in (1, 2, 3)})
    window.on_state_changed(StateChanged(2, "beta", RepoState.IDLE, RepoState.SYNCING, 1.0))
    window.on_progress(PhaseProgress(2, "beta", "origin", "receiving", 40, 80, 4096))
    tray = tray_for(window)
    assert tray.state is TrayState.ATTENTION
    assert tray.icon.toolTip().splitlines() == [
        "Gitferry: something needs you",
        "alpha: Sign-in needed",
        "beta: Receiving objects 40/80 · 4.0 KiB (origin)",
    ]
    assert tray.repo_menus[1].title() == "alpha — Sign-in needed"  # the user's words, not auth_failed
    assert shown(window, 2) == "Up to date"  # the Activity column shows the transfer; Result, where it stands


def test_counts_read_as_english_plurals(qtbot: object) -> None:
    one = window_with(qtbot, RepoRecord(1, "solo", "/s", last_result="ok"))
    assert summary(one).startswith("1 repository  ·  ")
    two = window_with(qtbot, RepoRecord(1, "a", "/a"), RepoRecord(2, "b", "/b"))
    # never synced: nothing known to sync (a trial's "11 to sync" of repositories up to date)
    assert summary(two).startswith("2 repositories  ·  2 not synced yet  ·  ")
    assert "to sync" not in summary(two).replace("not synced yet", "")
    assert shown(two, 1) == "Not synced yet"


def test_a_long_name_is_cut_in_the_tray_menu_and_tooltip(qtbot: object) -> None:
    name = "a-repository-whose-name-goes-on-" + "and-on-" * 20 + "end"
    window = window_with(qtbot, RepoRecord(1, name, "/l", last_result="conflict"))
    tray = tray_for(window)
    title = tray.repo_menus[1].title()
    assert title.startswith("a-repository-whose-name-") and "…" in title and title.endswith("— Conflict")
    assert len(tray.icon.toolTip().splitlines()[1]) < 60


def test_a_worktree_path_is_cut_in_the_tray_menu(qtbot: object, tmp_path: Path) -> None:
    """A branch checked out in another worktree names its folder: the tray's menu cuts that
    line in the middle, keeping the folder's own name (the menu was as wide as the screen);
    the tooltip, like the window, says it whole."""
    folder = str(tmp_path / "gitferry-walk-work.uL8AyC" / "a-long-way-down" / "to-the-notes-topic")
    Path(folder).mkdir(parents=True)
    main = BranchStatus("main", "origin/main", "c" * 40, "c" * 40, 0, 0, checked_out=True)
    topic = BranchStatus(
        "topic",
        "origin/topic",
        "a" * 40,
        "b" * 40,
        0,
        1,
        worktree=folder,
        worktree_use="checked out",
        checked_out=False,
    )
    window = window_with(qtbot, RepoRecord(1, "notes", "/n", last_result="ok"), branches={1: [main, topic]})
    assert shown(window, 1).endswith(f"checked out in {folder}")  # the window's list keeps it whole
    menu, tooltip = menu_and_tooltip_words(tray_for(window), 1, "notes")
    assert tooltip == shown(window, 1) and menu is not None
    assert len(menu) <= 64 and "…" in menu and menu.startswith("topic: 1 behind, checked out in /")
    assert menu.endswith("to-the-notes-topic")


def test_the_status_bar_counts_unpublished_branches_in_their_plural(qtbot: object) -> None:
    """One text with Qt's plural forms (English's: resources/translations/gitferry_en.ts),
    where the window wrote the singular and the plural as two texts."""

    def unpublished(name: str, commits: int) -> BranchStatus:
        return BranchStatus(name, None, "a" * 40, None, None, None, unpublished=commits)

    notes = RepoRecord(1, "notes", "/n", last_result="unpublished")
    one = window_with(qtbot, notes, branches={1: [unpublished("feature", 2)]})
    assert "1 branch not published" in summary(one).split("  ·  ")
    two = window_with(qtbot, notes, branches={1: [unpublished("feature", 2), unpublished("fix", 1)]})
    assert "2 branches not published" in summary(two).split("  ·  ")


def test_an_unpublished_branchs_state_tooltip_counts_its_commits_in_their_plural(qtbot: object) -> None:
    table = branch_model()
    table.set_rows(
        [BranchStatus(n, None, "a" * 40, None, None, None, unpublished=c) for n, c in (("a", 1), ("b", 3))]
    )
    state = [c.header for c in table.columns].index("State")
    tips = [table.data(table.index(row, state), Qt.ItemDataRole.ToolTipRole) for row in range(2)]
    assert tips == [
        "1 commit of a is on no remote: Publish branch pushes it and sets its upstream",
        "3 commits of b are on no remote: Publish branch pushes it and sets its upstream",
    ]


def test_an_unpublished_branch_is_said_once_in_the_header(qtbot: object) -> None:
    """The branch's line ('topic: 5 commits on no remote') already says what the run's result
    ('Commits on no remote') would: the header said both, one after the other (issue 18)."""
    notes = RepoRecord(1, "notes", "/n", last_result="unpublished")
    topic = BranchStatus("topic", None, "a" * 40, None, None, None, unpublished=5)
    window = window_with(qtbot, notes, branches={1: [topic]})
    assert shown(window, 1) == "topic: 5 commits on no remote"
    assert window.progress.phase.text() == "topic: 5 commits on no remote"
    alone = window_with(qtbot, notes)  # no branch says it: the result does
    assert alone.progress.phase.text() == "Commits on no remote"


def test_counts_past_qts_32_bit_int_are_said_not_raised(qtbot: object) -> None:
    """Qt's `%n` is a C int: 2**31 commits behind raised OverflowError in the model (the
    window painted nothing for the repository); the count is said as it is, in its plural."""
    huge = 2**31 + 5
    notes = RepoRecord(1, "notes", "/n", last_result="ok")
    window = window_with(qtbot, notes, branches={1: [branch("main", 0, huge)]})
    assert shown(window, 1) == f"main: {huge} behind"
    assert "1 to sync" in summary(window)
    topic = BranchStatus("topic", None, "a" * 40, None, None, None, unpublished=huge, checked_out=True)
    window = window_with(qtbot, notes, branches={1: [topic]})
    assert shown(window, 1) == f"topic: {huge} commits on no remote"
    table = branch_model()
    table.set_rows([topic])
    state = [c.header for c in table.columns].index("State")
    tip = table.data(table.index(0, state), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"{huge} commits of topic are on no remote: Publish branch pushes it and sets its upstream"
    drafts = BranchStatus("drafts", "origin/drafts", "a" * 40, "b" * 40, 0, huge, NOW, checked_out=False)
    window = window_with(qtbot, notes, branches={1: [drafts]})
    assert f"drafts: {huge} behind, not checked out" in window.progress.phase.toolTip() + "\n".join(
        window.repos.row_for(1).standing(settled=True).details  # type: ignore[union-attr]
    )


def test_a_branch_another_worktree_holds_is_said_once_in_the_header(qtbot: object, tmp_path: Path) -> None:
    """The walk's step 12: the header said 'topic: 1 behind, checked out in /w/topic' and
    then the last sync's 'left topic alone: checked out in the worktree at /w/topic', the
    rest cut off after three lines. The branch's line says it; the message keeps the rest."""
    folder = str(tmp_path)  # the worktree's, there (a deleted one's line says more)
    message = f"fetched origin/topic (4 objects); left topic alone: checked out in the worktree at {folder}"
    notes = RepoRecord(1, "notes", "/n", last_result="ok", last_message=message)
    topic = BranchStatus(
        "topic", "origin/topic", "a" * 40, "b" * 40, 0, 1, NOW, checked_out=False,
        worktree=folder, worktree_use="checked out",
    )  # fmt: skip
    window = window_with(qtbot, notes, branches={1: [topic]})
    assert window.progress.phase.full_text() == (
        f"topic: 1 behind, checked out in {folder}  ·  Last sync: fetched origin/topic (4 objects)"
    )
    plain = RepoRecord(1, "notes", "/n", last_result="ok", last_message="left drafts alone: something else")
    window = window_with(qtbot, plain, branches={1: [topic]})
    assert window.progress.phase.full_text().endswith("Last sync: left drafts alone: something else")


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_sync_line_naming_a_branch_left_behind_is_not_said_twice(
    qtbot: object, qapp: QApplication, language: str
) -> None:
    """A sync's line names the branch it leaves behind in the window's words (the engine's
    template is the window's line): the header says the branch once, then the rest of the
    line, in English and in German."""
    drafts = replace(branch("drafts", 0, 1), checked_out=False)
    parts = [
        phrase("fetched {refs} ({objects} objects)", refs="origin/drafts", objects=3),
        left_alone_said(drafts),
    ]
    message, said = joined(parts), to_json(parts)
    record = RepoRecord(1, "notes", "/n", last_result="ok", last_message=message, last_said=said)
    installed = install_translations(qapp, QLocale(language)) if language == "de" else []
    try:
        window = window_with(qtbot, record, branches={1: [branch("main", 0, 0), drafts]})
        text = window.progress.phase.full_text()
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
    expected = {
        "en": "drafts: 1 behind, not checked out  ·  Last sync: fetched origin/drafts (3 objects)",
        "de": "drafts: 1 zurück, nicht ausgecheckt  ·  "
        "Zuletzt synchronisiert: origin/drafts abgerufen (3 Objekte)",
    }
    assert text == expected[language]


def test_a_branch_a_sync_leaves_behind_is_never_up_to_date_nor_to_sync(qtbot: object) -> None:
    """SPEC: a repository with a branch behind is never "up to date", though the sync
    leaves it (not checked out, `fast_forward_all` off): the row, the header, the status
    bar and the tray say the branch as it is, and count it apart from "to sync"."""
    notes = RepoRecord(1, "notes", "/n", last_result="up_to_date", last_message="up to date")
    drafts = replace(branch("drafts", 0, 3), checked_out=False)
    level = replace(branch("main", 0, 0), checked_out=True)
    window = window_with(qtbot, notes, branches={1: [level, drafts]})
    assert shown(window, 1) == "drafts: 3 behind, not checked out"
    assert window.progress.phase.full_text() == "drafts: 3 behind, not checked out"
    assert summary(window).startswith("1 repository  ·  1 with a branch left behind or ahead  ·  ")
    assert "up to date" not in summary(window) and "to sync" not in summary(window)
    tray = tray_for(window)
    assert tray.state is TrayState.IDLE
    said = ["Gitferry: nothing needs you", "notes: drafts: 3 behind, not checked out"]
    assert tray.icon.toolTip().splitlines() == said
    ideas = replace(branch("ideas", 0, 2), checked_out=False)
    window.on_branches_changed(BranchStatusChanged(1, "notes", (level, drafts, ideas)))
    assert shown(window, 1) == "2 branches behind, left as they are"
    assert window.progress.phase.full_text() == (
        "2 branches behind, left as they are  ·  drafts: 3 behind, not checked out  ·  "
        "ideas: 2 behind, not checked out"
    )
    diverged = replace(branch("drafts", 1, 3), checked_out=False)  # no sync integrates it: a warning
    window.on_branches_changed(BranchStatusChanged(1, "notes", (level, diverged)))
    assert shown(window, 1) == "drafts: 1 ahead, 3 behind"
    assert "1 with a warning" in summary(window) and "up to date" not in summary(window)
    window.on_branches_changed(BranchStatusChanged(1, "notes", (level, replace(drafts, behind=0))))
    assert shown(window, 1) == "Up to date"
    assert summary(window).startswith("1 repository  ·  all up to date")


def test_a_branch_its_fork_has_is_ahead_in_the_table_but_not_to_sync(qtbot: object) -> None:
    """Triangular: main is 1 ahead of origin/main, its push remote (a fork) has its head."""
    notes = RepoRecord(1, "notes", "/n", last_result="ok")
    forked = replace(branch("main", 1, 0), pushed=True)
    window = window_with(qtbot, notes, branches={1: [forked]})
    assert shown(window, 1) == "Up to date"
    assert summary(window).startswith("1 repository  ·  all up to date")
    assert tray_for(window).icon.toolTip() == "Gitferry: everything up to date"
    behind = replace(branch("main", 1, 2), pushed=True)  # the project moved on: work for a sync
    window.on_branches_changed(BranchStatusChanged(1, "notes", (behind,)))
    assert shown(window, 1) == "main: 1 ahead, 2 behind"


WORDS = {
    "a merge": "Merge in progress",
    "a cherry-pick": "Cherry-pick in progress",
    "a revert": "Revert in progress",
    "a rebase of main": "Rebase in progress",
    "`git am`": "git am in progress",
    "a bisect": "Bisect in progress",
}


@pytest.mark.parametrize("operation", UNFINISHED, ids=unfinished_id)
def test_an_unfinished_git_command_is_named_not_called_local_changes(
    qtbot: object, tmp_path: Path, operation: Unfinished
) -> None:
    """A rebase (merge, am, ...) in progress: the row, the header, the tray's tooltip and
    menu say the command as `git status` names it; the status bar still counts it as
    needing you. The stop is the sync's own for git's real state files, and the store's
    record carries which command it is beside its message."""
    from core.git.worktree.git_operation import OperationInProgress, unfinished_work

    repo = tmp_path / "work"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "one\n")
    operation.start(repo)
    assert operation.status in git("status", cwd=repo)  # git's referee: the command is under way
    with Repo(str(repo)) as opened:
        found = unfinished_work(opened)
    assert found is not None
    stop = OperationInProgress("main", found)
    word = WORDS[operation.name]
    record = RepoRecord(1, "work", str(repo), "idle", None, "dirty", stop.message, stop.unfinished)
    records = [record]
    window = window_with(qtbot, *records, branches={1: [branch("main", 0, 0)]})
    window.select_repo(1)
    assert shown(window, 1) == word and window.progress.phase.text().startswith(word)
    assert "1 needs you" in summary(window)
    tray = tray_for(window)
    assert tray.state is TrayState.ATTENTION and f"work: {word}" in tray.icon.toolTip().splitlines()
    assert tray.repo_menus[1].title() == f"work — {word}"
    operation.finish(repo)


def test_local_changes_in_the_way_are_still_called_so(qtbot: object) -> None:
    """Whatever the files in the way are called: a name that reads like a git command's
    words is no unfinished command (it was, when the word was read out of the message)."""
    for message in (
        "local changes would be overwritten: a.txt",  # WorktreeInTheWay's words
        "local changes would be overwritten: notes/a rebase of main is in progress (draft).txt",
    ):
        window = window_with(qtbot, RepoRecord(1, "work", "/w", last_result="dirty", last_message=message))
        assert shown(window, 1) == "Local changes in the way"


def menu_and_tooltip_words(tray: Tray, repo_id: int, name: str) -> tuple[str | None, str | None]:
    """What the tray's menu entry and its tooltip say of the repository after its name."""
    title = tray.repo_menus[repo_id].title()
    menu = title.removeprefix(f"{name} — ") if title != name else None
    lines = tray.icon.toolTip().splitlines()[1:]
    tooltip = next((line.removeprefix(f"{name}: ") for line in lines if line.startswith(f"{name}: ")), None)
    return menu, tooltip


def test_a_pause_hides_no_branch_left_behind(qtbot: object) -> None:
    """A trial: paused, the row said only "Paused" and the status bar dropped its "1 with a
    branch left behind or ahead", though the header named the branch. The pause is said
    beside the branch (the Activity column, the header, the tooltip), and counted apart."""
    notes = RepoRecord(
        1, "notes", "/n", state=RepoState.PAUSED, last_result="up_to_date", last_message="up to date"
    )
    drafts = replace(branch("drafts", 0, 3), checked_out=False)
    level = replace(branch("main", 0, 0), checked_out=True)
    window = window_with(qtbot, notes, branches={1: [level, drafts]})
    position = window.repos.position_of(1)
    assert position is not None
    assert shown(window, 1) == "drafts: 3 behind, not checked out"
    assert window.repos.data(window.repos.index(position, 1)) == "Paused"  # the Activity column
    assert window.progress.phase.full_text() == "drafts: 3 behind, not checked out  ·  Paused"
    assert summary(window) == "1 repository  ·  1 with a branch left behind or ahead  ·  syncing paused"
    tray = tray_for(window)
    assert tray.state is TrayState.PAUSED
    assert tray.icon.toolTip().splitlines() == [
        "Gitferry: syncing paused",
        "notes: drafts: 3 behind, not checked out",
    ]
    window.on_branches_changed(BranchStatusChanged(1, "notes", (level, replace(drafts, behind=0))))
    assert shown(window, 1) == "Paused" and summary(window) == "1 repository  ·  syncing paused"


def test_the_tray_menu_says_each_repository_s_state_in_the_tooltip_s_words(
    qtbot: object, qapp: QApplication
) -> None:
    """The walk: the menu listed 'notes' and 'website' bare while the tooltip and the
    table said 'Paused' and 'Not synced yet'. Every state, English and German: the menu
    says what the tooltip says; a repository in sync is named bare in the menu and not
    at all in the tooltip (its headline says it)."""
    records = [
        RepoRecord(1, "notes", "/n", state=RepoState.PAUSED, last_result="ok"),
        RepoRecord(2, "website", "/w"),  # never synced
        RepoRecord(3, "thesis", "/t", last_result="ok"),  # behind
        RepoRecord(4, "papers", "/p", last_result="error", last_message="cancelled"),
        RepoRecord(5, "away", "/a", state=RepoState.OFFLINE, last_result="offline", last_message="x"),
        RepoRecord(6, "fine", "/f", last_result="ok"),
    ]
    branches = {i: [branch("main", 0, 0)] for i in (1, 2, 4, 5, 6)} | {3: [branch("main", 0, 3)]}
    english = {
        "notes": "Paused",
        "website": "Not synced yet",
        "thesis": "main: 3 behind",
        "papers": "Cancelled",
        "away": "Offline",
        "fine": None,
    }
    german = {**english, "notes": "Pausiert", "website": "Noch nicht synchronisiert", "papers": "Abgebrochen"}
    german["thesis"] = "main: 3 zurück"
    for language, words in (("en_US", english), ("de_DE", german)):
        installed = install_translations(qapp, QLocale(language))
        try:
            window = window_with(qtbot, *records, branches=branches)
            tray = tray_for(window)
            for record in records:
                menu, tooltip = menu_and_tooltip_words(tray, record.id, record.name)
                assert menu == tooltip == words[record.name], (language, record.name, menu, tooltip)
        finally:
            for translator in installed:
                qapp.removeTranslator(translator)


def test_a_branch_never_fetched_is_not_called_up_to_date(qtbot: object, qapp: QApplication) -> None:
    """The walk's step 1: a repository just added read 'up to date' in the branch table's
    State beside 'Last fetched: never', though nothing had asked the remote. It says 'not
    fetched yet' (its tooltip: compared with what this computer has), beside the row's 'Not
    synced yet'; once fetched, level is 'up to date'. English and German."""
    never = BranchStatus("main", "origin/main", "a" * 40, "a" * 40, 0, 0, None)
    for language, word, fetched_word in (
        ("en_US", "not fetched yet", "up to date"),
        ("de_DE", "noch nicht abgerufen", "aktuell"),
    ):
        installed = install_translations(qapp, QLocale(language))
        try:
            window = window_with(qtbot, RepoRecord(1, "notes", "/n"), branches={1: [never]})
            window.select_repo(1)
            table = window.branch_table.model()
            state = [c.header for c in window.branches.columns].index("State")
            qtbot.waitUntil(lambda table=table: table.rowCount() == 1)  # type: ignore[attr-defined]
            cell = table.index(0, state)
            row_says = QCoreApplication.translate("Standing", "Not synced yet")
            assert (cell.data(), shown(window, 1)) == (word, row_says)
            if language == "en_US":
                tip = cell.data(Qt.ItemDataRole.ToolTipRole)
                assert tip.startswith("Level with origin/main as this computer has it, but origin/main has")
            model = branch_model()
            model.set_rows([replace(never, last_fetch=NOW)])  # fetched since: level is up to date
            assert model.data(model.index(0, state)) == fetched_word
        finally:
            for translator in installed:
                qapp.removeTranslator(translator)


def test_the_way_on_names_what_is_in_the_way_as_git_pull_does(german: None) -> None:
    """`git pull` says "Please commit your changes or stash them" for changed tracked files
    and "Please move or remove them" for untracked ones (both, when both are in the way);
    the hint said "commit or stash" for an untracked file too. Made from the sync's own
    message (`WorktreeInTheWay`), in German."""
    changed = WorktreeInTheWay(["a.txt"], []).parts()
    untracked = WorktreeInTheWay([], ["new.txt"]).parts()
    both = WorktreeInTheWay(["a.txt"], ["new.txt"]).parts()
    assert way_on("dirty", None, changed).startswith("Committe oder stashe die Änderungen (git status")
    assert way_on("dirty", None, untracked).startswith("Verschiebe oder entferne die unversionierten")
    assert way_on("dirty", None, both).startswith("Committe oder stashe die Änderungen und verschiebe")
    # a message stored before it said the way on (or as plain text): git's "commit or stash",
    # so the Conflicts tab still says the sync stopped (test_conflict_kinds, in German too)
    assert way_on("dirty", None, untracked[:1]) == (
        "Committe oder stashe sie mit git (git status listet sie), dann synchronisiere erneut."
    )
    assert way_on("ok", None, untracked) == ""
