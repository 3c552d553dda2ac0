"""Add an existing git working tree: a folder field with Browse; refused folders register nothing."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.api import Api, GitferryError, check_name, default_name
from gui.models.engine_words import error_line
from gui.widgets.field_error import FieldError


def folder_row(edit: QLineEdit, browse: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


def choose_folder(parent: QWidget, edit: QLineEdit, title: str) -> None:
    chosen = QFileDialog.getExistingDirectory(parent, title, edit.text())
    if chosen:
        edit.setText(chosen)
        edit.textEdited.emit(chosen)


def taken_name(path: str) -> str:
    """The name the core gives a folder added without one (`default_name`): the Name
    field's placeholder."""
    return default_name(path) if path.strip() else ""


class AddFolderDialog(QDialog):
    """Emits `added(RepoRecord)` once the core registered (and watches) the folder, then closes."""

    added = Signal(object)

    def __init__(self, api: Api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.setWindowTitle(self.tr("Add a repository"))
        self.setMinimumWidth(520)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("/home/me/notes"))
        self.path_edit.setToolTip(self.tr("A folder that holds a git working tree (it has a .git inside)"))
        self.path_edit.setAccessibleName(self.tr("Repository folder"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setAccessibleName(self.tr("Browse for the repository folder"))
        self.path_error = FieldError()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("the folder's name"))
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.name_edit.setToolTip(self.tr("How Gitferry lists it; no spaces or slashes"))
        self.name_error = FieldError()  # a typed name refused: said beside it, not the folder
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(self.tr("Add"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setEnabled(False)
        form = QFormLayout()
        form.addRow(self.tr("Folder:"), folder_row(self.path_edit, self.browse_button))
        form.addRow("", self.path_error)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow("", self.name_error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.browse_button.clicked.connect(self._browse)
        self.path_edit.textChanged.connect(self._typed)
        self.name_edit.textChanged.connect(self.name_error.clear_error)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add)

    def _browse(self) -> None:
        choose_folder(self, self.path_edit, self.tr("Repository folder"))

    def _typed(self, text: str) -> None:
        self.path_error.clear_error()
        self.add_button.setEnabled(bool(text.strip()))
        self.name_edit.setPlaceholderText(taken_name(text) or self.tr("the folder's name"))

    @qasync.asyncSlot()
    async def add(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            return
        name = self.name_edit.text().strip() or None
        try:
            if name is not None:
                check_name(name)
        except GitferryError as exc:
            self.name_error.show_error(error_line(exc))
            self.name_edit.setFocus()
            return
        self.add_button.setEnabled(False)
        try:
            record = await self.api.add_repository(path, name=name)
        except GitferryError as exc:
            self.path_error.show_error(error_line(exc))
            self.add_button.setEnabled(True)
            return
        self.added.emit(record)
        self.accept()
