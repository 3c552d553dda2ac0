"""Said when no file manager could be launched for Open folder (no xdg-open, no desktop
session): the folder's path, selectable, and a button that copies it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class FolderNotOpened(QDialog):
    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Could not open the folder"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        text = QLabel(
            self.tr(
                "No file manager could be started to show this folder (nothing on this system "
                "opens folders: xdg-open or a desktop session is missing). Its path:"
            )
        )
        text.setWordWrap(True)
        self.path_edit = QLineEdit(path)
        self.path_edit.setReadOnly(True)
        self.path_edit.setAccessibleName(self.tr("Folder path"))
        self.path_edit.selectAll()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = self.buttons.addButton(
            self.tr("Copy path"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setAccessibleName(self.tr("Copy the folder's path"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.path_edit)
        layout.addWidget(self.buttons)
        self.copy_button.setDefault(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.path_edit.text())
        self.copy_button.setText(self.tr("Copied"))
