"""`clone_repository` over every transport; the git CLI is the referee."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.objects.path_safety import UnsafePath
from core.git.transfer.clone import clone_repository
from core.git.transfer.errors import RemoteUnreachable, TransferFailed
from core.remote_url import BadRemoteUrl
from tests.core.test_checkout import UNSAFE_CASES, _blob, _commit_on, _evil_entries, _raw_tree
from tests.gitcli import commit_file, fsck, git, refs, rev_parse
from tests.integration.test_fetch import TIMEOUT, auth_of, push_commit, seed
from tests.servers import LOOPBACK, HttpRemote, Remote


def clone(remote: Remote, target: Path, url: str | None = None) -> None:
    clone_repository(
        url or remote.url("origin"),
        target,
        auth=auth_of(remote),
        ssh_command=remote.ssh_command,
        timeout=TIMEOUT,
    )


def test_clone_like_git(remote: Remote, tmp_path: Path) -> None:
    bare, work = seed(remote, tmp_path, branches=("feature",))
    commit_file(work, "dir/b.txt", "two\n")
    git("push", "-q", str(bare), "main", cwd=work)
    push_commit(work, bare, "f.txt", "feature\n", "feature")
    target = tmp_path / "deep" / "clone"
    clone_repository(
        remote.url("origin"), target, auth=auth_of(remote), ssh_command=remote.ssh_command, timeout=TIMEOUT
    )
    assert git("symbolic-ref", "HEAD", cwd=target) == "refs/heads/main"
    assert rev_parse(target, "main") == rev_parse(bare, "main")
    assert rev_parse(target, "origin/feature") == rev_parse(bare, "feature")
    assert git("symbolic-ref", "refs/remotes/origin/HEAD", cwd=target) == "refs/remotes/origin/main"
    assert git("rev-parse", "--abbrev-ref", "main@{upstream}", cwd=target) == "origin/main"
    assert git("config", "remote.origin.fetch", cwd=target) == "+refs/heads/*:refs/remotes/origin/*"
    stored = git("config", "remote.origin.url", cwd=target)
    assert stored == remote.url("origin")
    assert git("status", "--porcelain", cwd=target) == ""
    assert (target / "dir" / "b.txt").read_text() == "two\n" and not (target / "f.txt").exists()
    assert not any(name.startswith(("refs/tags/", "refs/pull/")) for name in refs(target))
    fsck(target)


def test_a_password_typed_in_the_url_is_used_but_not_stored(
    http_auth_server: HttpRemote, tmp_path: Path
) -> None:
    seed(http_auth_server, tmp_path)
    target = tmp_path / "c"
    clone_repository(http_auth_server.url_with_credentials("origin"), target, timeout=TIMEOUT)
    stored = git("config", "remote.origin.url", cwd=target)
    assert stored == http_auth_server.url("origin").replace("http://", "http://alice@")
    assert (http_auth_server.password or "?") not in (target / ".git" / "config").read_text()


def test_clone_result_and_no_change_fetch_after_it(git_daemon: Remote, tmp_path: Path) -> None:
    bare, _ = seed(git_daemon, tmp_path)
    result = clone_repository(git_daemon.url("origin"), tmp_path / "c", timeout=TIMEOUT)
    assert result.default_branch == "main" and result.pack_requested
    assert result.objects_received == 3 and result.updated == {
        "refs/remotes/origin/main": (None, rev_parse(bare, "main").encode())
    }
    assert "checkout" in result.timings_ms


def test_clone_of_an_empty_repository(git_daemon: Remote, tmp_path: Path) -> None:
    git_daemon.create("origin")
    target = tmp_path / "empty"
    result = clone_repository(git_daemon.url("origin"), target, timeout=TIMEOUT)
    assert not result.pack_requested and result.updated == {}
    assert git("symbolic-ref", "HEAD", cwd=target) == "refs/heads/main"
    assert git("status", "--porcelain", cwd=target) == ""
    commit_file(target, "first.txt", "first\n")  # the unborn branch is usable
    git("push", "-q", "origin", "main", cwd=target)


def test_clone_into_a_non_empty_directory_is_refused(path_remote: Remote, tmp_path: Path) -> None:
    seed(path_remote, tmp_path)
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(BadInput, match="not empty"):
        clone(path_remote, target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_failed_clone_leaves_nothing_behind(refused_port: int, tmp_path: Path) -> None:
    target = tmp_path / "new"
    with pytest.raises(RemoteUnreachable, match=f"^could not reach {LOOPBACK}:{refused_port}: "):
        clone_repository(f"git://{LOOPBACK}:{refused_port}/origin.git", target, timeout=TIMEOUT)
    assert not target.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(RemoteUnreachable):
        clone_repository(f"http://{LOOPBACK}:{refused_port}/origin.git", existing, timeout=TIMEOUT)
    assert existing.exists() and list(existing.iterdir()) == []


def test_a_folder_with_no_repository_is_named_once(tmp_path: Path) -> None:
    """As `git clone` says "repository 'X' does not exist": the folder once, not "fetching
    from X failed: no git repository at X" (a user trial's window named it three times)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TransferFailed) as failed:
        clone_repository(str(empty), tmp_path / "new", timeout=TIMEOUT)
    assert str(failed.value) == f"no git repository at {empty}"
    assert not (tmp_path / "new").exists()
    git("clone", "-q", str(empty), str(tmp_path / "by-git"), check=False)
    assert not (tmp_path / "by-git").exists()  # git refuses it too


def test_clone_with_a_malformed_url_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(BadRemoteUrl):
        clone_repository("ftp://example.org/r.git", tmp_path / "x")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("checks", ["on", "off"])
@pytest.mark.parametrize("case", UNSAFE_CASES)
def test_a_tree_git_would_not_check_out_is_refused_before_anything_is_written(
    path_remote: Remote, tmp_path: Path, case: str, checks: str
) -> None:
    """With the checks on the way in off (`fetch.fsckObjects = false`), the first checkout's
    own walk of the tree still refuses every unsafe name before writing a file."""
    if checks == "off":
        with Path(os.environ["HOME"], ".gitconfig").open("a") as config:
            config.write("[fetch]\n\tfsckObjects = false\n")
    bare, _ = seed(path_remote, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    with Repo(str(bare)) as r:
        old = ObjectID(rev_parse(bare, "main").encode())
        fine = [(b"a.txt", 0o100644, _blob(r, b"a\n")), (b"zz.txt", 0o100644, _blob(r, b"z\n"))]
        evil = _commit_on(r, old, _raw_tree(r, fine + _evil_entries(r, case, outside)))
        r.refs[Ref(b"refs/heads/main")] = evil
    target = tmp_path / "clone"
    with pytest.raises((UnsafePath, TransferFailed)) as refused:
        clone(path_remote, target)
    assert checks == "on" or isinstance(refused.value, UnsafePath)  # off: the checkout's walk refused it
    assert not target.exists() and list(outside.iterdir()) == []
