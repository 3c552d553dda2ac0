"""ssh's questions in the desktop app: a user's sync meets an unknown host key (the dialog
shows host and fingerprint; Accept has ssh write known_hosts), a changed one (a warning
with only Close; known_hosts untouched), a key's passphrase (typed once, two syncs). A real
core and engine, the test sshd, the user's ssh config in the scratch HOME."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from core.api import AsyncSshPrompt, PassphraseQuestion, SshQuestion, SyncReport
from gui.desktop import Desktop
from gui.windows.settings_dialog import SettingsDialog
from gui.windows.ssh_dialogs import HostKeyDialog, PassphraseDialog, ask_ssh
from tests.gui.conftest import Run, Running
from tests.gui.test_settings_dialog import dialogs, open_dialog, register
from tests.gui.test_settings_dialog import showing as label_text
from tests.gui.waiting import shown_window, until
from tests.servers import Remote
from tests.servers.ssh import SshServer
from tests.ssh_home import PASSPHRASE, SshHome, keygen

pytestmark = [pytest.mark.sshd, pytest.mark.slow]
TIMEOUT = 30.0
__all__ = ["dialogs"]  # the settings tests' fixture, used here too


D = TypeVar("D", bound=QWidget)


def passphrase_home(sshd_process: SshServer, sshd_server: Remote, tmp_path: Path) -> tuple[SshHome, Path]:
    """A key with a passphrase, the server already known, and `mine` cloned."""
    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]), passphrase=PASSPHRASE)
    home.trust_server()
    return home, home.seeded_clone(tmp_path)[1]


async def sync_until_asked(
    running: Running, mine: Path, ask: AsyncSshPrompt, kind: type[D]
) -> tuple[asyncio.Future[SyncReport], D]:
    """A user's sync of `mine` (registered now), running until the dialog `kind` shows."""
    running.api.set_ssh_prompt(ask)
    record = await register(running, mine)
    syncing = asyncio.ensure_future(running.api.sync(record.id))
    await until(lambda: shown_window(kind) is not None)
    dialog = shown_window(kind)
    assert dialog is not None
    return syncing, dialog


def asked_through(window: QWidget, asked: list[SshQuestion]) -> AsyncSshPrompt:
    """The dialogs, each question counted."""

    def ask(question: SshQuestion) -> Coroutine[Any, Any, str | None]:
        asked.append(question)
        return ask_ssh(question, window)

    return ask


def test_accepting_an_unknown_host_key_writes_known_hosts_as_ssh_would(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, sshd_process: SshServer, sshd_server: Remote
) -> None:
    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]))
    _bare, mine = home.seeded_clone(tmp_path)
    window = QWidget()
    qtbot.addWidget(window)
    asked: list[SshQuestion] = []

    async def scenario() -> None:
        syncing, dialog = await sync_until_asked(running, mine, asked_through(window, asked), HostKeyDialog)
        assert not dialog.changed
        texts = [label.text() for label in dialog.findChildren(QLabel)]
        assert home.host_name in texts and home.host_fingerprint in texts and "ED25519" in texts
        assert home.known() == b""  # nothing written while the user reads
        accept = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert accept.text() == "Accept and connect"
        accept.click()
        report = await syncing
        assert str(report.result) == "up_to_date", report.message

    run(scenario(), TIMEOUT * 2)
    lines = home.known().decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("|1|"), lines
    checked = home.plain_ssh("-o", "StrictHostKeyChecking=yes")
    assert checked.returncode == 0, checked.stderr
    assert len(asked) == 1


def test_a_changed_host_key_is_only_a_warning(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, sshd_process: SshServer, sshd_server: Remote
) -> None:
    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]))
    _bare, mine = home.seeded_clone(tmp_path)
    impostor = keygen(tmp_path / "impostor").with_suffix(".pub").read_text().split()
    home.known_hosts.write_text(f"{home.host_name} {impostor[0]} {impostor[1]}\n")
    before = home.known()
    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        syncing, dialog = await sync_until_asked(running, mine, asked_through(window, []), HostKeyDialog)
        assert dialog.changed
        assert dialog.buttons.standardButtons() == QDialogButtonBox.StandardButton.Close  # nothing to accept
        assert any("has changed" in label.text() for label in dialog.findChildren(QLabel))
        assert home.host_fingerprint in [label.text() for label in dialog.findChildren(QLabel)]
        QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter: the only button, Close
        report = await syncing
        assert str(report.result) == "error" and "CHANGED" in report.message, report.message

    run(scenario(), TIMEOUT * 2)
    assert home.known() == before


