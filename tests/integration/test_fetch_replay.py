"""A cold no-change `gitferry sync --fetch-only` answered from the last one's record
(`core/cli_replay.py`), and every change that must send it to the engine's sync instead.

Each run is a fresh process (`engine_process.gitferry`, no engine running); whether the
engine ran is read from the modules it loaded: a replay loads neither dulwich nor the
engine's sync. What a replay records and prints is compared with what the engine's
sync recorded and printed for the same no-change fetch."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from core.engine.core import Core
from core.engine.fetch_replay import record_path
from core.engine.sync import SyncOptions, sync_repository
from core.git.locks.sync_lock import acquire_sync_lock
from core.git.progress import TransferProgress
from core.paths import data_dir, store_file
from core.results import ResultKind
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, run
from tests.integration.engine_process import Ran, gitferry
from tests.servers import Remote

# The columns each run stamps with its own time, and the run's own id and timings.
TIMES = {
    "last_sync",
    "updated_at",
    "last_fetch",
    "requested_at",
    "started_at",
    "finished_at",
    "id",
    "timings",
}


def fetch(name: str = "mine", *extra: str) -> Ran:
    ran = gitferry("sync", "--fetch-only", *extra, name, in_process=True)
    assert ran.code == 0, ran.err
    return ran


def recorded(
    capsys: pytest.CaptureFixture[str], name: str = "mine", env: dict[str, str] | None = None
) -> None:
    """The engine's fetch-only syncs, in this process as the CLI runs them, until one is
    recorded: the first after a change of the repository's standing (its first run, a
    result after another) is not (the facts it read before it ran are not those after)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in (env or {}).items():
            patch.setenv(key, value)
        for _ in range(2):
            assert run(capsys, "sync", "--fetch-only", name)[0] == 0
    assert record_path(data_dir(), _repo_id(name)).exists()


def replayed(ran: Ran) -> bool:
    """The record answered: neither dulwich nor the engine's sync was loaded."""
    answered = "core.cli_replay" in ran.modules and "core.engine.sync" not in ran.modules
    assert answered == ("dulwich" not in ran.modules)
    return answered


def rows(table: str, where: str = "") -> list[dict[str, Any]]:
    """A table's rows as the store has them, without what each run stamps with its time."""
    conn = sqlite3.connect(store_file(data_dir()))
    try:
        cursor = conn.execute(f"SELECT * FROM {table} {where} ORDER BY 1, 2")
        names = [column[0] for column in cursor.description]
        return [
            {k: v for k, v in zip(names, row, strict=True) if k not in TIMES} for row in cursor.fetchall()
        ]
    finally:
        conn.close()


def report(ran: Ran) -> dict[str, Any]:
    (only,) = json.loads(ran.out)["repos"]
    return {k: v for k, v in only.items() if k != "timings_ms"}


def test_a_no_change_fetch_is_answered_again_as_the_engine_answered_it(world: Clones) -> None:
    assert not replayed(fetch("mine"))  # the repository's first run: news, not recorded
    first = fetch("mine", "--json")
    assert not replayed(first)
    record = record_path(data_dir(), _repo_id("mine"))
    assert record.stat().st_mode & 0o077 == 0  # the user's only: git's environment is in it
    engine_runs = rows("sync_runs")
    standing = {table: rows(table) for table in ("repos", "branch_status", "remotes", "remote_failures")}
    second = fetch("mine", "--json")
    assert replayed(second)
    assert "asyncio" not in second.modules and "core.engine.core" not in second.modules
    assert report(second) == report(first)
    assert {table: rows(table) for table in standing} == standing  # only the times moved
    runs = rows("sync_runs")
    assert len(runs) == len(engine_runs) + 1
    mine = [run for run in runs if run["repo_id"] == runs[-1]["repo_id"]]
    last, before = mine[-1], mine[-2]  # the replay's run, and the engine's
    assert {**last, "details": None} == {**before, "details": None}
    assert {k: v for k, v in json.loads(last["details"]).items() if k != "timings_ms"} == report(first)
    fetched_at = _branch_times()
    third = fetch("mine")
    assert replayed(third)
    assert third.out == "mine: up_to_date - up to date\n"
    assert _branch_times() > fetched_at  # the branch was fetched again, and says so
    git("fsck", "--strict", cwd=world.mine)


