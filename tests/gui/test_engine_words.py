"""What the engine says of a sync, in the app's language: a German app shows a real sync's
message in German (the Result tooltip, the detail line, the History tab, the notification),
while the report and the store keep the English the CLI prints; an English app shows that
English word for word."""

from __future__ import annotations

import re
from pathlib import Path

from gui.desktop import Desktop
from gui.models.engine_words import in_language, stored_message
from gui.models.repos import RepoView, _result_tooltip
from gui.widgets.progress_panel import _idle_text
from tests.gitcli import git
from tests.gui.conftest import Run, sync_from_the_window
from tests.gui.test_first_run import a_folder
from tests.gui.waiting import until
from tests.integration.clones import Clones
from tests.servers import Remote


def shown(run: Run, desktop: Desktop, repo_id: int) -> tuple[str, str, str]:
    """The Result tooltip, the detail line and the History tab's newest entry, as painted."""
    run(desktop.refresh())
    window = desktop.window
    run(until(lambda: window.repos.row_for(repo_id) is not None))
    view = window.repos.row_for(repo_id)
    assert isinstance(view, RepoView)
    window.tabs.setCurrentIndex(3)
    window.select_repo(repo_id)
    run(desktop.load_details(repo_id))
    history = window.history_panel
    run(until(lambda: history.repo_id == repo_id and history.tree.topLevelItemCount() > 0))
    return _result_tooltip(view), _idle_text(view)[0], history.tree.topLevelItem(0).text(0)


def test_a_german_app_says_a_successful_sync_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    world.commit(world.mine, "b.txt", "mine\n")
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, _notified = sync_from_the_window(run, desktop, mine_id)
    assert re.fullmatch(r"pushed main \(\d+ objects\)", report.message), report.message  # the CLI's words
    objects = report.objects_sent
    record = run(desktop.api.core.store.repo("mine"))
    assert record.last_message == report.message
    german_line = f"main gepusht ({objects} Objekte)"
    assert stored_message(record.last_message, record.last_said) == german_line
    tooltip, detail, history = shown(run, desktop, mine_id)
    assert german_line in tooltip.splitlines(), tooltip
    assert detail.endswith(f"Zuletzt synchronisiert: {german_line}"), detail
    assert history.endswith(f": {german_line}"), history


def test_a_german_app_says_an_unreachable_remote_in_german(
    run: Run, desktop: Desktop, world: Clones, refused_port: int, german: None
) -> None:
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=world.mine)
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, notified = sync_from_the_window(run, desktop, mine_id)
    assert report.message == "origin is unreachable: connection refused"  # the CLI's words
    german_line = "origin ist nicht erreichbar: Verbindung abgelehnt"
    assert in_language(report.parts()) == german_line
    run(until(lambda: any(text == german_line for _title, text in notified)))
    tooltip, detail, history = shown(run, desktop, mine_id)
    assert german_line in tooltip.splitlines(), tooltip
    assert german_line in detail and "origin is unreachable" not in detail, detail
    assert history.endswith(f": {german_line}"), history


