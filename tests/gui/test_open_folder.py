"""Open folder where nothing can open a folder (no xdg-open, no desktop session): the app
says so and shows the path, with a button that copies it. Before, nothing happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from core.api import Api
from gui.desktop import Desktop, open_in_file_manager
from gui.windows.folder_not_opened import FolderNotOpened
from tests.gitcli import commit_file, git
from tests.gui.conftest import Run, stop_desktop
from tests.gui.waiting import until


def test_open_folder_without_a_launcher_shows_the_path_to_copy(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "one\n")
    empty = tmp_path / "no-launchers"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open, gio, kde-open...

    async def scenario() -> None:
        desktop = Desktop(await Api.open(), open_folder=open_in_file_manager)
        await desktop.start(show_window=True)
        try:
            await desktop.api.add_repository(str(repo))
            await desktop.refresh()
            desktop.window.open_folder_requested.emit(str(repo))
            await until(lambda: desktop.folder_box is not None and desktop.folder_box.isVisible())
            box = desktop.folder_box
            assert isinstance(box, FolderNotOpened)
            assert box.path_edit.text() == str(repo) and box.path_edit.isReadOnly()
            box.copy_button.click()
            assert QGuiApplication.clipboard().text() == str(repo)
            box.reject()
        finally:
            await stop_desktop(desktop)

    run(scenario(), 30)
