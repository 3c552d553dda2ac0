"""What the window and the tray make of an upstream the remote deleted, from a real sync:
the branch table's state says `upstream gone` (amber, with a tooltip saying nothing is
pushed), the repository's result says `diverged` with the sync's line as its tooltip,
and the repository needs attention (the tray's look)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.engine.core import Core
from core.model import BranchStatus, RepoRecord
from gui.models.branches import ATTENTION, branch_model
from gui.models.repos import RepoView, repo_model
from tests.gitcli import git
from tests.integration.clones import Clones, run
from tests.servers import Remote


def stored(name: str) -> tuple[RepoRecord, list[BranchStatus]]:
    async def read() -> tuple[RepoRecord, list[BranchStatus]]:
        core = await Core.open()
        try:
            record = await core.store.repo(name)
            return record, await core.store.branches(record.id)
        finally:
            await core.close()

    return asyncio.run(read())


def test_a_renamed_default_branch_shows_in_the_branch_table_and_needs_attention(
    qapp: QApplication, git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("config", "fetch.prune", "true", cwd=world.mine)  # the stale ref pruned, as git's fetch would
    git("--git-dir", str(world.bare), "branch", "-m", "main", "trunk")
    world.commit(world.mine, "c.txt", "mine\n")
    code, _doc, _err = run(capsys, "sync", "mine", "--json")
    assert code == 1
    record, branches = stored("mine")

    table = branch_model()
    table.set_rows(branches)
    state_column = [c.header for c in table.columns].index("State")
    main = table.index([b.name for b in table.rows].index("main"), state_column)
    assert table.data(main) == "upstream gone"
    assert table.data(main, Qt.ItemDataRole.ForegroundRole) == ATTENTION
    assert "nothing of main is pushed" in table.data(main, Qt.ItemDataRole.ToolTipRole)

    view = RepoView(record, record.state, branches=tuple(branches))
    repos = repo_model()
    repos.set_rows([view])
    result_column = [c.header for c in repos.columns].index("Result")
    cell = repos.index(0, result_column)
    assert repos.data(cell) == "main: upstream gone"
    assert (
        "origin/main was deleted on the remote; the remote's default branch is now trunk: "
        "1 local commit on main is published nowhere"
    ) in repos.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert view.needs_attention()
    world.check()
