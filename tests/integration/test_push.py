"""`push_branches` against real servers of every kind; the git CLI is the referee."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import zlib
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.upstreams import Upstream
from core.git.progress import Phase, TransferProgress
from core.git.transfer.errors import AuthFailed, RemoteUnreachable
from core.git.transfer.push import CHECKED_OUT, REMOTE_MOVED, PushFailed, PushResult, push_branches
from core.git.transfer.push_objects import ObjectsToSend
from core.remote_url import HttpAuth
from tests.gitcli import commit_file, fsck, git, refs, rev_parse, seeded_clone
from tests.integration.clones import Clones
from tests.integration.test_fetch import auth_of, local_clone
from tests.integration.test_fetch import seed as fetch_seed
from tests.servers import LOOPBACK, HttpRemote, Remote
from tests.servers.faults import SilentServer

TIMEOUT = 10.0
SOME_KINDS = ["path_remote", "git_daemon", "http_server"]  # where every kind would add time, not cover more


def upstream(branch: str) -> Upstream:
    return Upstream(branch, "origin", f"refs/heads/{branch}", f"refs/remotes/origin/{branch}")


def seed(remote: Remote, tmp_path: Path) -> tuple[Path, Path]:
    """A remote `origin` with one commit on main, and a clone of it whose origin is the remote's URL."""
    bare, _work = fetch_seed(remote, tmp_path)
    return bare, local_clone(remote, bare, tmp_path)


def pushed_from_another_clone(remote: Remote, bare: Path, tmp_path: Path, refspec: str = "main") -> str:
    """The remote moves: a commit made in a second clone, pushed straight into `bare`."""
    other = local_clone(remote, bare, tmp_path, "other")
    theirs = commit_file(other, "x.txt", "theirs\n")
    git("push", "-q", str(bare), refspec, cwd=other)
    return theirs


def push(
    local: Path, remote: Remote, *branches: str, progress: list[TransferProgress] | None = None
) -> PushResult:
    with Repo(str(local)) as repo:
        return push_branches(
            repo,
            "origin",
            [upstream(b) for b in branches or ("main",)],
            auth=auth_of(remote),
            progress=None if progress is None else progress.append,
            timeout=TIMEOUT,
            ssh_command=remote.ssh_command,
        )


def missing_objects(local: Path, bare: Path, rev: str) -> int:
    """How many objects `rev` needs that the remote lacks: git's own count."""
    remote_has = [sha for name, sha in refs(bare).items() if name.startswith("refs/heads/")]
    out = git("rev-list", "--objects", rev, "--not", *remote_has, cwd=local)
    return len(out.splitlines())


def add_hook(bare: Path, name: str, script: str) -> None:
    hook = bare / "hooks" / name
    hook.write_text("#!/bin/sh\n" + script)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_push_one_new_commit(remote: Remote, tmp_path: Path) -> None:
    bare, local = seed(remote, tmp_path)
    new = commit_file(local, "b.txt", "two\n")
    lacking = missing_objects(local, bare, new)
    seen: list[TransferProgress] = []
    result = push(local, remote, progress=seen)
    assert (result.remote, result.pushed, result.rejected) == ("origin", ["main"], {})
    assert rev_parse(bare, "refs/heads/main") == new == rev_parse(local, "refs/remotes/origin/main")
    assert result.objects_sent == lacking == 3  # commit, tree, blob
    assert 32 < result.bytes_sent < 1000
    assert set(result.timings_ms) == {"connect", "pack", "send"}
    assert seen[0].phase is Phase.CONNECTING
    assert seen[-1] == TransferProgress(Phase.PUSHING, 3, 3, result.bytes_sent)
    fsck(bare)
    fsck(local)


