"""Start syncing a folder that is not a git repository yet: the folder, the URL of an
empty remote, and one button. The core makes the repository, commits the files,
publishes the branch and registers it (`Api.start_syncing`); a refusal is said under the
field it concerns and nothing of it stays."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.api import Api, BadInput, BadRemoteUrl, GitferryError, check_url
from gui.models.engine_words import error_line, error_text
from gui.widgets.field_error import FieldError
from gui.widgets.palette_colors import quiet
from gui.windows.add_folder_dialog import choose_folder, folder_row


class StartSyncingDialog(QDialog):
    """Emits `added(RepoRecord)` once the folder syncs (registered and watched), then closes."""

    added = Signal(object)
    attempt_ended = Signal()

    def __init__(self, api: Api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.setWindowTitle(self.tr("Start syncing a folder"))
        self.setMinimumWidth(560)
        intro = quiet(
            QLabel(
                self.tr(
                    "Gitferry makes the folder a git repository, commits its files as they are and "
                    "pushes them to the remote, which must be empty (a new repository on your server). "
                    "The files themselves are not changed."
                )
            )
        )
        intro.setWordWrap(True)
        self.folder_edit = QLineEdit()
        self.folder_edit.setAccessibleName(self.tr("Folder to sync"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setAccessibleName(self.tr("Choose the folder to sync"))
        self.folder_error = FieldError()
        self.folder_error.setAccessibleName(self.tr("Problem with the folder"))
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://example.org/team/notes.git")
        self.url_edit.setAccessibleName(self.tr("URL of the empty remote repository"))
        self.url_error = FieldError()
        self.url_error.setAccessibleName(self.tr("Problem with the URL"))
        self.status = FieldError()
        self.status.setAccessibleName(self.tr("Progress"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton(
            self.tr("Start syncing"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setAccessibleName(self.tr("Start syncing"))
        self.start_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        form = QFormLayout()
        form.addRow(self.tr("Folder:"), folder_row(self.folder_edit, self.browse_button))
        form.addRow("", self.folder_error)
        form.addRow(self.tr("Remote URL:"), self.url_edit)
        form.addRow("", self.url_error)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.browse_button.clicked.connect(self._browse)
        self.folder_edit.textChanged.connect(self._edited)
        self.url_edit.textChanged.connect(self._edited)
        self.start_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self._busy = False

    def _browse(self) -> None:
        choose_folder(self, self.folder_edit, self.tr("Folder to sync"))

    def _edited(self) -> None:
        self.folder_error.clear_error()
        self.status.clear_error()
        url = self.url_edit.text().strip()
        ok = bool(url)
        if url:
            try:
                check_url(url)
                self.url_error.clear_error()
            except BadInput as exc:
                self.url_error.show_error(error_line(exc))
                ok = False
        else:
            self.url_error.clear_error()
        self.start_button.setEnabled(ok and bool(self.folder_edit.text().strip()) and not self._busy)

    @qasync.asyncSlot()
    async def start(self) -> None:
        if self._busy:
            return
        self._busy = True
        for widget in (self.folder_edit, self.url_edit, self.browse_button, self.start_button):
            widget.setEnabled(False)
        self.status.show_ok(self.tr("Committing the files and pushing them…"))
        try:
            started = await self.api.start_syncing(
                self.folder_edit.text().strip(), self.url_edit.text().strip()
            )
        except GitferryError as exc:
            self.status.clear_error()
            if isinstance(exc, BadRemoteUrl):
                self.url_error.show_error(error_line(exc))
                at_fault: QWidget = self.url_edit
            elif exc.bad_input:
                self.folder_error.show_error(error_line(exc))
                at_fault = self.folder_edit
            else:
                self.status.show_error(self.tr("Nothing was changed: %1").replace("%1", error_text(exc)))
                at_fault = self.start_button  # Enter tries again, never Cancel's close
            self._idle()
            at_fault.setFocus()
            return
        except BaseException:
            self._idle()
            raise
        self._idle()
        self.added.emit(started.record)
        self.accept()

    def _idle(self) -> None:
        """The fields back once an attempt ended (focus had gone to Cancel meanwhile)."""
        self._busy = False
        for widget in (self.folder_edit, self.url_edit, self.browse_button):
            widget.setEnabled(True)
        self.start_button.setEnabled(True)
        self.attempt_ended.emit()
