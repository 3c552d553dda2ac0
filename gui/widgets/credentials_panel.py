"""A user name and secret per HTTP(S) remote, a row per ssh remote, each with "Test
connection", and where each remote's credential comes from.

A secret is saved to the keyring only once the remote accepted it: "Test
connection" probes and saves in one step (`Api.set_credentials`); a secret
typed but not tested is probed by the dialog's Save before anything is written
(`pending()`). Once saved, the field is emptied: the panel never holds a saved
secret, and never reads one back from the keyring. With nothing typed, "Test
connection" asks the remote exactly as a sync the user starts would
(`Api.test_connection`: keyring, git's credential helpers, then the sign-in
dialog). An ssh remote's row has no fields: its Test connection connects as a sync
would (ssh's questions in the app's dialogs). Under each row: where the credential
comes from (the keyring, git's credential helpers by name, none; for ssh the agent
and key files `ssh -G` names); below the rows, the URLs git's
`url.<base>.insteadOf` rewrites send fetches and pushes to (`Api.remote_access`).
"""

from __future__ import annotations

import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from core.api import Api, BadRemoteUrl, GitferryError, RemoteAccess, check_url
from gui.models.engine_words import error_text, said
from gui.widgets.field_error import FieldError
from gui.widgets.palette_colors import quiet

HTTP = ("http://", "https://")


def is_ssh(url: str) -> bool:
    try:
        return str(check_url(url).kind) == "ssh"
    except BadRemoteUrl:
        return False


class CredentialRow:
    """The widgets of one remote's row, and whether what is typed was accepted."""

    def __init__(self, remote: str) -> None:
        self.remote = remote
        self.url = ""
        self.ssh = False  # no fields: ssh signs in with the user's agent and keys
        self.label = QLabel(f"{remote}:")
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText(QCoreApplication.translate("CredentialsPanel", "user name"))
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.placeholder = QCoreApplication.translate("CredentialsPanel", "token or password")
        self.secret_edit.setPlaceholderText(self.placeholder)
        self.secret_edit.setAccessibleName(
            QCoreApplication.translate("CredentialsPanel", "Secret for %1").replace("%1", remote)
        )
        self.user_edit.setAccessibleName(
            QCoreApplication.translate("CredentialsPanel", "User name for %1").replace("%1", remote)
        )
        self.in_keyring = False
        self.secret_edit.setToolTip(
            QCoreApplication.translate(
                "CredentialsPanel", "Kept in the system keyring once the remote accepts it"
            )
        )
        self.test_button = QPushButton(QCoreApplication.translate("CredentialsPanel", "Test connection"))
        self.test_button.setAccessibleName(
            QCoreApplication.translate("CredentialsPanel", "Test connection to %1").replace("%1", remote)
        )
        self.test_button.setToolTip(
            QCoreApplication.translate(
                "CredentialsPanel",
                "Ask the remote with these credentials (saved only if it accepts), or with nothing "
                "typed, as a sync would",
            )
        )
        self.source = quiet(QLabel())
        self.source.setWordWrap(True)
        self.status = FieldError()
        # what the last test said goes once the fields change; its line stays, else the
        # fields move down under the pointer (the panel is the dialog's bottom)
        self.user_edit.textEdited.connect(self.status.blank)
        self.secret_edit.textEdited.connect(self.status.blank)

    def widgets(self) -> list[QWidget]:
        return [self.label, self.user_edit, self.secret_edit, self.test_button, self.source, self.status]

    def typed(self) -> tuple[str, str, str]:
        return self.url, self.user_edit.text().strip(), self.secret_edit.text()

    def saved(self, message: str, *, in_keyring: bool = True) -> None:
        self.secret_edit.clear()
        self.show_saved(in_keyring)
        self.status.show_ok(message)

    def show_saved(self, saved: bool) -> None:
        """Whether the keyring holds a secret for this remote that was not refused since."""
        self.in_keyring = saved
        text = QCoreApplication.translate("CredentialsPanel", "saved in the keyring")
        self.secret_edit.setPlaceholderText(text if saved else self.placeholder)

    def show_refused(self, why: str) -> None:
        """The server refused the keyring's secret: say so where "saved" was said."""
        self.in_keyring = False
        self.secret_edit.setPlaceholderText(
            QCoreApplication.translate("CredentialsPanel", "the saved secret was refused: type a new one")
        )
        self.status.show_error(why)


def kept_in_memory() -> str:
    """What a row says of a credential the remote accepted that no keyring can keep."""
    return QCoreApplication.translate(
        "CredentialsPanel",
        "Connected; there is no system keyring: kept in memory only until Gitferry quits"
        " (to keep it, set up a keyring or a git credential helper)",
    )