def test_a_passphrase_is_asked_once_for_two_syncs(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, sshd_process: SshServer, sshd_server: Remote
) -> None:
    home, mine = passphrase_home(sshd_process, sshd_server, tmp_path)
    window = QWidget()
    qtbot.addWidget(window)
    asked: list[SshQuestion] = []

    async def scenario() -> None:
        syncing, dialog = await sync_until_asked(
            running, mine, asked_through(window, asked), PassphraseDialog
        )
        assert not dialog.ok_button.isEnabled()
        assert any(str(home.key) in label.text() for label in dialog.findChildren(QLabel))
        # during Sync all the dialog says which repository and host it is for
        url = home.remote.url("origin")
        assert any(
            f"To reach <b>{url}</b> (remote origin)" in lbl.text() for lbl in dialog.findChildren(QLabel)
        )
        assert dialog.windowTitle() == f"Key passphrase for origin on 127.0.0.1:{home.server.port}"
        QTest.keyClicks(dialog.secret_edit, PASSPHRASE)
        QTest.keyClick(dialog.secret_edit, Qt.Key.Key_Return)
        report = await syncing
        assert str(report.result) == "up_to_date", report.message
        record = await running.core.store.repo(report.name)
        report = await running.api.sync(record.id)
        assert str(report.result) == "up_to_date", report.message

    run(scenario(), TIMEOUT * 2)
    assert len(asked) == 1


def test_quitting_while_the_passphrase_dialog_waits_closes(
    run: Run, tmp_path: Path, desktop: Desktop, sshd_process: SshServer, sshd_server: Remote
) -> None:
    """The question runs on the loop that quitting needs too: quitting withdraws it (the
    desktop's own prompt, as the tray's Sync now opens it) instead of waiting forever."""
    _home, mine = passphrase_home(sshd_process, sshd_server, tmp_path)
    record = run(desktop.api.add_repository(str(mine)))
    run(desktop.refresh())
    desktop.window.select_repo(record.id)
    desktop.window.sync_action.trigger()
    run(until(lambda: shown_window(PassphraseDialog) is not None))
    run(desktop.stop())  # the tray's Quit, without leaving the test's event loop
    run(until(lambda: shown_window(PassphraseDialog) is None))  # the question was withdrawn


def test_the_settings_name_an_ssh_remotes_key_and_test_connection_asks_as_a_sync(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    sshd_process: SshServer,
    sshd_server: Remote,
    dialogs: list[SettingsDialog],
) -> None:
    home, mine = passphrase_home(sshd_process, sshd_server, tmp_path)
    window = QWidget()
    qtbot.addWidget(window)
    asked: list[SshQuestion] = []

    async def scenario() -> None:
        running.api.set_ssh_prompt(asked_through(window, asked))
        await register(running, mine)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        assert not row.user_edit.isVisible() and not row.secret_edit.isVisible()  # nothing to type
        assert label_text(row.source) == (
            f"Credential: ssh through core.sshCommand (ssh -F {home.config}): "
            f"key file {home.key} (passphrase: asked once a session)"
        )
        row.test_button.click()
        await until(lambda: shown_window(PassphraseDialog) is not None)
        passphrase = shown_window(PassphraseDialog)
        assert passphrase is not None
        QTest.keyClicks(passphrase.secret_edit, PASSPHRASE)
        QTest.keyClick(passphrase.secret_edit, Qt.Key.Key_Return)
        await until(lambda: label_text(row.status).startswith("Connected to"))
        assert label_text(row.status) == (
            f"Connected to {home.remote.url('origin')} (2 refs; signed in with the key {home.key} "
            "(its passphrase as typed this session))"
        )

    run(scenario(), TIMEOUT * 2)
    assert [type(question) for question in asked] == [PassphraseQuestion]


def test_cancelling_the_sync_withdraws_its_open_question(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, sshd_process: SshServer, sshd_server: Remote
) -> None:
    _home, mine = passphrase_home(sshd_process, sshd_server, tmp_path)
    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        syncing, _dialog = await sync_until_asked(running, mine, asked_through(window, []), PassphraseDialog)
        record = await running.core.store.repo(mine.name)
        assert running.api.cancel(record.id)
        await until(lambda: shown_window(PassphraseDialog) is None)  # the question went with the sync
        report = await syncing
        assert str(report.result) == "error" and "cancelled" in report.message, report.message

    run(scenario(), TIMEOUT * 2)
