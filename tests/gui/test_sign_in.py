"""Signing in from the desktop app: the sign-in dialog a user's sync opens (typed with the
keyboard, as a person would), and the settings saying where each remote's credential
comes from and where git's rewrites send it. A real core, engine and smart-HTTP server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from core.api import HttpAuth, SignInRequest
from gui.windows.settings_dialog import SettingsDialog
from gui.windows.sign_in_dialog import SignInDialog, SignInPrompt, ask_to_sign_in
from tests.gitcli import git
from tests.gui.conftest import Run, Running
from tests.gui.test_settings_dialog import dialogs, make_repo, open_dialog, register, showing
from tests.gui.waiting import shown_window, until
from tests.integration.test_fetch import local_clone, seed
from tests.memory_keyring import MemoryKeyring
from tests.servers import HttpRemote

TIMEOUT = 15.0
__all__ = ["dialogs"]  # the settings tests' fixture, used here too


async def asked(
    request: SignInRequest, window: QWidget
) -> tuple[asyncio.Future[HttpAuth | None], SignInDialog]:
    """`ask_to_sign_in(request)` under way, and its dialog once it is on screen."""
    answer = asyncio.ensure_future(ask_to_sign_in(request, window))
    await until(lambda: shown_window(SignInDialog) is not None)
    dialog = shown_window(SignInDialog)
    assert dialog is not None
    return answer, dialog


def test_the_dialog_is_keyboard_usable(qtbot: QtBot, run: Run) -> None:
    request = SignInRequest("origin", "https://example.invalid/r.git", "alice", refused=True)
    window = QWidget()  # the app's status window: the dialog's parent
    qtbot.addWidget(window)

    async def scenario() -> None:
        waiting, dialog = await asked(request, window)
        assert any("refused the saved credentials" in label.text() for label in dialog.findChildren(QLabel))
        assert dialog.user_edit.text() == "alice" and dialog.focusWidget() in (dialog.secret_edit, None)
        assert not dialog.sign_in_button.isEnabled()
        QTest.keyClicks(dialog.secret_edit, "t0ken")
        assert dialog.sign_in_button.isEnabled()
        QTest.keyClick(dialog.secret_edit, Qt.Key.Key_Return)
        auth = await waiting
        assert auth is not None and (auth.username, auth.password) == ("alice", "t0ken")
        cancelled, dialog = await asked(request, window)
        QTest.keyClicks(dialog.secret_edit, "x")
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        assert await cancelled is None

    run(scenario(), TIMEOUT)


def test_the_dialog_asks_only_the_user_name_when_a_credential_helper_gave_the_password(
    qtbot: QtBot, run: Run
) -> None:
    request = SignInRequest("origin", "https://example.invalid/r.git", None, False, "pass-helper")
    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        waiting, dialog = await asked(request, window)
        assert not dialog.secret_edit.isVisible() and dialog.secret_edit not in dialog.findChildren(QLineEdit)
        assert any("credential helper 'pass-helper'" in label.text() for label in dialog.findChildren(QLabel))
        assert not dialog.sign_in_button.isEnabled()
        QTest.keyClicks(dialog.user_edit, "alice")
        assert dialog.sign_in_button.isEnabled()
        QTest.keyClick(dialog.user_edit, Qt.Key.Key_Return)
        auth = await waiting
        assert auth is not None and auth.username == "alice"

    run(scenario(), TIMEOUT)


def test_the_dialog_is_titled_with_the_server_not_the_remotes_name(qtbot: QtBot) -> None:
    """ "Sign in to origin" during a first clone: a newcomer does not know what origin is."""
    titles = {
        "https://git.example.com/team/r.git": "Sign in to git.example.com",
        "http://alice@10.0.0.7:8080/r.git": "Sign in to 10.0.0.7:8080",
        "https://[::1]:8443/r.git": "Sign in to [::1]:8443",
    }
    for url, title in titles.items():
        dialog = SignInDialog(SignInRequest("origin", url, None, False))
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == title


def test_the_dialog_says_where_the_password_will_be_kept(qtbot: QtBot) -> None:
    """Never "saved in the system keyring" on a machine without one (the core's request says
    which: test_sign_in's no-keyring and helper tests)."""
    url = "https://example.invalid/r.git"

    def note(request: SignInRequest) -> str:
        dialog = SignInDialog(request)
        qtbot.addWidget(dialog)
        return " ".join(label.text() for label in dialog.findChildren(QLabel))

    assert "Saved in the system keyring once" in note(SignInRequest("origin", url, None, False))
    assert "and given to credential helper 'store'" in note(
        SignInRequest("origin", url, None, False, helpers=("store",))
    )
    bare = note(SignInRequest("origin", url, None, False, no_keyring=True))
    assert "no system keyring: kept in memory only until Gitferry quits" in bare
    assert "Saved in the system keyring" not in bare
    helped = note(SignInRequest("origin", url, None, False, no_keyring=True, helpers=("cache",)))
    assert "no system keyring: given to credential helper 'cache'" in helped


def test_a_users_sync_opens_the_sign_in_dialog_and_the_accepted_secret_goes_to_the_keyring(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    http_auth_server: HttpRemote,
    memory_keyring: MemoryKeyring,
) -> None:
    bare, _work = seed(http_auth_server, tmp_path)
    repo = local_clone(http_auth_server, bare, tmp_path, "mine")
    user, secret = http_auth_server.auth or ("", "")

    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        running.api.set_sign_in_prompt(lambda request: ask_to_sign_in(request, window))
        record = await register(running, repo)
        syncing = asyncio.ensure_future(running.api.sync(record.id))
        await until(lambda: shown_window(SignInDialog) is not None)  # (its second argument is the poll step)
        dialog = shown_window(SignInDialog)
        assert (
            dialog is not None
            and dialog.windowTitle() == f"Sign in to {urlsplit(http_auth_server.url('')).netloc}"
        )
        assert any(http_auth_server.url("origin") in label.text() for label in dialog.findChildren(QLabel))
        QTest.keyClicks(dialog.user_edit, user)
        QTest.keyClicks(dialog.secret_edit, secret)
        QTest.keyClick(dialog.secret_edit, Qt.Key.Key_Return)
        report = await syncing
        assert str(report.result) in ("up_to_date", "ok"), report.message
        assert [secret in blob for blob in memory_keyring.secrets.values()] == [True]

    run(scenario(), TIMEOUT * 2)


def test_cancelling_the_sync_withdraws_its_sign_in_dialog(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, http_auth_server: HttpRemote
) -> None:
    bare, _work = seed(http_auth_server, tmp_path)
    repo = local_clone(http_auth_server, bare, tmp_path, "mine")
    window = QWidget()
    qtbot.addWidget(window)

    async def scenario() -> None:
        running.api.set_sign_in_prompt(lambda request: ask_to_sign_in(request, window))
        record = await register(running, repo)
        syncing = asyncio.ensure_future(running.api.sync(record.id))
        await until(lambda: shown_window(SignInDialog) is not None)
        assert running.api.cancel(record.id)
        await until(lambda: shown_window(SignInDialog) is None)  # the question went with the sync
        report = await syncing
        assert str(report.result) != "ok", report.message

    run(scenario(), TIMEOUT * 2)


def test_the_settings_say_where_credentials_come_from_and_show_rewritten_urls(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    http_auth_server: HttpRemote,
    dialogs: list[SettingsDialog],
) -> None:
    seed(http_auth_server, tmp_path)
    base = http_auth_server.url("origin").removesuffix("origin.git")
    git("config", "--global", f"url.{base}.insteadOf", "gf:")
    helper = f"!{sys.executable} -c pass"
    git("config", "--global", "credential.helper", helper)
    repo = make_repo(tmp_path, url="gf:origin.git")

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        assert row.url == http_auth_server.url("origin")
        assert showing(row.source) == f"Credential: git's credential helper '!{Path(sys.executable).name}'"
        assert showing(dialog.credentials.rewrites) == (
            f"Rewritten by git's url.*.insteadOf: origin fetches from {http_auth_server.url('origin')}"
        )
        user, secret = http_auth_server.auth or ("", "")
        running.core.credentials.save(http_auth_server.url("origin"), HttpAuth(user, secret))
        await dialog.credentials.load(dialog.credentials.repo_name, [("origin", "gf:origin.git")])
        row = dialog.credentials.rows["origin"]
        assert showing(row.source) == f"Credential: the keyring (user {user})"
        row.test_button.click()  # nothing typed: as a sync would
        await until(lambda: showing(row.status).startswith("Connected to"))
        assert showing(row.status) == (
            f"Connected to {http_auth_server.url('origin')} (2 refs; signed in from the keyring)"
        )

    run(scenario(), TIMEOUT)


def test_a_german_app_says_where_credentials_come_from_in_german(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    http_auth_server: HttpRemote,
    dialogs: list[SettingsDialog],
    german: None,
) -> None:
    """The German screenshots: 'Zugangsdaten: none saved: a sync you start asks you to sign
    in', 'Verbunden mit … (2 Refs; signed in from the keyring)' and 'Wie git pull es hier tut
    (derzeit: Merge, no pull setting in git)': the engine's English inside German."""
    seed(http_auth_server, tmp_path)
    repo = make_repo(tmp_path, url=http_auth_server.url("origin"))

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        assert showing(row.source) == (
            "Zugangsdaten: keine gespeichert: eine Synchronisierung, die du startest,"
            " bittet dich um Anmeldung"
        )
        combo = dialog.form.strategy_combo
        assert (
            combo.itemText(combo.findData("git"))
            == "Wie git pull es hier tut (derzeit: Merge, keine Pull-Einstellung in git)"
        )
        user, secret = http_auth_server.auth or ("", "")
        running.core.credentials.save(http_auth_server.url("origin"), HttpAuth(user, secret))
        await dialog.credentials.load(
            dialog.credentials.repo_name, [("origin", http_auth_server.url("origin"))]
        )
        row = dialog.credentials.rows["origin"]
        assert showing(row.source) == f"Zugangsdaten: der Schlüsselbund (Benutzer {user})"
        row.test_button.click()
        await until(lambda: showing(row.status).startswith("Verbunden mit"))
        assert showing(row.status) == (
            f"Verbunden mit {http_auth_server.url('origin')} (2 Refs; angemeldet aus dem Schlüsselbund)"
        )

    run(scenario(), TIMEOUT)


def test_the_next_sign_in_offers_the_user_name_typed_before(qtbot: QtBot, run: Run) -> None:
    """A trial: after a refused password the next clone's prompt had an empty user name.
    The app's prompt offers the one typed last for that server (another server: none)."""
    window = QWidget()
    qtbot.addWidget(window)
    prompt = SignInPrompt(window)

    async def answered(url: str, user: str, secret: str) -> str:
        """The user name the dialog came up with; then `user` added to it and `secret` typed."""
        answer = asyncio.ensure_future(prompt(SignInRequest("origin", url, None, refused=False)))
        await until(lambda: shown_window(SignInDialog) is not None)
        dialog = shown_window(SignInDialog)
        assert dialog is not None
        offered = dialog.user_edit.text()
        QTest.keyClicks(dialog.user_edit, user)
        QTest.keyClicks(dialog.secret_edit, secret)
        QTest.keyClick(dialog.secret_edit, Qt.Key.Key_Return)
        auth = await answer
        assert auth is not None and (auth.username, auth.password) == (offered + user, secret)
        await until(lambda: shown_window(SignInDialog) is None)
        return offered

    async def scenario() -> None:
        assert await answered("http://127.0.0.1:8123/team.git", "alice", "wrong") == ""
        assert await answered("http://127.0.0.1:8123/team.git", "", "letmein") == "alice"
        assert await answered("http://127.0.0.1:8123/other.git", "", "x") == "alice"  # the same server
        assert await answered("http://127.0.0.1:9999/team.git", "bob", "y") == ""  # another

    run(scenario(), TIMEOUT)
