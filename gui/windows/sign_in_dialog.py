"""The sign-in dialog: a remote wants a user name and a password or token.

Opened by the core's sign-in port (`Api.set_sign_in_prompt`) when a sync, clone
or Test connection the user started meets a server that asks, after the keyring
and git's credential helpers had nothing it accepts. The dialog never stores
anything: the core saves the secret in the keyring, and hands it to git's
credential helpers, only once the server accepted it. Enter signs in, Escape
cancels; the secret field is focused when the user name is known. When a
credential helper gave the password but no user name, only the user name is
asked (as git asks), and a note names the helper. Otherwise the note says where the
password will be kept: the keyring, git's credential helpers, or (with no keyring and no
helper) only the app's memory until it quits.
"""

from __future__ import annotations

import html
from dataclasses import replace
from urllib.parse import urlsplit

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from core.api import HttpAuth, SignInRequest
from gui.widgets.palette_colors import quiet
from gui.windows.asked import answer_of
from gui.windows.secret_dialog import SecretDialog


class SignInDialog(SecretDialog):
    def __init__(self, request: SignInRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # the server's host, not the remote's name: "Sign in to origin" told a newcomer's first
        # clone nothing ("origin" is git's word; the URL below names the rest)
        self.setWindowTitle(self.tr("Sign in to %1").replace("%1", host_of(request.url) or request.remote))
        self.user_edit = QLineEdit(request.username or "")
        self.user_edit.setPlaceholderText(self.tr("user name"))
        self.secret_edit.setPlaceholderText(self.tr("password or token"))
        self.sign_in_button = self.ok_button
        self.sign_in_button.setText(self.tr("Sign in"))
        self.from_helper = request.password_from
        if self.from_helper is None:
            rows = [
                (self.tr("&User name:"), self.user_edit),
                (self.tr("&Password or token:"), self.secret_edit),
            ]
            note = quiet(QLabel(self._kept_where(request)))
        else:  # git asks only for the user name then: so does the dialog
            rows = [(self.tr("&User name:"), self.user_edit)]
            text = self.tr("The password comes from credential helper %1.").replace(
                "%1", repr(self.from_helper)
            )
            note = quiet(QLabel(text))
        self._lay_out(self._intro(request), rows, note)
        (self.secret_edit if request.username and self.from_helper is None else self.user_edit).setFocus()

    def _kept_where(self, request: SignInRequest) -> str:
        """Where the password goes once the server accepts it, as the core keeps it."""
        helpers = ", ".join(repr(name) for name in request.helpers)
        if not request.no_keyring:
            if helpers:
                return self.tr(
                    "Saved in the system keyring and given to credential helper %1"
                    " once the server accepts it."
                ).replace("%1", helpers)
            return self.tr("Saved in the system keyring once the server accepts it.")
        if helpers:
            return self.tr(
                "There is no system keyring: given to credential helper %1 once the server accepts it."
            ).replace("%1", helpers)
        return self.tr(
            "There is no system keyring: kept in memory only until Gitferry quits."
            " To keep it, set up a keyring or a git credential helper."
        )

    def _intro(self, request: SignInRequest) -> str:
        url = f"<b>{html.escape(request.url)}</b>"
        if request.refused:
            return self.tr("%1 refused the saved credentials. Sign in again:").replace("%1", url)
        return self.tr("%1 asks you to sign in.").replace("%1", url)

    def _filled_in(self) -> bool:
        return bool(
            self.user_edit.text().strip() and (self.from_helper is not None or self.secret_edit.text())
        )

    def answer(self) -> HttpAuth | None:
        """What was typed, once the user chose Sign in; None if they cancelled."""
        if not self.answered:
            return None
        return HttpAuth(self.user_edit.text().strip(), self.secret_edit.text())


async def ask_to_sign_in(request: SignInRequest, parent: QWidget | None = None) -> HttpAuth | None:
    """Show the dialog without a nested event loop and wait for the user's answer."""
    dialog = SignInDialog(request, parent)
    return await answer_of(dialog, dialog.answer, dialog.secret_edit.clear)


class SignInPrompt:
    """The app's sign-in port (`Api.set_sign_in_prompt`): each dialog offers the user name
    typed last for the same server when the request brings none (a trial's second clone,
    after a refused password, asked for the user name again), kept in memory only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.typed: dict[str, str] = {}  # scheme://host[:port] -> the user name typed last

    async def __call__(self, request: SignInRequest) -> HttpAuth | None:
        server = f"{urlsplit(request.url).scheme}://{host_of(request.url)}"
        if not request.username and server in self.typed:
            request = replace(request, username=self.typed[server])
        auth = await ask_to_sign_in(request, self.parent)
        if auth is not None and auth.username:
            self.typed[server] = auth.username
        return auth


def host_of(url: str) -> str | None:
    """The host (and a port other than the scheme's) of an HTTP remote's `url`, as a
    browser's address bar names it; None when it names none."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return None
    try:
        port = parts.port
    except ValueError:
        port = None
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown
