"""The remote changed under the user: the upstream branch deleted, or the default
branch renamed (main -> trunk, the remote's HEAD moved). Nothing integrates into
the local branch and nothing of it can be pushed, so the sync says so: result
`diverged` (exit 1) and one line naming the branch, the remote's new default
branch, and how many local commits no remote has (`git rev-list --count main
--not --remotes` is the referee). Local commits stay, nothing is pushed anywhere,
`git status` agrees the upstream is gone, and the status shows it: `mine` has
`fetch.prune` on, so that its fetches prune the deleted branch's tracking ref, as
git's do (without it the ref stays, stale: `test_stale_tracking_refs.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitcli import git, refs
from tests.integration.clones import Clones, run
from tests.servers import Remote


@pytest.fixture(params=["git_daemon", "http_server", "path_remote"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Clones]:
    """The remote's HEAD reaches the fetch differently: in protocol v2's ls-refs symrefs
    over git:// and smart HTTP, from the repository's own HEAD over a local path."""
    remote: Remote = request.getfixturevalue(request.param)
    clones = Clones.make(remote, tmp_path, capsys)
    git("config", "fetch.prune", "true", cwd=clones.mine)
    yield clones
    clones.check()


def bare_refs(world: Clones) -> dict[str, str]:
    return refs(world.bare)


def unpublished(repo: Path, branch: str = "main") -> int:
    return int(git("rev-list", "--count", branch, "--not", "--remotes", cwd=repo))


def gone_in_status(world: Clones, branch: str = "main") -> bool:
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    assert code == 0
    rows = {b["name"]: b for b in status["repos"][0]["branches"]}
    return bool(rows[branch]["upstream_gone"]) and status["repos"][0]["last_result"] == "diverged"


def test_upstream_deleted_on_the_remote_is_said_and_nothing_is_pushed(world: Clones) -> None:
    git("--git-dir", str(world.bare), "config", "receive.denyDeleteCurrent", "ignore")
    git("push", "-q", "origin", "--delete", "main", cwd=world.theirs)
    git("remote", "set-head", "origin", "--delete", cwd=world.theirs)  # git left it dangling there
    mine = world.commit(world.mine, "c.txt", "mine\n")
    before = bare_refs(world)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    n = unpublished(world.mine)
    assert n == 2  # the seed commit and mine: no remote-tracking ref has either now
    assert (
        report["message"]
        == f"origin/main was deleted on the remote: {n} local commits on main are published nowhere"
        "; gitferry publish mine main pushes it again, or git branch -u sets another upstream"  # the ways on
    )
    assert report["pushed"] == [] and bare_refs(world) == before
    assert world.head(world.mine) == mine
    assert "[gone]" in git("status", "-sb", cwd=world.mine).splitlines()[0]
    assert gone_in_status(world)
    # origin/HEAD named the pruned branch and the remote's HEAD leads nowhere: removed,
    # not left dangling (git fsck, run after every test here, rejects a dangling one).
    assert git("symbolic-ref", "-q", "refs/remotes/origin/HEAD", cwd=world.mine, check=False) == ""

    code, report = world.sync(world.mine, "--fetch-only")  # a background fetch says it too
    assert code == 1 and report["result"] == "diverged" and "published nowhere" in report["message"]

    code, _out, err = run(world.capsys, "publish", "mine", "main")  # the way on the line gives
    assert code == 0, err
    assert world.remote_head() == mine
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date", report


def test_default_branch_renamed_names_the_new_one(world: Clones) -> None:
    git("--git-dir", str(world.bare), "branch", "-m", "main", "trunk")
    git("--git-dir", str(world.bare), "symbolic-ref", "HEAD", "refs/heads/trunk")
    world.commit(world.mine, "c.txt", "one\n")
    mine = world.commit(world.mine, "d.txt", "two\n")
    before = bare_refs(world)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    fetched, _, note = report["message"].partition("; ")  # what the sync did first, then the note
    assert fetched.startswith("fetched origin/trunk (") and note == (
        "origin/main was deleted on the remote; the remote's default branch is now trunk: "
        "2 local commits on main are published nowhere"
        "; gitferry publish mine main pushes it again, or git branch -u sets another upstream"
    ), report
    assert unpublished(world.mine) == 2
    assert bare_refs(world) == before and world.head(world.mine) == mine
    assert world.head(world.mine, "origin/trunk") == before["refs/heads/trunk"]
    assert gone_in_status(world)
    assert git("symbolic-ref", "refs/remotes/origin/HEAD", cwd=world.mine) == "refs/remotes/origin/trunk"
    code, report = world.sync(world.mine)  # said again, no longer "now"
    assert code == 1 and report["message"].startswith(
        "origin/main was deleted on the remote; the remote's default branch is trunk: 2 local commits"
    ), report

    git("branch", "-q", "--set-upstream-to", "origin/trunk", "main", cwd=world.mine)  # the user's fix
    code, report = world.sync(world.mine)  # git push refuses an upstream of another name (simple)
    assert code == 1 and report["result"] == "unpublished" and report["pushed"] == [], report
    assert "git config push.default upstream would push it to origin's trunk" in report["message"], report
    git("config", "push.default", "upstream", cwd=world.mine)  # as the message says
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["pushed"] == ["main"], report
    assert world.remote_head("trunk") == mine and unpublished(world.mine) == 0


def test_a_gone_branch_that_is_not_pushed_leaves_the_result_alone(world: Clones) -> None:
    """Only the branches the sync would push count: the checked-out one, and with
    `push_all` any other with commits no remote has (a branch merged and deleted on the
    remote, with none, only shows as gone: `test_sync.py`)."""
    git("checkout", "-q", "-b", "feature", cwd=world.mine)
    world.commit(world.mine, "f.txt", "feature\n")
    git("push", "-q", "-u", "origin", "feature", cwd=world.mine)
    world.commit(world.mine, "g.txt", "more\n")
    git("checkout", "-q", "main", cwd=world.mine)
    git("push", "-q", "origin", "--delete", "feature", cwd=world.theirs)
    code, _, err = run(world.capsys, "set", "mine", "push_all", "false")
    assert code == 0, err
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date", report
    assert gone_in_status(world, "feature") is False  # gone, but the last result is no attention

    code, _, err = run(world.capsys, "set", "mine", "push_all", "true")
    assert code == 0, err
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    n = unpublished(world.mine, "feature")
    assert n == 2
    assert report["message"] == (
        f"origin/feature was deleted on the remote; the remote's default branch is main: "
        f"{n} local commits on feature are published nowhere"
        "; gitferry publish mine feature pushes it again, or git branch -u sets another upstream"
    )
