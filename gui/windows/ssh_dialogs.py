"""What ssh asks, shown to the user: an unknown host key, a changed one, a key's passphrase.

Opened by the core's ssh prompt (`Api.set_ssh_prompt`) while a sync, clone or Test
connection the user started waits for ssh. An unknown host key shows the host
and its SHA256 fingerprint; Accept answers with that fingerprint, and ssh itself
writes known_hosts once it matches the key it was sent. A changed host key is a
warning with nothing to accept: only Close. A passphrase is handed to ssh and kept
in memory until the app quits; it is never saved.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from core.api import HostKeyChangedNotice, HostKeyQuestion, PassphraseQuestion, SshQuestion
from gui.windows.asked import answer_of
from gui.windows.secret_dialog import SecretDialog

Button = QDialogButtonBox.StandardButton


class HostKeyDialog(QDialog):
    """An unknown host key (Accept, Cancel) or a changed one (Close only)."""

    def __init__(
        self, question: HostKeyQuestion | HostKeyChangedNotice, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._question = question
        self._accepted = False
        self.changed = isinstance(question, HostKeyChangedNotice)
        host = html.escape(question.host)
        if isinstance(question, HostKeyChangedNotice):
            self.setWindowTitle(self.tr("Host key changed: {host}").format(host=question.host))
            text = self.tr(
                "<b>WARNING: the host key of {host} has changed.</b><br>Someone may be intercepting "
                "the connection to {remote}, or the server was reinstalled. Gitferry refused to "
                "connect and accepts nothing here: ask the server's owner, then fix the entry in "
                "{file}."
            ).format(host=host, remote=html.escape(question.remote), file=html.escape(question.known_hosts))
            self.buttons = QDialogButtonBox(Button.Close)
        else:
            self.setWindowTitle(self.tr("Unknown host: {host}").format(host=question.host))
            text = self.tr(
                "ssh has never connected to <b>{host}</b> (remote {remote}) and cannot tell whether "
                "it is the real server. Accept its key only if the fingerprint below is the one the "
                "server's owner publishes."
            ).format(host=host, remote=html.escape(question.remote))
            self.buttons = QDialogButtonBox(Button.Ok | Button.Cancel)
            accept = self.buttons.button(Button.Ok)
            accept.setText(self.tr("Accept and connect"))
            accept.setAutoDefault(False)  # focused, it never becomes what Enter presses
        intro = QLabel(text)
        intro.setWordWrap(True)
        top = QHBoxLayout()
        if self.changed:
            icon = QLabel()
            icon.setPixmap(
                self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
            )
            icon.setAlignment(Qt.AlignmentFlag.AlignTop)
            top.addWidget(icon)
        top.addWidget(intro, 1)
        self.fingerprint = QLabel(question.fingerprint)
        self.fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.tr("Host:"), QLabel(question.host))
        form.addRow(self.tr("Key type:"), QLabel(question.key_type))
        sent = self.tr("Fingerprint sent now:") if self.changed else self.tr("Fingerprint:")
        form.addRow(sent, self.fingerprint)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        if not self.changed:
            # Enter declines: made default only once in the dialog (a button made default
            # before has no dialog to tell, and the dialog made Accept its default)
            self.buttons.button(Button.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(480)

    def accept(self) -> None:
        self._accepted = not self.changed
        super().accept()

    def answer(self) -> str | None:
        """The fingerprint accepted, or None."""
        if self._accepted and isinstance(self._question, HostKeyQuestion):
            return self._question.fingerprint
        return None


class PassphraseDialog(SecretDialog):
    def __init__(self, question: PassphraseQuestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # During Sync all several repositories may ask: the title and the text name the
        # host and the remote's URL (its path names the repository on the server)
        where = question.host or question.remote
        self.setWindowTitle(
            self.tr("Key passphrase for {remote} on {host}").format(remote=question.remote, host=where)
        )
        if question.again:  # ssh asks again: the last one given was not the key's
            intro = self.tr("That passphrase was not right: ssh asks again for the key <b>{file}</b>.")
        else:
            intro = self.tr("ssh needs the passphrase of the key <b>{file}</b>.")
        intro = intro.format(file=html.escape(question.key_file))
        if question.url:
            intro += "<br>" + self.tr("To reach <b>{url}</b> (remote {remote}).").format(
                url=html.escape(question.url), remote=html.escape(question.remote)
            )
        note = QLabel(self.tr("Kept in memory until Gitferry quits, for this key only; never saved."))
        self._lay_out(intro, [(self.tr("&Passphrase:"), self.secret_edit)], note)
        self.secret_edit.setFocus()

    def answer(self) -> str | None:
        return self.secret_edit.text() if self.answered else None


async def ask_ssh(question: SshQuestion, parent: QWidget | None = None) -> str | None:
    """Show the question's dialog without a nested event loop and wait for the answer."""
    if isinstance(question, PassphraseQuestion):
        asking = PassphraseDialog(question, parent)
        return await answer_of(asking, asking.answer, asking.secret_edit.clear)
    showing = HostKeyDialog(question, parent)
    return await answer_of(showing, showing.answer, lambda: None)
