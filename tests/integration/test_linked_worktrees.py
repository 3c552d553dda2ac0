"""Repositories with linked worktrees (`git worktree add`).

A branch checked out in another worktree is never moved by a sync: git refuses
("cannot force update the branch ... checked out at ..."), because that worktree's
index and files would then stand for the old commit and its next ordinary commit
would silently revert what the move brought. And a linked worktree registered
itself syncs its own branch, with its own HEAD and index, the shared objects and
refs, and the one sync lock of the repository.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.sync import SyncOptions, sync_repository
from core.git.locks.sync_lock import acquire_sync_lock
from core.results import ResultKind
from tests.gitcli import fsck, git
from tests.integration.clones import Clones, porcelain, run, unpublished_branches
from tests.integration.test_branches_a_sync_leaves import branches_of


def topic_in_a_linked_worktree(world: Clones) -> Path:
    """`topic` on the remote, tracked in `mine` and checked out in the worktree `linked`."""
    git("push", "-q", "origin", "main:topic", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("branch", "-q", "--track", "topic", "origin/topic", cwd=world.mine)
    linked = world.mine.parent / "linked"
    git("worktree", "add", "-q", str(linked), "topic", cwd=world.mine)
    return linked


def theirs_pushes(world: Clones, branch: str, name: str) -> str:
    git("fetch", "-q", "origin", cwd=world.theirs)
    git("checkout", "-q", "-B", branch, f"origin/{branch}", cwd=world.theirs)
    sha = world.commit(world.theirs, name, f"{name} from theirs\n")
    git("push", "-q", "origin", branch, cwd=world.theirs)
    return sha


def git_refuses_to_move(repo: Path, branch: str) -> bool:
    """Whether `git branch -f <branch> origin/<branch>` refuses (if it does not, it moves it)."""
    proc = subprocess.run(
        ["git", "branch", "-f", branch, f"origin/{branch}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode != 0 and "cannot force update" in proc.stderr


def test_fast_forward_all_leaves_a_branch_checked_out_in_another_worktree_alone(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    run(world.capsys, "set", "mine", "fast_forward_all", "true")
    upstream = theirs_pushes(world, "topic", "upstream.txt")
    topic = world.head(world.mine, "topic")

    code, report = world.sync(world.mine)

    assert code == 0, report
    assert world.head(world.mine, "refs/remotes/origin/topic") == upstream
    assert world.head(world.mine, "topic") == topic  # the ref did not move under `linked`
    assert git_refuses_to_move(world.mine, "topic")  # as git decides
    assert "topic" not in report["fast_forwarded"]
    assert report["left_alone"] == {"topic": f"checked out in the worktree at {linked}"}
    assert f"topic: 1 behind, checked out in {linked}" in report["message"]  # as `status` says it
    assert "left topic alone" not in report["message"]
    assert "\n" not in report["message"]
    assert porcelain(linked) == ""
    # `status` says where it is and that the sync leaves it, not that it has work to do
    branches = branches_of(world, "mine")
    assert branches["topic"]["worktree"] == str(linked) and branches["topic"]["left_alone"] is True
    assert branches["topic"]["worktree_use"] == "checked out" and branches["main"]["worktree"] is None
    assert branches["topic"]["worktree_deleted"] is False and branches["main"]["worktree_deleted"] is None
    _code, out, _err = run(world.capsys, "status", "mine")
    assert f"(checked out in the worktree at {linked}: a sync here leaves it as it is)" in out

    # The person's next ordinary commit in `linked` changes their file, and reverts nothing.
    (linked / "mine.txt").write_text("work in the linked worktree\n")
    git("add", "mine.txt", cwd=linked)
    git("commit", "-q", "-m", "work", cwd=linked)
    world.remember()
    assert git("diff", "--name-status", "HEAD~1", "HEAD", cwd=linked) == "A\tmine.txt"
    assert git("log", "--format=%H", "-1", "HEAD~1", cwd=linked) == topic
    git("merge", "-q", "--no-edit", "origin/topic", cwd=linked)  # what the person does next: no loss
    assert (linked / "upstream.txt").read_text() == "upstream.txt from theirs\n"
    assert porcelain(linked) == ""
    fsck(world.mine)


def test_a_deleted_but_unpruned_worktree_still_holds_its_branch(world: Clones) -> None:
    """git keeps counting a worktree whose folder was deleted until `git worktree prune`."""
    linked = topic_in_a_linked_worktree(world)
    run(world.capsys, "set", "mine", "fast_forward_all", "true")
    upstream = theirs_pushes(world, "topic", "upstream.txt")
    topic = world.head(world.mine, "topic")
    shutil.rmtree(linked)

    _code, report = world.sync(world.mine)

    assert git_refuses_to_move(world.mine, "topic")
    assert world.head(world.mine, "topic") == topic and "topic" not in report["fast_forwarded"]
    hint = "(folder deleted: `git worktree prune` releases it)"  # the one wording, wherever it is said
    assert report["left_alone"]["topic"] == f"checked out in the worktree at {linked} {hint}"
    assert f"topic: 1 behind, checked out in {linked} {hint}" in report["message"]  # the stored line
    _code, out, _err = run(world.capsys, "status", "mine")
    assert f"(checked out in the worktree at {linked}: a sync here leaves it as it is {hint})" in out
    topic_json = branches_of(world, "mine")["topic"]  # --json says what the text's hint says
    assert topic_json["worktree"] == str(linked) and topic_json["worktree_deleted"] is True

    git("worktree", "prune", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["topic"] and report["left_alone"] == {}, report
    assert world.head(world.mine, "topic") == upstream


def test_the_checked_out_branch_is_not_integrated_when_another_worktree_has_it_too(world: Clones) -> None:
    """`git worktree add --force` can check `main` out twice: moving it from one would
    move it under the other."""
    twin = world.mine.parent / "twin"
    git("worktree", "add", "-q", "--force", str(twin), "main", cwd=world.mine)
    theirs_pushes(world, "main", "upstream.txt")
    main = world.head(world.mine, "main")

    code, report = world.sync(world.mine)

    assert code != 0 and report["result"] == "dirty", report
    assert report["message"] == f"main: not integrated: it is also checked out in the worktree at {twin}"
    assert world.head(world.mine, "main") == main
    assert porcelain(world.mine) == "" and porcelain(twin) == ""


def test_a_registered_linked_worktree_syncs_its_own_branch(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    code, _out, err = run(world.capsys, "add", str(linked), "--name", "linked")
    assert code == 0, err
    main_worktree = (world.mine / ".git" / "HEAD").read_bytes(), (world.mine / ".git" / "index").read_bytes()

    # behind: fast-forward of topic, its index and files
    upstream = theirs_pushes(world, "topic", "upstream.txt")
    code, report = world.sync(linked)
    assert code == 0 and report["fast_forwarded"] == ["topic"], report
    assert world.head(linked) == upstream and (linked / "upstream.txt").exists()

    # diverged: merge, then push
    world.commit(linked, "local.txt", "local\n")
    theirs_pushes(world, "topic", "upstream2.txt")
    code, report = world.sync(linked)
    assert code == 0 and report["merged"] == ["topic"] and report["pushed"] == ["topic"], report
    assert world.remote_head("topic") == world.head(linked) == world.head(world.mine, "topic")
    assert (linked / "upstream2.txt").exists() and (linked / "local.txt").exists()

    for tree in (world.mine, linked):
        assert porcelain(tree) == ""
    assert ((world.mine / ".git" / "HEAD").read_bytes(), (world.mine / ".git" / "index").read_bytes()) == (
        main_worktree
    )
    assert git("symbolic-ref", "HEAD", cwd=world.mine) == "refs/heads/main"
    assert not list((world.mine / ".git").rglob("*.lock"))
    fsck(world.mine)


def test_a_registered_linked_worktree_leaves_the_main_worktrees_branch_alone(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    run(world.capsys, "add", str(linked), "--name", "linked")
    run(world.capsys, "set", "linked", "fast_forward_all", "true")
    main = world.head(world.mine, "main")
    theirs_pushes(world, "main", "upstream.txt")

    code, report = world.sync(linked)

    assert code == 0 and report["left_alone"] == {"main": f"checked out in the worktree at {world.mine}"}, (
        report
    )
    assert world.head(world.mine, "main") == main
    assert porcelain(world.mine) == ""


def test_a_sync_of_one_registered_worktree_measures_the_others_again(world: Clones) -> None:
    """A user trial: `mine` and its linked worktree `linked` both registered; `gitferry
    sync mine` fetched origin/topic, and `gitferry status linked` still said topic "behind
    0" while `git status` there said "behind 1" (until linked's own next fetch). They
    share the refs: a sync of one measures the others again."""
    linked = topic_in_a_linked_worktree(world)
    assert run(world.capsys, "add", str(linked), "--name", "linked")[0] == 0
    assert run(world.capsys, "status", "--refresh", "linked")[0] == 0
    theirs_pushes(world, "topic", "upstream.txt")
    code, report = world.sync(world.mine)
    assert code == 0 and report["fetched_refs"] == ["origin/topic"], report
    assert git("rev-list", "--count", "topic..origin/topic", cwd=linked) == "1"  # git's referee
    code, doc, err = run(world.capsys, "status", "linked", "--json")
    assert code == 0, err
    [topic] = [b for b in doc["repos"][0]["branches"] if b["name"] == "topic"]
    assert (topic["ahead"], topic["behind"]) == (0, 1), topic


def test_an_unfinished_merge_in_a_linked_worktree_stops_only_that_worktree(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    run(world.capsys, "add", str(linked), "--name", "linked")
    git("checkout", "-q", "-b", "side", cwd=linked)
    world.commit(linked, "c.txt", "side\n")
    git("checkout", "-q", "topic", cwd=linked)
    world.commit(linked, "c.txt", "topic\n")
    git("merge", "-q", "side", cwd=linked, check=False)
    world.remember()
    assert (world.mine / ".git" / "worktrees" / "linked" / "MERGE_HEAD").exists()
    theirs_pushes(world, "main", "upstream.txt")

    _code, report = world.sync(linked)
    assert report["result"] == "dirty" and "topic: a merge is in progress (MERGE_HEAD)" in report["message"]
    code, report = world.sync(world.mine)
    assert report["fast_forwarded"] == ["main"], report
    # `side`, merged only by the unfinished merge, is on no remote: named, exit 1.
    assert unpublished_branches(world.mine) == {"side": 1} == report["unpublished"], report
    assert code == 1 and report["result"] == "unpublished", report
    git("merge", "--abort", cwd=linked)


def test_two_worktrees_of_one_repository_share_one_sync_lock(world: Clones) -> None:
    """Their syncs move the same branches and remote-tracking refs: one at a time."""
    linked = topic_in_a_linked_worktree(world)
    run(world.capsys, "add", str(linked), "--name", "linked")

    async def sync_linked() -> ResultKind:
        core = await Core.open()
        try:
            record = await core.store.repo("linked")
            report = await sync_repository(core, record, SyncOptions(timeout=10, lock_wait=0.0))
            return report.result
        finally:
            await core.close()

    with acquire_sync_lock(world.mine / ".git"):
        assert asyncio.run(sync_linked()) == ResultKind.BUSY
    assert asyncio.run(sync_linked()) == ResultKind.UP_TO_DATE
    assert not (world.mine / ".git" / "worktrees" / "linked" / "gitferry" / "sync.lock").exists()


def test_a_branch_being_rebased_in_another_worktree_is_not_pushed(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    world.commit(linked, "one.txt", "one\n")
    world.commit(linked, "two.txt", "two\n")
    git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "HEAD~2", cwd=linked)
    run(world.capsys, "set", "mine", "push_all", "true")
    before = world.remote_head("topic")

    code, report = world.sync(world.mine)

    assert code == 0 and report["pushed"] == [] and world.remote_head("topic") == before, report
    assert report["left_alone"] == {"topic": f"being rebased in the worktree at {linked}"}
    git("rebase", "--continue", cwd=linked)
    world.remember()
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["topic"], report


def git_fetch_refuses(repo: Path) -> str:
    """`git fetch origin`'s refusal (stderr), asserting that it refused."""
    proc = subprocess.run(["git", "fetch", "origin"], cwd=repo, capture_output=True, text=True, check=False)
    assert proc.returncode != 0, proc.stderr
    return proc.stderr.strip()


