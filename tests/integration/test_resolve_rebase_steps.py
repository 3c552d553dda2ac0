"""A rebase of several local commits resolved step by step, as `git pull --rebase` and
`git rebase --continue` go, against a twin clone driven by git as the referee.

`theirs` changes `a.txt` and `c.txt`; `mine` commits three: the first changes `a.txt`
(conflicts), the second adds `b.txt` (replays cleanly), the third changes `c.txt`
(conflicts). Under `pull.rebase` the sync stops on the first; Finish replays it and the
second and stops on the third (the branch not moved yet); Finish again replays it and
syncs. The twin, copied when the sync stopped, runs `git pull --rebase`, is resolved the
same way and continued: the same trees, authors, dates, messages, as many commits.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gitcli import fsck, git
from tests.integration.clones import Clones, porcelain, run
from tests.integration.test_resolve_conflicts import commit_bytes
from tests.signing import SigningKeys, configure, signing_keys, verify_commit

__all__ = ["signing_keys"]  # the fixture, used by name

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
MINE_A, THEIRS_A = b"one\nTWO mine\nthree\n", b"one\nTWO theirs\nthree\n"
MINE_C, THEIRS_C = b"c\nmine\n", b"c\ntheirs\n"
MERGED_C = b"c\nmine and theirs\n"
FIELDS = "%T%n%an <%ae> %ad%n%B"


def three_commits(world: Clones) -> list[str]:
    """Theirs pushed, mine's three commits (oldest first) under `pull.rebase`, not synced."""
    git("config", "pull.rebase", "true", cwd=world.mine)
    commit_bytes(world.theirs, {"c.txt": b"c\n"}, "c")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("pull", "-q", "--ff-only", cwd=world.mine)
    commit_bytes(world.theirs, {"a.txt": THEIRS_A, "c.txt": THEIRS_C}, "theirs")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = [
        commit_bytes(world.mine, {"a.txt": MINE_A}, "mine first\n\nits body"),
        commit_bytes(world.mine, {"b.txt": b"b\n"}, "mine second"),
        commit_bytes(world.mine, {"c.txt": MINE_C}, "mine third"),
    ]
    world.remember()
    return mine


def three_commits_stopped(world: Clones) -> list[str]:
    """The conflict as the sync leaves it: mine's three commits, oldest first."""
    mine = three_commits(world)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "conflict" and report["conflicts"] == ["a.txt"], report
    assert world.head(world.mine) == mine[-1] and porcelain(world.mine) == ""
    return mine


def resolve(world: Clones, *args: str) -> tuple[int, object, str]:
    return run(world.capsys, "resolve", "mine", *args)


def listed(world: Clones) -> dict[str, object]:
    code, doc, err = resolve(world, "--json")
    assert code == 0 and isinstance(doc, dict), err
    return doc


def first_step(world: Clones, mine: list[str]) -> None:
    """Commit 1 of 3 resolved (mine) and finished: the replay stops on commit 3."""
    doc = listed(world)
    assert doc["replaying"] == {"commit": mine[0], "subject": "mine first", "step": 1, "steps": 3}
    assert [p["path"] for p in doc["paths"]] == ["a.txt"]  # c.txt is the third's, not yet
    assert resolve(world, "a.txt", "--mine")[0] == 0
    code, doc, err = resolve(world, "--finish", "--json")
    assert code == 0 and isinstance(doc, dict), err
    assert doc["stopped"]["replaying"]["step"] == 3 and doc["stopped"]["unresolved"] == ["c.txt"]
    assert world.head(world.mine) == mine[-1] and porcelain(world.mine) == ""  # not moved yet


def stopped_with_twin(world: Clones, tmp_path: Path) -> tuple[list[str], str, Path]:
    """The conflict as the sync leaves it, the remote's head, and a copy of `mine` then."""
    mine = three_commits_stopped(world)
    twin = tmp_path / "twin"
    shutil.copytree(world.mine, twin, symlinks=True)
    return mine, world.remote_head(), twin


def git_resolves(twin: Path) -> None:
    """The referee: git pull --rebase, the same choices, git rebase --continue."""
    env = {**os.environ, "GIT_EDITOR": "true"}
    stopped = subprocess.run(["git", "pull", "-q", "--rebase"], cwd=twin, capture_output=True, check=False)
    assert stopped.returncode != 0
    (twin / "a.txt").write_bytes(MINE_A)
    git("add", "a.txt", cwd=twin)
    again = subprocess.run(
        ["git", "rebase", "--continue"], cwd=twin, env=env, capture_output=True, check=False
    )
    assert again.returncode != 0 and b"mine third" in again.stdout + again.stderr  # stops on the third
    (twin / "c.txt").write_bytes(MERGED_C)
    git("add", "c.txt", cwd=twin)
    subprocess.run(["git", "rebase", "--continue"], cwd=twin, env=env, capture_output=True, check=True)


