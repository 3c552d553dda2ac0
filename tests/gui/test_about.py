"""About Gitferry, from the tray menu and from the status window (F1): the version
`gitferry --version` prints, where the data and the log live, the license."""

from __future__ import annotations

import os

import pytest

from core.paths import data_dir
from gui.desktop import Desktop
from gui.launch import main as gitferry
from gui.windows.about_dialog import AboutDialog
from tests.gui.conftest import Run
from tests.gui.waiting import shown_window, until


def test_about_opens_from_the_tray_and_the_window_and_says_the_version(
    run: Run, desktop: Desktop, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gitferry(["--version"]) == 0
    version = capsys.readouterr().out.split()[-1]  # "gitferry 0.1.0"
    assert shown_window(AboutDialog) is None
    assert desktop.tray.about_action in desktop.tray.menu.actions()
    desktop.tray.about_action.trigger()
    run(until(lambda: shown_window(AboutDialog) is not None))
    about = shown_window(AboutDialog)
    assert about is not None
    assert about.windowTitle() == "About Gitferry"
    assert about.heading.text() == f"<b>Gitferry {version}</b>"
    home = data_dir()
    shown = [label.text() for label in about.places]
    assert shown == [str(home), str(home / "status.sqlite3"), str(home / "gitferry.log")]
    assert os.path.isfile(shown[1])  # the store the app opened: the paths are the ones it uses
    assert "MIT License" in about.license.text()
    about.close()
    run(until(lambda: shown_window(AboutDialog) is None))
    window = desktop.window
    assert window.about_action.shortcut().toString() == "F1"
    window.toolbar.widgetForAction(window.about_action).click()  # the window's toolbar: About
    run(until(lambda: shown_window(AboutDialog) is about))  # the same dialog, raised again
