"""Each dialog is freed by reference counting alone once it closed and nobody holds it: no
reference cycle through its own signals' slots (a lambda or a partial holding `self`), its
progress relay, or a task's frame. The app's collector runs on the GUI thread only
(`core.platform.collector`), so a cycle was safe; this keeps them from forming at all."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from core.api import PassphraseQuestion, SignInRequest
from gui.remembered import Remembered
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.clone_dialog import CloneDialog
from gui.windows.settings_dialog import SettingsDialog
from gui.windows.sign_in_dialog import SignInDialog
from gui.windows.ssh_dialogs import PassphraseDialog
from gui.windows.start_syncing_dialog import StartSyncingDialog
from gui.windows.status_window import StatusWindow
from tests.gitcli import git, init_repo
from tests.gui.conftest import Run, Running
from tests.gui.waiting import next_emit, until

TIMEOUT = 30.0


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()  # as in the app and the GUI tests
    thresholds = gc.get_threshold()
    gc.set_threshold(1 << 30)  # and no collection due inside the test (`collect_when_due`)
    yield
    gc.set_threshold(*thresholds)


def holders(obj: object) -> str:
    """Who still refers to `obj`: a closure's function by its name (a lambda connected to a
    signal), else the referrer itself. A failure says where the cycle is."""
    said = []
    for ref in gc.get_referrers(obj):
        if type(ref).__name__ == "cell":
            functions = [
                f for t in gc.get_referrers(ref) if isinstance(t, tuple) for f in gc.get_referrers(t)
            ]
            said += [f"{f.__qualname__} holds it" for f in functions if hasattr(f, "__qualname__")]
        elif not isinstance(ref, list):
            said.append(f"{type(ref).__name__} {repr(ref)[:160]}")
    return "; ".join(said)


def freed_once_closed(
    run: Run, make: Callable[[], QWidget], use: Callable[[QWidget], Awaitable[None]] | None = None
) -> str:
    """'' when the dialog made by `make`, shown, used and closed, is gone once the last
    name for it is dropped; else who still holds it."""

    async def scenario() -> weakref.ref[QWidget]:
        dialog = make()
        dialog.show()
        if use is not None:
            await use(dialog)
        dialog.close()
        await until(lambda: not dialog.isVisible())
        return weakref.ref(dialog)

    gone = run(scenario(), TIMEOUT)
    for _ in range(3):
        run(until(lambda: True))
    left = gone()
    return "" if left is None else holders(left)


def test_the_add_folder_dialog_is_freed_after_a_refused_folder(
    run: Run, running: Running, tmp_path: Path, no_collector: None
) -> None:
    async def refused(dialog: QWidget) -> None:
        assert isinstance(dialog, AddFolderDialog)
        dialog.path_edit.setText(str(tmp_path / "nowhere"))
        dialog.add_button.click()
        await until(lambda: dialog.path_error.isVisible())

    assert freed_once_closed(run, lambda: AddFolderDialog(running.api), refused) == ""


def test_the_clone_dialog_and_its_progress_relay_are_freed_after_a_failed_clone(
    run: Run, running: Running, tmp_path: Path, refused_port: int, no_collector: None
) -> None:
    async def failed(dialog: QWidget) -> None:
        assert isinstance(dialog, CloneDialog)
        dialog.url_edit.setText(f"git://127.0.0.1:{refused_port}/notes.git")
        dialog.folder_edit.setText(str(tmp_path / "clone"))
        ended = next_emit(dialog.attempt_ended)
        dialog.clone_button.click()
        await ended

    assert freed_once_closed(run, lambda: CloneDialog(running.api), failed) == ""


def test_the_start_syncing_dialog_is_freed(run: Run, running: Running, no_collector: None) -> None:
    assert freed_once_closed(run, lambda: StartSyncingDialog(running.api)) == ""


def test_the_settings_dialog_is_freed_with_a_repository_s_remote_shown(
    run: Run, running: Running, tmp_path: Path, no_collector: None
) -> None:
    repo = tmp_path / "notes"
    init_repo(repo)
    git("remote", "add", "origin", "https://example.invalid/notes.git", cwd=repo)
    run(running.api.add_repository(str(repo)))

    async def loaded(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        await dialog.load()
        assert dialog.shown is not None

    assert freed_once_closed(run, lambda: SettingsDialog(running.api), loaded) == ""


def test_the_sign_in_and_passphrase_dialogs_are_freed(run: Run, no_collector: None) -> None:
    request = SignInRequest("origin", "https://example.invalid/r.git", "alice", refused=True)
    assert freed_once_closed(run, lambda: SignInDialog(request)) == ""
    question = PassphraseQuestion("origin", "/home/me/.ssh/id_ed25519")
    assert freed_once_closed(run, lambda: PassphraseDialog(question)) == ""


def test_the_status_window_is_freed_with_every_tab_built(
    run: Run, tmp_path: Path, no_collector: None
) -> None:
    """The conflicts, skipped files and history tabs built, as the desktop leaves it
    (`release_requests`)."""

    async def tabs(window: QWidget) -> None:
        assert isinstance(window, StatusWindow)
        window.release_requests()
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            await until(lambda: True)

    assert freed_once_closed(run, lambda: StatusWindow(memory=Remembered(tmp_path)), tabs) == ""
