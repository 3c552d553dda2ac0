"""The composition root: one instance per user, errors logged and shown, Settings from the tray."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.events import RemoteTripped
from core.results import ResultKind
from gui.app import install_exception_hooks
from gui.desktop import Desktop
from gui.single_instance import SingleInstance
from gui.windows.sign_in_dialog import SignInDialog
from tests.gitcli import git
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.waiting import next_emit, shown_window, until
from tests.integration.clones import Clones
from tests.integration.clones import run as cli_run
from tests.integration.test_cli import seeded_remote
from tests.servers import Remote

SECOND_LAUNCH = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
import gui.single_instance
from gui.single_instance import SingleInstance


class Clock:  # the launch's pause between two tries says that it found nobody listening
    monotonic = staticmethod(time.monotonic)

    @staticmethod
    def sleep(seconds: float) -> None:
        if len(sys.argv) > 2:
            Path(sys.argv[2]).touch()
        time.sleep(seconds)


gui.single_instance.time = Clock
app = QCoreApplication([])
sys.exit(0 if not SingleInstance(Path(sys.argv[1])).claim() else 3)
"""


async def second_launch(home: Path, raised: list[bool], *, first: SingleInstance | None = None) -> int:
    """Another process claiming `home`: its exit code (0: it stood down) once the first
    was asked to show; `first`: made to listen only once that process tried to reach it
    and found nobody listening."""
    tried = home / "second-launch-tried"

    def launch() -> int:
        args = [sys.executable, "-c", SECOND_LAUNCH, str(home), str(tried)]
        return subprocess.run(args, timeout=30).returncode

    proc = asyncio.get_running_loop().run_in_executor(None, launch)
    if first is not None:
        await until(tried.exists)  # the second launch found the lock taken, no one to ask
        first.listen()
    code = await proc
    await until(lambda: bool(raised))
    return code


