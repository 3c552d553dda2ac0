"""Publishing a branch the remote does not have yet (`gitferry publish`), and what a
sync says of such a branch (`unpublished`), over `git daemon` and smart HTTP.

The referee is git: a twin of `mine` (a copy of the repository pushing to a copy of
the bare remote) runs `git push -u origin <branch>`, and the upstream configuration,
the remote-tracking ref and the branch on the remote must come out the same;
`git rev-list --count <branch> --not --remotes` counts what is unpublished; every
repository is `git fsck`ed afterwards (`Clones.check`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitcli import fsck, git, refs
from tests.integration.clones import Clones, run
from tests.servers import Remote


@pytest.fixture(params=["git_daemon", "http_server"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Clones]:
    remote: Remote = request.getfixturevalue(request.param)
    clones = Clones.make(remote, tmp_path, capsys)
    code, _ = clones.sync(clones.mine)  # the store has measured mine once
    assert code == 0
    yield clones
    clones.check()


def branch_config(repo: Path, branch: str) -> str:
    return git("config", "--get-regexp", rf"^branch\.{branch}\.", cwd=repo, check=False)


def not_on_any_remote(repo: Path, branch: str) -> int:
    return int(git("rev-list", "--count", branch, "--not", "--remotes", cwd=repo))


def git_push_u(world: Clones, tmp_path: Path, branch: str) -> Path:
    """A twin of `mine` and of the remote, where git itself publishes `branch`."""
    twin_bare = tmp_path / "twin.git"
    git("clone", "-q", "--bare", str(world.bare), str(twin_bare))
    twin = tmp_path / "twin"
    shutil.copytree(world.mine, twin, symlinks=True)
    git("remote", "set-url", "origin", str(twin_bare), cwd=twin)
    git("push", "-q", "-u", "origin", branch, cwd=twin)
    return twin


def status_of(world: Clones) -> dict[str, object]:
    code, status, err = run(world.capsys, "status", "mine", "--json")
    assert code == 0, err
    repo: dict[str, object] = status["repos"][0]
    return repo


def new_branch(world: Clones, branch: str, *, upstream: bool) -> str:
    """`branch` with two commits of its own; with `upstream`, configured as `git push -u` would."""
    git("checkout", "-q", "-b", branch, cwd=world.mine)
    world.commit(world.mine, f"{branch}-1.txt", "one\n")
    head = world.commit(world.mine, f"{branch}-2.txt", "two\n")
    if upstream:
        git("config", f"branch.{branch}.remote", "origin", cwd=world.mine)
        git("config", f"branch.{branch}.merge", f"refs/heads/{branch}", cwd=world.mine)
    return head


@pytest.mark.slow
@pytest.mark.parametrize("upstream", [False, True], ids=["no-upstream", "upstream-configured"])
def test_a_new_branch_is_unpublished_until_published_as_git_push_u_does(
    world: Clones, tmp_path: Path, upstream: bool
) -> None:
    code, _, err = run(world.capsys, "set", "mine", "push_all", "false")  # (on by default)
    assert code == 0, err
    head = new_branch(world, "feature", upstream=upstream)
    before = refs(world.bare)

    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "unpublished", report
    assert not_on_any_remote(world.mine, "feature") == 2
    assert report["unpublished"] == {"feature": 2}
    assert report["message"].startswith(
        "1 branch not published: feature (2 commits); publish with gitferry publish mine feature"
    ), report
    assert refs(world.bare) == before and report["pushed"] == []
    status = status_of(world)
    assert status["unpublished"] == ["feature"] and status["last_result"] == "unpublished"
    rows = {b["name"]: b for b in status["branches"]}  # type: ignore[attr-defined]
    assert rows["feature"]["state"] == "unpublished" and rows["feature"]["unpublished"] == 2
    assert rows["feature"]["upstream_gone"] is False
    assert rows["main"]["state"] == "tracking" and rows["main"]["unpublished"] == 0

    twin = git_push_u(world, tmp_path, "feature")
    code, out, err = run(world.capsys, "publish", "mine", "feature")
    assert code == 0, err
    assert out.strip() == "mine: published feature to origin (6 objects); its upstream is origin/feature"
    assert branch_config(world.mine, "feature") == branch_config(twin, "feature")
    assert branch_config(world.mine, "feature") == (
        "branch.feature.remote origin\nbranch.feature.merge refs/heads/feature"
    )
    assert git("rev-parse", "refs/remotes/origin/feature", cwd=world.mine) == head
    assert git("rev-parse", "refs/remotes/origin/feature", cwd=twin) == head
    assert world.remote_head("feature") == head
    assert "[origin/feature]" in git("branch", "-vv", "--list", "feature", cwd=world.mine)
    fsck(twin)
    rows = {b["name"]: b for b in status_of(world)["branches"]}  # type: ignore[attr-defined]
    assert rows["feature"]["state"] == "tracking" and rows["feature"]["ahead"] == 0

    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date" and report["unpublished"] == {}, report


@pytest.mark.slow
def test_push_all_publishes_a_branch_whose_configured_upstream_the_remote_never_had(world: Clones) -> None:
    head = new_branch(world, "feature", upstream=True)
    git("checkout", "-q", "main", cwd=world.mine)
    code, report = world.sync(world.mine)  # push_all is on by default
    assert code == 0 and report["result"] == "ok" and report["pushed"] == ["feature"], report
    assert world.remote_head("feature") == head
    assert git("rev-parse", "refs/remotes/origin/feature", cwd=world.mine) == head
    assert not_on_any_remote(world.mine, "feature") == 0
    assert branch_config(world.mine, "feature") == (
        "branch.feature.remote origin\nbranch.feature.merge refs/heads/feature"
    )

    # A branch with no upstream at all is not guessed a remote: it is named, exit 1.
    git("branch", "-q", "wip", "feature", cwd=world.mine)
    world.commit(world.mine, "main-only.txt", "x\n")
    git("checkout", "-q", "wip", cwd=world.mine)
    world.commit(world.mine, "wip.txt", "wip\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "unpublished" and report["unpublished"] == {"wip": 1}, report
    assert "wip" not in {r.removeprefix("refs/heads/") for r in refs(world.bare)}


@pytest.mark.slow
def test_an_upstream_the_remote_really_deleted_stays_gone_and_is_not_published_again(world: Clones) -> None:
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    git("push", "-q", "-u", "origin", "feature", cwd=world.mine)
    code, report = world.sync(world.mine)  # Gitferry sees origin/feature
    assert code == 0, report
    git("push", "-q", "origin", "--delete", "feature", cwd=world.theirs)
    git("fetch", "-q", "--prune", "origin", cwd=world.mine)  # git drops the ref and its reflog
    world.commit(world.mine, "g.txt", "more\n")
    code, _, err = run(world.capsys, "set", "mine", "push_all", "true")
    assert code == 0, err
    before = refs(world.bare)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    assert "origin/feature was deleted on the remote" in report["message"]
    assert report["unpublished"] == {} and refs(world.bare) == before
    rows = {b["name"]: b for b in status_of(world)["branches"]}  # type: ignore[attr-defined]
    assert rows["feature"]["state"] == "gone" and rows["feature"]["upstream_gone"] is True


def snapshot(world: Clones) -> tuple[object, ...]:
    mine = world.mine
    return (
        refs(world.bare),
        refs(mine),
        (mine / ".git" / "config").read_bytes(),
        git("status", "--porcelain", cwd=mine),
    )


@pytest.mark.slow
def test_bad_input_says_one_line_and_changes_nothing(world: Clones) -> None:
    new_branch(world, "feature", upstream=False)
    before = snapshot(world)
    for args, said in (
        (("nosuch", "feature"), "no repository named 'nosuch' (see `gitferry list`)"),
        (("mine", "nosuch"), "no local branch named 'nosuch'"),
        (("mine", "feature", "--remote", "nosuch"), "no remote named 'nosuch'"),
    ):
        code, out, err = run(world.capsys, "publish", *args)
        assert code == 2 and out == "", (args, err)
        assert err.strip() == f"gitferry: {said}" and err.count("\n") == 1, err
        assert snapshot(world) == before
    git("config", "push.default", "nothing", cwd=world.mine)
    before = snapshot(world)
    code, _, err = run(world.capsys, "publish", "mine", "feature")
    assert code == 2 and err.count("\n") == 1 and "push.default is 'nothing'" in err, err
    assert snapshot(world) == before


@pytest.mark.slow
def test_a_remote_branch_of_that_name_with_other_commits_is_never_overwritten(world: Clones) -> None:
    git("checkout", "-q", "-b", "feature", cwd=world.theirs)
    theirs = world.commit(world.theirs, "t.txt", "theirs\n")
    git("push", "-q", "origin", "feature", cwd=world.theirs)
    new_branch(world, "feature", upstream=False)
    before = snapshot(world)
    code, _, err = run(world.capsys, "publish", "mine", "feature")
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith("gitferry: publishing feature to origin was rejected: non-fast-forward"), err
    assert world.remote_head("feature") == theirs
    assert branch_config(world.mine, "feature") == ""
    assert snapshot(world)[1:3] == before[1:3]


def test_what_the_sync_did_comes_before_the_branches_it_left_unpublished(world: Clones) -> None:
    """A sync that fetched and fast-forwarded main while a branch holds commits on no
    remote: its message says what it did first, then the branch left unpublished (as a
    push git refuses by push.default is said, 472295d); before, the note came first and
    what the sync did trailed after its advice. The CLI, the history and the window show
    this one message."""
    code, _, err = run(world.capsys, "set", "mine", "push_all", "false")
    assert code == 0, err
    new_branch(world, "feature", upstream=False)
    git("checkout", "-q", "main", cwd=world.mine)
    theirs = world.commit(world.theirs, "t.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)

    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "unpublished", report
    assert git("rev-parse", "main", cwd=world.mine) == theirs  # git's referee: main moved
    assert not_on_any_remote(world.mine, "feature") == 2
    note = "1 branch not published: feature (2 commits); publish with gitferry publish mine feature"
    done, _, rest = report["message"].partition("; " + note)
    assert done.startswith("fetched origin/main") and "fast-forwarded main" in done, report["message"]
    assert rest == "", report["message"]
    code, log, err = run(world.capsys, "log", "mine", "--json")
    assert code == 0, err
    assert log["entries"][-1]["message"] == report["message"], log["entries"]  # the history says it so


def test_a_publish_while_a_sync_holds_the_repository_says_a_sync_is_running(
    world: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publish waits a moment for the sync lock, then said "another sync is running": a
    sync's words, and a publish is none. It says a sync is running; nothing is pushed."""
    from core.git.locks import sync_lock
    from tests.core.test_sync_lock import HOLDER, _child

    monkeypatch.setattr(sync_lock, "USER_WAIT", 0.2)  # a user's action waits this long
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    before = refs(world.bare)
    holder = _child(HOLDER, world.mine / ".git")
    try:
        code, _out, err = run(world.capsys, "publish", "mine", "feature")
        assert code == 1 and re.fullmatch(
            rf"gitferry: {re.escape(str(world.mine))}: a sync is running \(pid {holder.pid} since [\d:]+\)\n",
            err,
        ), err
    finally:
        holder.kill()
        holder.wait(5)
    sync_lock.acquire_sync_lock(world.mine / ".git").release()  # the killed holder's record goes
    assert refs(world.bare) == before and not git(
        "config", "--get", "branch.feature.remote", cwd=world.mine, check=False
    )
