"""The first-run screen of an empty status window, against a real core and `git daemon`:
its three ways in open their dialogs, and "Start syncing a folder" turns a folder of files
into a repository that syncs with an empty remote (git is the referee), or, refused,
leaves the folder exactly as it was and registers nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from gui.desktop import Desktop
from gui.models.branches import branch_state
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.clone_dialog import CloneDialog
from gui.windows.start_syncing_dialog import StartSyncingDialog
from tests.gitcli import commit_file, fsck, git
from tests.gui.conftest import Run, Running
from tests.gui.test_desktop import result_cell
from tests.gui.waiting import next_emit, until
from tests.servers import Remote

TIMEOUT = 30.0


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def a_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "ideas").mkdir(parents=True)
    (folder / "todo.txt").write_text("buy milk\n")
    (folder / "ideas" / "one.md").write_text("# one\n")
    return folder


def start_syncing(run: Run, desktop: Desktop, folder: Path, url: str) -> StartSyncingDialog:
    """Start syncing `folder` with `url` from the first-run screen; its dialog once the
    attempt ended (refused: the dialog stays open, saying why)."""
    desktop.window.first_run.start_button.click()
    dialog = desktop.adding
    assert isinstance(dialog, StartSyncingDialog)
    dialog.folder_edit.setText(str(folder))
    dialog.url_edit.setText(url)
    waiting = next_emit(dialog.attempt_ended)
    dialog.start_button.click()
    run(waiting, TIMEOUT)
    return dialog


def test_the_empty_window_shows_the_ways_in(run: Run, desktop: Desktop) -> None:
    window = desktop.window
    assert window.pages.currentWidget() is window.first_run and window.first_run.isVisible()
    # Sync all (the toolbar's, the tray's) is not offered with nothing to sync: it only
    # said so in a notice (a user trial)
    assert not window.sync_all_action.isEnabled() and not desktop.tray.sync_all_action.isEnabled()
    for button, kind in (
        (window.first_run.add_button, AddFolderDialog),
        (window.first_run.clone_button, CloneDialog),
        (window.first_run.start_button, StartSyncingDialog),
    ):
        assert button.accessibleName()
        button.click()
        assert isinstance(desktop.adding, kind) and desktop.adding.isVisible()
        desktop.adding.reject()


@pytest.mark.slow
def test_start_syncing_a_folder_pushes_it_to_an_empty_remote(
    run: Run, desktop: Desktop, tmp_path: Path, git_daemon: Remote
) -> None:
    bare = git_daemon.create("origin")
    folder = a_folder(tmp_path)
    before = files(folder)
    desktop.window.first_run.start_button.click()
    dialog = desktop.adding
    assert isinstance(dialog, StartSyncingDialog)
    dialog.folder_edit.setText(str(folder))
    dialog.url_edit.setText(git_daemon.url("origin"))
    assert dialog.start_button.isEnabled()
    waiting = next_emit(dialog.added)
    dialog.start_button.click()
    (record,) = run(waiting, TIMEOUT)
    assert record.path == str(folder)
    assert git("rev-parse", "HEAD", cwd=folder) == git("rev-parse", "main", cwd=bare)
    assert git("rev-parse", "--abbrev-ref", "main@{u}", cwd=folder) == "origin/main"
    assert git("status", "--porcelain", cwd=folder) == ""
    assert sorted(git("ls-tree", "-r", "--name-only", "main", cwd=bare).splitlines()) == [
        "ideas/one.md",
        "todo.txt",
    ]
    fsck(folder)
    assert {k: v for k, v in files(folder).items() if not k.startswith(".git/")} == before
    run(until(lambda: desktop.window.pages.currentWidget() is desktop.window.splitter), TIMEOUT)
    assert [view.name for view in desktop.window.repos.rows] == ["notes"]
    assert desktop.window.sync_all_action.isEnabled() and desktop.tray.sync_all_action.isEnabled()
    # Just published: never "Not synced yet" and "1 to sync" (a user trial)
    # The window's refresh after `added` runs as its own task: the row may come a moment later.
    listed = desktop.window.repos.position_of
    run(
        until(lambda: listed(record.id) is not None and result_cell(desktop, record.id) == "Up to date"),
        TIMEOUT,
    )
    assert "to sync" not in desktop.window.summary.text()
    # ... and its branch is not "not fetched yet", last fetched "never", under "Up to date"
    # (a newcomer's trial): the remote was empty and holds what was pushed, as git status says
    run(until(lambda: [b.name for b in desktop.window.branches.rows] == ["main"]), TIMEOUT)
    (main,) = desktop.window.branches.rows
    assert main.last_fetch is not None and branch_state(main) == "up to date"
    assert git("status", "-sb", cwd=folder) == "## main...origin/main"


@pytest.mark.slow
def test_a_clone_from_the_first_run_screen_is_up_to_date_not_waiting_for_a_sync(
    run: Run, desktop: Desktop, tmp_path: Path, git_daemon: Remote
) -> None:
    """A user trial: a repository just cloned said "Not synced yet" and the status bar
    "1 to sync", although the clone had just fetched everything there is."""
    bare = git_daemon.create("origin")
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "a.txt", "one\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    desktop.window.first_run.clone_button.click()
    dialog = desktop.adding
    assert isinstance(dialog, CloneDialog)
    target = tmp_path / "cloned"
    dialog.url_edit.setText(git_daemon.url("origin"))
    dialog.folder_edit.setText(str(target))
    waiting = next_emit(dialog.added)
    dialog.clone_button.click()
    (record,) = run(waiting, TIMEOUT)
    assert git("rev-parse", "HEAD", cwd=target) == git("rev-parse", "main", cwd=bare)
    # The window's refresh after `added` runs as its own task: the row may come a moment later.
    listed = desktop.window.repos.position_of
    run(
        until(lambda: listed(record.id) is not None and result_cell(desktop, record.id) == "Up to date"),
        TIMEOUT,
    )
    assert "to sync" not in desktop.window.summary.text()
    # ... and its branches were fetched now, not "Last fetched: never" (a user trial)
    run(until(lambda: [b.name for b in desktop.window.branches.rows] == ["main"]), TIMEOUT)
    assert desktop.window.branches.rows[0].last_fetch is not None
    runs = run(desktop.api.history(record.id))
    assert [(r.kind, r.message) for r in runs] == [("clone", f"cloned from {git_daemon.url('origin')}")]


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", ["remote has history", "remote has another branch", "unreachable", "already a repository"]
)
def test_start_syncing_refused_leaves_the_folder_as_it_was(
    run: Run, desktop: Desktop, tmp_path: Path, git_daemon: Remote, refused_port: int, case: str
) -> None:
    bare = git_daemon.create("origin")
    folder = a_folder(tmp_path)
    url = git_daemon.url("origin")
    if case.startswith("remote has"):  # the folder's branch is main: there, or another beside it
        other = tmp_path / "other"
        branch = "main" if case == "remote has history" else "master"
        git("init", "-q", "-b", branch, str(other))
        commit_file(other, "theirs.txt", "theirs\n")
        git("push", "-q", str(bare), branch, cwd=other)
    elif case == "unreachable":
        url = f"git://127.0.0.1:{refused_port}/origin"
    else:
        git("init", "-q", "-b", "main", str(folder))
    before = files(folder)
    remote_before = git("for-each-ref", cwd=bare)
    dialog = start_syncing(run, desktop, folder, url)
    shown = [
        label.text() for label in (dialog.folder_error, dialog.url_error, dialog.status) if label.isVisible()
    ]
    assert len(shown) == 1 and shown[0], shown
    if case.startswith("remote has"):
        assert "origin is not empty (it has branch " in shown[0], shown
        assert shown[0].count("changed") == 1, shown  # "Nothing was changed" said once
    assert dialog.isVisible()
    # the field at fault, or Start to try again: never Cancel, where Enter closed the dialog
    assert dialog.focusWidget() in (dialog.start_button, dialog.folder_edit, dialog.url_edit)
    assert files(folder) == before  # the .git it made went; the files were never touched
    assert run(desktop.api.repos()) == []
    assert git("for-each-ref", cwd=bare) == remote_before
    dialog.reject()


def test_a_message_that_wraps_is_shown_whole(run: Run, desktop: Desktop) -> None:
    """Seen at QT_SCALE_FACTOR=2 under Xvfb: the dialog kept its height and cut the second
    line of a wrapped error off."""
    desktop.window.first_run.start_button.click()
    dialog = desktop.adding
    assert isinstance(dialog, StartSyncingDialog)
    dialog.resize(dialog.minimumWidth(), dialog.sizeHint().height())
    dialog.url_edit.setText("htps:/example.org/" + "a-long-path/" * 12)
    label = dialog.url_error
    run(until(lambda: label.isVisible() and label.height() >= label.heightForWidth(label.width())))
    bottom = label.mapTo(dialog, label.rect().bottomLeft()).y()
    assert bottom <= dialog.buttons.geometry().top()
    dialog.reject()


def test_add_a_folder_by_keyboard_alone(run: Run, desktop: Desktop, tmp_path: Path, qtbot: object) -> None:
    """The first-run screen's Add a folder, its dialog's folder field and Add, reached with
    Tab and pressed with Space, as a keyboard user would; the repository is then listed."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tests.gui.test_window_keyboard_and_memory import tab_to

    folder = tmp_path / "notes"
    folder.mkdir()
    git("init", "-q", str(folder))
    commit_file(folder, "todo.txt", "buy milk\n")
    window = desktop.window
    window.activateWindow()
    window.first_run.add_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)  # type: ignore[attr-defined]
    tab_to(qtbot, window.first_run.add_button)
    QTest.keyClick(window.first_run.add_button, Qt.Key.Key_Space)
    dialog = desktop.adding
    assert isinstance(dialog, AddFolderDialog) and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is dialog
    )  # type: ignore[attr-defined,union-attr]
    tab_to(qtbot, dialog.path_edit)
    QTest.keyClicks(dialog.path_edit, str(folder))
    tab_to(qtbot, dialog.add_button)
    waiting = next_emit(dialog.added)
    QTest.keyClick(dialog.add_button, Qt.Key.Key_Space)
    (record,) = run(waiting, TIMEOUT)
    assert record.path == str(folder)
    run(until(lambda: window.repos.rowCount() == 1))
    assert window.pages.currentWidget() is not window.first_run  # the list replaced the first-run screen


