"""The history and Undo look past the background fetches that found nothing: with a fetch
every few seconds (the walk's 3 s), twenty runs are a minute, and the sync the user wants
to see, or undo, fell out of `history` (limit 20) and `undo`'s 50 runs; the History tab
read "Fetch: up to date" twenty times beside a branch behind."""

from __future__ import annotations

import asyncio

import pytest

from core.engine.core import Core
from tests.gitcli import git
from tests.integration.clones import Clones, run

IDLE_FETCHES = 60  # more than undo's 50 runs


async def idle_fetches(name: str, count: int) -> None:
    """Runs recorded as a background fetch that found nothing records them (kind `fetch`,
    result `up_to_date`), through the store a sync writes with."""
    core = await Core.open()
    try:
        repo_id = (await core.store.repo(name)).id
        for _ in range(count):
            run_id = await core.store.create_run(repo_id, "fetch")
            await core.store.start_run(run_id, repo_id, "fetching")
            await core.store.finish_run(
                run_id,
                repo_id,
                result="up_to_date",
                message="up to date",
                failed=False,
                details={},
                timings_ms={},
                idle=True,  # it fetched nothing
            )
    finally:
        await core.close()


def test_history_and_undo_look_past_fetches_that_found_nothing(world: Clones) -> None:
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine, "--no-push")  # merged here, not pushed: undo would run
    assert code == 0 and report["merged"] == ["main"], report
    merged = world.head(world.mine)
    code, fetched = world.background(world.mine, "--fetch-only")  # a real one first: what the filter meets
    assert code == 0 and fetched["result"] == "up_to_date", fetched
    asyncio.run(idle_fetches("mine", IDLE_FETCHES))

    code, doc, err = run(world.capsys, "history", "mine", "--json")
    assert code == 0 and isinstance(doc, dict), err
    assert [r["kind"] for r in doc["runs"]] == ["sync"]  # not twenty "Fetch: up to date"
    assert doc["runs"][0]["came_in"][0]["to"] == merged

    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 0, err  # it said "no integration of main is recorded to undo"
    assert (
        world.head(world.mine) != merged
        and git("rev-list", "--count", "HEAD..origin/main", cwd=world.mine) == "1"
    )
    world.check()


@pytest.mark.slow
def test_history_counts_one_commit_as_one_commit(world: Clones) -> None:
    """User trial: `gitferry history` said "out main: 1 commits, 1 file"."""
    pushed = world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and world.remote_head() == pushed, report
    code, out, err = run(world.capsys, "history", "mine")
    assert code == 0, err
    assert "  out main: 1 commit, 1 file" in str(out).splitlines()


def test_undo_refused_by_local_changes_says_undo_again(world: Clones) -> None:
    """Undo moves the worktree back as a sync moves it forward, and local changes in the way
    refuse it alike: its way back is Undo again (it said "then sync again", which would merge
    once more what the user wants undone). Git is the referee: nothing moved."""
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine, "--no-push")
    assert code == 0 and report["merged"] == ["main"], report
    merged = world.head(world.mine)
    (world.mine / "b.txt").write_text("edited after the merge\n")

    code, _out, err = run(world.capsys, "undo", "mine")

    way_on = "commit or stash the changes (git status lists them), then undo again"
    assert code == 1 and err == f"gitferry: local changes would be overwritten: b.txt; {way_on}\n", err
    assert world.head(world.mine) == merged and git("status", "--porcelain", cwd=world.mine) == "M b.txt"
    git("checkout", "--", "b.txt", cwd=world.mine)
    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 0 and world.head(world.mine) != merged, err