@pytest.mark.parametrize("kind", SOME_KINDS)
def test_second_branch_sends_only_what_the_remote_lacks(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    remote: Remote = request.getfixturevalue(kind)
    bare, local = seed(remote, tmp_path)
    commit_file(local, "b.txt", "two\n")
    git("checkout", "-q", "-b", "feature", cwd=local)
    feature = commit_file(local, "sub/c.txt", "three\n")
    git("branch", "topic", "main", cwd=local)
    assert push(local, remote, "main").objects_sent == 3
    topic = push(local, remote, "topic")  # a new branch, no new commits
    assert topic.pushed == ["topic"] and topic.objects_sent == 0
    assert rev_parse(bare, "refs/heads/topic") == rev_parse(local, "main")
    lacking = missing_objects(local, bare, "feature")
    result = push(local, remote, "feature")
    assert result.pushed == ["feature"] and result.rejected == {}
    assert result.objects_sent == lacking == 4  # commit, root tree, sub tree, blob
    assert rev_parse(bare, "refs/heads/feature") == feature
    assert rev_parse(local, "refs/remotes/origin/feature") == feature
    fsck(bare)


def test_tracking_refs_are_haves_when_the_remote_moved_elsewhere(git_daemon: Remote, tmp_path: Path) -> None:
    """Someone pushed to main since the last fetch: its new tip is unknown here, but
    origin/main still names a commit the remote has, so only the branch's own objects go."""
    bare, local = seed(git_daemon, tmp_path)
    pushed_from_another_clone(git_daemon, bare, tmp_path)
    git("checkout", "-q", "-b", "feature", cwd=local)
    commit_file(local, "f.txt", "mine\n")
    result = push(local, git_daemon, "feature")
    assert result.pushed == ["feature"] and result.objects_sent == 3
    fsck(bare)


@pytest.mark.parametrize("kind", SOME_KINDS)
def test_stale_tracking_ref_is_not_trusted(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """origin/main names a commit the remote no longer has (it was rewound and gc'd):
    that commit must go out too, or the remote would be left with a hole."""
    remote: Remote = request.getfixturevalue(kind)
    bare, local = seed(remote, tmp_path)
    lost = commit_file(local, "b.txt", "two\n")
    git("update-ref", "refs/remotes/origin/main", lost, cwd=local)
    new = commit_file(local, "c.txt", "three\n")
    lacking = missing_objects(local, bare, new)
    result = push(local, remote)
    assert result.pushed == ["main"] and result.objects_sent == lacking == 6
    assert rev_parse(bare, "main") == new
    fsck(bare)


def test_remote_moved_is_rejected_and_not_sent(remote: Remote, tmp_path: Path) -> None:
    bare, local = seed(remote, tmp_path)
    theirs = pushed_from_another_clone(remote, bare, tmp_path)
    tracking = rev_parse(local, "refs/remotes/origin/main")
    commit_file(local, "y.txt", "mine\n")
    git("branch", "topic", cwd=local)
    result = push(local, remote, "main", "topic")
    assert result.rejected == {"main": REMOTE_MOVED} and result.pushed == ["topic"]
    assert result.objects_sent == 3  # the topic branch's commit, nothing twice
    assert rev_parse(bare, "refs/heads/main") == theirs
    assert rev_parse(local, "refs/remotes/origin/main") == tracking
    fsck(bare)


@pytest.mark.parametrize("kind", SOME_KINDS)
def test_rejected_alone_sends_no_pack(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The local branch and the remote diverged: nothing goes out, not even an empty pack."""
    remote: Remote = request.getfixturevalue(kind)
    bare, local = seed(remote, tmp_path)
    theirs = pushed_from_another_clone(remote, bare, tmp_path)
    git("fetch", "-q", str(bare), "main:refs/remotes/origin/main", cwd=local)  # theirs is known here
    commit_file(local, "y.txt", "mine\n")
    if isinstance(remote, HttpRemote):
        remote.server.app.requests.clear()
    result = push(local, remote, "main")
    assert result.rejected == {"main": REMOTE_MOVED}
    assert (result.pushed, result.objects_sent, result.bytes_sent) == ([], 0, 0)
    assert rev_parse(bare, "refs/heads/main") == theirs
    if isinstance(remote, HttpRemote):  # the ref listing only: no POST to receive-pack
        assert [method for method, _ in remote.requests] == ["GET"]


@pytest.mark.parametrize("kind", SOME_KINDS)
def test_nothing_to_do_sends_no_pack(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    remote: Remote = request.getfixturevalue(kind)
    bare, local = seed(remote, tmp_path)
    before = refs(bare)
    if isinstance(remote, HttpRemote):
        remote.server.app.requests.clear()
    result = push(local, remote, "main")
    assert (result.pushed, result.rejected, result.objects_sent, result.bytes_sent) == ([], {}, 0, 0)
    assert refs(bare) == before
    if isinstance(remote, HttpRemote):  # the ref listing, and no POST with a pack
        assert remote.requests == [("GET", "/origin.git/info/refs?service=git-receive-pack")]


@pytest.mark.parametrize(
    "kind", ["git_daemon", "http_server", pytest.param("sshd_server", marks=pytest.mark.sshd)]
)
def test_pre_receive_hook_rejection(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    remote: Remote = request.getfixturevalue(kind)
    bare, local = seed(remote, tmp_path)
    add_hook(bare, "pre-receive", "echo 'main is frozen' >&2\nexit 1\n")
    before = refs(bare)
    tracking = rev_parse(local, "refs/remotes/origin/main")
    commit_file(local, "b.txt", "two\n")
    result = push(local, remote, "main")
    assert result.pushed == [] and list(result.rejected) == ["main"]
    assert result.rejected["main"].english().startswith("pre-receive hook declined")
    assert "main is frozen" in result.rejected["main"].english()
    assert refs(bare) == before
    assert rev_parse(local, "refs/remotes/origin/main") == tracking


def test_ref_moved_between_advertisement_and_update_is_never_forced(remote: Remote, tmp_path: Path) -> None:
    """A second pusher moves main while the pack is on its way: the update must fail."""
    bare, local = seed(remote, tmp_path)
    theirs = pushed_from_another_clone(remote, bare, tmp_path, "main:side")
    tracking = rev_parse(local, "refs/remotes/origin/main")
    commit_file(local, "b.txt", "two\n")
    seen: list[TransferProgress] = []

    def race(update: TransferProgress) -> None:
        if update.phase is Phase.PUSHING and not any(p.phase is Phase.PUSHING for p in seen):
            git("--git-dir", str(bare), "update-ref", "refs/heads/main", theirs)
        seen.append(update)

    with Repo(str(local)) as repo:
        result = push_branches(
            repo,
            "origin",
            [upstream("main")],
            auth=auth_of(remote),
            progress=race,
            timeout=TIMEOUT,
            ssh_command=remote.ssh_command,
        )
    assert result.pushed == [] and list(result.rejected) == ["main"]
    assert result.rejected["main"].english().startswith("failed to update ref")
    assert rev_parse(bare, "refs/heads/main") == theirs
    assert rev_parse(local, "refs/remotes/origin/main") == tracking
    fsck(bare)


def delta_base_of(repo: Path, sha: str) -> str | None:
    """The base a blob is stored against in `repo`'s packs (None when stored whole)."""
    idx = [str(p) for p in (repo / ".git" / "objects" / "pack").glob("*.idx")]
    for line in git("verify-pack", "-v", *idx, cwd=repo).splitlines():
        fields = line.split()
        if fields and fields[0] == sha:
            return fields[6] if len(fields) == 7 else None
    return None


@pytest.mark.parametrize("kind", SOME_KINDS)
def test_stored_deltas_are_reused_and_may_be_thin(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A packed history goes out with its deltas; then a blob stored as a delta
    against a version the remote has goes out as that delta alone (a thin pack)."""
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    local = tmp_path / "local"
    git("init", "-q", "-b", "main", str(local))
    lines = [f"line {n} {'x' * 60}\n" for n in range(400)]
    for n in range(12):
        commit_file(local, "big.txt", "".join(lines[: 300 + 8 * n]))
    git("remote", "add", "origin", remote.url("origin"), cwd=local)
    git("gc", "-q", cwd=local)
    lacking = missing_objects(local, bare, "main")
    first = push(local, remote)
    assert first.pushed == ["main"] and first.objects_sent == lacking == 36
    whole = len(zlib.compress("".join(lines[:388]).encode()))  # the largest version, compressed
    assert first.bytes_sent < 6 * whole  # twelve versions as deltas, not twelve whole copies
    fsck(bare)
    smaller = "".join(lines[:301])  # git deltifies a smaller version against a larger one
    new = commit_file(local, "big.txt", smaller)
    git("gc", "-q", cwd=local)
    base = delta_base_of(local, rev_parse(local, "HEAD:big.txt"))
    assert base is not None and git("cat-file", "-t", base, cwd=bare) == "blob"
    second = push(local, remote)
    assert second.pushed == ["main"] and second.objects_sent == 3
    assert second.bytes_sent < len(zlib.compress(smaller.encode()))
    assert rev_parse(bare, "main") == new
    fsck(bare)


def test_checked_out_branch_of_a_non_bare_local_repository_is_refused(tmp_path: Path) -> None:
    """As git's receive.denyCurrentBranch: moving it would leave that working tree behind."""
    target, local = tmp_path / "target", tmp_path / "local"
    seeded_clone(target, local, "a.txt", "one\n")
    commit_file(local, "b.txt", "two\n")
    git("branch", "feature", cwd=local)
    before = rev_parse(target, "main")
    with Repo(str(local)) as repo:
        result = push_branches(repo, "origin", [upstream("main"), upstream("feature")])
    assert result.rejected == {"main": CHECKED_OUT} and result.pushed == ["feature"]
    assert rev_parse(target, "main") == before and git("status", "--porcelain", cwd=target) == ""
    assert rev_parse(target, "feature") == rev_parse(local, "main")


def test_push_url_is_preferred(path_remote: Remote, tmp_path: Path) -> None:
    bare, local = seed(path_remote, tmp_path)
    git("remote", "set-url", "origin", str(tmp_path / "nowhere"), cwd=local)
    git("config", "remote.origin.pushurl", str(bare), cwd=local)
    new = commit_file(local, "b.txt", "two\n")
    assert push(local, path_remote).pushed == ["main"]
    assert rev_parse(bare, "main") == new


def test_wrong_password_is_auth_failed(http_auth_server: HttpRemote, tmp_path: Path) -> None:
    bare, local = seed(http_auth_server, tmp_path)
    commit_file(local, "b.txt", "two\n")
    before = refs(bare)
    with Repo(str(local)) as repo, pytest.raises(AuthFailed) as caught:
        push_branches(repo, "origin", [upstream("main")], auth=HttpAuth("alice", "wrong-pw"), timeout=TIMEOUT)
    assert "wrong-pw" not in str(caught.value)
    assert refs(bare) == before


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_refused_port_is_unreachable(scheme: str, refused_port: int, tmp_path: Path) -> None:
    local = tmp_path / "local"
    git("init", "-q", str(local))
    commit_file(local, "a.txt", "one\n")
    git("remote", "add", "origin", f"{scheme}://{LOOPBACK}:{refused_port}/origin.git", cwd=local)
    with Repo(str(local)) as repo, pytest.raises(RemoteUnreachable) as caught:
        push_branches(repo, "origin", [upstream("main")], timeout=TIMEOUT)
    assert caught.value.result == "offline"


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_silent_server_times_out(scheme: str, silent_server: SilentServer, tmp_path: Path) -> None:
    local = tmp_path / "local"
    git("init", "-q", str(local))
    commit_file(local, "a.txt", "one\n")
    git("remote", "add", "origin", f"{scheme}://{LOOPBACK}:{silent_server.port}/origin.git", cwd=local)
    with Repo(str(local)) as repo, pytest.raises(RemoteUnreachable) as caught:
        push_branches(repo, "origin", [upstream("main")], timeout=0.5)
    assert silent_server.connections >= 1 and "time" in caught.value.reason


def test_missing_remote_repository_is_push_failed(http_server: HttpRemote, tmp_path: Path) -> None:
    _, local = seed(http_server, tmp_path)
    git(
        "remote",
        "set-url",
        "origin",
        http_server.url_with_credentials("nothing", ("bob", "pw-123")),
        cwd=local,
    )
    with Repo(str(local)) as repo, pytest.raises(PushFailed) as caught:
        push_branches(repo, "origin", [upstream("main")], timeout=TIMEOUT)
    assert str(caught.value).startswith("pushing to origin failed: ")
    assert "pw-123" not in str(caught.value)


def test_upstream_of_another_remote_is_bad_input(tmp_path: Path) -> None:
    local = tmp_path / "local"
    git("init", "-q", str(local))
    other = Upstream("main", "fork", "refs/heads/main", "refs/remotes/fork/main")
    with Repo(str(local)) as repo, pytest.raises(BadInput):
        push_branches(repo, "origin", [other])
    assert not os.path.exists(local / ".git" / "refs" / "remotes")


def random_history(repo: Path, rnd: random.Random) -> list[str]:
    """Up to 40 commits with random merges and some commit dates far off (clock skew)."""
    stream = []
    count = rnd.randint(5, 40)
    for n in range(count):
        skew = rnd.randint(-5_000, 5_000) if rnd.random() < 0.3 else 0
        stream.append(
            f"commit refs/heads/b{n}\nmark :{n + 1}\n"
            f"committer A <a@example.invalid> {1_600_000_000 + n * 100 + skew} +0000\ndata 2\nc\n"
        )
        parents = rnd.sample(range(1, n + 1), min(n, rnd.choice([1, 1, 2])))
        stream.extend(f"{'from' if i == 0 else 'merge'} :{p}\n" for i, p in enumerate(parents))
        stream.append(f"M 100644 inline d{rnd.randint(0, 2)}/f{rnd.randint(0, 3)}.txt\ndata 3\n{n:02d}\n\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True, timeout=30
    )
    return git("rev-parse", *(f"b{n}" for n in range(count)), cwd=repo).split()


def test_objects_to_send_never_leave_out_what_the_remote_lacks(tmp_path: Path) -> None:
    """Random histories against git: the commits sent are exactly `git rev-list
    wants --not haves`, and so are the trees and blobs, picked by the sparse walk
    (here no object is ever at two paths, so it has nothing more to send), and
    every object the haves do not reach is among them."""
    for seed in range(15):
        rnd = random.Random(seed)
        repo = tmp_path / f"r{seed}"
        git("init", "-q", "--bare", str(repo))
        commits = random_history(repo, rnd)
        wants, haves = rnd.sample(commits, rnd.randint(1, 3)), rnd.sample(commits, rnd.randint(0, 4))
        with Repo(str(repo)) as dulwich_repo:
            found = ObjectsToSend(
                dulwich_repo.object_store,
                [ObjectID(w.encode()) for w in wants],
                [ObjectID(h.encode()) for h in haves],
            )
            sent = [oid.decode() for oid in found.ids]
        assert len(sent) == len(set(sent)), seed
        expected = git("rev-list", "--objects", *wants, "--not", *haves, "--", cwd=repo).splitlines()
        assert set(sent) == {line.split()[0] for line in expected}, seed
        reachable = {
            line.split()[0] for line in git("rev-list", "--objects", *wants, "--", cwd=repo).splitlines()
        }
        remote_has = (
            {line.split()[0] for line in git("rev-list", "--objects", *haves, "--", cwd=repo).splitlines()}
            if haves
            else set()
        )
        assert reachable - remote_has <= set(sent) <= reachable, seed


def test_a_pack_larger_than_the_socket_buffer_goes_out_whole_over_git(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A git:// socket with a timeout is non-blocking underneath: `send` may take part of a
    large chunk, so every write must be a `sendall` (6 MiB used to arrive corrupt)."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    (world.mine / "big.bin").write_bytes(os.urandom(6 * 1024 * 1024))
    git("add", "big.bin", cwd=world.mine)
    git("commit", "-q", "-m", "big", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["result"]) == (0, "ok"), report
    assert world.remote_head() == world.head(world.mine)
    world.check()