def test_a_fetch_that_says_a_branch_left_behind_is_replayed_saying_it(world: Clones) -> None:
    """Its line says the branch, not "up to date" ("drafts: 1 behind, not checked out"): said
    again, it is no news, so the record answers it as it answers "up to date"."""
    from tests.integration.test_branches_a_sync_leaves import drafts_behind

    drafts_behind(world)
    assert not replayed(fetch("mine"))  # brings drafts' new commit
    recorded(world.capsys)
    ran = fetch("mine")
    assert replayed(ran)
    said = "main up to date with origin/main; drafts: 1 behind, not checked out"
    assert ran.out == f"mine: up_to_date - {said}\n"


def _branch_times() -> str:
    conn = sqlite3.connect(store_file(data_dir()))
    try:
        return str(conn.execute("SELECT max(last_fetch) FROM branch_status").fetchone()[0])
    finally:
        conn.close()


def test_what_the_remote_brought_in_is_fetched_by_the_engine(world: Clones) -> None:
    recorded(world.capsys)
    pushed = world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    ran = fetch("mine", "--json")
    assert not replayed(ran)
    assert json.loads(ran.out)["repos"][0]["objects_received"] > 0
    assert world.head(world.mine, "refs/remotes/origin/main") == pushed
    recorded(world.capsys)
    assert replayed(fetch())


def _commit_locally(world: Clones) -> None:
    commit_file(world.mine, "c.txt", "mine\n")


def _git_config(world: Clones) -> None:
    git("config", "fetch.prune", "true", cwd=world.mine)


def _global_config(world: Clones) -> None:
    git("config", "--global", "fetch.pruneTags", "false")


def _setting(world: Clones) -> None:
    assert gitferry("set", "mine", "tracked_branches", "all").code == 0


def _linked_worktree(world: Clones) -> None:
    git("worktree", "add", "-q", "-b", "side", str(world.mine.parent / "side"), cwd=world.mine)


def _environment(world: Clones) -> None:
    pass  # the run below is given GIT_SSH_COMMAND


CHANGES = {
    "a local commit": (_commit_locally, {}),
    "the repository's git config": (_git_config, {}),
    "the user's git config": (_global_config, {}),
    "a Gitferry setting": (_setting, {}),
    "a linked worktree": (_linked_worktree, {}),
    "git's environment": (_environment, {"GIT_SSH_COMMAND": "ssh -o BatchMode=yes"}),
}


@pytest.mark.parametrize("change", CHANGES)
def test_anything_the_fetch_reads_changed_runs_the_engine(world: Clones, change: str) -> None:
    recorded(world.capsys)
    make, env = CHANGES[change]
    make(world)
    ran = gitferry("sync", "--fetch-only", "--json", "mine", in_process=True, env=env)
    assert ran.code == 0, ran.err
    assert not replayed(ran)
    _code, doc, _err = run(world.capsys, "status", "--json", "mine")
    branches = {b["name"]: (b["ahead"], b["behind"]) for b in doc["repos"][0]["branches"]}
    assert branches["main"] == ((1, 0) if change == "a local commit" else (0, 0))
    recorded(world.capsys, env=env)  # the record follows the change
    assert replayed(gitferry("sync", "--fetch-only", "mine", in_process=True, env=env))


async def test_a_commit_made_while_the_fetch_ran_is_never_replayed_away(world: Clones) -> None:
    """The fetch measured the branch before the commit; a record made with the facts as
    they stand after it would replay that measure (main: 0 ahead) for ever."""
    core = await Core.open()
    try:
        record = await core.store.repo("mine")

        def progress(_remote: str, _p: TransferProgress) -> None:
            if not (world.mine / "c.txt").exists():  # once, while the fetch connects
                commit_file(world.mine, "c.txt", "made while it fetched\n")

        options = SyncOptions(fetch_only=True, keep_record=True, timeout=10)
        report = await sync_repository(core, record, options, progress)
    finally:
        await core.close()
    assert report.result is ResultKind.UP_TO_DATE and (world.mine / "c.txt").exists()
    assert not record_path(data_dir(), record.id).exists()
    assert not replayed(fetch())
    _code, doc, _err = run(world.capsys, "status", "--json", "mine")
    assert [(b["ahead"], b["behind"]) for b in doc["repos"][0]["branches"] if b["name"] == "main"] == [(1, 0)]


