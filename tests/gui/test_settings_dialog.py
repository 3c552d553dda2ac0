"""The settings dialog against a real core and a running engine: bad input is shown beside its
field and nothing is saved; good input ends in the store, the git config (the git CLI is the
referee) and the keyring backend."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from core.model import RepoRecord
from core.remote_url import HttpAuth
from core.settings import APP_PARSERS, REPO_PARSERS, BadSetting, parse_setting
from gui import autostart
from gui.widgets.remotes_editor import FETCH, PUSH
from gui.windows.settings_dialog import SYNC_TAB, SettingsDialog
from tests.gitcli import commit_file, git
from tests.gui.conftest import Run, Running
from tests.gui.waiting import next_emit, until
from tests.integration.test_fetch import seed
from tests.memory_keyring import MemoryKeyring
from tests.servers import LOOPBACK, HttpRemote, Remote
from tests.servers.faults import CuttingProxyFactory

TIMEOUT = 10.0


def make_repo(tmp_path: Path, name: str = "notes", url: str = "git://127.0.0.1/notes.git") -> Path:
    repo = tmp_path / name
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "one\n")
    git("remote", "add", "origin", url, cwd=repo)
    return repo


@pytest.fixture
def dialogs(qtbot: QtBot) -> Iterator[list[SettingsDialog]]:
    opened: list[SettingsDialog] = []
    yield opened
    for dialog in opened:
        dialog.done(0)  # closed as it is: a test may leave unsaved edits behind
        dialog.deleteLater()


async def open_dialog(running: Running, dialogs: list[SettingsDialog]) -> SettingsDialog:
    dialog = SettingsDialog(running.api)
    dialogs.append(dialog)
    await dialog.load()
    dialog.show()
    return dialog


async def register(running: Running, repo: Path) -> RepoRecord:
    return await running.api.add_repository(str(repo))


async def on_sync_tab(
    running: Running, dialogs: list[SettingsDialog], repo: Path
) -> tuple[RepoRecord, SettingsDialog]:
    """`repo` registered, and the dialog open on its Sync tab."""
    record = await register(running, repo)
    dialog = await open_dialog(running, dialogs)
    dialog.tabs.setCurrentIndex(SYNC_TAB)
    return record, dialog


def retype(edit: QLineEdit, text: str) -> None:
    """Select all and type over it, key by key, as a person would."""
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


def edit_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


def showing(label: QLabel) -> str:
    """The label's text when a person can see it, else ''."""
    return label.text() if label.isVisible() else ""


def open_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def shown_box() -> QMessageBox:
    [box] = open_boxes()
    return box


def click_box_button(text: str) -> None:
    box = shown_box()
    [button] = [b for b in box.buttons() if b.text().replace("&", "") == text]
    button.click()


def config_bytes(repo: Path) -> bytes:
    return (repo / ".git" / "config").read_bytes()