def test_add_a_folder_clicked_before_the_desktop_listens_opens_its_dialog(run: Run) -> None:
    """As gui.app paints it: the first-run screen is shown while the engine is imported; its
    "Add a folder…" clicked then did nothing (a user trial's Sync now, the same way)."""
    from core.api import Api
    from gui.windows.status_window import StatusWindow

    async def scenario() -> type | None:
        api = await Api.open()
        window = StatusWindow()
        window.show_snapshot(await api.snapshot())
        window.show()
        assert window.pages.currentWidget() is window.first_run
        window.first_run.add_button.click()  # nobody listens yet
        desktop = Desktop(api, window=window)
        try:
            return type(desktop.adding) if desktop.adding is not None and desktop.adding.isVisible() else None
        finally:
            if desktop.adding is not None:
                desktop.adding.reject()
            window.hide()
            await api.close()

    assert run(scenario(), TIMEOUT) is AddFolderDialog


def test_the_name_field_shows_the_name_the_folder_will_take(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot
) -> None:
    """The Name field's placeholder said "the folder's name" whatever was typed; it names
    the one the core gives (a link's target's, a trailing slash dropped, its spaces '-':
    "thesis 2026" was refused as a name, the error under the Folder field), as added."""
    folder = tmp_path / "thesis 2026"
    folder.mkdir()
    git("init", "-q", str(folder))
    commit_file(folder, "todo.txt", "buy milk\n")
    (tmp_path / "link").symlink_to(folder)
    dialog = AddFolderDialog(running.api)
    qtbot.addWidget(dialog)
    QTest.keyClicks(dialog.path_edit, f"{tmp_path / 'link'}/")
    assert dialog.name_edit.placeholderText() == "thesis-2026"  # what it takes
    waiting = next_emit(dialog.added)
    dialog.add_button.click()
    (record,) = run(waiting, TIMEOUT)
    assert record.name == dialog.name_edit.placeholderText()
    dialog.path_edit.clear()
    assert dialog.name_edit.placeholderText() == "the folder's name"


def test_a_bad_typed_name_is_said_beside_the_name_field(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot
) -> None:
    """A trial's "bad repository name 'My Thesis'" showed under the Folder field, of a name
    typed in the Name field: said beside it, the folder's field left clear, nothing added."""
    folder = tmp_path / "thesis"
    git("init", "-q", str(folder))
    commit_file(folder, "todo.txt", "buy milk\n")
    dialog = AddFolderDialog(running.api)
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.keyClicks(dialog.path_edit, str(folder))
    QTest.keyClicks(dialog.name_edit, "My Thesis")
    dialog.add_button.click()
    why = "Bad repository name 'My Thesis': no spaces or slashes, not starting with '-'"
    run(until(lambda: dialog.name_error.isVisible()), TIMEOUT)
    assert dialog.name_error.text() == why
    assert not dialog.path_error.isVisible() and dialog.isVisible()
    assert run(running.api.repos()) == []
    QTest.keyClicks(dialog.name_edit, "-2")  # typing again clears it
    assert not dialog.name_error.isVisible()
