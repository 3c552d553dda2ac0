"""The activity log (`gitferry log`) and the history (`gitferry history`, the window's
History tab: the same runs) say what happened, not every sync that found nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones, run, sync_repo


def _log(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, doc, err = run(capsys, "log", "mine", "--json", "--limit", "50")
    assert code == 0, err
    return [entry["result"] for entry in doc["entries"]]


def _history(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, doc, err = run(capsys, "history", "mine", "--json", "--limit", "50")
    assert code == 0, err
    return [entry["result"] for entry in doc["runs"]][::-1]


@pytest.mark.slow
def test_syncs_that_found_nothing_do_not_flood_the_log_but_a_recovery_is_told(
    world: Clones, refused_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Auto mode's backstop syncs every `fetch_interval` wrote an `up_to_date` line each
    (a line every 5 s with `fetch_interval 5`), drowning the lines that said something."""
    assert run(capsys, "set", "mine", "auto_commit", "true")[0] == 0
    results = [world.background(world.mine)[1]["result"] for _ in range(3)]
    assert results == ["up_to_date"] * 3
    (world.mine / "a.txt").write_text("edited\n")
    assert world.background(world.mine)[1]["result"] == "ok"
    assert world.remote_head() == world.head(world.mine)
    assert [world.background(world.mine)[1]["result"] for _ in range(2)] == ["up_to_date"] * 2
    url = git("remote", "get-url", "origin", cwd=world.mine)
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=world.mine)
    (world.mine / "a.txt").write_text("edited offline\n")
    offline = [world.background(world.mine)[1] for _ in range(2)]
    assert [r["result"] for r in offline] == ["offline"] * 2
    refused = "origin is unreachable: connection refused"
    # The commit made offline is told, not hidden behind the failure.
    assert [r["message"] for r in offline] == [f"committed 1 file; {refused}", refused]
    git("remote", "set-url", "origin", url, cwd=world.mine)
    assert [world.background(world.mine)[1]["result"] for _ in range(2)] == ["ok", "up_to_date"]
    assert world.remote_head() == world.head(world.mine)
    told = ["up_to_date", "ok", "offline", "offline", "ok"]  # the first, then news only
    assert _log(capsys) == told
    assert _history(capsys) == told
    assert [world.background(world.mine)[1]["result"] for _ in range(2)] == ["up_to_date"] * 2
    assert _log(capsys) == told
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=world.mine)
    assert world.background(world.mine)[1]["result"] == "offline"
    git("remote", "set-url", "origin", url, cwd=world.mine)
    assert [world.background(world.mine)[1]["result"] for _ in range(2)] == ["up_to_date"] * 2
    told += ["offline", "up_to_date"]  # back online, with nothing waiting: said once
    assert _log(capsys) == told
    assert _history(capsys) == told
    # A state that stays (a branch on no remote): said once, not at every sync.
    git("checkout", "-q", "-b", "topic", cwd=world.mine)
    world.commit(world.mine, "t.txt", "topic\n")
    assert [world.background(world.mine)[1]["result"] for _ in range(4)] == ["unpublished"] * 4
    told += ["unpublished"]
    assert _log(capsys) == told
    assert _history(capsys) == told
    assert git("status", "--porcelain", cwd=world.mine) == ""
    world.check()


def test_the_first_fetch_of_a_repository_is_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "mine"
    git("init", "-q", "-b", "main", str(repo))
    assert run(capsys, "add", str(repo))[0] == 0
    for _ in range(3):
        asyncio.run(sync_repo("mine", fetch_only=True))  # the background's fetches
    assert _log(capsys) == ["up_to_date"]


def test_a_file_left_out_is_said_and_logged_once(world: Clones, capsys: pytest.CaptureFixture[str]) -> None:
    """A file too large for the auto-commit: the sync said "up to date" (exit 0) with the
    file synced nowhere, and the log, the history and the window said nothing of it."""
    assert run(capsys, "set", "mine", "auto_commit", "true")[0] == 0
    assert run(capsys, "set", "mine", "max_file_size", "1000")[0] == 0
    assert world.background(world.mine)[1]["message"] == "up to date"
    (world.mine / "big.dat").write_bytes(b"x" * 5000)
    (world.mine / "small.txt").write_text("small\n")
    reports = [world.background(world.mine)[1] for _ in range(3)]
    assert [r["message"] for r in reports] == [
        "committed 1 file; pushed main (3 objects); left out big.dat (too large)",
        "up to date; left out big.dat (too large)",
        "up to date; left out big.dat (too large)",
    ]
    assert git("status", "--porcelain", cwd=world.mine) == "?? big.dat"  # git's view: not committed
    assert _log(capsys) == ["up_to_date", "ok"]  # said with the push, not again at each sync
    world.check()


