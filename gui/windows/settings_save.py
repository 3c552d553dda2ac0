"""What Save writes, in an order that leaves nothing half-saved.

Everything that can be refused is checked before the first write: the fields
(by the widgets, with the core's parsers), then typed credentials (the remote is
asked). Only then: the remote edits (git config), the accepted credentials
(keyring), the repository's settings in one transaction, and the app settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from core.api import AcceptedCredentials, Api, GitferryError, RepoRecord
from gui import autostart
from gui.widgets.credentials_panel import CredentialRow, kept_in_memory
from gui.widgets.remotes_editor import RemoteEdit


@dataclass
class RepoChanges:
    record: RepoRecord
    settings: dict[str, str]
    remotes: list[RemoteEdit]
    credentials: list[CredentialRow] = field(default_factory=list)


@dataclass(frozen=True)
class AppChanges:
    pause_on_battery: bool | None = None
    start_at_login: bool | None = None
    settings: dict[str, str] = field(default_factory=dict)  # others, as stored: auto mode's


class CredentialsRefused(Exception):
    """The remote of `row` refused what was typed there (or could not be asked)."""

    def __init__(self, row: CredentialRow, error: GitferryError) -> None:
        super().__init__(error.message)
        self.row = row
        self.error = error


async def check_credentials(api: Api, rows: list[CredentialRow]) -> list[AcceptedCredentials]:
    """Ask each remote about its typed credentials; the first refusal raises (nothing saved)."""
    accepted = []
    for row in rows:
        url, user, secret = row.typed()
        try:
            accepted.append(await api.check_credentials(row.remote, url, user, secret))
        except GitferryError as exc:
            raise CredentialsRefused(row, exc) from None
    return accepted


async def save_repo(api: Api, changes: RepoChanges) -> None:
    if changes.settings:  # against the repository too (`UnknownBranch`), before any write
        await api.check_repo_settings(changes.record.id, changes.settings)
    accepted = await check_credentials(api, changes.credentials)
    name = changes.record.name
    for edit in changes.remotes:
        await api.edit_remote(name, edit.action, edit.remote, edit.url)
    memory_only = False
    for credential in accepted:
        memory_only = await api.save_credentials(credential, changes.record.path) or memory_only
    for row in changes.credentials:
        if memory_only:  # no keyring on the machine: none was
            row.saved(kept_in_memory(), in_keyring=False)
        else:
            row.saved(QCoreApplication.translate("CredentialsPanel", "Connected; saved in the keyring"))
    if changes.settings:
        await api.set_repo_settings(changes.record.id, changes.settings)  # a new interval applies at once


async def save_app(api: Api, changes: AppChanges) -> None:
    if changes.pause_on_battery is not None:
        await api.set_app_setting("pause_on_battery", str(changes.pause_on_battery).lower())
    for key, value in changes.settings.items():
        await api.set_app_setting(key, value)
    if changes.start_at_login is True:
        await api.set_start_at_login([*autostart.launch_command(), "--hidden"])  # to the tray
    elif changes.start_at_login is False:
        await api.set_start_at_login(None)
