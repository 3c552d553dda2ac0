"""A fetch plan's local tracking refs (`FetchPlan.local`) are the ones git lists: packed
lines read from one parse of packed-refs, a loose file standing over its packed line,
nested names, symbolic refs and stray files left out; git for-each-ref is the referee."""

from __future__ import annotations

from pathlib import Path

from dulwich.repo import Repo

from core.git.transfer.fetch_plan import FetchPlan, TrackedBranches
from tests.gitcli import commit_file, git


def _git_tracking_refs(repo: Path, *patterns: str) -> dict[str, bytes]:
    listed = git("for-each-ref", "--format=%(refname) %(objectname) %(symref)", *patterns, cwd=repo)
    return {
        fields[0]: fields[1].encode()
        for fields in (line.split() for line in listed.splitlines())
        if len(fields) == 2  # a symbolic ref has a third field: left out
    }


def test_tracking_refs_are_git_s_packed_loose_nested_and_symbolic(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    commits = [commit_file(repo, "a.txt", f"{n}\n") for n in range(3)]
    git("remote", "add", "origin", "git://example.invalid/x.git", cwd=repo)
    # side's upstream is tracked by a refspec without a '*', outside refs/remotes/origin/
    exact = "+refs/heads/side:refs/remotes/mirror/side"
    git("config", "--replace-all", "remote.origin.fetch", exact, cwd=repo)
    git("config", "--add", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*", cwd=repo)
    git("branch", "-q", "side", cwd=repo)
    git("config", "branch.side.remote", "origin", cwd=repo)
    git("config", "branch.side.merge", "refs/heads/side", cwd=repo)
    for n in range(40):
        git("update-ref", f"refs/remotes/origin/release-{n}", commits[n % 2], cwd=repo)
    git("update-ref", "refs/remotes/origin/main", commits[0], cwd=repo)
    git("update-ref", "refs/remotes/origin/gone", commits[0], cwd=repo)
    git("update-ref", "refs/remotes/mirror/side", commits[1], cwd=repo)
    git("update-ref", "refs/remotes/mirror/other", commits[1], cwd=repo)  # no upstream's: not tracked
    git("update-ref", "refs/remotes/other/main", commits[1], cwd=repo)  # another remote's
    git("pack-refs", "--all", cwd=repo)
    git("update-ref", "refs/remotes/origin/main", commits[2], cwd=repo)  # loose, over its packed line
    git("update-ref", "refs/remotes/origin/feature/deep/x", commits[2], cwd=repo)  # loose, nested
    git("update-ref", "-d", "refs/remotes/origin/gone", cwd=repo)  # deleted from packed-refs
    git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main", cwd=repo)
    (repo / ".git/refs/remotes/origin/release-3.lock").write_text(commits[2] + "\n")  # a stray lock
    git("branch", "-q", "--set-upstream-to=origin/main", "main", cwd=repo)

    with Repo(str(repo)) as opened:
        local = FetchPlan(opened, "origin", TrackedBranches.upstreams()).local
    assert local == _git_tracking_refs(repo, "refs/remotes/origin/", "refs/remotes/mirror/side")
    assert local["refs/remotes/origin/main"] == commits[2].encode()
    assert local["refs/remotes/origin/feature/deep/x"] == commits[2].encode()
    assert "refs/remotes/origin/gone" not in local and "refs/remotes/origin/HEAD" not in local
    assert local["refs/remotes/mirror/side"] == commits[1].encode()
    assert len(local) == 43