def test_a_second_instance_asks_the_first_to_show_its_window(run: Run, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.claim()
    raised: list[bool] = []
    first.raise_requested.connect(lambda: raised.append(True))
    assert run(second_launch(tmp_path, raised)) == 0  # the second one found the first and stood down
    first.release()
    again = SingleInstance(tmp_path)
    assert again.claim()  # the name is free once the first let go (or crashed)
    again.release()


def test_a_second_launch_while_the_first_still_paints_stands_down_and_reaches_it(
    run: Run, tmp_path: Path
) -> None:
    """The app takes the lock before its first paint and listens only after it: a launch
    meanwhile never becomes a second instance, and its request still arrives."""
    first = SingleInstance(tmp_path)
    assert first.claim(listen=False)
    raised: list[bool] = []
    first.raise_requested.connect(lambda: raised.append(True))
    assert not SingleInstance(tmp_path).claim(listen=False) or pytest.fail("two instances")
    assert run(second_launch(tmp_path, raised, first=first)) == 0
    first.release()


def test_an_uncaught_error_is_logged_and_shown(
    run: Run, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test

    async def fail_in_a_task() -> None:
        install_exception_hooks(asyncio.get_running_loop(), lambda title, text: shown.append((title, text)))

        async def broken() -> None:
            raise ValueError("the disk said no")

        task = asyncio.ensure_future(broken())
        await asyncio.sleep(0.05)
        del task  # never awaited: the loop's exception handler reports it when collected
        import gc

        gc.collect()
        await asyncio.sleep(0.05)
        try:
            raise KeyError("in a Qt slot")
        except KeyError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]

    with caplog.at_level(logging.CRITICAL):
        run(fail_in_a_task())
    asyncio.get_event_loop().set_exception_handler(None)
    texts = [text for _title, text in shown]
    assert any("ValueError: the disk said no" in t for t in texts)
    assert any("KeyError" in t for t in texts)
    assert all(title == "Gitferry hit an unexpected error" for title, _ in shown)
    assert "the disk said no" in caplog.text and "in a Qt slot" in caplog.text


def test_settings_from_the_tray_and_notifications_of_conflicts(
    tmp_path: Path, run: Run, desktop: Desktop, world: Clones
) -> None:
    extra = tmp_path / "extra"
    git("clone", "-q", str(world.bare), str(extra))
    run(desktop.refresh())
    desktop.tray.settings_action.trigger()
    run(until(lambda: desktop.settings is not None and desktop.settings.isVisible()))
    dialog = desktop.settings
    assert dialog is not None
    dialog.add_button.click()  # a folder added in the settings shows in the window at once
    adder = dialog.add_dialog
    assert adder is not None
    adder.path_edit.setText(str(extra))
    adder.add_button.click()
    run(until(lambda: "extra" in [v.name for v in desktop.window.repos.rows]))
    assert desktop.api.daemon.engine is not None and len(desktop.api.daemon.engine.workers) == 3
    desktop.tray.settings_action.trigger()  # a second click raises the open dialog
    run(until(lambda: desktop.settings is dialog))
    dialog.close()
    # A conflict: both clones change the same line; theirs pushes first.
    world.commit(world.theirs, "a.txt", "theirs\ntwo\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "mine\ntwo\nthree\n")
    mine = run(desktop.api.core.store.repo("mine"))
    report, notified = sync_from_the_window(run, desktop, mine.id)
    assert report.result is ResultKind.CONFLICT
    run(until(lambda: ("mine: conflict", "Resolve a.txt in mine.") in notified))
    run(until(lambda: [c.path for c in desktop.window.conflicts.rows] == ["a.txt"]))
    assert desktop.window.tabs.tabText(1) == "Conflicts (1)"
    assert desktop.tray.state.value == "attention"
    world.check()


def test_a_refused_sign_in_and_a_tripped_remote_are_notified(
    http_auth_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], run: Run, desktop: Desktop
) -> None:
    mine, _ = seeded_remote(http_auth_server, tmp_path)
    code, _out, err = cli_run(capsys, "add", str(mine))
    assert code == 0, err
    run(desktop.refresh())
    record = run(desktop.api.core.store.repo("mine"))
    notified: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
    desktop.window.select_repo(record.id)
    synced = asyncio.ensure_future(next_emit(desktop.synced))
    desktop.window.sync_action.trigger()  # no credentials saved: the app asks, the user cancels
    run(until(lambda: shown_window(SignInDialog) is not None))
    dialog = shown_window(SignInDialog)
    assert dialog is not None
    dialog.reject()
    _id, report = run(synced)
    assert report.result is ResultKind.AUTH_FAILED
    run(until(lambda: any(title == "mine: sign-in needed" for title, _ in notified)))
    assert desktop.tray.state.value == "attention"
    until_time = datetime.now(UTC) + timedelta(minutes=30)
    desktop.api.daemon.bus.publish(RemoteTripped(record.id, "mine", "origin", until_time))
    run(until(lambda: any(title == "mine: origin keeps failing" for title, _ in notified)))
    text = dict(notified)["mine: origin keeps failing"]
    assert until_time.astimezone().strftime("%H:%M") in text


def test_an_auto_commit_conflict_keeps_both_sides_and_says_so(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    mine = run(desktop.api.core.store.repo("mine"))
    run(desktop.api.set_repo_settings(mine.id, {"auto_commit": "true"}))
    world.commit(world.theirs, "a.txt", "theirs\ntwo\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "a.txt").write_text("mine\ntwo\nthree\n")  # saved, not committed: auto-commit does it
    report, notified = sync_from_the_window(run, desktop, mine.id)
    assert report.result is ResultKind.OK and len(report.kept_both) == 1
    copy = report.kept_both[0]["copy"]
    assert (world.mine / "a.txt").read_text() == "theirs\ntwo\nthree\n"
    assert (world.mine / copy).read_text() == "mine\ntwo\nthree\n"
    assert notified[-1][0] == "mine: both sides kept" and copy in notified[-1][1]
    run(until(lambda: [c.path for c in desktop.window.conflicts.rows] == [copy]))
    world.check()


def test_quitting_while_the_sign_in_dialog_waits_ends_the_sync_and_closes(
    http_auth_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], run: Run, desktop: Desktop
) -> None:
    """The dialog's question runs on the loop that quitting also needs: quitting cancels it
    (the sync ends auth_failed) instead of waiting for an answer that never comes."""
    mine, _ = seeded_remote(http_auth_server, tmp_path)
    code, _out, err = cli_run(capsys, "add", str(mine))
    assert code == 0, err
    run(desktop.refresh())
    record = run(desktop.api.core.store.repo("mine"))
    desktop.window.select_repo(record.id)
    desktop.window.sync_action.trigger()
    run(until(lambda: shown_window(SignInDialog) is not None))
    run(desktop.stop())  # the tray's Quit, without leaving the test's event loop
    run(until(lambda: shown_window(SignInDialog) is None))  # the question was withdrawn
    # The fixture's close then joins the transfer's thread: with the question still
    # waiting on this loop, it would never return (the test's timeout ends it).
