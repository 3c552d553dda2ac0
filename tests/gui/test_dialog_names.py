"""Every control of the clone, start-syncing and folder-not-opened dialogs and of the
first-run screen has a name for screen readers (`accessibleName`), not only a caption."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QProgressBar, QWidget
from pytestqt.qtbot import QtBot

from gui.widgets.first_run import FirstRunPanel
from gui.windows.clone_dialog import CloneDialog
from gui.windows.folder_not_opened import FolderNotOpened
from gui.windows.start_syncing_dialog import StartSyncingDialog

CONTROLS = (QAbstractButton, QLineEdit, QProgressBar)


@pytest.mark.parametrize(
    "make",
    [CloneDialog, StartSyncingDialog, lambda _api: FolderNotOpened("/x"), lambda _api: FirstRunPanel()],
)
def test_every_control_is_named(qtbot: QtBot, make: object) -> None:
    widget = make(None)  # type: ignore[operator]
    assert isinstance(widget, QWidget)
    qtbot.addWidget(widget)
    unnamed = [
        f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}"
        for c in widget.findChildren(QWidget)
        if isinstance(c, CONTROLS) and not c.accessibleName()
    ]
    assert unnamed == []