def same_as_git(world: Clones, twin: Path, theirs: str) -> str:
    head, referee = world.head(world.mine), world.head(twin)
    ours = git("log", f"--format={FIELDS}%x00", f"{theirs}..{head}", cwd=world.mine)
    gits = git("log", f"--format={FIELDS}%x00", f"{theirs}..{referee}", cwd=twin)
    assert ours == gits and ours.count("\0") == 3
    assert git("rev-list", "--merges", f"{theirs}..{head}", cwd=world.mine) == ""
    assert git("rev-list", "--first-parent", f"{theirs}..{head}", cwd=world.mine) == git(
        "rev-list", f"{theirs}..{head}", cwd=world.mine
    )
    for repo in (world.mine, twin):
        fsck(repo)
        assert porcelain(repo) == ""
    return head


def test_three_local_commits_replay_step_by_step_as_git_rebase_continue_does(
    world: Clones, tmp_path: Path
) -> None:
    mine, theirs, twin = stopped_with_twin(world, tmp_path)
    git_resolves(twin)  # before the push below reaches the remote it pulls from
    first_step(world, mine)
    # A sync meanwhile stops as before, listing the third commit's conflicts, and changes nothing.
    code, report = world.sync(world.mine)
    assert code == 1 and report["conflicts"] == ["c.txt"], report
    assert "conflicts in c.txt; nothing was changed" in report["message"], report
    assert world.head(world.mine) == mine[-1] and porcelain(world.mine) == ""
    code, text, _err = resolve(world)
    assert "replaying commit 3 of 3, " + mine[2][:10] + " mine third" in str(text), text
    code, edit, err = resolve(world, "c.txt", "--edit")
    assert code == 0, err
    assert b"<<<<<<< mine\nmine\n" in Path(str(edit).strip()).read_bytes()
    Path(str(edit).strip()).write_bytes(MERGED_C)
    code, out, err = resolve(world, "--finish")
    assert code == 0 and "main rebased as" in str(out), (out, err)
    assert not (world.mine / ".git" / "gitferry" / "resolve").exists()

    head = same_as_git(world, twin, theirs)
    assert world.remote_head() == head  # pushed
    backups = git("for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main", cwd=world.mine)
    assert mine[-1] in backups.split()
    code, doc, err = run(world.capsys, "history", "mine", "--json")
    assert isinstance(doc, dict), err
    assert doc["runs"][1]["kind"] == "resolve" and doc["runs"][1]["conflicts"] == ["a.txt", "c.txt"]
    world.check()


def test_abort_midway_leaves_branch_index_and_worktree_as_the_sync_did(world: Clones) -> None:
    mine = three_commits_stopped(world)
    refs = git("for-each-ref", cwd=world.mine)
    index = (world.mine / ".git" / "index").read_bytes()
    first_step(world, mine)
    code, out, err = resolve(world, "--abort")
    assert code == 0 and "resolution aborted" in str(out), err
    assert git("for-each-ref", cwd=world.mine) == refs and world.head(world.mine) == mine[-1]
    assert (world.mine / ".git" / "index").read_bytes() == index and porcelain(world.mine) == ""
    assert not (world.mine / ".git" / "gitferry" / "resolve").exists()
    assert listed(world)["replaying"]["step"] == 1  # from the start again
    code, report = world.sync(world.mine)
    assert code == 1 and report["conflicts"] == ["a.txt"], report


def test_every_replayed_commit_is_signed_where_git_signs(world: Clones, signing_keys: SigningKeys) -> None:
    mine = three_commits_stopped(world)
    theirs = world.remote_head()
    configure(world.mine, signing_keys.settings("ssh"))
    first_step(world, mine)
    assert resolve(world, "c.txt", "--mine")[0] == 0
    assert resolve(world, "--finish")[0] == 0
    replayed = git("rev-list", f"{theirs}..HEAD", cwd=world.mine).split()
    assert len(replayed) == 3
    for commit in replayed:
        verify_commit(world.mine, commit)