class CredentialsPanel(QWidget):
    def __init__(self, api: Api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.repo_name = ""
        self.rows: dict[str, CredentialRow] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._grid = QGridLayout()
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(2, 1)
        self._lines = 1  # grid lines used; rows of a previous repository may await deletion
        outer.addLayout(self._grid)
        outer.addStretch(1)
        self.empty_label = QLabel(
            QCoreApplication.translate(
                "CredentialsPanel", "No remote signs in: git:// and paths need nothing."
            )
        )
        self.empty_label.setWordWrap(True)
        quiet(self.empty_label)
        self._grid.addWidget(self.empty_label, 0, 0, 1, 4)
        self.rewrites = QLabel()
        self.rewrites.setWordWrap(True)
        self.rewrites.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rewrites.setVisible(False)
        outer.insertWidget(1, self.rewrites)
        self.access: dict[str, RemoteAccess] = {}

    async def load(self, repo_name: str, remotes: list[tuple[str, str]]) -> None:
        """A fresh row per HTTP(S) remote, its user name filled from the keyring when saved."""
        for row in self.rows.values():
            for widget in row.widgets():
                widget.deleteLater()
        self.rows.clear()
        self.repo_name = repo_name
        await self.reread(remotes)
        for row in [row for row in self.rows.values() if not row.ssh]:
            try:
                user = await self.api.saved_username(row.url)
            except GitferryError as exc:
                row.status.show_error(error_text(exc))
                continue
            if user and self.rows.get(row.remote) is row:
                row.user_edit.setText(user)
                row.show_saved(True)

    async def reread(self, remotes: list[tuple[str, str]]) -> None:
        """Where each remote's credential comes from, asked again (a save changed a URL), and
        the rows for `remotes`; typed text is kept."""
        self.access = {}
        if self.repo_name:
            try:
                self.access = {a.name: a for a in await self.api.remote_access(self.repo_name)}
            except GitferryError:
                self.access = {}  # the remotes editor already says why the config is unreadable
        self.show_remotes(remotes)

    def mark_refused(self, why: str) -> None:
        """The repository's last sync ended `auth_failed`: a secret saved in the keyring is
        no longer shown as if it worked."""
        for row in self.rows.values():
            if row.in_keyring:
                row.show_refused(why)

    def show_remotes(self, remotes: list[tuple[str, str]]) -> None:
        """Rows for the (name, fetch URL) pairs whose URL is HTTP(S) or ssh, as configured or
        as git's insteadOf rewrites it; typed text is kept."""
        listed: dict[str, str] = {}
        described: set[str] = set()  # the remotes whose URL `access` was read for
        for name, url in remotes:
            access = self.access.get(name)
            if access is not None and access.fetch_url == url:
                described.add(name)
                url = access.effective_fetch_url or url
            if url.startswith(HTTP) or is_ssh(url):
                listed[name] = url
        for name, url in listed.items():
            row = self.rows.get(name) or self._add_row(name)
            row.url = url
            row.ssh = not url.startswith(HTTP)
            access = self.access.get(name)
            credential = QCoreApplication.translate("CredentialsPanel", "Credential: {source}")
            # another URL's credential is not this one's: a git:// remote given an http://
            # URL said "none needed" once saved (a German user's trial)
            source = said(access.credential) if access is not None and name in described else None
            row.source.setText(credential.format(source=source) if source is not None else "")
        for name, row in self.rows.items():
            for widget in row.widgets():
                shown = widget is not row.status or bool(row.status.text())
                if widget is row.source:
                    shown = bool(row.source.text())
                if widget in (row.user_edit, row.secret_edit):
                    shown = not row.ssh
                widget.setVisible(name in listed and shown)
        self.empty_label.setVisible(not listed)
        self._show_rewrites({name for name, _url in remotes})

    def _show_rewrites(self, names: set[str]) -> None:
        lines = []
        for access in self.access.values():
            if access.name not in names:
                continue
            if access.effective_fetch_url:
                fetches = self.tr("%1 fetches from %2")
                lines.append(fetches.replace("%1", access.name).replace("%2", access.effective_fetch_url))
            if access.effective_push_url:
                pushes = self.tr("%1 pushes to %2")
                lines.append(pushes.replace("%1", access.name).replace("%2", access.effective_push_url))
        if lines:
            self.rewrites.setText(
                self.tr("Rewritten by git's url.*.insteadOf: %1").replace("%1", "; ".join(lines))
            )
        self.rewrites.setVisible(bool(lines))

    def _add_row(self, remote: str) -> CredentialRow:
        row = CredentialRow(remote)
        self.rows[remote] = row
        line = self._lines
        self._lines += 3
        for column, widget in enumerate(row.widgets()[:4]):
            self._grid.addWidget(widget, line, column)
        self._grid.addWidget(row.source, line + 1, 1, 1, 3)
        self._grid.addWidget(row.status, line + 2, 1, 1, 3)  # under the fields: room for a long message
        row.test_button.clicked.connect(lambda: self.test_connection(remote))
        return row

    def fill(self, remote: str, user: str, secret: str) -> None:
        row = self.rows.get(remote)
        if row is not None:
            row.user_edit.setText(user)
            row.secret_edit.setText(secret)

    def pending(self) -> list[CredentialRow]:
        """Rows with a secret typed and not yet accepted by their remote."""
        return [row for row in self.rows.values() if row.label.isVisibleTo(self) and row.secret_edit.text()]

    @qasync.asyncSlot(str)
    async def test_connection(self, remote: str) -> None:
        row = self.rows[remote]
        url, user, secret = row.typed()
        row.test_button.setEnabled(False)
        row.status.show_ok(self.tr("Connecting…"))
        memory_only = False
        try:
            if secret:
                memory_only = await self.api.set_credentials(self.repo_name, remote, user, secret, url=url)
            else:  # nothing typed: the way a sync signs in
                check = await self.api.test_connection(self.repo_name, remote)
        except GitferryError as exc:
            if not secret and row.in_keyring and exc.result == "auth_failed":
                row.show_refused(error_text(exc))
            else:
                row.status.show_error(error_text(exc))
        else:
            if memory_only:
                row.saved(kept_in_memory(), in_keyring=False)
            elif secret:
                row.saved(self.tr("Connected"))
            else:
                connected = self.tr("Connected to %1 (%2 refs; %3)")
                row.status.show_ok(
                    connected.replace("%1", check.url)
                    .replace("%2", str(check.refs))
                    .replace("%3", said(check.credential))
                )
        finally:
            row.test_button.setEnabled(True)
