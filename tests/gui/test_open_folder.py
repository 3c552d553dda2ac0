"""Open folder where nothing can open a folder (no xdg-open, no desktop session): the app
says so and shows the path, with a button that copies it. Before, nothing happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from core.api import Api
from gui.desktop import Desktop, open_in_file_manager
from gui.folder_launch import FolderLaunch
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


@pytest.mark.parametrize(("exit_code", "said"), [(3, True), (0, False)])
def test_an_xdg_open_that_finds_nothing_to_open_the_folder_shows_the_path(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exit_code: int, said: bool
) -> None:
    """A trial (Xvfb, openbox, no file manager): xdg-open was there, found nothing to open
    a folder with and exited 3; Qt's openUrl had only seen it start, and nothing showed.
    The xdg-open here does what Debian's does on such a system: it exits 3 (or 0 where
    a file manager took the folder, which then says nothing)."""
    launchers = tmp_path / "launchers"
    launchers.mkdir()
    xdg_open = launchers / "xdg-open"
    record = tmp_path / "asked"
    xdg_open.write_text(f'#!/bin/sh\necho "$1" >"{record}"\nexit {exit_code}\n')
    xdg_open.chmod(0o755)
    monkeypatch.setenv("PATH", f"{launchers}:/usr/bin:/bin")
    repo = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(repo))

    async def scenario() -> None:
        desktop = Desktop(await Api.open(), open_folder=open_in_file_manager)
        await desktop.start(show_window=True)
        try:
            desktop.open_folder(str(repo))
            await until(lambda: record.exists() and record.read_text() == f"{repo}\n")
            if said:
                await until(lambda: desktop.folder_box is not None and desktop.folder_box.isVisible())
                assert isinstance(desktop.folder_box, FolderNotOpened)
                assert desktop.folder_box.path_edit.text() == str(repo)
                desktop.folder_box.reject()
            else:  # the watch ended (it goes once it saw the exit), and said nothing
                app = QCoreApplication.instance()
                await until(lambda: app is not None and not app.findChildren(FolderLaunch))
                assert desktop.folder_box is None
        finally:
            await stop_desktop(desktop)

    run(scenario(), 30)
