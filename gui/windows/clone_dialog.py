"""Clone from a URL into a new folder, with the transfer's progress and Cancel.

The core reports progress from the transfer's worker thread; `_ProgressRelay`
re-emits it as a Qt signal, which Qt queues to the GUI thread. The folder fills
itself from the URL (the name `git clone` would give it) inside the folder the
last clone went into, until the user types one; a failed clone says why under
the field it concerns (the URL, the folder) or under the progress, and stays
said until the user edits something. Cancel stops the clone in any phase, the
checkout included: what the clone made is removed and nothing is registered.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

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

from core.api import (
    Api,
    BadInput,
    BadRemoteUrl,
    CloneCancelled,
    GitferryError,
    TransferProgress,
    check_url,
    folder_name,
)
from core.paths import data_dir
from gui.models.engine_words import error_line, error_text
from gui.models.formatting import share
from gui.models.transfer_text import TransferSpeed, phase_line
from gui.remembered import CLONE_PARENT, Remembered
from gui.widgets.field_error import FieldError
from gui.windows.add_folder_dialog import choose_folder, folder_row

BAR_STEPS = 1000


class _ProgressRelay(QObject):
    progressed = Signal(object)  # TransferProgress

    def report(self, _remote: str, update: TransferProgress) -> None:
        self.progressed.emit(update)


class CloneDialog(QDialog):
    """Emits `added(RepoRecord)` once cloned and registered (and watched), then closes."""

    added = Signal(object)
    attempt_ended = Signal()  # a clone succeeded, failed or was cancelled; the dialog is idle

    def __init__(self, api: Api, parent: QWidget | None = None, *, url: str = "") -> None:
        super().__init__(parent)
        self.api = api
        self.setWindowTitle(self.tr("Clone a repository"))
        self.setMinimumWidth(560)
        self._cancel: threading.Event | None = None
        self._speed = TransferSpeed()
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress)
        self._folder_typed = False  # the user chose the folder: the URL no longer fills it
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://example.org/team/notes.git")
        self.url_edit.setToolTip(self.tr("https://, ssh://, user@host:path, git:// or a local path"))
        self.url_edit.setAccessibleName(self.tr("Repository URL"))
        self.url_error = FieldError()
        self.url_error.setAccessibleName(self.tr("Problem with the URL"))
        self.folder_edit = QLineEdit()
        self.folder_edit.setToolTip(self.tr("A new or empty folder"))
        self.folder_edit.setAccessibleName(self.tr("Folder to clone into"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setAccessibleName(self.tr("Choose the folder to clone into"))
        self.folder_error = FieldError()
        self.folder_error.setAccessibleName(self.tr("Problem with the folder"))
        self.phase_label = QLabel("")
        self.phase_label.setAccessibleName(self.tr("Clone progress"))
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName(self.tr("Clone progress"))
        self.progress_bar.setVisible(False)
        self.error = FieldError()  # a failure of the clone itself (the remote, the network)
        self.error.setAccessibleName(self.tr("Why the clone failed"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.clone_button = self.buttons.addButton(self.tr("Clone"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.clone_button.setAccessibleName(self.tr("Clone"))
        self.clone_button.setEnabled(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self._lay_out()
        self.url_edit.textChanged.connect(self._url_changed)
        self.folder_edit.textEdited.connect(self._folder_edited)
        self.folder_edit.textChanged.connect(self._validate)
        self.browse_button.clicked.connect(self._browse)
        self.clone_button.clicked.connect(self.clone)
        self.buttons.rejected.connect(self.reject)
        if url:
            self.url_edit.setText(url)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("URL:"), self.url_edit)
        form.addRow("", self.url_error)
        form.addRow(self.tr("Into folder:"), folder_row(self.folder_edit, self.browse_button))
        form.addRow("", self.folder_error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # The fields ---------------------------------------------------------------------

    def parent_folder(self) -> str:
        """Where a new clone's folder goes: the folder the last clone went into, else home."""
        last = Remembered(data_dir()).text(CLONE_PARENT)
        return last if last and os.path.isdir(last) else str(Path.home())

    def _browse(self) -> None:
        choose_folder(self, self.folder_edit, self.tr("Clone into"))

    def _url_changed(self, text: str) -> None:
        self.error.clear_error()
        if not self._folder_typed:
            name = folder_name(text)
            self.folder_edit.setText(free_folder(self.parent_folder(), name) if name else "")
        self._validate()

    def _folder_edited(self, text: str) -> None:
        self._folder_typed = bool(text.strip())
        self.folder_error.clear_error()
        self.error.clear_error()

    def _validate(self) -> bool:
        """Mark a bad URL as it is typed; True when Clone can start. A failed clone's
        messages stay until the user edits a field (`_url_changed`, `_folder_edited`)."""
        url = self.url_edit.text().strip()
        valid = bool(url)
        if url:
            try:
                check_url(url)
                if not self._cancel:
                    self.url_error.clear_error()
            except BadInput as exc:
                self.url_error.show_error(error_line(exc))
                valid = False
        else:
            self.url_error.clear_error()
        valid = valid and bool(self.folder_edit.text().strip())
        self.clone_button.setEnabled(valid and self._cancel is None)
        return valid

    # Progress -----------------------------------------------------------------------

    def _show_progress(self, update: TransferProgress) -> None:
        if self._cancel is None or self._cancel.is_set():
            return  # "Cancelling…" stays until the clone stopped
        phase = str(update.phase)
        speed = self._speed.add(update.bytes) if phase == "receiving" else None
        self.phase_label.setText(phase_line(phase, update.current, update.total, update.bytes, speed))
        fraction = share(update.current, update.total)
        if fraction is None:
            self.progress_bar.setRange(0, 0)  # a busy bar while the total is unknown
        else:
            self.progress_bar.setRange(0, BAR_STEPS)
            self.progress_bar.setValue(round(fraction * BAR_STEPS))

    # Cloning ------------------------------------------------------------------------

    @qasync.asyncSlot()
    async def clone(self) -> None:
        if not self._validate() or self._cancel is not None:
            return
        self._cancel = cancel = threading.Event()
        self._speed.reset()
        for message in (self.url_error, self.folder_error, self.error):
            message.clear_error()
        self._set_running(True)
        folder = self.folder_edit.text().strip()
        try:
            record = await self.api.clone_repository(
                self.url_edit.text().strip(), folder, progress=self._relay.report, cancel=cancel
            )
        except CloneCancelled:
            self._stopped()
            super().reject()
            return
        except GitferryError as exc:
            self._stopped()
            self._show_failure(exc)
            return
        self._stopped()
        memory = Remembered(data_dir())
        memory.save(CLONE_PARENT, str(Path(record.path).parent))
        memory.sync()
        self.added.emit(record)
        self.accept()

    def _stopped(self) -> None:
        self._cancel = None
        self._set_running(False)
        self.attempt_ended.emit()

    def _show_failure(self, exc: GitferryError) -> None:
        """Beside the field at fault (a bad URL, a folder that is not empty), else under
        the progress (a refused connection, a refused sign-in)."""
        if isinstance(exc, BadRemoteUrl):
            self.url_error.show_error(error_line(exc))
            self.url_edit.setFocus()
        elif exc.bad_input:
            self.folder_error.show_error(error_line(exc))
            self.folder_edit.setFocus()
        else:
            url = self.url_edit.text().strip()
            self.error.show_error(
                self.tr("Could not clone %1: %2").replace("%1", url).replace("%2", error_text(exc))
            )
            # Enter tries again (focus had gone to Cancel while the fields were disabled,
            # and Enter there closed the dialog with what was typed)
            self.clone_button.setFocus()

    def _set_running(self, running: bool) -> None:
        for widget in (self.url_edit, self.folder_edit, self.browse_button):
            widget.setEnabled(not running)
        self.clone_button.setEnabled(not running and self._validate())
        self.progress_bar.setVisible(running)
        if running:
            self.progress_bar.setRange(0, 0)
            self.phase_label.setText(self.tr("Connecting…"))
        else:
            self.phase_label.setText("")
            self.cancel_button.setEnabled(True)

    def reject(self) -> None:
        """Cancel, Escape or the window's close: a running clone is cancelled first (the
        dialog closes once the clone stopped and what it made is removed)."""
        if self._cancel is not None:
            self._cancel.set()
            self.phase_label.setText(self.tr("Cancelling… (removing what the clone made)"))
            self.cancel_button.setEnabled(False)
            return
        super().reject()


def free_folder(parent: str, name: str) -> str:
    """`parent/name`, else the first of `name-2`, `name-3`, ... a clone can go into: one
    that is not there, or an empty folder (a second clone of one URL was offered the
    first's folder, where it could only fail)."""
    for number in itertools.count(1):
        candidate = os.path.join(parent, name if number == 1 else f"{name}-{number}")
        if not os.path.lexists(candidate):
            return candidate
        try:
            if os.path.isdir(candidate) and not os.listdir(candidate):
                return candidate
        except OSError:  # unreadable: not one to offer
            pass
    raise AssertionError("unreachable")