def test_a_fetch_after_a_conflict_does_not_read_as_its_end(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository without auto-commit stopped on a conflict; its background fetches (auto
    mode's syncs only fetch until it is resolved) said "up_to_date - up to date" right
    after the conflict, as if it were over, and `gitferry status` then said "last sync:
    up_to_date" while git said the branch had diverged. A fetch leaves the conflict
    standing and says it again, once; one that brings more of theirs says so."""
    world.commit(world.theirs, "a.txt", "one\ntheirs\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "one\nmine\nthree\n")
    code, stopped = world.sync(world.mine)
    assert (code, stopped["result"]) == (1, "conflict")
    fetches = [world.background(world.mine, "--fetch-only") for _ in range(2)]
    assert [(code, r["result"], r["message"]) for code, r in fetches] == [
        (1, "conflict", stopped["message"])
    ] * 2
    assert _log(capsys) == ["conflict"]
    assert _history(capsys) == ["conflict"]
    assert _status(capsys) == ("conflict", stopped["message"])
    ahead_behind = git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine)
    assert ahead_behind.split() == ["1", "1"]  # still diverged: nothing ended the conflict
    assert "have diverged" in git("status", cwd=world.mine)

    world.commit(world.theirs, "b.txt", "more of theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    code, more = world.background(world.mine, "--fetch-only")
    assert more["result"] == "conflict" and more["fetched_refs"] == ["origin/main"]
    assert more["message"].startswith("fetched origin/main (")
    assert more["message"].endswith(f"; {stopped['message']}")
    again = world.background(world.mine, "--fetch-only")[1]
    assert (again["result"], again["message"]) == ("conflict", stopped["message"])
    assert _log(capsys) == ["conflict", "conflict"]  # what came in is told; the fetches after it are not
    ahead_behind = git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine)
    assert ahead_behind.split() == ["1", "2"]

    # The user merges with git: the stop is over, and the next fetch says so (news).
    git("merge", "-q", "origin/main", cwd=world.mine, check=False)
    (world.mine / "a.txt").write_text("one\nmine and theirs\nthree\n")
    git("commit", "-q", "-am", "merged by hand", cwd=world.mine)
    world.remember()
    assert world.background(world.mine, "--fetch-only")[1]["result"] == "up_to_date"
    assert _log(capsys) == ["conflict", "conflict", "up_to_date"]
    world.check()


def test_a_conflict_resolved_with_git_is_told_after_quiet_fetches(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a conflict the background fetches are quiet (b495852), but each still wrote
    "up_to_date" as the repository's last result, so the sync after the user resolved the
    conflict with git (here: took the remote's side, `git reset --hard`) counted as up to
    date after up to date: no line, and the log and the history ended at the conflict."""
    world.commit(world.theirs, "a.txt", "one\ntheirs\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "one\nmine\nthree\n")
    assert world.sync(world.mine)[1]["result"] == "conflict"
    assert world.background(world.mine, "--fetch-only")[1]["result"] == "conflict"  # it stands (quiet)
    git("tag", "my-side", cwd=world.mine)  # kept, as a user who gives up their side might
    git("reset", "-q", "--hard", "origin/main", cwd=world.mine)
    assert [world.background(world.mine)[1]["result"] for _ in range(2)] == ["up_to_date"] * 2
    assert _log(capsys) == ["conflict", "up_to_date"]  # the end of the conflict, said once
    assert _history(capsys) == ["conflict", "up_to_date"]
    assert git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine).split() == [
        "0",
        "0",
    ]
    world.check()


def _status(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    code, doc, err = run(capsys, "status", "mine", "--json")
    assert code == 0, err
    repo = doc["repos"][0]
    return repo["last_result"], repo["last_message"]


def test_a_conflict_stands_through_an_offline_fetch(
    world: Clones, refused_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sync stopped on a conflict; a fetch went offline; back online, the fetch said
    "up_to_date - up to date" (and so did `gitferry status`) while the conflict stood
    (git: diverged; the window: Conflict, from the store's rows): the fetch judged the
    stop by the last result only, `offline` by then. The conflict the store lists holds
    (the merge still conflicts on a.txt): it is said again, with the sync's words."""
    world.commit(world.theirs, "a.txt", "one\ntheirs\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "a.txt", "one\nmine\nthree\n")
    code, stopped = world.sync(world.mine)
    assert (code, stopped["result"]) == (1, "conflict"), stopped
    url = git("remote", "get-url", "origin", cwd=world.mine)
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/x", cwd=world.mine)
    assert world.background(world.mine, "--fetch-only")[1]["result"] == "offline"
    git("remote", "set-url", "origin", url, cwd=world.mine)
    fetches = [world.background(world.mine, "--fetch-only") for _ in range(2)]
    assert [(code, r["result"], r["message"]) for code, r in fetches] == [
        (1, "conflict", stopped["message"])
    ] * 2
    assert _status(capsys) == ("conflict", stopped["message"])
    assert _log(capsys) == ["conflict", "offline", "conflict"]  # back online: told once
    ahead_behind = git("rev-list", "--left-right", "--count", "main...origin/main", cwd=world.mine)
    assert ahead_behind.split() == ["1", "1"]
    # More of theirs, offline again in between: what came in, then the conflict.
    world.commit(world.theirs, "b.txt", "more of theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/x", cwd=world.mine)
    assert world.background(world.mine, "--fetch-only")[1]["result"] == "offline"
    git("remote", "set-url", "origin", url, cwd=world.mine)
    code, more = world.background(world.mine, "--fetch-only")
    assert more["result"] == "conflict" and more["message"].startswith("fetched origin/main (")
    assert more["message"].endswith(f"; {stopped['message']}")
    # The user merges with git: over, and said so.
    git("merge", "-q", "origin/main", cwd=world.mine, check=False)
    (world.mine / "a.txt").write_text("one\nmine and theirs\nthree\n")
    git("commit", "-q", "-am", "merged by hand", cwd=world.mine)
    world.remember()
    assert world.background(world.mine, "--fetch-only")[1]["result"] == "up_to_date"
    assert _status(capsys)[0] == "up_to_date"
    world.check()


def test_a_detached_head_stands_through_the_fetches(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """`git checkout --detach main`, then a sync: failed, "HEAD is detached: ..."; the next
    (background) fetch recorded "up_to_date" over it, and the window flipped between
    Failed and Up to date at each fetch and sync. While HEAD stays detached a fetch says
    what the sync said (after what it brought); once a branch is checked out, it stops."""
    git("checkout", "-q", "--detach", "main", cwd=world.mine)
    code, stopped = world.sync(world.mine)
    assert (code, stopped["result"]) == (1, "error"), stopped
    assert stopped["message"].startswith("HEAD is detached")
    code, fetched = world.background(world.mine, "--fetch-only")
    assert (code, fetched["result"], fetched["message"]) == (1, "error", stopped["message"])
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    code, more = world.background(world.mine, "--fetch-only")
    assert (code, more["result"], more["fetched_refs"]) == (1, "error", ["origin/main"]), more
    assert more["message"].startswith("fetched origin/main (")
    assert more["message"].endswith(f"; {stopped['message']}")
    assert world.background(world.mine, "--fetch-only")[1]["message"] == stopped["message"]
    assert _status(capsys) == ("error", stopped["message"])
    assert _log(capsys) == ["error", "error"]  # what came in is told; the same stop again is not
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=world.mine) == "HEAD"  # git: still detached
    git("checkout", "-q", "main", cwd=world.mine)
    code, over = world.background(world.mine, "--fetch-only")
    assert (code, over["result"]) == (0, "up_to_date"), over
    code, synced = world.sync(world.mine)
    assert (code, synced["result"], synced["message"]) == (0, "ok", "fast-forwarded main"), synced
    assert world.head(world.mine) == world.remote_head()
    world.check()


def test_a_sync_the_user_asked_for_is_told_when_it_fails_again(
    world: Clones, refused_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitferry sync` (and the window's Sync now) failing with the words the last run
    failed with was recorded `quiet`: the user asked, saw "offline", and neither History
    nor the activity log had a line of it. Only the background's repeats of a failure are
    quiet; a user's sync that is up to date with nothing new is no news either."""
    assert [world.sync(world.mine)[1]["result"] for _ in range(2)] == ["up_to_date"] * 2
    assert _log(capsys) == ["up_to_date"]  # the first run is news, the repeat is not
    git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/origin", cwd=world.mine)
    asked = [world.sync(world.mine) for _ in range(2)]
    assert [(code, r["result"]) for code, r in asked] == [(1, "offline")] * 2
    assert asked[0][1]["message"] == asked[1][1]["message"]
    assert world.background(world.mine)[1]["result"] == "offline"  # the background's repeat: quiet
    assert world.sync(world.mine)[1]["result"] == "offline"
    assert _log(capsys) == ["up_to_date"] + ["offline"] * 3
    assert _history(capsys) == ["up_to_date"] + ["offline"] * 3
    world.check()
