"""A red one-line message shown beside a field that holds bad input."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"


class FieldError(QLabel):
    """Hidden while the field is valid; `show_error` makes it visible with the message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(ERROR_STYLE)
        self.setVisible(False)

    def show_error(self, message: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setText(message)
        self.setToolTip(message)
        self.setVisible(True)

    def show_ok(self, message: str) -> None:
        self.setStyleSheet(OK_STYLE)
        self.setText(message)
        self.setToolTip("")
        self.setVisible(True)

    def clear_error(self) -> None:
        self.setText("")
        self.setToolTip("")
        self.setVisible(False)


async def confirm(parent: QWidget, title: str, text: str, accept: str, informative: str = "") -> bool:
    """Ask a yes/no question without a nested event loop: the box is opened window-modal
    and the asyncio loop keeps running while it waits for the answer."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(yes)
    answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(_code: int) -> None:
        if not answered.done():
            answered.set_result(box.clickedButton() is yes)

    box.finished.connect(finished)
    box.open()
    try:
        return await answered
    finally:
        box.deleteLater()