def test_an_english_app_says_the_engines_english_word_for_word(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    world.commit(world.mine, "b.txt", "mine\n")
    (world.mine / "c.txt").write_text("uncommitted\n")
    mine_id = run(desktop.api.core.store.repo("mine")).id
    for _ in range(2):  # a sync that pushed, then one up to date
        report, _notified = sync_from_the_window(run, desktop, mine_id)
        assert len(report.parts()) >= 1 and report.parts()[0].template is not None, report.parts()
        assert in_language(report.parts()) == report.message
        record = run(desktop.api.core.store.repo("mine"))
        assert record.last_said is not None
        assert stored_message(record.last_message, record.last_said) == record.last_message


def test_a_german_app_says_a_real_conflict_and_a_rebase_in_progress_in_german(
    run: Run, desktop: Desktop, world: Clones, german: None
) -> None:
    """The stops a user meets most, from a real repository: the conflict the integration
    stopped on, then the rebase the user started with git and left unfinished (said
    again by a fetch, from the stored parts)."""
    from core.engine.sync import SyncOptions, sync_repository

    world.commit(world.theirs, "a.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "mine\n")
    core = desktop.api.core
    record = run(core.store.repo("mine"))
    report = run(sync_repository(core, record, SyncOptions(timeout=10)))
    assert str(report.result) == "conflict", report.message
    assert report.message.endswith("main: integrating origin/main conflicts in a.txt; nothing was changed")
    said = in_language(report.parts())
    assert said.endswith(
        "main: das Integrieren von origin/main ergibt Konflikte in a.txt; nichts wurde geändert"
    ), said
    stored = run(core.store.repo("mine"))
    assert stored_message(stored.last_message, stored.last_said) == said
    # The user rebases with git, stops on the conflict, and leaves it there.
    git("rebase", "origin/main", cwd=world.mine, check=False)
    assert (world.mine / ".git" / "rebase-merge").is_dir()
    for fetch_only in (False, True):
        report = run(sync_repository(core, record, SyncOptions(timeout=10, fetch_only=fetch_only)))
        assert str(report.result) == "dirty", report.message
        assert report.message.startswith(
            "a rebase of main is in progress (rebase-merge): resolve any conflict"
        )
        said = in_language(report.parts())
        assert said.startswith("ein Rebase von main läuft (rebase-merge): löse jeden Konflikt"), said


def test_a_german_app_says_a_push_git_refuses_and_a_start_in_german(
    run: Run, desktop: Desktop, world: Clones, git_daemon: Remote, tmp_path: Path, german: None
) -> None:
    """From the German screenshots' review: a push `push.default` refuses said its reason in
    English inside German, and so did the "Started syncing" line (what was published). The
    report and the store keep the English the CLI prints, word for word."""
    from core.engine.sync import SyncOptions, sync_repository

    git("config", "push.default", "nothing", cwd=world.mine)
    world.commit(world.mine, "b.txt", "mine\n")
    core = desktop.api.core
    report = run(sync_repository(core, run(core.store.repo("mine")), SyncOptions(timeout=10)))
    assert report.message == (
        "main: not pushed: push.default is 'nothing': git would not push main without a refspec either; "
        "set push.default to push it (git config push.default simple)"
    )
    assert in_language(report.parts()) == (
        "main: nicht gepusht: push.default ist 'nothing': git würde main ohne Refspec auch nicht pushen; "
        "setze push.default, um ihn zu pushen (git config push.default simple)"
    )

    git_daemon.create("started")
    folder = a_folder(tmp_path)
    started = run(desktop.api.start_syncing(str(folder), git_daemon.url("started")))
    record = run(core.store.repo(started.record.name))
    objects = started.published.objects_sent
    assert record.last_message == f"published main to origin ({objects} objects); its upstream is origin/main"
    said = stored_message(record.last_message, record.last_said)
    assert said == f"main nach origin veröffentlicht ({objects} Objekte); sein Upstream ist origin/main"


def test_a_refused_push_stays_in_the_result_column_after_a_background_fetch(
    run: Run, desktop: Desktop, world: Clones
) -> None:
    """A trial: the pre-push hook refused the push, and the next background fetch put
    "main: 1 ahead" in the Result column, the refusal in History only. The row stays
    "Failed" with the hook's words while the commit waits; the branch table is the fetch's."""
    from core.engine.sync import SyncOptions, sync_repository

    hook = world.mine / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho 'no pushing today' >&2\nexit 1\n")
    hook.chmod(0o755)
    world.commit(world.mine, "b.txt", "mine\n")
    mine_id = run(desktop.api.core.store.repo("mine")).id
    report, _notified = sync_from_the_window(run, desktop, mine_id)
    refusal = "the pre-push hook refused the push to origin: no pushing today"
    assert report.message == refusal
    world.commit(world.theirs, "t.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    core = desktop.api.core

    fetched = run(
        sync_repository(core, run(core.store.repo("mine")), SyncOptions(timeout=10, fetch_only=True))
    )

    assert fetched.message.endswith(refusal), fetched.message
    tooltip, detail, _history = shown(run, desktop, mine_id)
    view = desktop.window.repos.row_for(mine_id)
    assert isinstance(view, RepoView)
    assert view.standing(settled=True).text == "Failed" and refusal in tooltip and detail.endswith(refusal)
    assert [(b.ahead, b.behind) for b in view.branches] == [(1, 1)]  # git: 1 ahead, 1 behind origin/main
    assert git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine) == "1\t1"