def test_a_config_file_with_includes_is_never_replayed(world: Clones) -> None:
    included = Path.home() / "work.gitconfig"
    included.write_text("[fetch]\n\tprune = false\n")
    git("config", "--global", "include.path", str(included))
    assert run(world.capsys, "sync", "--fetch-only", "mine")[0] == 0
    assert not record_path(data_dir(), _repo_id("mine")).exists()
    assert not replayed(fetch())


def test_a_remote_that_does_not_answer_the_same_is_left_to_the_engine(world: Clones) -> None:
    recorded(world.capsys)
    gone_and_told(world)


def gone_and_told(world: Clones) -> None:
    """A fetch-only sync while the remote's repository is elsewhere: the engine's, which
    says what went wrong and keeps no record."""
    moved = world.bare.with_name("elsewhere.git")
    world.bare.rename(moved)
    try:
        ran = gitferry("sync", "--fetch-only", "--json", "mine", in_process=True)
    finally:
        moved.rename(world.bare)
    assert not replayed(ran)
    assert json.loads(ran.out)["repos"][0]["result"] != "up_to_date"
    assert not record_path(data_dir(), _repo_id("mine")).exists()


def test_a_sync_in_progress_is_left_to_the_engine(world: Clones) -> None:
    recorded(world.capsys)
    with acquire_sync_lock(world.mine / ".git"):
        ran = gitferry("sync", "--fetch-only", "--json", "mine", in_process=True)
    assert not replayed(ran)
    assert json.loads(ran.out)["repos"][0]["result"] == "busy"
    assert replayed(fetch())


def test_all_repositories_are_replayed_only_together(world: Clones) -> None:
    recorded(world.capsys, "mine")
    ran = gitferry("sync", "--fetch-only", "--json", in_process=True)  # theirs has no record yet
    assert not replayed(ran)
    recorded(world.capsys, "theirs")
    both = gitferry("sync", "--fetch-only", "--json", in_process=True)
    assert replayed(both)
    assert [r["name"] for r in json.loads(both.out)["repos"]] == ["mine", "theirs"]


def test_a_fetch_over_ssh_is_replayed_asking_nothing(
    sshd_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sshd_server.ssh_command
    monkeypatch.setenv("GIT_SSH_COMMAND", sshd_server.ssh_command)  # the server's key and the test's
    world = Clones.make(sshd_server, tmp_path, capsys)
    recorded(capsys)
    record = json.loads(record_path(data_dir(), _repo_id("mine")).read_text())
    (remote,) = record["remotes"]
    assert remote["dial"]["kind"] == "ssh" and "BatchMode=yes" in remote["dial"]["argv"]
    assert replayed(fetch())
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    assert not replayed(fetch())
    world.check()


def _repo_id(name: str) -> int:
    conn = sqlite3.connect(store_file(data_dir()))
    try:
        return int(conn.execute("SELECT id FROM repos WHERE name = ?", (name,)).fetchone()[0])
    finally:
        conn.close()


def test_refs_the_fetch_does_not_ask_for_are_not_compared(world: Clones) -> None:
    """A remote with refs outside what the fetch lists (a forge's `refs/pull/*`): dulwich
    leaves them out of the listing the record keeps, and so does the replay."""
    git("update-ref", "refs/pull/1/head", world.head(world.bare, "main"), cwd=world.bare)
    recorded(world.capsys)
    assert replayed(fetch())
    git("update-ref", "refs/pull/2/head", world.head(world.bare, "main"), cwd=world.bare)
    assert replayed(fetch())  # nothing the fetch reads moved
