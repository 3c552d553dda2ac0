"""Every control a keyboard can reach has a name a screen reader reads (its accessibleName,
or what Qt's accessibility derives from its text or its form label): the status window on
each of its tabs (conflicts and history included), the settings dialog on both of its tabs
with a remote's sign-in row, the clone, add-folder, start-syncing, sign-in and
folder-not-opened dialogs, and the empty window's first-run panel. The clone,
start-syncing and folder-not-opened dialogs and the first-run panel go further: every
button, field and progress bar, shown or not, has an accessibleName of its own, not
only a caption."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QProgressBar, QWidget
from pytestqt.qtbot import QtBot

from core.api import SignInRequest
from gui.widgets.first_run import FirstRunPanel
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.clone_dialog import CloneDialog
from gui.windows.folder_not_opened import FolderNotOpened
from gui.windows.settings_dialog import SettingsDialog
from gui.windows.sign_in_dialog import SignInDialog
from gui.windows.start_syncing_dialog import StartSyncingDialog
from gui.windows.status_window import StatusWindow
from tests.gitcli import git
from tests.gui.conftest import Run, Running
from tests.gui.test_settings_dialog import make_repo
from tests.gui.test_status_window import window_with_two_repos
from tests.memory_keyring import MemoryKeyring


def unnamed(top: QWidget) -> list[str]:
    """The controls under `top`, shown as it is, that Tab reaches and a screen reader
    could not name."""
    QApplication.processEvents()
    missing = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        reader = QAccessible.queryAccessibleInterface(widget)
        name = reader.text(QAccessible.Text.Name) if reader is not None else ""
        if not (widget.accessibleName() or name).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName() or widget.toolTip()[:40]!r}")
    return missing


def test_the_status_window_names_every_control_on_every_tab(qtbot: QtBot) -> None:
    window = window_with_two_repos(qtbot)
    window.show()
    qtbot.waitExposed(window)
    window.select_repo(2)  # the one with a conflict: the conflicts tab's controls are shown
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        assert not unnamed(window), window.tabs.tabText(tab)


def test_the_settings_clone_and_add_folder_dialogs_name_every_control(
    qtbot: QtBot, run: Run, running: Running, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    repo = make_repo(tmp_path, url="https://example.invalid/team/notes.git")
    git("remote", "add", "backup", "ssh://git@example.invalid/notes.git", cwd=repo)
    run(running.api.add_repository(str(repo)))
    settings = SettingsDialog(running.api)
    qtbot.addWidget(settings)
    run(settings.load())
    settings.show()
    qtbot.waitExposed(settings)
    assert settings.credentials.rows  # a sign-in row per remote is there to be named
    for tab in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(tab)
        assert not unnamed(settings), settings.tabs.tabText(tab)
    for dialog in (CloneDialog(running.api), AddFolderDialog(running.api), StartSyncingDialog(running.api)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert not unnamed(dialog), type(dialog).__name__
        dialog.close()


def test_the_sign_in_and_folder_not_opened_dialogs_and_the_first_run_panel_name_every_control(
    qtbot: QtBot,
) -> None:
    empty = StatusWindow()
    empty.show_repos([], {}, {})
    sign_in = SignInDialog(SignInRequest("origin", "https://example.invalid/r.git", "alice", refused=False))
    for widget in (sign_in, FolderNotOpened("/home/u/notes"), empty):
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        assert not unnamed(widget), type(widget).__name__


@pytest.mark.parametrize(
    "make",
    [CloneDialog, StartSyncingDialog, lambda _api: FolderNotOpened("/x"), lambda _api: FirstRunPanel()],
)
def test_every_control_has_a_name_of_its_own(qtbot: QtBot, make: Callable[[None], QWidget]) -> None:
    widget = make(None)
    assert isinstance(widget, QWidget)
    qtbot.addWidget(widget)
    unnamed = [
        f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}"
        for c in widget.findChildren(QWidget)
        if isinstance(c, (QAbstractButton, QLineEdit, QProgressBar)) and not c.accessibleName()
    ]
    assert unnamed == []
