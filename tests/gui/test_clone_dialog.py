"""The clone dialog against a real core, a running engine and a real `git daemon`: a failed
clone says why and keeps saying it, Cancel in the last phase (the checkout) keeps nothing
and registers nothing, the progress shows bytes, speed and the files written, and the
folder fills itself from the URL inside the folder the last clone went into."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.api import TransferProgress
from gui.models.transfer_text import TransferSpeed, phase_line
from gui.windows.clone_dialog import CloneDialog
from tests.gitcli import git
from tests.gui.conftest import Run, Running
from tests.gui.waiting import next_emit, until
from tests.integration.clones import many_files
from tests.servers import Remote

TIMEOUT = 30.0
FILES = 4000  # a checkout that takes a while: the Cancel arrives while it writes


@pytest.fixture
def dialogs(qtbot: QtBot) -> Iterator[list[CloneDialog]]:
    opened: list[CloneDialog] = []
    yield opened
    for dialog in opened:
        dialog._cancel = None
        dialog.close()
        dialog.deleteLater()


def open_dialog(running: Running, dialogs: list[CloneDialog]) -> CloneDialog:
    dialog = CloneDialog(running.api)
    dialogs.append(dialog)
    dialog.show()
    return dialog


def showing(dialog: CloneDialog) -> str:
    """Every message a person can see in the dialog."""
    labels = (dialog.url_error, dialog.folder_error, dialog.error)
    return " | ".join(label.text() for label in labels if label.isVisible())


async def cloned_or_failed(dialog: CloneDialog) -> None:
    waiting = next_emit(dialog.attempt_ended)
    dialog.clone_button.click()
    await waiting


def test_a_refused_port_is_said_and_stays_said(
    run: Run, running: Running, tmp_path: Path, refused_port: int, dialogs: list[CloneDialog]
) -> None:
    """Before: the error was set, then cleared by the re-validation as the dialog went idle."""
    target = tmp_path / "clone"

    async def scenario() -> str:
        dialog = open_dialog(running, dialogs)
        dialog.url_edit.setText(f"git://127.0.0.1:{refused_port}/notes.git")
        dialog.folder_edit.setText(str(target))
        dialog.folder_edit.textEdited.emit(str(target))
        await cloned_or_failed(dialog)
        for _ in range(5):  # the idle dialog's own updates must not wipe it
            await until(lambda: True)
        assert dialog.isVisible() and dialog.clone_button.isEnabled()
        # A trial: focus was left on Cancel, so Enter (to try again) closed the dialog.
        assert dialog.focusWidget() is dialog.clone_button
        return showing(dialog)

    shown = run(scenario(), TIMEOUT)
    assert f"could not reach 127.0.0.1:{refused_port}: connection refused" in shown
    assert "origin" not in shown  # git's name for the remote: nobody cloning gave it
    assert not target.exists()
    assert run(running.core.store.repos()) == []


def test_a_folder_that_is_not_empty_is_said_beside_it_and_left_alone(
    run: Run, running: Running, tmp_path: Path, git_daemon: Remote, dialogs: list[CloneDialog]
) -> None:
    many_files(git_daemon, tmp_path, count=3)
    target = tmp_path / "full"
    target.mkdir()
    (target / "mine.txt").write_text("keep me\n")

    async def scenario() -> CloneDialog:
        dialog = open_dialog(running, dialogs)
        dialog.url_edit.setText(git_daemon.url("origin"))
        dialog.folder_edit.setText(str(target))
        dialog.folder_edit.textEdited.emit(str(target))
        await cloned_or_failed(dialog)
        return dialog

    dialog = run(scenario(), TIMEOUT)
    # begun with a capital as the dialog's other lines are (a trial); the engine's words kept
    assert dialog.folder_error.isVisible()
    assert dialog.folder_error.text() == f"Cannot clone into {target}: it exists and is not empty"
    assert sorted(p.name for p in target.iterdir()) == ["mine.txt"]
    assert (target / "mine.txt").read_text() == "keep me\n"
    dialog.folder_edit.textEdited.emit(str(target) + "2")  # editing the field clears it
    assert not dialog.folder_error.isVisible()


@pytest.mark.slow
@pytest.mark.parametrize("folder_exists", [False, True])
def test_cancel_during_the_checkout_keeps_nothing_and_registers_nothing(
    run: Run,
    running: Running,
    tmp_path: Path,
    git_daemon: Remote,
    dialogs: list[CloneDialog],
    folder_exists: bool,
) -> None:
    """Before: the dialog said "Cancelling…", then registered the repository and kept it."""
    many_files(git_daemon, tmp_path, count=FILES)
    parent = tmp_path / "clones"
    parent.mkdir()
    (parent / "neighbour.txt").write_text("not the clone's\n")
    target = parent / "notes"
    if folder_exists:
        target.mkdir()
    phases: list[str] = []

    async def scenario() -> None:
        dialog = open_dialog(running, dialogs)
        dialog.url_edit.setText(git_daemon.url("origin"))
        dialog.folder_edit.setText(str(target))
        dialog.folder_edit.textEdited.emit(str(target))

        def seen(update: TransferProgress) -> None:
            phases.append(str(update.phase))
            if str(update.phase) in ("indexing", "checkout") and dialog._cancel is not None:
                dialog.cancel_button.click()  # as soon as the last phase shows

        dialog._relay.progressed.connect(seen)
        dialog.clone_button.click()
        await until(lambda: not dialog.isVisible())

    run(scenario(), TIMEOUT)
    assert "indexing" in phases or "checkout" in phases
    assert run(running.core.store.repos()) == []
    if folder_exists:  # the user's empty folder stays, empty
        assert target.is_dir() and list(target.iterdir()) == []
    else:
        assert not target.exists()
    left = ["neighbour.txt", "notes"] if folder_exists else ["neighbour.txt"]
    assert sorted(p.name for p in parent.iterdir()) == left
    assert (parent / "neighbour.txt").read_text() == "not the clone's\n"


@pytest.mark.slow
def test_progress_shows_bytes_and_the_files_written(
    run: Run, running: Running, tmp_path: Path, git_daemon: Remote, dialogs: list[CloneDialog]
) -> None:
    """Before: the last report was "Indexing 100%" while the checkout wrote every file."""
    work = many_files(git_daemon, tmp_path, count=600, noise=1 << 20)
    files = len(git("ls-files", cwd=work).splitlines())
    target = tmp_path / "clone"
    updates: list[TransferProgress] = []
    labels: list[str] = []

    async def scenario() -> None:
        dialog = open_dialog(running, dialogs)
        dialog._relay.progressed.connect(updates.append)
        dialog._relay.progressed.connect(lambda _u: labels.append(dialog.phase_label.text()))
        dialog.url_edit.setText(git_daemon.url("origin"))
        dialog.folder_edit.setText(str(target))
        dialog.folder_edit.textEdited.emit(str(target))
        waiting = next_emit(dialog.added)
        dialog.clone_button.click()
        await waiting

    run(scenario(), TIMEOUT)
    received = [u for u in updates if str(u.phase) == "receiving"]
    assert received and received[-1].bytes > 1 << 20  # the pack holds the 1 MiB of noise
    checkout = [u for u in updates if str(u.phase) == "checkout"]
    assert checkout and checkout[-1].total == files and checkout[-1].current == files
    assert str(updates[-1].phase) == "checkout"  # the last thing shown is the checkout, done
    assert any("MiB" in label or "KiB" in label for label in labels)
    assert any(f"{files:,} of {files:,}" in label for label in labels)
    assert git("status", "--porcelain", cwd=target) == ""


def test_phase_line_and_speed() -> None:
    now = [0.0]
    speed = TransferSpeed(clock=lambda: now[0])
    assert speed.add(0) is None
    now[0] = 1.0
    assert speed.add(4 << 20) == pytest.approx(4 << 20)
    line = phase_line("receiving", 40, 1000, 35 << 20, 4 << 20)
    assert "35.0 MiB" in line and "4.0 MiB/s" in line and "40 of 1,000 objects" in line
    assert phase_line("checkout", 10, 20, 0, None) == "Writing files: 10 of 20"


def test_the_folder_follows_the_url_in_the_last_clone_folder(
    run: Run, running: Running, tmp_path: Path, git_daemon: Remote, dialogs: list[CloneDialog]
) -> None:
    many_files(git_daemon, tmp_path, count=2)
    parent = tmp_path / "projects"
    parent.mkdir()

    async def scenario() -> None:
        dialog = open_dialog(running, dialogs)
        dialog.url_edit.setText("https://example.org/team/notes.git")
        assert dialog.folder_edit.text() == str(Path.home() / "notes")
        dialog.folder_edit.setText(str(parent / "first"))
        dialog.folder_edit.textEdited.emit(str(parent / "first"))
        dialog.url_edit.setText(git_daemon.url("origin"))
        assert dialog.folder_edit.text() == str(parent / "first")  # typed by the user: kept
        waiting = next_emit(dialog.added)
        dialog.clone_button.click()
        await waiting
        second = open_dialog(running, dialogs)
        second.url_edit.setText("git@example.org:team/wiki.git")
        assert second.folder_edit.text() == str(parent / "wiki")  # remembered: where the last went

    run(scenario(), TIMEOUT)


def test_the_folder_it_fills_in_is_one_a_clone_can_go_into(
    running: Running, tmp_path: Path, dialogs: list[CloneDialog], monkeypatch: pytest.MonkeyPatch
) -> None:
    """User trial (a second clone of the same URL, from Settings): the folder filled itself in
    as …/work/team, the folder of the first clone, where the clone could only fail ("exists
    and is not empty"). The first free name is proposed, as an empty folder is."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "team" / ".git").mkdir(parents=True)  # the first clone
    (tmp_path / "team-2").mkdir()
    (tmp_path / "team-2" / "notes.md").write_text("mine\n")
    (tmp_path / "team-3").mkdir()  # empty: a clone can go there, as git's can
    dialog = open_dialog(running, dialogs)
    dialog.url_edit.setText("https://example.org/corp/team.git")
    assert dialog.folder_edit.text() == str(tmp_path / "team-3")
    dialog.url_edit.setText("https://example.org/corp/wiki.git")
    assert dialog.folder_edit.text() == str(tmp_path / "wiki")
