"""Clone from a URL into a new folder, with the transfer's progress and Cancel.

The core reports progress from the transfer's worker thread; `_ProgressRelay`
re-emits it as a Qt signal, which Qt queues to the GUI thread.
"""

from __future__ import annotations

import threading

import qasync
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.api import Api, BadInput, BadRemoteUrl, CloneCancelled, GitferryError, TransferProgress, check_url
from gui.widgets.field_error import FieldError
from gui.windows.add_folder_dialog import choose_folder, folder_row

PHASE_LABELS = {
    "connecting": "Connecting…",
    "counting": "Counting objects",
    "compressing": "Compressing objects",
    "receiving": "Receiving objects",
    "resolving": "Resolving deltas",
    "indexing": "Indexing",
}


class _ProgressRelay(QObject):
    progressed = Signal(str, int, int)  # phase, current, total (0: unknown)

    def report(self, _remote: str, update: TransferProgress) -> None:
        self.progressed.emit(str(update.phase), update.current, update.total or 0)


class CloneDialog(QDialog):
    """Emits `added(RepoRecord)` once cloned and registered (and watched), then closes."""

    added = Signal(object)

    def __init__(self, api: Api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.setWindowTitle("Clone a repository")
        self.setMinimumWidth(560)
        self._cancel: threading.Event | None = None
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://example.org/team/notes.git")
        self.url_edit.setToolTip("https://, ssh://, user@host:path, git:// or a local path")
        self.url_error = FieldError()
        self.folder_edit = QLineEdit()
        self.folder_edit.setToolTip("A new or empty folder")
        self.browse_button = QPushButton("Browse…")
        self.folder_error = FieldError()
        self.phase_label = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.clone_button = self.buttons.addButton("Clone", QDialogButtonBox.ButtonRole.AcceptRole)
        self.clone_button.setEnabled(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self._lay_out()
        self.url_edit.textChanged.connect(self._validate)
        self.folder_edit.textChanged.connect(self._validate)
        self.browse_button.clicked.connect(lambda: choose_folder(self, self.folder_edit, "Clone into"))
        self.clone_button.clicked.connect(self.clone)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("URL:", self.url_edit)
        form.addRow("", self.url_error)
        form.addRow("Into folder:", folder_row(self.folder_edit, self.browse_button))
        form.addRow("", self.folder_error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _validate(self) -> bool:
        url = self.url_edit.text().strip()
        valid = bool(url)
        if url:
            try:
                check_url(url)
                self.url_error.clear_error()
            except BadInput as exc:
                self.url_error.show_error(exc.message)
                valid = False
        self.folder_error.clear_error()
        valid = valid and bool(self.folder_edit.text().strip())
        self.clone_button.setEnabled(valid and self._cancel is None)
        return valid

    def _show_progress(self, phase: str, current: int, total: int) -> None:
        label = PHASE_LABELS.get(phase, phase)
        self.phase_label.setText(f"{label} {current}/{total}" if total else label)
        self.progress_bar.setRange(0, total)  # 0..0: busy indicator while the total is unknown
        self.progress_bar.setValue(min(current, total))

    @qasync.asyncSlot()
    async def clone(self) -> None:
        if not self._validate() or self._cancel is not None:
            return
        self._cancel = cancel = threading.Event()
        self._set_running(True)
        try:
            record = await self.api.clone_repository(
                self.url_edit.text().strip(),
                self.folder_edit.text().strip(),
                progress=self._relay.report,
                cancel=cancel,
            )
        except CloneCancelled:
            self._cancel = None
            self.reject()
            return
        except GitferryError as exc:
            beside_folder = exc.bad_input and not isinstance(exc, BadRemoteUrl)
            (self.folder_error if beside_folder else self.url_error).show_error(exc.message)
            return
        finally:
            self._cancel = None
            self._set_running(False)
        self.added.emit(record)
        self.accept()

    def _set_running(self, running: bool) -> None:
        for widget in (self.url_edit, self.folder_edit, self.browse_button):
            widget.setEnabled(not running)
        self.clone_button.setEnabled(not running and self._validate())
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)
            self.phase_label.setText(PHASE_LABELS["connecting"])
        else:
            self.phase_label.setText("")

    def reject(self) -> None:
        """Cancel, Escape or the window's close: a running clone is cancelled first (the
        dialog closes once the transfer stopped and its folder is removed)."""
        if self._cancel is not None:
            self._cancel.set()
            self.phase_label.setText("Cancelling…")
            return
        super().reject()
