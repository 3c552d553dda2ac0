"""What the sign-in and the passphrase dialogs share: an intro, a form whose last
field is a secret, a note under it, and OK (the default, enabled only once the form
is filled in) and Cancel. Enter with OK disabled stays; `answered` says whether the
user chose OK."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

Button = QDialogButtonBox.StandardButton


class SecretDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.answered = False
        self.setMinimumWidth(420)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(Button.Ok | Button.Cancel)
        self.ok_button = self.buttons.button(Button.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self, intro: str, rows: Sequence[tuple[str, QLineEdit]], note: QLabel) -> None:
        """The intro over the form's `rows` (label, field), the note, then the buttons."""
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        form = QFormLayout()
        for label, edit in rows:
            form.addRow(label, edit)
            edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._update()

    def _filled_in(self) -> bool:
        return bool(self.secret_edit.text())

    def _update(self) -> None:
        self.ok_button.setEnabled(self._filled_in())

    def accept(self) -> None:
        if self.ok_button.isEnabled():  # Enter in a field not filled in yet: stay
            self.answered = True
            super().accept()
