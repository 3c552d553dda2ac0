"""`gitferry sync` end to end: two clones of one remote taking turns.

Against a bare repository by path and `git daemon`; the git CLI is the referee,
and after every test `git fsck` is clean and no commit that ever existed is
unreachable (branches, tracking refs or backup refs).
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from core.engine.core import Core
from tests.gitcli import ahead_behind, commit_file, git
from tests.integration.clones import Clones, porcelain, run
from tests.servers import Remote
from tests.waiting import CAP, wait_until


@pytest.fixture(params=["path", "git"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Clones]:
    remote: Remote = request.getfixturevalue({"path": "path_remote", "git": "git_daemon"}[request.param])
    clones = Clones.make(remote, tmp_path, capsys)
    yield clones
    clones.check()


def publish(world: Clones, name: str, content: str) -> str:
    """`theirs` commits and pushes with the git CLI (the colleague)."""
    sha = world.commit(world.theirs, name, content)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    return sha


def test_remote_ahead_fast_forwards(world: Clones) -> None:
    new = publish(world, "b.txt", "from them\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["fast_forwarded"] == ["main"] and report["fetched_refs"] == ["origin/main"]
    assert world.head(world.mine) == new
    assert (world.mine / "b.txt").read_text() == "from them\n"
    assert porcelain(world.mine) == ""
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date", report


def test_local_ahead_pushes_only_new_objects(world: Clones) -> None:
    mine = world.commit(world.mine, "b.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["pushed"] == ["main"] and report["objects_sent"] == 3  # commit, tree, blob
    assert world.remote_head() == mine
    assert world.head(world.mine, "origin/main") == mine
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    branch = status["repos"][0]["branches"][0]
    assert (branch["ahead"], branch["behind"]) == (0, 0) == ahead_behind(world.mine, "main", "origin/main")


def test_diverged_clean_merge_converges(world: Clones) -> None:
    theirs = publish(world, "b.txt", "theirs\n")
    mine = world.commit(world.mine, "c.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["merged"] == ["main"] and report["pushed"] == ["main"]
    parents = git("rev-list", "--parents", "-n1", "HEAD", cwd=world.mine).split()[1:]
    assert parents == [mine, theirs]
    assert world.remote_head() == world.head(world.mine)
    assert porcelain(world.mine) == ""
    code, report = world.sync(world.theirs)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.theirs) == world.head(world.mine)
    assert (world.theirs / "c.txt").read_text() == "mine\n"


@pytest.mark.parametrize("strategy", ["merge", "rebase"])
def test_conflict_changes_nothing_and_names_the_paths(world: Clones, strategy: str) -> None:
    run(world.capsys, "set", "mine", "strategy", strategy)
    publish(world, "a.txt", "one\nTHEIRS\nthree\n")
    mine = world.commit(world.mine, "a.txt", "one\nMINE\nthree\n")
    index_before = (world.mine / ".git" / "index").read_bytes()
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "conflict", report
    assert report["conflicts"] == ["a.txt"] and report["pushed"] == []
    assert world.head(world.mine) == mine
    assert (world.mine / "a.txt").read_text() == "one\nMINE\nthree\n"
    assert (world.mine / ".git" / "index").read_bytes() == index_before
    assert porcelain(world.mine) == ""
    assert not (world.mine / ".git" / "MERGE_HEAD").exists()
    assert world.remote_head() != mine


def conflicts_of(name: str) -> list[tuple[str, str, datetime]]:
    """What the status store lists as conflicted for the named repository."""

    async def read() -> list[tuple[str, str, datetime]]:
        core = await Core.open()
        try:
            repo = await core.store.repo(name)
            return [(c.branch, c.path, c.since) for c in await core.store.conflicts(repo.id)]
        finally:
            await core.close()

    return asyncio.run(read())


def test_conflict_is_listed_until_the_user_resolves_it(world: Clones) -> None:
    publish(world, "a.txt", "one\nTHEIRS\nthree\n")
    world.commit(world.mine, "a.txt", "one\nMINE\nthree\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "conflict", report
    listed = conflicts_of("mine")
    assert [(branch, path) for branch, path, _ in listed] == [("main", "a.txt")]
    message = report["message"]
    code, report = world.sync(world.mine, "--fetch-only")
    assert (report["result"], report["message"]) == ("conflict", message), report  # it still stands
    assert conflicts_of("mine") == listed  # a fetch integrates nothing: same paths, same since
    git("merge", "-q", "origin/main", cwd=world.mine, check=False)
    assert "a.txt" in git("diff", "--name-only", "--diff-filter=U", cwd=world.mine)
    (world.mine / "a.txt").write_text("one\nBOTH\nthree\n")
    git("add", "a.txt", cwd=world.mine)
    git("commit", "-q", "--no-edit", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["pushed"] == ["main"], report
    assert conflicts_of("mine") == []
    assert world.remote_head() == world.head(world.mine)


def test_rebase_replays_local_commits_on_the_upstream(world: Clones) -> None:
    run(world.capsys, "set", "mine", "strategy", "rebase")
    theirs = publish(world, "b.txt", "theirs\n")
    world.commit(world.mine, "c.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["rebased"] == ["main"] and report["pushed"] == ["main"], report
    assert world.head(world.mine, "HEAD^") == theirs
    assert git("rev-list", "--merges", "--count", "HEAD", cwd=world.mine) == "0"
    assert porcelain(world.mine) == "" and world.remote_head() == world.head(world.mine)


def test_ff_only_reports_diverged(world: Clones) -> None:
    run(world.capsys, "set", "mine", "strategy", "ff-only")
    publish(world, "b.txt", "theirs\n")
    mine = world.commit(world.mine, "c.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    assert world.head(world.mine) == mine and report["pushed"] == []


def test_uncommitted_change_in_the_way_is_dirty(world: Clones) -> None:
    publish(world, "a.txt", "one\ntwo\nthree\nfour\n")
    before = world.head(world.mine)
    (world.mine / "a.txt").write_text("my unsaved work\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "dirty" and report["dirty"] == ["a.txt"], report
    assert (world.mine / "a.txt").read_text() == "my unsaved work\n"
    assert world.head(world.mine) == before


def test_untracked_file_in_the_way_is_never_overwritten(world: Clones) -> None:
    publish(world, "new.txt", "theirs\n")
    (world.mine / "new.txt").write_text("my untracked notes\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "dirty" and report["dirty"] == ["new.txt"], report
    assert (world.mine / "new.txt").read_text() == "my untracked notes\n"


def test_unrelated_local_changes_are_carried_through_a_fast_forward(world: Clones) -> None:
    new = publish(world, "b.txt", "theirs\n")
    (world.mine / "a.txt").write_text("edited, not committed\n")
    (world.mine / "scratch.txt").write_text("untracked\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new
    assert sorted(porcelain(world.mine).splitlines()) == [" M a.txt", "?? scratch.txt"]


def test_upstream_deleted_is_reported_gone_and_the_branch_kept(world: Clones) -> None:
    git("config", "fetch.prune", "true", cwd=world.mine)  # the tracking ref pruned, as git's fetch would
    git("push", "-q", "origin", "main:feature", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("branch", "-q", "--track", "feature", "origin/feature", cwd=world.mine)
    world.sync(world.mine)
    git("push", "-q", "origin", ":feature", cwd=world.theirs)
    code, report = world.sync(world.mine)
    assert code == 0, report
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    feature = next(b for b in status["repos"][0]["branches"] if b["name"] == "feature")
    assert feature["upstream_gone"] is True
    assert git("rev-parse", "--verify", "feature", cwd=world.mine)


def test_second_branch_sends_only_what_the_remote_lacks(world: Clones) -> None:
    git("push", "-q", "origin", "main:topic", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("branch", "-q", "--track", "topic", "origin/topic", cwd=world.mine)
    world.commit(world.mine, "b.txt", "first\n")
    code, report = world.sync(world.mine)
    assert report["pushed"] == ["main"] and report["objects_sent"] == 3, report
    git("checkout", "-q", "topic", cwd=world.mine)
    git("merge", "-q", "--ff-only", "main", cwd=world.mine)
    world.commit(world.mine, "c.txt", "second\n")
    lacking = git(
        "rev-list",
        "--objects",
        "topic",
        "--not",
        "refs/remotes/origin/main",
        "refs/remotes/origin/topic",
        cwd=world.mine,
    ).splitlines()
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["topic"], report
    assert report["objects_sent"] == len(lacking) == 3
    assert world.remote_head("topic") == world.head(world.mine, "topic")


def test_push_all_off_pushes_only_the_checked_out_branch(world: Clones) -> None:
    git("push", "-q", "origin", "main:topic", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("checkout", "-q", "--track", "-b", "topic", "origin/topic", cwd=world.mine)
    world.commit(world.mine, "t.txt", "topic\n")
    git("checkout", "-q", "main", cwd=world.mine)
    world.commit(world.mine, "m.txt", "main\n")
    run(world.capsys, "set", "mine", "push_all", "false")
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
    run(world.capsys, "set", "mine", "push_all", "true")
    _code, report = world.sync(world.mine)
    assert report["pushed"] == ["topic"], report


def test_fast_forward_all_moves_other_branches_that_are_behind(world: Clones) -> None:
    git("push", "-q", "origin", "main:topic", cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)
    git("branch", "-q", "--track", "topic", "origin/topic", cwd=world.mine)
    git("checkout", "-q", "topic", cwd=world.theirs)
    new = world.commit(world.theirs, "t.txt", "topic\n")
    git("push", "-q", "origin", "topic", cwd=world.theirs)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == [], report
    assert world.head(world.mine, "topic") != new
    run(world.capsys, "set", "mine", "fast_forward_all", "true")
    _code, report = world.sync(world.mine)
    assert report["fast_forwarded"] == ["topic"], report
    assert world.head(world.mine, "topic") == new


def test_no_push_leaves_the_remote_alone(world: Clones) -> None:
    world.commit(world.mine, "b.txt", "mine\n")
    before = world.remote_head()
    code, report = world.sync(world.mine, "--no-push")
    assert code == 0 and report["pushed"] == [] and world.remote_head() == before


def test_backup_ref_keeps_the_head_before_a_merge(world: Clones) -> None:
    publish(world, "b.txt", "theirs\n")
    mine = world.commit(world.mine, "c.txt", "mine\n")
    world.sync(world.mine)
    backups = git("for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main/", cwd=world.mine)
    assert mine in backups.split()


def test_rejected_push_fetches_integrates_and_pushes_again(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pre-receive hook advances main on the server the first time: the push is
    rejected, the sync fetches, merges and pushes once more."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    intruder = world.commit(world.theirs, "x.txt", "sneaked in\n")
    git("push", "-q", str(world.bare), f"{intruder}:refs/tags/intruder", cwd=world.theirs)
    hook = world.bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        'if [ ! -e "$GIT_DIR/advanced" ]; then\n'
        '  touch "$GIT_DIR/advanced"\n'
        f"  env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main {intruder}\n"
        "fi\n"
        "exit 0\n"
    )
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    mine = world.commit(world.mine, "b.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["merged"] == ["main"] and report["pushed"] == ["main"]
    head = world.remote_head()
    assert head == world.head(world.mine)
    assert set(git("rev-list", "--parents", "-n1", head, cwd=world.mine).split()[1:]) == {mine, intruder}
    world.check()


def test_a_locked_index_ends_busy_and_touches_nothing(world: Clones) -> None:
    publish(world, "b.txt", "theirs\n")
    before = world.head(world.mine)
    lock = world.mine / ".git" / "index.lock"
    lock.write_text("")
    try:
        code, report = world.sync(world.mine)
        assert code == 1 and report["result"] == "busy", report
        assert report["message"] == f"{lock} is locked by another git process; nothing was changed"
        assert world.head(world.mine) == before and world.head(world.mine, "origin/main") == before
        # It said `[syncing]` in `gitferry status` until the next sync that went through (a
        # README trial): the sync is over, the repository idle, its last sync's result kept.
        code, doc, _err = run(world.capsys, "status", "--json", world.mine.name)
        assert (doc["repos"][0]["state"], doc["repos"][0]["last_result"]) == ("idle", None), doc
    finally:
        os.unlink(lock)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report


def test_detached_head_fetches_only(world: Clones) -> None:
    publish(world, "b.txt", "theirs\n")
    git("checkout", "-q", "--detach", "HEAD", cwd=world.mine)
    before = world.head(world.mine)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error" and "detached" in report["message"], report
    assert report["fetched_refs"] == ["origin/main"] and world.head(world.mine) == before


def test_sync_of_a_commit_made_with_a_subdirectory(world: Clones) -> None:
    commit_file(world.theirs, "docs/deep/note.md", "# note\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.remember()
    code, report = world.sync(world.mine)
    assert code == 0 and (world.mine / "docs" / "deep" / "note.md").read_text() == "# note\n", report
    assert porcelain(world.mine) == ""


def test_a_fetch_after_a_dirty_stop_is_not_held_by_another_file(world: Clones) -> None:
    """A sync stopped `dirty` on an edit of a.txt; the user dropped it but had started a
    note (an untracked file the integration does not write): the fetch still said
    "local changes would be overwritten: a.txt" although a.txt was clean, as any change
    counted. Only the changes the sync stopped on hold it; the sync then fast-forwards."""
    world.commit(world.theirs, "a.txt", "one\ntheirs\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "a.txt").write_text("my unsaved edit\n")
    code, stopped = world.sync(world.mine)
    assert (code, stopped["result"], stopped["dirty"]) == (1, "dirty", ["a.txt"]), stopped
    (world.mine / "notes.txt").write_text("a note of mine\n")
    code, report = world.sync(world.mine, "--fetch-only")
    assert (report["result"], report["message"]) == ("dirty", stopped["message"]), report
    git("checkout", "--", "a.txt", cwd=world.mine)  # the user drops the edit, keeps the note
    assert porcelain(world.mine) == "?? notes.txt"
    code, report = world.sync(world.mine, "--fetch-only")
    assert (code, report["result"]) == (0, "up_to_date"), report
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["message"]) == (0, "ok", "fast-forwarded main"), report
    assert world.head(world.mine) == world.remote_head()
    assert porcelain(world.mine) == "?? notes.txt"
    world.check()


def test_an_untracked_file_in_the_way_says_the_way_on_as_git_pull_does(world: Clones) -> None:
    """CLI trial: a manual sync with an untracked file where the remote adds one said
    "untracked files are in the way: clash.md" and nothing more; `git pull` says to move or
    remove it. The line says the way on (the app's too: one message); followed, it syncs."""
    publish(world, "clash.md", "theirs\n")
    (world.mine / "clash.md").write_text("mine, untracked\n")
    pulled = subprocess.run(["git", "pull", "--no-rebase"], cwd=world.mine, capture_output=True, text=True)
    assert "Please move or remove them before you merge." in pulled.stderr
    world.remember()
    code, out, _err = run(world.capsys, "sync", "mine")
    way = "move or remove the untracked files (git status lists them), then sync again"
    assert (code, out) == (1, f"mine: dirty - untracked files are in the way: clash.md; {way}\n")
    (world.mine / "clash.md").rename(world.mine / "clash-mine.md")  # the way on
    code, report = world.sync(world.mine)
    assert (code, report["result"]) == (0, "ok"), report
    assert porcelain(world.mine) == "?? clash-mine.md"
    assert (world.mine / "clash.md").read_text() == "theirs\n"


def test_a_commit_waiting_on_its_editor_is_waited_for(world: Clones, tmp_path: Path) -> None:
    """git holds no lock while `git commit`'s editor is open and checks HEAD only once it
    closes: a sync that moved the branch meanwhile made the user's commit fail with
    `cannot lock ref 'HEAD'`. It ends `busy` instead, and syncs the commit once it is made."""
    theirs = publish(world, "b.txt", "theirs\n")
    before = world.head(world.mine)
    (world.mine / "sub").mkdir()
    (world.mine / "sub" / "c.txt").write_text("mine\n")
    git("add", "sub/c.txt", cwd=world.mine)
    started, release = tmp_path / "started", tmp_path / "release"
    editor = tmp_path / "editor.sh"
    editor.write_text(
        f'#!/bin/sh\ntouch "{started}"\nwhile [ ! -e "{release}" ]; do sleep 0.02; done\n'
        'echo "my own message" > "$1"\n'
    )
    editor.chmod(0o755)
    env = {**os.environ, "GIT_EDITOR": str(editor)}
    env.pop("GIT_DIR", None)
    commit = subprocess.Popen(["git", "commit", "-q"], cwd=world.mine / "sub", env=env)
    try:
        wait_until(started.exists, "the editor started")
        code, report = world.sync(world.mine)
        assert code == 1 and report["result"] == "busy", report
        assert report["message"] == (
            f"git commit is running in {world.mine} (its editor still open?); nothing was changed: "
            "the sync waits for it"
        )
        assert world.head(world.mine) == before
        release.touch()
        assert commit.wait(timeout=CAP) == 0
    finally:
        release.touch()
        if commit.poll() is None:
            commit.kill()
            commit.wait()
    mine = world.head(world.mine)
    assert mine != before and git("log", "-1", "--format=%s", cwd=world.mine) == "my own message"
    code, report = world.sync(world.mine)
    assert code == 0 and report["merged"] == ["main"] and report["pushed"] == ["main"], report
    parents = git("rev-list", "--parents", "-n1", "HEAD", cwd=world.mine).split()[1:]
    assert parents == [mine, theirs]


def test_a_message_left_by_an_abandoned_commit_stops_nothing(world: Clones) -> None:
    publish(world, "b.txt", "theirs\n")
    (world.mine / ".git" / "COMMIT_EDITMSG").write_text("never committed\n")  # newer than HEAD's reflog
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
