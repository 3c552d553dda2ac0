"""The engine's refusals a user meets in the app, said in a German app (the last session's
trials read them in English in German windows): Start syncing a folder and Add folder
refused, History's "Undo last integration" not possible, a setting refused beside its
field, a publish the remote rejects, a resolution with nothing to resolve. Each against a
real core (and `git daemon`); the CLI's English of the same refusal is unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.api import GitferryError
from gui.desktop import Desktop
from gui.models.engine_words import error_text, in_language
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.settings_dialog import SettingsDialog
from gui.windows.start_syncing_dialog import StartSyncingDialog
from tests.gitcli import commit_file, git, refs
from tests.gui.conftest import Run, Running, sync_from_the_window
from tests.gui.test_engine_words import shown
from tests.gui.test_first_run import a_folder, files, start_syncing
from tests.gui.test_publish_branch import select_branch
from tests.gui.test_settings_dialog import dialogs, on_sync_tab, retype, showing
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.servers import Remote
from tests.submodule_world import move_submodule, submodule_world

__all__ = ["dialogs"]  # the settings tests' fixture, used here too

TIMEOUT = 30.0


@pytest.mark.slow
def test_start_syncing_to_a_remote_with_history_is_refused_in_german(
    run: Run, desktop: Desktop, tmp_path: Path, git_daemon: Remote, german: None
) -> None:
    bare = git_daemon.create("origin")
    other = tmp_path / "other"
    git("init", "-q", "-b", "master", str(other))
    commit_file(other, "theirs.txt", "theirs\n")
    git("push", "-q", str(bare), "master", cwd=other)
    folder = a_folder(tmp_path)
    before = files(folder)
    dialog = start_syncing(run, desktop, folder, git_daemon.url("origin"))
    assert showing(dialog.status) == (
        "Nichts wurde verändert: origin ist nicht leer (es hat Branch master): nur ein leeres Remote kann "
        "eine neue Historie aufnehmen; klone es stattdessen, oder lege dort ein neues, leeres Repository an"
    )
    assert files(folder) == before and run(desktop.api.repos()) == []
    dialog.reject()


def test_start_syncing_an_empty_folder_and_a_bad_url_are_refused_in_german(
    run: Run, desktop: Desktop, tmp_path: Path, german: None
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog = start_syncing(run, desktop, empty, "git://127.0.0.1:9/origin")
    assert (
        showing(dialog.folder_error)
        == f"{empty} ist leer: lege zuerst die zu synchronisierenden Dateien hinein"
    )
    dialog.reject()
    desktop.window.first_run.start_button.click()
    typed = desktop.adding
    assert isinstance(typed, StartSyncingDialog)
    typed.url_edit.setText("htps://example.org/x.git")  # checked as it is typed
    assert showing(typed.url_error) == (
        "Ungültige Remote-URL 'htps://example.org/x.git': nicht unterstütztes Transportprotokoll 'htps'; "
        "meintest du https://?"
    )
    typed.reject()


def test_add_folder_refuses_a_plain_folder_and_one_added_already_in_german(
    run: Run, desktop: Desktop, tmp_path: Path, german: None
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    notes = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(notes))
    commit_file(notes, "a.txt", "one\n")
    run(desktop.api.add_repository(str(notes)))
    desktop.open_add_folder()
    dialog = desktop.adding
    assert isinstance(dialog, AddFolderDialog)
    for folder, said in (
        (plain, f"{plain} ist kein git-Repository"),
        (tmp_path / "missing", f"{tmp_path / 'missing'} existiert nicht"),
        (notes, f"Ein Repository namens 'notes' oder in {notes} ist schon hinzugefügt"),
    ):
        retype(dialog.path_edit, str(folder))
        dialog.add_button.click()
        run(until(lambda: dialog.path_error.isVisible() and dialog.add_button.isEnabled()))
        assert showing(dialog.path_error) == said
    assert len(run(desktop.api.repos())) == 1
    dialog.reject()


def test_add_folder_refuses_a_half_made_clone_with_the_window_s_way_on(
    run: Run, desktop: Desktop, tmp_path: Path, german: None
) -> None:
    """A clone that died after claiming its folder: the CLI's `gitferry add` says to run that
    `gitferry clone` again; the window's Add folder said the same, a command it has not. It
    names its own Clone from URL… (which starts such a clone over)."""
    half = tmp_path / "half"
    url = "git://127.0.0.1:9/origin"
    claim = "import sys; from pathlib import Path; from core.git.transfer.clone_marker import claim_folder;"
    code = f"{claim} claim_folder(Path(sys.argv[1]), sys.argv[2])"
    subprocess.run([sys.executable, "-c", code, str(half), url], check=True)  # then it is gone
    desktop.open_add_folder()
    dialog = desktop.adding
    assert isinstance(dialog, AddFolderDialog)
    retype(dialog.path_edit, str(half))
    dialog.add_button.click()
    run(until(lambda: dialog.path_error.isVisible() and dialog.add_button.isEnabled()))
    assert showing(dialog.path_error) == (
        f"{half}: er ist ein nicht fertiger Klon von {url}; klone ihn erneut mit „Von URL klonen…“"
    )
    assert run(desktop.api.repos()) == []
    dialog.reject()
    cli = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())", "add", str(half)]
    added = subprocess.run(cli, capture_output=True, text=True, env={**os.environ, "LANGUAGE": "de"})
    said = f"it is a clone of {url} that did not finish; run that gitferry clone again"
    assert added.returncode == 2 and added.stderr == f"gitferry: {half}: {said}\n", added.stderr


def test_undo_not_possible_says_why_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    mine_id = run(desktop.api.core.store.repo("mine")).id
    run(desktop.refresh())
    window = desktop.window
    window.tabs.setCurrentIndex(3)
    window.select_repo(mine_id)
    history = window.history_panel
    why = "Jetzt nicht möglich: keine Integration von main ist zum Rückgängigmachen verzeichnet"
    run(until(lambda: history.repo_id == mine_id and history.undo.toolTip().splitlines()[-1:] == [why]))
    assert not history.undo.isEnabled() and history.undo.accessibleDescription() == why


def test_a_refused_setting_is_said_beside_its_field_in_german(
    run: Run,
    running: Running,
    tmp_path: Path,
    dialogs: list[SettingsDialog],
    german: None,
) -> None:
    repo = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "one\n")

    async def scenario() -> None:
        _record, dialog = await on_sync_tab(running, dialogs, repo)
        form = dialog.form
        retype(form.interval_edit, "-5")
        assert showing(form.interval_error) == "erwartet eine ganze Zahl, 1 oder mehr"
        form.tracked_combo.setCurrentIndex(form.tracked_combo.findData("list"))
        retype(form.tracked_edit, "main, -x")
        assert showing(form.tracked_error) == (
            "erwartet upstreams, all oder eine durch Kommas getrennte Liste von Branch-Namen"
        )
        assert not dialog.save_button.isEnabled()

    run(scenario(), TIMEOUT)


@pytest.mark.slow
def test_a_publish_the_remote_rejects_is_said_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    mine_id = run(desktop.api.core.store.repo("mine")).id
    sync_from_the_window(run, desktop, mine_id)
    window = desktop.window
    run(until(lambda: "feature" in [b.name for b in window.branches.rows]))
    # meanwhile another clone publishes a feature of its own
    git("checkout", "-q", "-b", "feature", cwd=world.theirs)
    world.commit(world.theirs, "g.txt", "theirs\n")
    git("push", "-q", "origin", "feature", cwd=world.theirs)
    before = (refs(world.bare), refs(world.mine))
    select_branch(desktop, "feature")
    window.publish_button.click()
    run(until(lambda: "origin" in window.publish_note.text()), TIMEOUT)
    assert window.publish_note.text() == (
        "das Veröffentlichen von feature auf origin wurde abgelehnt: kein Fast-Forward "
        "(das Remote hat neue Commits); nichts wurde geändert"
    )
    assert (refs(world.bare), refs(world.mine)) == before
    world.check()


def test_nothing_to_resolve_is_said_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    mine_id = run(desktop.api.core.store.repo("mine")).id
    with pytest.raises(GitferryError) as nothing:
        run(desktop.api.resolution(mine_id))
    assert nothing.value.message == "main has not diverged from origin/main: there is nothing to resolve"
    assert error_text(nothing.value) == "main ist nicht von origin/main abgewichen: es gibt nichts aufzulösen"


@pytest.mark.slow
def test_a_push_the_pre_push_hook_refuses_is_said_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    hook = world.mine / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho 'no pushing today' >&2\nexit 1\n")
    hook.chmod(0o755)
    world.commit(world.mine, "b.txt", "mine\n")
    mine_id = run(desktop.api.core.store.repo("mine")).id
    before = refs(world.bare)
    report, _notified = sync_from_the_window(run, desktop, mine_id)
    english = "the pre-push hook refused the push to origin: no pushing today"  # the CLI's words
    assert report.message.endswith(english), report.message
    tooltip, detail, history = shown(run, desktop, mine_id)
    said = "der pre-push-Hook lehnte das Pushen nach origin ab: no pushing today"  # the hook's own words
    assert in_language(report.parts()).endswith(said), in_language(report.parts())
    assert said in tooltip.splitlines()[-1] and detail.endswith(said) and history.endswith(said)
    assert refs(world.bare) == before


@pytest.mark.slow
def test_a_submodule_the_sync_leaves_says_why_in_german(
    run: Run, desktop: Desktop, tmp_path: Path, german: None
) -> None:
    theirs, mine = submodule_world(tmp_path)
    git("config", "submodule.recurse", "true", cwd=mine)
    git("config", "submodule.deps/lib.update", "none", cwd=mine)
    move_submodule(theirs)  # the submodule moves on the remote
    git("commit", "-q", "-m", "the submodule moves", cwd=theirs)
    git("push", "-q", "origin", "main", cwd=theirs)
    mine_id = run(desktop.api.add_repository(str(mine))).id
    report, _notified = sync_from_the_window(run, desktop, mine_id)
    assert "submodule deps/lib not updated: its update mode is none" in report.message  # the CLI's words
    said = "Submodul deps/lib nicht aktualisiert: sein Aktualisierungsmodus ist none"
    assert said in in_language(report.parts()), in_language(report.parts())
    _tooltip, detail, _history = shown(run, desktop, mine_id)
    assert said in detail, detail