def test_a_commit_the_resolution_empties_is_left_out_as_git_does(world: Clones, tmp_path: Path) -> None:
    mine, theirs, twin = stopped_with_twin(world, tmp_path)
    env = {**os.environ, "GIT_EDITOR": "true"}
    subprocess.run(["git", "pull", "-q", "--rebase"], cwd=twin, capture_output=True, check=False)
    for name, data in (("a.txt", THEIRS_A), ("c.txt", THEIRS_C)):
        (twin / name).write_bytes(data)
        git("add", name, cwd=twin)
        subprocess.run(["git", "rebase", "--continue"], cwd=twin, env=env, capture_output=True, check=False)
    assert not (twin / ".git" / "rebase-merge").exists()

    assert resolve(world, "a.txt", "--theirs")[0] == 0  # the first commit changes nothing then
    code, out, err = resolve(world, "--finish")
    assert code == 0, err
    assert str(out).startswith(
        "mine: the commits before commit 3 are replayed; it stops on conflicts of its own "
        "(main moves once the last is replayed)\nmain onto origin/main: replaying commit 3 of 3, "
    ), out
    assert resolve(world, "c.txt", "--theirs")[0] == 0  # nor the third
    assert resolve(world, "--finish")[0] == 0
    head, referee = world.head(world.mine), world.head(twin)
    assert git("log", f"--format={FIELDS}", f"{theirs}..{head}", cwd=world.mine) == git(
        "log", f"--format={FIELDS}", f"{theirs}..{referee}", cwd=twin
    )
    assert git("rev-list", "--count", f"{theirs}..{head}", cwd=world.mine) == "1"  # the second only
    assert mine


@pytest.mark.parametrize("last_kill", ["objects", "record", "branch"])
def test_a_finish_killed_between_its_steps_loses_nothing_and_goes_on(
    world: Clones, tmp_path: Path, last_kill: str
) -> None:
    """`gitferry resolve --finish --no-push` killed (SIGKILL) as each of its steps lands:
    once the replayed commits are stored, once the state names them; at the last commit,
    once the switch stores its objects, records itself (its files then written) or moves the
    branch. Each time the resolution is
    readable at the step it was or the next, branch, index and working tree are as they
    were, `git fsck` is clean; the next Finish goes on (a half switch finished as the sync
    finishes one) to git's result, every commit kept."""
    mine, theirs, twin = stopped_with_twin(world, tmp_path)
    git_resolves(twin)
    git_dir = world.mine / ".git"
    state = git_dir / "gitferry" / "resolve" / "state.json"
    for landed in (lambda: _new_object(git_dir), lambda: _replaced(state)):
        assert resolve(world, "a.txt", "--mine")[0] == 0
        finish_killed(landed())
        assert world.head(world.mine) == mine[-1] and porcelain(world.mine) == ""
        assert listed(world)["replaying"]["step"] in (1, 3)
        fsck(world.mine)
        assert resolve(world, "--abort")[0] == 0
    assert resolve(world, "a.txt", "--mine")[0] == 0
    finish_killed(_replaced(state))  # the state says the third: killed before its files went
    assert listed(world)["replaying"]["step"] == 3 and world.head(world.mine) == mine[-1]
    edit = Path(str(resolve(world, "c.txt", "--edit")[1]).strip())
    edit.write_bytes(MERGED_C)
    finish_killed(
        {
            "objects": _new_object(git_dir),
            "record": _switch_recorded(git_dir),  # files being written: finished as a sync's half switch
            "branch": _moved(git_dir / "refs" / "heads" / "main"),
        }[last_kill]
    )
    fsck(world.mine)
    code, out, err = resolve(world, "--finish", "--no-push")
    assert code == 0 and "main rebased as" in str(out), (out, err)
    assert not (git_dir / "gitferry" / "resolve").exists() and not (git_dir / "index.lock").exists()
    assert porcelain(world.mine) == ""
    same_as_git(world, twin, theirs)
    assert mine[-1] in git(
        "for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main", cwd=world.mine
    )


def _loose_objects(git_dir: Path) -> int:
    return sum(len(os.listdir(folder)) for folder in (git_dir / "objects").glob("[0-9a-f][0-9a-f]"))


def _new_object(git_dir: Path) -> Callable[[], bool]:
    before = _loose_objects(git_dir), len(list((git_dir / "objects" / "pack").glob("*.pack")))
    return lambda: (
        (
            _loose_objects(git_dir),
            len(list((git_dir / "objects" / "pack").glob("*.pack"))),
        )
        != before
    )


def _replaced(path: Path) -> Callable[[], bool]:
    before = path.stat().st_ino if path.exists() else None
    return lambda: path.exists() and path.stat().st_ino != before


def _switch_recorded(git_dir: Path) -> Callable[[], bool]:
    return (git_dir / "gitferry" / "switch.json").exists


def _moved(ref: Path) -> Callable[[], bool]:
    before = ref.read_bytes()
    return lambda: ref.read_bytes() != before


def finish_killed(landed: Callable[[], bool]) -> None:
    """`resolve mine --finish --no-push` in a process of its own, killed as soon as
    `landed` says its step landed (it may have gone on a little further: no later)."""
    process = subprocess.Popen(
        [*CLI, "resolve", "mine", "--finish", "--no-push"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while process.poll() is None:
        try:
            if landed():
                process.send_signal(signal.SIGKILL)
                break
        except FileNotFoundError:  # a ref or state being replaced
            pass
        time.sleep(0.0005)
    process.wait(timeout=60)
