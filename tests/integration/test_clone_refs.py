"""A clone writes the remote's branches and tags as `git clone` does: one `packed-refs`
file, sorted, each annotated tag with its peeled line, and no reflog for them; a later
fetch moves and prunes them as any other refs. `git clone` of the same remote is the
referee."""

from __future__ import annotations

from pathlib import Path

from dulwich.repo import Repo

from core.git.history.branch_status import measure_branches
from core.git.transfer.clone import clone_repository
from core.git.transfer.fetch import TrackedBranches, fetch_remote
from tests.gitcli import commit_file, fsck, git, rev_parse
from tests.integration.test_fetch import TIMEOUT, push_commit, seed
from tests.servers import Remote

PEELED_FORMAT = "%(objectname) %(objecttype) %(*objectname) %(refname)"


def _remote_with_tags(remote: Remote, tmp_path: Path) -> tuple[Path, Path]:
    branches = tuple(f"topic/{n:02d}" for n in range(25))
    bare, work = seed(remote, tmp_path, branches=("old", *branches))
    commit_file(work, "b.txt", "two\n")
    git("tag", "light", cwd=work)
    git("tag", "-a", "-m", "one", "v1", "HEAD~1", cwd=work)
    git("tag", "-a", "-m", "two", "v2", cwd=work)
    git("tag", "-a", "-m", "a tag of a tag", "nested", "v2", cwd=work)
    git("push", "-q", "--tags", str(bare), "main", cwd=work)
    return bare, work


def test_clone_packs_the_remote_refs_as_git_clone_does(git_daemon: Remote, tmp_path: Path) -> None:
    _remote_with_tags(git_daemon, tmp_path)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    clone_repository(git_daemon.url("origin"), ours, timeout=TIMEOUT)
    git("clone", "-q", git_daemon.url("origin"), str(theirs))

    assert git("for-each-ref", f"--format={PEELED_FORMAT}", cwd=ours) == git(
        "for-each-ref", f"--format={PEELED_FORMAT}", cwd=theirs
    )
    assert git("show-ref", "--dereference", cwd=ours) == git("show-ref", "--dereference", cwd=theirs)
    packed = (ours / ".git" / "packed-refs").read_text().splitlines()
    assert packed[0].startswith("# pack-refs with:") and " peeled " in f"{packed[0]} "
    assert [line for line in packed[1:]] == [
        line for line in (theirs / ".git" / "packed-refs").read_text().splitlines()[1:]
    ]
    loose = sorted(
        str(p.relative_to(ours / ".git")) for p in (ours / ".git" / "refs").rglob("*") if p.is_file()
    )
    assert loose == ["refs/heads/main", "refs/remotes/origin/HEAD"]
    logs = {str(p.relative_to(ours / ".git")) for p in (ours / ".git" / "logs").rglob("*") if p.is_file()}
    their_logs = {
        str(p.relative_to(theirs / ".git")) for p in (theirs / ".git" / "logs").rglob("*") if p.is_file()
    }
    assert {"logs/HEAD", "logs/refs/heads/main"} <= logs <= their_logs
    assert git("describe", "--tags", "--exact-match", "HEAD", cwd=ours) == git(
        "describe", "--tags", "--exact-match", "HEAD", cwd=theirs
    )
    assert git("status", "--porcelain", cwd=ours) == ""
    fsck(ours)


def test_a_fetch_after_the_clone_moves_prunes_and_sees_the_upstream_gone(
    git_daemon: Remote, tmp_path: Path
) -> None:
    bare, work = _remote_with_tags(git_daemon, tmp_path)
    ours = tmp_path / "ours"
    clone_repository(git_daemon.url("origin"), ours, timeout=TIMEOUT)
    git("branch", "-q", "--track", "old", "origin/old", cwd=ours)
    git("config", "fetch.prune", "true", cwd=ours)  # git fetch prunes only when told
    moved = push_commit(work, bare, "t.txt", "moved\n", "topic/03")
    git("push", "-q", str(bare), ":old", cwd=work)

    with Repo(str(ours)) as repo:
        result = fetch_remote(repo, "origin", tracked=TrackedBranches.all(), timeout=TIMEOUT)
        statuses = {s.name: s for s in measure_branches(repo, [], None)}

    assert result.pruned == ["refs/remotes/origin/old"]
    assert rev_parse(ours, "origin/topic/03") == moved
    assert "refs/remotes/origin/old" not in git("for-each-ref", "--format=%(refname)", cwd=ours).split()
    assert statuses["old"].upstream_gone  # the pruned packed ref left its reflog's deletion line
    assert not statuses["main"].upstream_gone and statuses["main"].behind == 0
    assert git("show-ref", "--dereference", "--tags", cwd=ours) == git(
        "show-ref", "--dereference", "--tags", cwd=bare
    )
    fsck(ours)
