"""What Save writes, in an order that leaves nothing half-saved.

Everything that can be refused is checked before the first write: the fields
(by the widgets, with the core's parsers), then typed credentials (the remote is
asked). Only then: the remote edits (git config), the accepted credentials
(keyring), the repository's settings in one transaction, and the app settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.engine import registry
from core.engine.core import Core
from core.engine.daemon import Daemon
from core.errors import GitferryError
from core.model import RepoRecord
from gui import autostart
from gui.widgets.credentials_panel import CredentialRow
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


class CredentialsRefused(Exception):
    """The remote of `row` refused what was typed there (or could not be asked)."""

    def __init__(self, row: CredentialRow, error: GitferryError) -> None:
        super().__init__(error.message)
        self.row = row
        self.error = error


async def check_credentials(core: Core, rows: list[CredentialRow]) -> list[registry.AcceptedCredentials]:
    """Ask each remote about its typed credentials; the first refusal raises (nothing saved)."""
    accepted = []
    for row in rows:
        url, user, secret = row.typed()
        try:
            accepted.append(await registry.check_credentials(core, row.remote, url, user, secret))
        except GitferryError as exc:
            raise CredentialsRefused(row, exc) from None
    return accepted


async def save_repo(core: Core, daemon: Daemon, changes: RepoChanges) -> None:
    accepted = await check_credentials(core, changes.credentials)
    name = changes.record.name
    for edit in changes.remotes:
        await registry.edit_remote(core, name, edit.action, edit.remote, edit.url)
    for credential in accepted:
        await registry.save_credentials(core, credential)
    for row in changes.credentials:
        row.saved("Connected; saved in the keyring")
    if changes.settings:
        await core.store.set_repo_settings(changes.record.id, changes.settings)
    if "fetch_interval" in changes.settings:
        daemon.set_interval(changes.record.id, float(changes.settings["fetch_interval"]))


async def save_app(core: Core, daemon: Daemon, changes: AppChanges) -> None:
    if changes.pause_on_battery is not None:
        await core.store.set_app_setting("pause_on_battery", str(changes.pause_on_battery).lower())
        daemon.set_pause_on_battery(changes.pause_on_battery)
    if changes.start_at_login is True:
        await core.offload.io(autostart.enable, [*autostart.launch_command(), "--hidden"])  # to the tray
    elif changes.start_at_login is False:
        await core.offload.io(autostart.disable)
