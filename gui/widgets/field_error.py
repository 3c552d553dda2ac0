"""A red one-line message shown beside a field that holds bad input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QMessageBox, QWidget

from core.api import BadSetting, parse_setting
from gui.models.engine_words import said
from gui.widgets.palette_colors import error_color, ok_color
from gui.windows import asked


class FieldError(QLabel):
    """Hidden while the field is valid; `show_error` makes it visible with the message,
    in a red that reads on the window of the theme in use (`palette_colors`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._ok = False
        self._colour()
        self.setVisible(False)

    def _colour(self) -> None:
        palette = QApplication.palette()
        colour = ok_color(palette) if self._ok else error_color(palette)
        self.setStyleSheet(f"color: {colour.name()};")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._colour()  # the theme changed: light to dark, or back
        super().changeEvent(event)

    def show_error(self, message: str) -> None:
        self._ok = False
        self._colour()
        self.setText(message)
        self.setToolTip(message)
        self._show()

    def show_ok(self, message: str) -> None:
        self._ok = True
        self._colour()
        self.setText(message)
        self.setToolTip("")
        self._show()

    def _show(self) -> None:
        self.setVisible(True)
        QTimer.singleShot(0, self, self._make_room)  # dropped if the label is gone by then

    def _make_room(self) -> None:
        """A dialog grows to show every line of a message that wrapped (it kept its height,
        and the message's last line was cut off); it never shrinks here."""
        top = self.window()
        layout = top.layout()
        if not isinstance(top, QDialog) or layout is None or not self.isVisible():
            return
        needed = layout.totalHeightForWidth(top.width()) if layout.hasHeightForWidth() else -1
        needed = max(needed, layout.totalSizeHint().height())
        if needed > top.height():
            top.resize(top.width(), needed)

    def clear_error(self) -> None:
        self.setText("")
        self.setToolTip("")
        self.setMinimumHeight(0)
        self.setVisible(False)

    def blank(self) -> None:
        """The message goes and its room stays, so the fields around it do not move under
        the pointer as the user types (a trial's next click, meant for the field beside,
        landed a line off)."""
        if self.isVisible():
            self.setMinimumHeight(self.height())
        self.setText("")
        self.setToolTip("")


async def confirm(
    parent: QWidget, title: str, text: str, accept: str, informative: str = "", *, enter_cancels: bool = False
) -> bool:
    """Ask a yes/no question without a nested event loop (see `answer_of`); `enter_cancels`
    makes Cancel the default button, for a question whose yes cannot be taken back lightly."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if enter_cancels else yes)
    return await answer_of(box) is yes


async def answer_of(box: QMessageBox) -> QAbstractButton | None:
    """The button clicked in `box` (None: closed another way), each button named for
    screen readers; asked without a nested event loop (`gui.windows.asked`)."""
    for button in box.buttons():
        button.setAccessibleName(button.text().replace("&", ""))
    return await asked.answer_of(box, box.clickedButton, lambda: None)


def checked_setting(
    parsers: Mapping[str, Callable[[str], Any]], key: str, text: str, error: FieldError
) -> str | None:
    """`text` as the setting `key` stores it (the CLI's parser), or None with `error` saying why."""
    try:
        value = parse_setting(parsers, key, text)
    except BadSetting as exc:
        error.show_error(said(exc.reason_said))  # beside the field: no internal setting name
        return None
    error.clear_error()
    return value