def files_holding(secret: str, *roots: Path) -> list[Path]:
    needle = secret.encode()
    return [p for root in roots for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def saved(dialog: SettingsDialog) -> None:
    waiting = next_emit(dialog.saved)
    dialog.save_button.click()
    await waiting


def test_negative_interval_and_other_bad_settings_are_shown_and_nothing_is_saved(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        record, dialog = await on_sync_tab(running, dialogs, repo)
        form = dialog.form
        before = await running.core.store.repo_settings(record.id)
        config = config_bytes(repo)
        form.strategy_combo.setCurrentIndex(form.strategy_combo.findData("rebase"))  # a good change...
        retype(form.interval_edit, "-5")  # ...and a bad one
        with pytest.raises(BadSetting) as refused:
            parse_setting(REPO_PARSERS, "fetch_interval", "-5")
        # the CLI's reason, beside the field, without the internal setting name (defect 17)
        assert showing(form.interval_error) == refused.value.reason
        assert "fetch_interval" not in showing(form.interval_error)
        assert not dialog.save_button.isEnabled()
        for bad in ("-1", "inf", "nan", "1e300", "8589934593"):  # "inf" was told "above 0 MiB"
            retype(form.max_size_edit, bad)
            assert showing(form.max_size_error) == (
                f"bad value {bad!r}: expected a size in MiB above 0 and at most 8589934592"
            )
        retype(form.max_size_edit, "8589934592")  # 8 PiB: the upper bound itself is taken
        assert showing(form.max_size_error) == ""
        retype(form.max_size_edit, "-1")
        form.tracked_combo.setCurrentIndex(form.tracked_combo.findData("list"))
        retype(form.tracked_edit, "main, -x")
        assert "comma-separated" in showing(form.tracked_error)
        await dialog.save()  # even when asked directly, nothing is written
        assert "Nothing was saved" in showing(dialog.status)
        assert await running.core.store.repo_settings(record.id) == before
        assert config_bytes(repo) == config
        retype(form.interval_edit, "600")
        assert showing(form.interval_error) == "" and not dialog.save_button.isEnabled()
        retype(form.max_size_edit, "0.5")
        retype(form.tracked_edit, "main, release")  # no branch "release" anywhere yet: the
        assert dialog.save_button.isEnabled()  # core's check (as `gitferry set`'s) refuses it
        await dialog.save()
        said = "no branch named 'release' in this repository, on this computer or on a remote"
        assert showing(form.tracked_error) == said
        assert "Nothing was saved" in showing(dialog.status)
        assert await running.core.store.repo_settings(record.id) == before
        assert config_bytes(repo) == config
        git("branch", "release", cwd=repo)
        assert dialog.save_button.isEnabled()
        await saved(dialog)
        assert showing(form.tracked_error) == ""
        after = await running.core.store.repo_settings(record.id)
        assert (after.fetch_interval, after.strategy) == (600, "rebase")
        assert (after.max_file_size, after.tracked_branches) == (512 * 1024, "main,release")
        assert running.daemon.scheduler is not None
        assert running.daemon.scheduler.interval(record.id) == 600.0

    run(scenario(), TIMEOUT)


def test_auto_modes_app_wide_settings_are_checked_as_the_cli_checks_them_and_saved(
    run: Run, running: Running, qtbot: QtBot, dialogs: list[SettingsDialog]
) -> None:
    """Settle time, longest wait and the metered pause: a bad value shows the message
    `gitferry set --global` gives and nothing is saved; good ones reach the store."""

    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        fields = dialog.auto_fields
        before = await running.core.store.app_settings()
        assert fields.settle_edit.text() == f"{before.settle_time:g}"
        assert fields.metered_check.isChecked() == before.pause_on_metered
        retype(fields.settle_edit, "0")
        with pytest.raises(BadSetting) as refused:
            parse_setting(APP_PARSERS, "settle_time", "0")
        assert showing(fields.settle_error) == refused.value.reason
        retype(fields.settle_max_edit, "soon")
        assert "settle_max" not in showing(fields.settle_max_error)
        assert showing(fields.settle_max_error).startswith("expected")
        assert not dialog.save_button.isEnabled()
        assert dialog.unsaved()
        await dialog.save()
        assert "Nothing was saved" in showing(dialog.status)
        assert await running.core.store.app_settings() == before
        retype(fields.settle_edit, "5")
        retype(fields.settle_max_edit, "90")
        fields.metered_check.setChecked(not before.pause_on_metered)
        assert dialog.save_button.isEnabled()
        await saved(dialog)
        after = await running.core.store.app_settings()
        assert (after.settle_time, after.settle_max) == (5.0, 90.0)
        assert after.pause_on_metered is not before.pause_on_metered
        assert not dialog.unsaved()

    run(scenario(), TIMEOUT)


def test_malformed_urls_are_shown_and_nothing_is_saved(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        config = config_bytes(repo)
        table = dialog.remotes.table
        edit_cell(table, 0, FETCH, "ht!tp://bad url")
        assert "scheme is not valid" in showing(dialog.remotes.error)
        assert not dialog.save_button.isEnabled()
        edit_cell(table, 0, FETCH, "git://127.0.0.1/notes.git")
        edit_cell(table, 0, PUSH, "https://")
        assert "no host name" in showing(dialog.remotes.error)
        edit_cell(table, 0, PUSH, "")
        dialog.remotes.add_button.click()
        edit_cell(table, 1, FETCH, "")
        assert "fetch URL is empty" in showing(dialog.remotes.error)
        dialog.form.strategy_combo.setCurrentIndex(dialog.form.strategy_combo.findData("ff-only"))
        await dialog.save()
        assert "Nothing was saved" in showing(dialog.status)
        assert config_bytes(repo) == config
        assert (await running.core.store.repo_settings(record.id)).strategy == "git"

    run(scenario(), TIMEOUT)


def test_remote_edits_end_in_the_git_config(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)
    git("remote", "add", "old", "git://127.0.0.1/old.git", cwd=repo)

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        table = dialog.remotes.table
        assert [dialog.remotes.rows()[i][0] for i in range(2)] == ["old", "origin"]
        edit_cell(table, 1, FETCH, "https://127.0.0.1:9/team/notes.git")
        edit_cell(table, 1, PUSH, "ssh://git@127.0.0.1/team/notes.git")
        table.setCurrentCell(0, FETCH)
        dialog.remotes.remove_button.click()
        dialog.remotes.add_button.click()
        edit_cell(table, 1, 0, "backup")
        edit_cell(table, 1, FETCH, "/srv/backup/notes.git")
        await saved(dialog)
        assert git("config", "remote.origin.url", cwd=repo) == "https://127.0.0.1:9/team/notes.git"
        assert git("config", "remote.origin.pushurl", cwd=repo) == "ssh://git@127.0.0.1/team/notes.git"
        assert git("config", "remote.backup.url", cwd=repo) == "/srv/backup/notes.git"
        assert git("remote", cwd=repo).split() == ["backup", "origin"]
        assert [r.name for r in await running.core.store.remotes(record.id)] == ["backup", "origin"]
        edit_cell(table, 1, PUSH, "")  # origin: push to the fetch URL again
        await saved(dialog)
        assert git("config", "--get", "remote.origin.pushurl", cwd=repo, check=False) == ""

    run(scenario(), TIMEOUT)


def test_a_remote_with_several_urls_shows_them_all_read_only(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """The URLs past the first are listed under the table (`git remote -v` lists them);
    a cell holding one of several cannot be edited, as `remote set-url` refuses it."""
    repo = make_repo(tmp_path)
    first = git("config", "remote.origin.url", cwd=repo)
    git("remote", "set-url", "--add", "origin", "/srv/mirror/notes.git", cwd=repo)

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        table, more = dialog.remotes.table, dialog.remotes.more
        assert dialog.remotes.rows() == [("origin", first, "")]
        assert more.isVisibleTo(dialog) and more.text().splitlines() == [
            "origin also pushes to /srv/mirror/notes.git",
            "Several URLs are read-only here: change them with git remote set-url.",
        ]
        fetch, push = table.item(0, FETCH), table.item(0, PUSH)
        assert fetch is not None and not fetch.flags() & Qt.ItemFlag.ItemIsEditable
        assert push is not None and push.flags() & Qt.ItemFlag.ItemIsEditable  # one push URL may be set
        edit_cell(table, 0, PUSH, "ssh://git@127.0.0.1/team/notes.git")
        await saved(dialog)
        assert git("config", "remote.origin.pushurl", cwd=repo) == "ssh://git@127.0.0.1/team/notes.git"
        assert (
            more.text().splitlines()[0]
            == "origin also has the URL /srv/mirror/notes.git, unused while it has a push URL"
        )
        assert git("config", "--get-all", "remote.origin.url", cwd=repo).splitlines() == [
            first,
            "/srv/mirror/notes.git",
        ]

    run(scenario(), TIMEOUT)


def test_a_password_typed_in_a_url_moves_to_the_credentials_fields(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.remotes.add_button.click()
        edit_cell(dialog.remotes.table, 1, FETCH, "https://alice:pa%3Ass@127.0.0.1:9/x.git")
        assert dialog.remotes.rows()[1] == ("remote2", "https://alice@127.0.0.1:9/x.git", "")
        row = dialog.credentials.rows["remote2"]
        assert (row.user_edit.text(), row.secret_edit.text()) == ("alice", "pa:ss")
        assert [r.remote for r in dialog.credentials.pending()] == ["remote2"]

    run(scenario(), TIMEOUT)


def test_add_folder_refuses_what_is_not_a_repository_then_registers_and_watches(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, dialogs: list[SettingsDialog]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        dialog.add_button.click()
        adder = dialog.add_dialog
        assert adder is not None and adder.isVisible()
        for bad in (plain, tmp_path / "missing"):
            retype(adder.path_edit, str(bad))
            adder.add_button.click()
            await until(lambda: adder.path_error.isVisible())
            assert str(bad) in showing(adder.path_error)
            assert await running.core.store.repos() == []
        retype(adder.path_edit, str(repo))
        assert showing(adder.path_error) == ""
        adder.add_button.click()
        await next_emit(dialog.repositories_changed)
        [record] = await running.core.store.repos()
        assert (record.name, record.path) == ("notes", str(repo))
        assert running.daemon.engine is not None and record.id in running.daemon.engine.workers
        assert not adder.isVisible()
        assert dialog.shown == record and dialog.repo_list.currentItem().text() == "notes"

    run(scenario(), TIMEOUT)


def test_remove_asks_first_then_forgets_the_repository_and_keeps_its_files(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)
    files_before = sorted(str(p.relative_to(repo)) for p in repo.rglob("*"))

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.remove_button.click()
        await until(lambda: bool(open_boxes()))
        assert "never deleted" in shown_box().informativeText()
        QTest.keyClick(shown_box(), Qt.Key.Key_Return)  # Enter cancels: Cancel is the default
        await until(lambda: not open_boxes())
        assert await running.core.store.repos() == [record]
        dialog.remove_button.click()
        await until(lambda: bool(open_boxes()))
        click_box_button("Cancel")
        await until(lambda: not open_boxes())
        assert await running.core.store.repos() == [record]
        dialog.remove_button.click()
        await until(lambda: bool(open_boxes()))
        waiting = next_emit(dialog.repositories_changed)
        click_box_button("Remove")
        await waiting
        assert await running.core.store.repos() == []
        assert running.daemon.engine is not None and record.id not in running.daemon.engine.workers
        assert dialog.repo_list.count() == 0 and dialog.shown is None

    run(scenario(), TIMEOUT)
    assert sorted(str(p.relative_to(repo)) for p in repo.rglob("*")) == files_before
    assert git("status", "--porcelain", cwd=repo) == ""


def test_credentials_typed_in_the_dialog_are_saved_only_once_accepted_and_only_in_the_keyring(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    http_auth_server: HttpRemote,
    memory_keyring: MemoryKeyring,
    dialogs: list[SettingsDialog],
) -> None:
    seed(http_auth_server, tmp_path)
    repo = make_repo(tmp_path, url=http_auth_server.url("origin"))
    user, secret = http_auth_server.auth or ("", "")
    wrong = "wrong-Secret-4711"
    home = Path(os.environ["GITFERRY_HOME"])

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        assert row.user_edit.isVisible() and row.secret_edit.echoMode() == QLineEdit.EchoMode.Password
        retype(row.user_edit, user)
        retype(row.secret_edit, wrong)
        row.test_button.click()
        await until(lambda: showing(row.status) not in ("", "Connecting…"))
        assert "refused the credentials" in showing(row.status)
        assert memory_keyring.secrets == {}
        # Save probes typed credentials first: a refusal blocks the whole save
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        retype(dialog.form.interval_edit, "900")
        await dialog.save()
        assert "refused the credentials" in showing(row.status)
        assert "Nothing was saved" in showing(dialog.status)
        assert memory_keyring.secrets == {}
        assert (await running.core.store.repo_settings(record.id)).fetch_interval == 300
        retype(row.secret_edit, secret)
        await saved(dialog)
        assert (await running.core.store.repo_settings(record.id)).fetch_interval == 900
        assert [secret in blob for blob in memory_keyring.secrets.values()] == [True]
        assert row.secret_edit.text() == "" and "Connected" in showing(row.status)
        running.core.credentials.forget(http_auth_server.url("origin"))  # "Test connection" saves on its own
        assert memory_keyring.secrets == {}
        retype(row.secret_edit, secret)
        row.test_button.click()
        await until(lambda: showing(row.status) == "Connected")
        assert [secret in blob for blob in memory_keyring.secrets.values()] == [True]
        assert row.secret_edit.text() == "" and not dialog.credentials.pending()

    run(scenario(), TIMEOUT)
    assert files_holding(secret, home, repo / ".git") == []
    assert files_holding(wrong, home, repo / ".git") == []


@pytest.mark.slow
def test_without_a_keyring_accepted_credentials_are_kept_in_memory_and_said_so(
    run: Run,
    running: Running,
    tmp_path: Path,
    http_auth_server: HttpRemote,
    dialogs: list[SettingsDialog],
) -> None:
    """A trial with no keyring on the machine: the row said in red "there is no system
    keyring: could not read the credential" for a remote that needed none typed yet, and
    after Test connection "could not save the credential", though the server had accepted
    it; the password was dropped, and a Save with one typed failed half-way."""
    keyring.set_keyring(fail.Keyring())  # the autouse memory keyring is put back afterwards
    seed(http_auth_server, tmp_path)
    repo = make_repo(tmp_path, url=http_auth_server.url("origin"))
    user, secret = http_auth_server.auth or ("", "")
    home = Path(os.environ["GITFERRY_HOME"])

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        assert showing(row.status) == ""  # no keyring is said once, under the row, not as an error
        assert "there is no system keyring" in showing(row.source)
        # The box's header says where a password goes with no keyring, as the row does
        # once one is kept (memory, then the helpers it was given to: `describe_credential`).
        header = dialog.credentials_where.text()
        assert "in memory until Gitferry quits and by git's credential helpers" in header, header
        retype(row.user_edit, user)
        retype(row.secret_edit, secret)
        row.test_button.click()
        await until(lambda: showing(row.status) not in ("", "Connecting…"))
        assert "kept in memory only until Gitferry quits" in showing(row.status), showing(row.status)
        assert row.secret_edit.text() == "" and "keyring" not in row.secret_edit.placeholderText()
        report = await running.api.sync(record.id)  # nobody is asked: the kept password signs in
        assert str(report.result) != "auth_failed" and "fetched origin/main" in report.message, report.message
        assert git("rev-parse", "origin/main", cwd=repo) == git(
            "rev-parse", "main", cwd=http_auth_server.bare_path("origin")
        )
        retype(row.secret_edit, secret)  # Save with one typed: all of it saved, nothing half
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        retype(dialog.form.interval_edit, "900")
        await saved(dialog)
        assert (await running.core.store.repo_settings(record.id)).fetch_interval == 900
        assert "kept in memory only" in row.status.text()  # (on the Remotes tab, not shown now)

    run(scenario(), TIMEOUT * 2)
    assert files_holding(secret, home, repo / ".git") == []


@pytest.mark.parametrize("refused_by", ["the last sync", "test connection"])
def test_a_saved_secret_the_server_refused_is_not_shown_as_saved(
    run: Run,
    running: Running,
    tmp_path: Path,
    http_auth_server: HttpRemote,
    dialogs: list[SettingsDialog],
    refused_by: str,
) -> None:
    """Before: the secret field kept saying "saved in the keyring" after the server refused it."""
    seed(http_auth_server, tmp_path)
    url = http_auth_server.url("origin")
    repo = make_repo(tmp_path, url=url)
    user, _secret = http_auth_server.auth or ("", "")
    running.core.credentials.save(url, HttpAuth(user, "revoked-token-0815"))

    async def scenario() -> None:
        record = await register(running, repo)
        if refused_by == "the last sync":
            report = await running.api.sync(record.id)
            assert report.result == "auth_failed"
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        if refused_by == "test connection":
            assert row.secret_edit.placeholderText() == "saved in the keyring"
            row.test_button.click()
            await until(lambda: showing(row.status) not in ("", "Connecting…"))
        assert "saved in the keyring" not in row.secret_edit.placeholderText()
        assert "refused" in row.secret_edit.placeholderText()
        assert "refused the credentials" in showing(row.status)

    run(scenario(), TIMEOUT)


def test_start_at_login_and_pause_on_battery(
    run: Run, running: Running, dialogs: list[SettingsDialog]
) -> None:
    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        assert not dialog.autostart_check.isChecked() and not autostart.autostart_path().exists()
        dialog.autostart_check.setChecked(True)
        dialog.pause_battery_check.setChecked(False)
        await saved(dialog)
        assert autostart.is_enabled()
        assert autostart.autostart_path().read_text().count("--hidden") == 1  # starts in the tray
        assert (await running.core.store.app_settings()).pause_on_battery is False
        dialog.autostart_check.setChecked(False)
        await saved(dialog)
        assert not autostart.autostart_path().exists()

    run(scenario(), TIMEOUT)


def test_clone_from_url_registers_the_new_repository(
    run: Run,
    running: Running,
    tmp_path: Path,
    qtbot: QtBot,
    git_daemon: Remote,
    dialogs: list[SettingsDialog],
) -> None:
    bare, work = seed(git_daemon, tmp_path)
    target = tmp_path / "cloned"

    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        dialog.clone_button.click()
        cloner = dialog.clone_dialog
        assert cloner is not None and cloner.isVisible()
        retype(cloner.url_edit, "git://")
        assert "no host name" in showing(cloner.url_error)
        retype(cloner.folder_edit, str(target))
        assert not cloner.clone_button.isEnabled()
        retype(cloner.url_edit, git_daemon.url("origin"))
        assert showing(cloner.url_error) == "" and cloner.clone_button.isEnabled()
        phases: list[str] = []
        cloner._relay.progressed.connect(lambda update: phases.append(str(update.phase)))
        waiting = next_emit(dialog.repositories_changed)
        cloner.clone_button.click()
        await waiting
        [record] = await running.core.store.repos()
        assert (record.name, record.path) == ("cloned", str(target))
        assert running.daemon.engine is not None and record.id in running.daemon.engine.workers
        assert "connecting" in phases
        assert dialog.shown == record

    run(scenario(), TIMEOUT)
    assert git("rev-parse", "HEAD", cwd=target) == git("rev-parse", "main", cwd=work)
    assert git("config", "remote.origin.url", cwd=target) == git_daemon.url("origin")
    assert bare.exists()


def test_cancel_stops_a_clone_and_keeps_nothing(
    run: Run,
    running: Running,
    tmp_path: Path,
    git_daemon: Remote,
    cutting_proxy: CuttingProxyFactory,
    dialogs: list[SettingsDialog],
) -> None:
    bare, work = seed(git_daemon, tmp_path)
    (work / "noise.bin").write_bytes(os.urandom(1 << 20))  # a pack that takes a while on a slow link
    git("add", "noise.bin", cwd=work)
    git("commit", "-q", "-m", "noise", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    assert git_daemon.port is not None
    proxy = cutting_proxy(LOOPBACK, git_daemon.port, 1 << 30, pace_seconds=0.05)
    target = tmp_path / "cloned"

    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        dialog.clone_button.click()
        cloner = dialog.clone_dialog
        assert cloner is not None
        retype(cloner.url_edit, proxy.rewrite(git_daemon.url("origin")))
        retype(cloner.folder_edit, str(target))
        cloner.clone_button.click()
        await until(lambda: proxy.bytes_to_client > 64 * 1024 and target.exists())
        assert cloner.progress_bar.isVisible()
        cloner.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        await until(lambda: not cloner.isVisible())

    run(scenario(), TIMEOUT)
    assert not target.exists()
    assert proxy.bytes_to_client < (1 << 20)  # stopped mid-pack, not after it
    assert run(running.core.store.repos()) == []


def test_switching_repository_with_unsaved_changes_asks_first(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    first, second = make_repo(tmp_path, "alpha"), make_repo(tmp_path, "beta")

    async def scenario() -> None:
        await register(running, first)
        await register(running, second)
        dialog = await open_dialog(running, dialogs)
        assert dialog.shown is not None and dialog.shown.name == "alpha"
        retype(dialog.form.interval_edit, "42")
        dialog.repo_list.setCurrentRow(1)
        await until(lambda: bool(open_boxes()))
        assert "alpha" in shown_box().text()
        click_box_button("Cancel")
        await until(lambda: dialog.repo_list.currentRow() == 0)
        assert dialog.shown.name == "alpha" and dialog.form.interval_edit.text() == "42"
        dialog.select_repo("beta")
        await until(lambda: bool(open_boxes()))
        waiting = next_emit(dialog.repo_shown)
        click_box_button("Discard")
        await waiting
        assert dialog.shown is not None and dialog.shown.name == "beta"
        assert dialog.form.interval_edit.text() == "300"

    run(scenario(), TIMEOUT)


def test_switching_repository_with_unsaved_changes_can_save_them(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """A user trial changed alpha's interval and clicked beta: the question offered only
    Discard or Cancel, so keeping the edit meant Cancel, Save, and clicking beta again."""
    first, second = make_repo(tmp_path, "alpha"), make_repo(tmp_path, "beta")

    async def scenario() -> None:
        alpha = await register(running, first)
        await register(running, second)
        dialog = await open_dialog(running, dialogs)
        retype(dialog.form.interval_edit, "42")
        dialog.select_repo("beta")
        await until(lambda: bool(open_boxes()))
        box = shown_box()
        assert box.text() == "Save the changes to alpha before showing another repository?"
        assert {b.text().replace("&", "") for b in box.buttons()} == {"Save", "Discard", "Cancel"}
        waiting = next_emit(dialog.repo_shown)
        click_box_button("Save")
        await waiting
        assert dialog.shown is not None and dialog.shown.name == "beta"
        assert dialog.form.interval_edit.text() == "300" and showing(dialog.status) == "Saved."
        assert (await running.api.repo_settings(alpha.id)).fetch_interval == 42
        dialog.select_repo("alpha")
        await until(lambda: dialog.form.interval_edit.text() == "42")  # no question: nothing unsaved
        assert not open_boxes()
        retype(dialog.form.interval_edit, "-1")  # a bad value cannot be saved: no Save offered
        dialog.select_repo("beta")
        await until(lambda: bool(open_boxes()))
        assert {b.text().replace("&", "") for b in shown_box().buttons()} == {"Discard", "Cancel"}
        click_box_button("Cancel")
        await until(lambda: dialog.repo_list.currentRow() == 0)
        assert (await running.api.repo_settings(alpha.id)).fetch_interval == 42

    run(scenario(), TIMEOUT)


@pytest.mark.parametrize("answer", ["Cancel", "Discard", "Save"])
def test_close_with_valid_unsaved_edits_asks_save_discard_or_cancel(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog], answer: str
) -> None:
    """Before: Close threw the edits away without a word."""
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        retype(dialog.form.interval_edit, "42")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
        await until(lambda: bool(open_boxes()))
        box = shown_box()
        assert "notes" in box.text()
        assert {b.text().replace("&", "") for b in box.buttons()} == {"Save", "Discard", "Cancel"}
        click_box_button(answer)
        await until(lambda: not open_boxes())
        await until(lambda: dialog.isVisible() is (answer == "Cancel") and not dialog._busy)
        stored = (await running.api.repo_settings(record.id)).fetch_interval
        assert stored == (42 if answer == "Save" else 300)
        if answer == "Cancel":
            assert dialog.form.interval_edit.text() == "42"

    run(scenario(), TIMEOUT)


def test_close_without_edits_closes_at_once(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
        assert not dialog.isVisible() and not open_boxes()

    run(scenario(), TIMEOUT)


def test_a_configured_push_url_is_not_called_a_rewrite(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """`remote.origin.pushurl` set by the user (no url.*.insteadOf anywhere): the sign-ins box
    said "Rewritten by git's url.*.insteadOf: origin pushes to ssh://…", which no rule did
    (seen in the settings screenshot). A real pushInsteadOf rule is still said."""
    notes = make_repo(tmp_path, url="https://git.example.org/team/notes.git")
    git("remote", "set-url", "--push", "origin", "ssh://git@git.example.org/team/notes.git", cwd=notes)
    web = make_repo(tmp_path, "web", url="https://git.example.org/team/web.git")
    git("config", "url.ssh://git@mirror.example.org/.pushInsteadOf", "https://git.example.org/", cwd=web)

    async def scenario() -> None:
        await register(running, notes)
        await register(running, web)
        dialog = await open_dialog(running, dialogs)
        for name, said in (
            ("notes", ""),
            (
                "web",
                "Rewritten by git's url.*.insteadOf: origin pushes to ssh://git@mirror.example.org/team/web.git",
            ),
        ):
            dialog.select_repo(name)
            await until(
                lambda name=name: (
                    f"<b>{name}</b>" in dialog.title.text() and "origin" in dialog.credentials.access
                )
            )
            await asyncio.sleep(0.1)  # whatever else the shown repository's load does
            assert showing(dialog.credentials.rewrites) == said, name

    run(scenario())


def test_enter_in_a_field_saves_and_never_opens_add_folder(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """User trial: Enter after typing a fetch interval opened "Add a repository" (the focused
    Add folder… button had become the dialog's default: Save was made default before it was
    in the dialog) and saved nothing."""
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.activateWindow()
        dialog.add_button.setFocus()  # where Tab from the list goes first
        await until(dialog.add_button.hasFocus)
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        edit = dialog.form.interval_edit
        edit.setFocus()
        await until(edit.hasFocus)
        retype(edit, "60")
        waiting = next_emit(dialog.saved)
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await waiting
        assert dialog.add_dialog is None or not dialog.add_dialog.isVisible()
        assert (await running.api.repo_settings(record.id)).fetch_interval == 60

    run(scenario(), TIMEOUT)


def test_adding_a_folder_keeps_the_unsaved_edits_of_the_repository_shown(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """User trial: a fetch interval typed for one repository, then Add folder…: the dialog
    showed the new repository and the typed value was gone, unasked and unsaved."""
    notes = make_repo(tmp_path)
    other = make_repo(tmp_path, "other", "git://127.0.0.1/other.git")

    async def scenario() -> None:
        record = await register(running, notes)
        dialog = await open_dialog(running, dialogs)
        retype(dialog.form.interval_edit, "77")
        dialog.add_button.click()
        adder = dialog.add_dialog
        assert adder is not None
        retype(adder.path_edit, str(other))
        adder.add_button.click()
        await next_emit(dialog.repositories_changed)
        assert [r.name for r in await running.core.store.repos()] == ["notes", "other"]
        assert dialog.shown is not None and dialog.shown.id == record.id
        assert dialog.repo_list.currentItem().text() == "notes"
        assert dialog.form.interval_edit.text() == "77" and "other" in showing(dialog.status)
        await saved(dialog)
        assert (await running.api.repo_settings(record.id)).fetch_interval == 77

    run(scenario(), TIMEOUT)


def mnemonics(dialog: QWidget) -> list[str]:
    """The Alt+letter of every label and button in `dialog` (`&&` is a plain "&"; rich text
    has none: its "&nbsp;" is no shortcut)."""
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    texts = labels + [button.text() for button in dialog.findChildren(QAbstractButton)]
    return [m.group(1).lower() for t in texts for m in [re.search(r"(?<!&)&([^&\s])", t)] if m]


def test_the_settings_are_reached_with_alt_and_a_letter_each_their_own(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """User trial, keyboard only: no field of the settings dialog had an Alt shortcut;
    each of the repository's fields and the app's now has one, none taken twice."""
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.activateWindow()
        await until(dialog.isActiveWindow)  # Alt shortcuts go to the active window
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        await until(dialog.form.interval_edit.isVisible)
        letters = mnemonics(dialog)
        assert len(letters) >= 13 and len(letters) == len(set(letters)), letters
        dialog.repo_list.setFocus()
        await until(dialog.repo_list.hasFocus)
        QTest.keyClick(dialog.repo_list, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
        await until(dialog.form.interval_edit.hasFocus)
        QTest.keyClick(dialog.form.interval_edit, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
        await until(dialog.auto_fields.settle_max_edit.hasFocus)

    run(scenario(), TIMEOUT)


def test_the_strategy_follows_git_pull_by_default_and_a_choice_overrides_it(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """The default choice says what `git pull` does here now; picking another stores it,
    picking the default again follows git's settings, whatever they have become."""
    repo = make_repo(tmp_path)
    git("config", "pull.rebase", "true", cwd=repo)

    async def scenario() -> None:
        record = await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        dialog.tabs.setCurrentIndex(SYNC_TAB)
        combo = dialog.form.strategy_combo
        assert combo.currentData() == "git"
        assert combo.currentText() == "As git pull does here (now: rebase, pull.rebase=true)"
        combo.setCurrentIndex(combo.findData("merge"))
        await saved(dialog)
        assert (await running.core.store.repo_settings(record.id)).strategy == "merge"
        git("config", "pull.ff", "only", cwd=repo)  # changed in git while the dialog is open
        combo.setCurrentIndex(combo.findData("git"))
        await saved(dialog)
        assert (await running.core.store.repo_settings(record.id)).strategy == "git"
        assert combo.currentText() == "As git pull does here (now: fast-forward only, pull.ff=only)"

    run(scenario(), TIMEOUT)


def test_the_max_file_size_takes_git_units_as_gitferry_set_does(
    run: Run, running: Running, tmp_path: Path, qtbot: QtBot, dialogs: list[SettingsDialog]
) -> None:
    """A user trial typed "1m" in the MiB field, as `gitferry set photos max_file_size 1m`
    takes it, and was told it was a bad value; git is the referee of what a unit means."""
    repo = make_repo(tmp_path)

    async def scenario() -> None:
        record, dialog = await on_sync_tab(running, dialogs, repo)
        form = dialog.form
        for bad in ("10MB", "1.5m", "m", "0k", "-1m"):  # git refuses the first three; none is above 0
            retype(form.max_size_edit, bad)
            assert showing(form.max_size_error) == (
                f"bad value {bad!r}: expected a size in MiB, like 50 or 0.5, "
                "or with a unit as git takes it (50m, 2g)"
            )
            assert not dialog.save_button.isEnabled()
        retype(form.max_size_edit, "8589934593g")
        assert "at most 8589934592" in showing(form.max_size_error)
        for typed in ("512k", "1M", "3m"):
            retype(form.max_size_edit, typed)
            assert showing(form.max_size_error) == ""
            await saved(dialog)
            size = (await running.core.store.repo_settings(record.id)).max_file_size
            assert str(size) == git("-c", f"gitferry.size={typed}", "config", "--type=int", "gitferry.size")

    run(scenario(), TIMEOUT)


def test_start_syncing_a_folder_is_offered_with_a_repository_registered(
    run: Run, running: Running, tmp_path: Path, git_daemon: Remote, dialogs: list[SettingsDialog]
) -> None:
    """A user trial: once one repository was registered the first-run screen was gone, and
    with it the only way to start syncing a folder that is not a repository yet. git is
    the referee of what was pushed."""
    registered = make_repo(tmp_path)
    bare = git_daemon.create("origin")
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy milk\n")

    async def scenario() -> None:
        await register(running, registered)
        dialog = await open_dialog(running, dialogs)
        dialog.start_button.click()
        starter = dialog.start_dialog
        assert starter is not None and starter.isVisible()
        starter.folder_edit.setText(str(folder))
        starter.url_edit.setText(git_daemon.url("origin"))
        added = next_emit(dialog.repositories_changed)
        starter.start_button.click()
        await added
        assert [r.name for r in await running.core.store.repos()] == ["notes", "plain"]
        assert dialog.shown is not None and dialog.shown.name == "plain"

    run(scenario(), 30.0)
    assert git("rev-parse", "HEAD", cwd=folder) == git("rev-parse", "main", cwd=bare)
    assert git("ls-tree", "--name-only", "main", cwd=bare) == "todo.txt"


def test_typing_in_a_credential_field_does_not_move_the_fields_under_the_pointer(
    run: Run,
    running: Running,
    tmp_path: Path,
    http_auth_server: HttpRemote,
    dialogs: list[SettingsDialog],
) -> None:
    """A trial: after Test connection said "Connected to …" under the fields, typing a user
    name took that line away and the fields (the dialog's bottom) moved a line down: the
    next click, meant for the secret field, landed beside it and the secret went into the
    user name."""
    seed(http_auth_server, tmp_path)
    repo = make_repo(tmp_path, url=http_auth_server.url("origin"))
    user, _secret = http_auth_server.auth or ("", "")

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        row = dialog.credentials.rows["origin"]
        row.test_button.click()
        await until(lambda: showing(row.status) not in ("", "Connecting…"))
        await asyncio.sleep(0.2)  # laid out
        before = row.secret_edit.mapTo(dialog, QPoint(0, 0))
        retype(row.user_edit, user)
        await asyncio.sleep(0.2)
        assert row.status.text() == ""  # said of what was typed before: gone
        assert row.secret_edit.mapTo(dialog, QPoint(0, 0)) == before

    run(scenario(), TIMEOUT)


def test_save_with_nothing_changed_says_so(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog]
) -> None:
    """A trial's Save with nothing changed said "Saved."; it says nothing was changed, and
    Save after an edit still saves it."""
    alpha = make_repo(tmp_path, "alpha")

    async def scenario() -> None:
        record = await register(running, alpha)
        dialog = await open_dialog(running, dialogs)
        saved: list[bool] = []
        dialog.saved.connect(lambda: saved.append(True))
        dialog.save_button.click()
        await until(lambda: showing(dialog.status) != "")
        assert showing(dialog.status) == "Nothing was changed: there is nothing to save."
        assert saved == []
        retype(dialog.form.interval_edit, "42")
        dialog.save_button.click()
        await until(lambda: showing(dialog.status) == "Saved.")
        assert (await running.api.repo_settings(record.id)).fetch_interval == 42 and saved == [True]

    run(scenario(), TIMEOUT)
