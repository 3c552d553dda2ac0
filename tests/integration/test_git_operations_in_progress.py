"""A sync while the person is in the middle of a git command in the registered clone.

`git pull` refuses to integrate under an unfinished merge ("You have not concluded
your merge (MERGE_HEAD exists)"); so does the sync: it still fetches (the
remote-tracking ref moves, ahead/behind are measured), but the checked-out branch,
HEAD, index and files stay byte for byte as they were, nothing of that branch is
pushed, and the result is `dirty` with a message naming the command. Once the person
finishes or aborts it, the next sync integrates and pushes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from core.paths import data_dir, store_file
from tests.git_operations import UNFINISHED, Unfinished, unfinished_id
from tests.gitcli import commit_file, git, refs
from tests.integration.clones import Clones, porcelain, run, unpublished_branches

COMMANDS = {  # the report's `unfinished` (core.results.Unfinished) beside each message
    "a merge": "merge",
    "a cherry-pick": "cherry-pick",
    "a revert": "revert",
    "a rebase of main": "rebase",
    "`git am`": "am",
    "a bisect": "bisect",
}


def untouched(repo: Path) -> dict[str, bytes]:
    """HEAD, index, operation state, local branches and every file: what must not change."""
    git_dir = repo / ".git"
    state = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and (".git" not in p.relative_to(repo).parts or p.parent == git_dir)
        and not p.name.startswith(("FETCH_HEAD", "ORIG_HEAD"))
    }  # fmt: skip
    state["branches"] = repr(
        sorted((k, v) for k, v in refs(repo).items() if k.startswith("refs/heads/"))
    ).encode()
    return state


def theirs_pushes(world: Clones) -> str:
    sha = world.commit(world.theirs, "theirs.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    return sha


@pytest.mark.parametrize("operation", UNFINISHED, ids=unfinished_id)
def test_no_integration_under_an_unfinished_git_command(world: Clones, operation: Unfinished) -> None:
    world.commit(world.mine, "mine.txt", "a commit a sync would push\n")
    theirs = theirs_pushes(world)
    operation.start(world.mine)
    world.remember()
    before = untouched(world.mine)

    code, report = world.sync(world.mine)

    assert code != 0 and report["result"] == "dirty", report
    assert (
        f"{operation.name} is in progress ({operation.marker}): {operation.advice}"
        in report["message"]
    )
    assert "\n" not in report["message"]
    # which command, as a field (the window's word for it: "Rebase in progress")
    assert report["unfinished"] == COMMANDS[operation.name]
    assert untouched(world.mine) == before
    assert world.head(world.mine, "refs/remotes/origin/main") == theirs  # the fetch happened
    assert world.remote_head() == theirs  # nothing of mine was pushed
    assert report["pushed"] == [] and report["merged"] == [] and report["fast_forwarded"] == []
    _code, status, _err = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "dirty"  # shown until the person acts
    assert status["repos"][0]["last_unfinished"] == COMMANDS[operation.name]  # kept by the store
    main = next(b for b in status["repos"][0]["branches"] if b["name"] == "main")
    behind = int(git("rev-list", "--count", "main..origin/main", cwd=world.mine))
    assert main["behind"] == behind >= 1  # measured against the new upstream

    operation.finish(world.mine)
    world.remember()
    code, report = world.sync(world.mine)

    # A branch the operation was staged from (a cherry-pick's source) is on no remote:
    # the sync names it (`unpublished`, exit 1) and still merges and pushes main.
    scratch = unpublished_branches(world.mine)
    assert "main" not in scratch and report["unpublished"] == scratch, report
    assert (code, report["result"]) == ((1, "unpublished") if scratch else (0, "ok")), report
    assert report["unfinished"] is None
    _code, status, _err = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_unfinished"] is None
    assert report["merged"] == ["main"] and report["pushed"] == ["main"], report
    assert world.remote_head() == world.head(world.mine, "main")
    assert git("merge-base", "--is-ancestor", theirs, "main", cwd=world.mine) == ""
    assert porcelain(world.mine) == ""


def test_a_store_from_before_schema_9_learns_the_rebase_at_the_next_fetch(world: Clones) -> None:
    """A store upgraded from schema 8 has no `last_unfinished` for a repository already
    stopped on a rebase (the window reads "Local changes in the way"). The upgrade cannot
    ask git (core.store never imports core.git), and the message is not parsed again
    (0859a69); the next fetch, a background one too, proves the stop from git's state
    files and records the command, as a whole sync would."""
    world.commit(world.mine, "mine.txt", "a commit a sync would push\n")
    theirs_pushes(world)
    rebase = next(op for op in UNFINISHED if op.marker == "rebase-merge")
    rebase.start(world.mine)
    world.remember()
    code, report = world.sync(world.mine)
    assert code != 0 and report["result"] == "dirty" and report["unfinished"] == "rebase", report
    with closing(sqlite3.connect(store_file(data_dir()))) as conn, conn:  # as schema 8 left it
        conn.execute("UPDATE repos SET last_unfinished = NULL")
        conn.execute("UPDATE sync_runs SET details = json_remove(details, '$.unfinished')")
    _code, status, _err = run(world.capsys, "status", "mine", "--json")
    assert (status["repos"][0]["last_result"], status["repos"][0]["last_unfinished"]) == ("dirty", None)
    before = untouched(world.mine)

    code, report = world.sync(world.mine, "--fetch-only")

    assert code != 0 and report["result"] == "dirty" and report["unfinished"] == "rebase", report
    _code, status, _err = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_unfinished"] == "rebase"
    assert untouched(world.mine) == before
    assert "interactive rebase in progress" in git("status", cwd=world.mine)  # git's referee
    rebase.finish(world.mine)
    world.remember()


def test_other_branches_still_push_under_an_unfinished_merge(world: Clones) -> None:
    """Like `git push` would: a branch the unfinished command does not involve is pushed."""
    git("checkout", "-q", "-b", "topic", cwd=world.mine)
    world.commit(world.mine, "topic.txt", "topic\n")
    git("push", "-q", "-u", "origin", "topic", cwd=world.mine)
    topic = world.commit(world.mine, "topic.txt", "topic, later\n")
    git("checkout", "-q", "main", cwd=world.mine)
    UNFINISHED[0].start(world.mine)
    world.remember()
    run(world.capsys, "set", "mine", "push_all", "true")

    _code, report = world.sync(world.mine)

    assert report["result"] == "dirty" and report["pushed"] == ["topic"], report
    assert world.remote_head("topic") == topic
    assert world.remote_head("main") == git("rev-parse", "origin/main", cwd=world.mine)
    UNFINISHED[0].finish(world.mine)
    world.remember()


def test_a_branch_being_rebased_is_not_pushed_from_its_old_tip(world: Clones) -> None:
    """The rebase will replace main's tip: pushing the old one now would make the
    rebased branch diverge from what the remote has (and the next sync merge both). Said
    as git says a rebase in the repository's own folder (a CLI trial read "being rebased in
    the worktree at <this same folder>" as another worktree's; `git worktree list` names no
    other), not as one in a linked worktree."""
    world.commit(world.mine, "one.txt", "one\n")
    world.commit(world.mine, "two.txt", "two\n")
    before = world.remote_head()
    git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "HEAD~2", cwd=world.mine)
    run(world.capsys, "set", "mine", "push_all", "true")

    _code, report = world.sync(world.mine)

    assert report["result"] == "dirty" and "a rebase of main is in progress" in report["message"], report
    assert report["pushed"] == [] and world.remote_head() == before
    held = "a rebase is in progress: finish or abort it with git"
    assert report["left_alone"] == {"main": held}
    assert git("worktree", "list", "--porcelain", cwd=world.mine).count("worktree ") == 1
    _code, out, _err = run(world.capsys, "status", "mine")
    (line,) = [line for line in out.splitlines() if line.split()[0] == "main"]
    assert line.endswith(f"ahead 2, behind 0  ({held})"), out
    _code, doc, _err = run(world.capsys, "status", "mine", "--json")
    (main,) = [b for b in doc["repos"][0]["branches"] if b["name"] == "main"]
    assert (main["worktree"], main["worktree_use"], main["worktree_deleted"]) == (None, "being rebased", None)
    git("rebase", "--abort", cwd=world.mine)


def test_auto_commit_repository_keeps_the_conflict_for_the_person(world: Clones) -> None:
    """With auto-commit on, a merge stopped on a conflict is neither committed (markers
    and all) nor merged over: the person resolves it with git."""
    run(world.capsys, "set", "mine", "auto_commit", "true")
    theirs_pushes(world)
    UNFINISHED[0].start(world.mine)
    world.remember()
    (world.mine / "notes.txt").write_text("a change auto-commit would otherwise take\n")
    before = untouched(world.mine)

    code, report = world.sync(world.mine)

    assert code != 0 and report["result"] == "dirty" and report["committed"] == 0, report
    assert "a merge is in progress (MERGE_HEAD)" in report["message"]
    assert untouched(world.mine) == before
    assert "<<<<<<<" in (world.mine / "c.txt").read_text()  # the person's conflict, as git left it
    UNFINISHED[0].finish(world.mine)
    world.remember()
    code, report = world.sync(world.mine)
    assert code == 0 and report["committed"] == 1 and report["pushed"] == ["main"], report
    assert porcelain(world.mine) == ""


def _stash_pop_conflict(repo: Path) -> None:
    """`git stash pop` onto a commit that changed the same lines: the stash stays, no state file."""
    commit_file(repo, "c.txt", "base\n")
    (repo / "c.txt").write_text("stashed\n")
    git("stash", "-q", cwd=repo)
    commit_file(repo, "c.txt", "main\n")
    git("stash", "pop", "-q", cwd=repo, check=False)


def _checkout_merge_conflict(repo: Path) -> None:
    """`git checkout -m main` carrying an edit from `side` onto a main that changed it too."""
    commit_file(repo, "c.txt", "main\n")
    git("checkout", "-q", "-b", "side", "HEAD~1", cwd=repo)
    commit_file(repo, "c.txt", "side\n")
    git("push", "-q", "-u", "origin", "side", cwd=repo)  # published: not what this test is about
    (repo / "c.txt").write_text("edited on side\n")
    git("checkout", "-q", "-m", "main", cwd=repo, check=False)


UNMERGED_WITHOUT_STATE = [_stash_pop_conflict, _checkout_merge_conflict]


@pytest.mark.parametrize("auto_commit", [False, True], ids=["plain", "auto-commit"])
@pytest.mark.parametrize("conflict", UNMERGED_WITHOUT_STATE, ids=["stash-pop", "checkout-m"])
def test_an_unmerged_index_without_operation_state_is_left_to_the_person(
    world: Clones, conflict: Callable[[Path], None], auto_commit: bool
) -> None:
    """Stages 1-3 in the index but no MERGE_HEAD or other state file: git refuses to
    commit ("Committing is not possible because you have unmerged files") or pull; so
    neither auto-commit nor integration touches it, and nothing of main is pushed."""
    if auto_commit:
        run(world.capsys, "set", "mine", "auto_commit", "true")
    theirs = theirs_pushes(world)
    conflict(world.mine)
    world.remember()
    assert git("ls-files", "-u", cwd=world.mine) != ""  # stages 1-3
    assert not any((world.mine / ".git" / name).exists() for name in ("MERGE_HEAD", "CHERRY_PICK_HEAD"))
    (world.mine / "notes.txt").write_text("a change auto-commit would otherwise take\n")
    refused = git("commit", "-q", "-m", "x", cwd=world.mine, check=False)
    before = untouched(world.mine)
    assert "unmerged" in refused.lower() or before == untouched(world.mine)

    code, report = world.sync(world.mine)

    assert code != 0 and report["result"] == "dirty" and report["committed"] == 0, report
    assert report["message"] == (
        "main: the index has unmerged paths (c.txt): resolve them with git (fix them, then git add or git rm)"
    )
    assert report["unfinished"] == "unmerged"
    assert untouched(world.mine) == before
    assert git("ls-files", "-u", "c.txt", cwd=world.mine) != ""
    assert world.head(world.mine, "refs/remotes/origin/main") == theirs  # the fetch happened
    assert world.remote_head() == theirs and report["pushed"] == [], report
    _code, status, _err = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "dirty"

    (world.mine / "c.txt").write_text("resolved\n")
    git("add", "c.txt", "notes.txt", cwd=world.mine)
    if not auto_commit:
        git("commit", "-q", "-m", "resolved", cwd=world.mine)
    world.remember()
    code, report = world.sync(world.mine)

    assert code == 0 and report["pushed"] == ["main"], report
    assert report["committed"] == (2 if auto_commit else 0)  # c.txt and notes.txt
    assert world.remote_head() == world.head(world.mine, "main")
    assert git("merge-base", "--is-ancestor", theirs, "main", cwd=world.mine) == ""
    assert (world.mine / "c.txt").read_text() == "resolved\n"


def test_a_fetch_does_not_say_again_a_merge_the_person_has_since_committed(world: Clones) -> None:
    """A sync stopped on an unfinished merge (`dirty`, `unfinished` "merge"). The person
    commits the merge with git and goes on editing; the remote moves on. A fetch said the
    last stop again ("main: a merge is in progress (MERGE_HEAD)") because files were
    changed, though no merge was in progress any more and no change of theirs had stopped
    anything: the stop it says again must be the one that still holds."""
    world.commit(world.mine, "mine.txt", "a commit a sync would push\n")
    theirs_pushes(world)
    git("fetch", "-q", cwd=world.mine)
    git("merge", "-q", "--no-ff", "--no-commit", "origin/main", cwd=world.mine)  # under way
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["unfinished"]) == (1, "dirty", "merge"), report
    git("commit", "-q", "--no-edit", cwd=world.mine)  # the person concludes it with git
    assert "All conflicts fixed" not in git("status", cwd=world.mine)  # the referee: no merge
    assert not (world.mine / ".git" / "MERGE_HEAD").exists()
    world.commit(world.theirs, "later.txt", "the remote moves on\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "mine.txt").write_text("still editing\n")  # changed, in nobody's way

    code, report = world.sync(world.mine, "--fetch-only")

    assert "in progress" not in report["message"] and report["unfinished"] is None, report
    assert report["result"] != "dirty", report
