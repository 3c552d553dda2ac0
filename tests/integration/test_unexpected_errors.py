"""A failure nobody planned for ends a sync `error`, never a success.

The failure is real, from the git layer: a commit object on disk that does not
parse (its file overwritten with bytes that are no object at all), met by the
integration's walk down the history. The sync must end `error` with one line
naming what it was doing and the exception, everywhere a result is shown: the
CLI's stdout (`--json` too) and exit status, one line on stderr pointing at the
log file, the status store's run row and repository row, the activity log. Only
the log file holds the traceback.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.engine.core import Core
from core.logs import log_file
from core.model import SyncRun
from tests.gitcli import git
from tests.integration.clones import Clones, run


@contextmanager
def corrupt_object(repo: Path, sha: str) -> Iterator[None]:
    """The loose object `sha` of `repo` replaced by bytes no git can parse (a new file:
    a hard-linked copy elsewhere stays intact), restored afterwards."""
    path = repo / ".git" / "objects" / sha[:2] / sha[2:]
    original = path.read_bytes()
    path.unlink()
    path.write_bytes(b"this is not a zlib stream")
    try:
        yield
    finally:
        path.unlink()
        path.write_bytes(original)


def runs_of(name: str) -> list[SyncRun]:
    async def read() -> list[SyncRun]:
        core = await Core.open()
        try:
            return await core.store.runs((await core.store.repo(name)).id)
        finally:
            await core.close()

    return asyncio.run(read())


def test_a_corrupt_commit_ends_the_sync_in_error_everywhere(world: Clones) -> None:
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "c.txt", "mine\n")  # diverged: the merge walks the history
    with corrupt_object(world.mine, mine):
        code, out, err = run(world.capsys, "sync", "mine")
        assert code == 1, (out, err)
        expected = "mine: error - unexpected error while integrating: ObjectFormatException: "
        assert out.startswith(expected), out
        assert out.count("\n") == 1
        log = log_file(Path(os.environ["GITFERRY_HOME"]))
        assert err == f"gitferry: mine: the traceback is in the log file ({log})\n"
        assert "Traceback (most recent call last)" in log.read_text()
        assert "ObjectFormatException" in log.read_text()

        code, doc, err = run(world.capsys, "sync", "mine", "--json")
        assert code == 1 and doc["repos"][0]["result"] == "error", doc
        message = doc["repos"][0]["message"]
        assert message.startswith("unexpected error while integrating: ObjectFormatException: ")
        assert "\n" not in message and "Traceback" not in err and err.count("\n") == 1

    code, status, _ = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "error"
    last = runs_of("mine")[0]
    assert (last.state, last.result, last.message) == ("failed", "error", message)
    code, entries, _ = run(world.capsys, "log", "mine", "--json")
    assert (entries["entries"][-1]["result"], entries["entries"][-1]["message"]) == ("error", message)
    assert world.head(world.mine) == mine and world.remote_head() != mine  # nothing moved, nothing pushed

    code, report = world.sync(world.mine)  # repaired: the same sync now goes through
    assert code == 0 and report["result"] == "ok" and report["merged"] == ["main"], report


def test_short_commands_that_succeed_leave_no_log_file(world: Clones) -> None:
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date", report
    assert not log_file(Path(os.environ["GITFERRY_HOME"])).exists()