def test_a_mirror_refspec_never_fetches_into_the_checked_out_branch(world: Clones) -> None:
    """`remote.origin.fetch = +refs/heads/*:refs/heads/*` would move `main` under the
    working tree: git refuses the whole fetch ("refusing to fetch into branch ...
    checked out at ..."), and so does a sync, nothing moved."""
    git("config", "--replace-all", "remote.origin.fetch", "+refs/heads/*:refs/heads/*", cwd=world.mine)
    theirs_pushes(world, "main", "upstream.txt")
    git("push", "-q", "origin", "main:other", cwd=world.theirs)
    before = git("for-each-ref", cwd=world.mine)
    refusal = git_fetch_refuses(world.mine)
    assert f"refusing to fetch into branch 'refs/heads/main' checked out at '{world.mine}'" in refusal

    code, report = world.sync(world.mine)

    assert code != 0 and report["result"] == "error", report
    assert report["message"] == (
        "fetching from origin failed: "
        f"refusing to fetch into branch 'refs/heads/main' checked out at '{world.mine}'"
    )
    assert git("for-each-ref", cwd=world.mine) == before  # nothing moved, `other` not created either
    assert porcelain(world.mine) == ""


def test_a_refspec_into_a_branch_checked_out_in_a_linked_worktree_is_refused(world: Clones) -> None:
    linked = topic_in_a_linked_worktree(world)
    git("config", "--add", "remote.origin.fetch", "+refs/heads/topic:refs/heads/topic", cwd=world.mine)
    theirs_pushes(world, "topic", "upstream.txt")
    before = git("for-each-ref", cwd=world.mine)
    refusal = git_fetch_refuses(world.mine)
    assert f"refusing to fetch into branch 'refs/heads/topic' checked out at '{linked}'" in refusal

    code, report = world.sync(world.mine)

    assert code != 0, report
    assert report["message"] == (
        "fetching from origin failed: "
        f"refusing to fetch into branch 'refs/heads/topic' checked out at '{linked}'"
    )
    assert git("for-each-ref", cwd=world.mine) == before
    assert porcelain(linked) == "" and porcelain(world.mine) == ""


def test_the_sync_measures_the_other_worktrees_from_its_own_list_of_them(
    world: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync lists the repository's worktrees as it fetches; measuring the registered
    siblings again after it fetched something lists them no second time: the only listing
    such a sync adds is the sibling's own measure (which names its branches' worktrees)."""
    linked = topic_in_a_linked_worktree(world)
    assert run(world.capsys, "add", str(linked), "--name", "linked")[0] == 0
    admin = os.path.realpath(world.mine / ".git" / "worktrees")
    listed = 0
    real_listdir = os.listdir

    def counting_listdir(path: str | os.PathLike[str] = ".") -> list[str]:
        nonlocal listed
        if os.path.realpath(path) == admin:
            listed += 1
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", counting_listdir)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fetched_refs"] == [], report  # nothing new: no sibling measured
    quiet = listed
    theirs_pushes(world, "topic", "upstream.txt")
    listed = 0
    code, report = world.sync(world.mine)
    assert code == 0 and report["fetched_refs"] == ["origin/topic"], report
    assert listed - quiet == 1, (quiet, listed)
