"""A German user's trial: History's lines for what a sync brought and sent said
"Hereingekommen" and "Hinausgegangen" (word for word "Came in", "Went out"; no German
app says that). They read "Empfangen" and "Gesendet", as a mail program's would."""

from __future__ import annotations

import asyncio

from gui.desktop import Desktop
from tests.gitcli import git
from tests.gui.conftest import Run
from tests.integration.clones import Clones


def test_what_a_sync_brought_and_sent_is_said_in_plain_german(
    german: None, run: Run, desktop: Desktop, world: Clones
) -> None:
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "mine\n")
    code, report = run(asyncio.to_thread(world.sync, world.mine))  # the CLI on a thread: the engine answers
    assert code == 0 and report["merged"] == ["main"] and report["pushed"] == ["main"], report
    run(desktop.refresh())
    mine_id = run(desktop.api.core.store.repo("mine")).id
    window, history = desktop.window, desktop.window.history_panel
    window.tabs.setCurrentIndex(3)
    window.select_repo(mine_id)
    run(desktop.conflict_flow.load_history(mine_id))
    sync = history.tree.topLevelItem(0)
    lines = [sync.child(i).text(0) for i in range(sync.childCount())]
    assert "Empfangen · main: 1 Commit, 1 Datei geändert" in lines, lines
    assert "Gesendet · main: 2 Commits, 1 Datei geändert" in lines, lines
