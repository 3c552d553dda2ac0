"""A branch that is not checked out and only behind (or only ahead) is one a sync leaves
as it is unless `fast_forward_all` (or `push_all`) is on: `status` says so, and says which
branch is checked out; with the setting on, the sync moves it (git is the referee)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gitcli import ahead_behind, git
from tests.integration.clones import Clones, run


def drafts_behind(world: Clones) -> str:
    """`drafts`, tracked in both clones, 1 commit behind in `mine` once it fetches; `main`
    checked out in both. Returns the new commit."""
    git("checkout", "-q", "-b", "drafts", cwd=world.theirs)
    git("push", "-q", "-u", "origin", "drafts", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("branch", "-q", "--track", "drafts", "origin/drafts", cwd=world.mine)
    new = world.commit(world.theirs, "d.txt", "draft\n")
    git("push", "-q", "origin", "drafts", cwd=world.theirs)
    git("checkout", "-q", "main", cwd=world.theirs)
    return new


def branches_of(world: Clones, name: str) -> dict[str, dict[str, Any]]:
    code, doc, err = run(world.capsys, "status", name, "--json")
    assert code == 0, err
    return {b["name"]: b for b in doc["repos"][0]["branches"]}


@pytest.mark.slow
def test_status_says_a_branch_the_sync_leaves_behind_and_the_sync_moves_it_once_allowed(
    world: Clones,
) -> None:
    new = drafts_behind(world)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == [], report
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (0, 1)  # git: left behind
    branches = branches_of(world, "mine")
    assert branches["main"]["checked_out"] is True and branches["main"]["left_alone"] is False
    assert branches["drafts"]["checked_out"] is False and branches["drafts"]["left_alone"] is True
    code, out, _err = run(world.capsys, "status", "mine")
    drafts = next(line for line in out.splitlines() if line.strip().startswith("drafts"))
    assert drafts.endswith(
        "ahead 0, behind 1  (not checked out: a sync leaves it behind, fast_forward_all is off)"
    )
    assert out.splitlines()[0].endswith(": ok")  # that sync fetched drafts
    world.sync(world.mine)  # nothing to do: up_to_date, and drafts still behind
    _code, out, _err = run(world.capsys, "status", "mine")
    head = out.splitlines()[0]  # SPEC: never "up to date" with a branch behind; the window says so too
    assert head.endswith(": 1 branch behind") and "up_to_date" not in head, head

    run(world.capsys, "set", "mine", "fast_forward_all", "true")
    assert branches_of(world, "mine")["drafts"]["left_alone"] is False  # the next sync moves it
    _code, report = world.sync(world.mine)
    assert report["fast_forwarded"] == ["drafts"], report
    assert git("rev-parse", "drafts", cwd=world.mine) == new == world.remote_head("drafts")
    assert branches_of(world, "mine")["drafts"]["behind"] == 0
    _code, out, _err = run(world.capsys, "status", "mine")
    assert "not checked out" not in out
    world.sync(world.mine)
    _code, out, _err = run(world.capsys, "status", "mine")
    assert out.splitlines()[0].endswith(": up_to_date"), out  # every branch level: up to date again


def test_a_checkout_elsewhere_is_measured_the_branch_left_behind_is_the_other_one(world: Clones) -> None:
    drafts_behind(world)
    git("checkout", "-q", "drafts", cwd=world.mine)
    world.commit(world.theirs, "m.txt", "main moves\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    code, _out, err = run(world.capsys, "status", "mine", "--refresh")
    assert code == 0, err
    branches = branches_of(world, "mine")
    assert branches["drafts"]["checked_out"] is True and branches["drafts"]["left_alone"] is False
    assert branches["main"]["checked_out"] is False and branches["main"]["left_alone"] is True


@pytest.mark.slow
def test_push_all_off_leaves_an_ahead_branch_that_is_not_checked_out(world: Clones) -> None:
    drafts_behind(world)
    code, _report = world.sync(world.mine)
    git("checkout", "-q", "drafts", cwd=world.mine)
    git("merge", "-q", "--ff-only", "origin/drafts", cwd=world.mine)
    world.commit(world.mine, "e.txt", "mine\n")
    git("checkout", "-q", "main", cwd=world.mine)
    run(world.capsys, "set", "mine", "push_all", "false")
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == [], report
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (1, 0)
    assert branches_of(world, "mine")["drafts"]["left_alone"] is True
    _code, out, _err = run(world.capsys, "status", "mine")
    assert "(not checked out: a sync does not push it, push_all is off)" in out
    run(world.capsys, "set", "mine", "push_all", "true")
    assert branches_of(world, "mine")["drafts"]["left_alone"] is False


def test_the_sync_line_names_the_branch_it_leaves_behind_never_up_to_date(world: Clones) -> None:
    """SPEC: never "up to date" of a repository with a branch behind. The sync's own line
    (the CLI's, `--json`'s message) says the branch as `status` and the window say it; of
    the checked-out branch it says what `git status` says, with git as the referee."""
    drafts_behind(world)
    _code, first = world.sync(world.mine)  # fetches drafts, leaves it behind
    assert first["message"] == "fetched origin/drafts (3 objects); drafts: 1 behind, not checked out"
    code, report = world.sync(world.mine)  # nothing to do
    assert code == 0 and report["result"] == "up_to_date", report
    assert report["message"] == "main up to date with origin/main; drafts: 1 behind, not checked out"
    _code, doc, _err = run(world.capsys, "history", "mine", "--json")
    assert [r["message"] for r in doc["runs"]] == [first["message"]]  # where it stands, said again: no news
    assert "Your branch is up to date with 'origin/main'" in git("status", cwd=world.mine)
    assert ahead_behind(world.mine, "drafts", "origin/drafts") == (0, 1)
    code, out, _err = run(world.capsys, "sync", "mine")
    assert out.strip() == f"mine: up_to_date - {report['message']}"  # the CLI's line says the same

    # a fetch leaves main behind too: said first, as the branch checked out
    world.commit(world.theirs, "m.txt", "main moves\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    _code, report = world.sync(world.mine, "--fetch-only")
    assert report["message"].endswith("; main: 1 behind; drafts: 1 behind, not checked out"), report
    assert "Your branch is behind 'origin/main' by 1 commit" in git("status", cwd=world.mine)
    _code, report = world.sync(world.mine, "--fetch-only")
    assert report["message"] == "main: 1 behind; drafts: 1 behind, not checked out", report
    _code, report = world.sync(world.mine)  # main fast-forwarded: drafts still said
    assert report["message"] == "fast-forwarded main; drafts: 1 behind, not checked out", report
