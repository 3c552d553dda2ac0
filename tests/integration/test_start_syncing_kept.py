"""Start syncing a folder (and a clone): once the branch is published, nothing that fails
after it undoes the start. Recording the first run for the History (ebc09ec) came
inside the start's undo-on-failure block, so a store that could not write that one row
deleted the `.git` of a folder whose history the remote already had, and unregistered it:
a second try is refused (the remote has history) and the folder is linked to nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.engine.core import Core
from core.engine.start_syncing import start_syncing
from core.store.recovery import StoreUnavailable
from tests.gitcli import fsck, git
from tests.servers import Remote


def test_a_history_row_that_cannot_be_written_undoes_nothing(
    git_daemon: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = git_daemon.create("origin")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy milk\n")

    async def scenario() -> tuple[str, list[str]]:
        core = await Core.open()
        try:

            async def full_disk(*_args: Any, **_kwargs: Any) -> None:
                raise StoreUnavailable(core.store.db.path, "disk I/O error", action="write")

            monkeypatch.setattr(core.store, "record_done_run", full_disk)
            started = await start_syncing(core, str(folder), git_daemon.url("origin"))
            return started.record.name, [r.name for r in await core.store.repos()]
        finally:
            await core.close()

    name, registered = asyncio.run(scenario())
    assert (name, registered) == ("notes", ["notes"])  # still registered
    assert git("rev-parse", "HEAD", cwd=folder) == git("rev-parse", "main", cwd=bare)
    assert git("rev-parse", "--abbrev-ref", "main@{u}", cwd=folder) == "origin/main"
    assert git("status", "--porcelain", cwd=folder) == ""
    fsck(folder)
