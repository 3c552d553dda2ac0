"""`fetch_remote` against real servers of every kind; the git CLI is the referee."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.config.remote_config import UnknownRemote
from core.git.progress import Phase, TransferProgress
from core.git.transfer.errors import AuthFailed, RemoteUnreachable, TransferFailed
from core.git.transfer.fetch import GATED_BYTES, FetchResult, TrackedBranches, fetch_remote
from core.remote_url import BadRemoteUrl, HttpAuth
from tests.gitcli import commit_file, fsck, git, refs, rev_parse
from tests.servers import LOOPBACK, HttpRemote, Remote
from tests.servers.faults import CuttingProxyFactory, SilentServer

TIMEOUT = 10.0


def auth_of(remote: Remote) -> HttpAuth | None:
    return HttpAuth(*remote.auth) if remote.auth else None


def seed(remote: Remote, tmp_path: Path, branches: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """A remote `origin` with one commit on main (and `branches` off it), and the
    working repository that fills it (pushes go straight to the bare path)."""
    bare = remote.create("origin")
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    commit_file(work, "a.txt", "one\n")
    for branch in branches:
        git("branch", branch, cwd=work)
    git("push", "-q", str(bare), "main", *branches, cwd=work)
    return bare, work


def local_clone(remote: Remote, bare: Path, tmp_path: Path, name: str = "local") -> Path:
    """A clone made by git, then pointed at the remote's URL for this transport."""
    local = tmp_path / name
    git("clone", "-q", str(bare), str(local))
    git("remote", "set-url", "origin", remote.url("origin"), cwd=local)
    return local


def push_commit(work: Path, bare: Path, name: str, content: str, branch: str = "main") -> str:
    git("checkout", "-q", branch, cwd=work)
    sha = commit_file(work, name, content)
    git("push", "-q", str(bare), branch, cwd=work)
    return sha


def fetch(
    local: Path, remote: Remote, progress: list[TransferProgress] | None = None, **options: object
) -> FetchResult:
    with Repo(str(local)) as repo:
        return fetch_remote(
            repo,
            "origin",
            auth=auth_of(remote),
            ssh_command=remote.ssh_command,
            timeout=TIMEOUT,
            progress=None if progress is None else progress.append,
            **options,  # type: ignore[arg-type]
        )


def pack_dir(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / ".git" / "objects" / "pack").iterdir())


def test_fetch_after_the_remote_moved(remote: Remote, tmp_path: Path) -> None:
    bare, work = seed(remote, tmp_path)
    local = local_clone(remote, bare, tmp_path)
    old = rev_parse(local, "refs/remotes/origin/main")
    new = push_commit(work, bare, "b.txt", "two\n")
    seen: list[TransferProgress] = []
    result = fetch(local, remote, seen)
    assert result.updated == {"refs/remotes/origin/main": (old.encode(), new.encode())}
    assert rev_parse(local, "refs/remotes/origin/main") == rev_parse(bare, "main") == new
    assert rev_parse(local, "main") == old  # fetch never moves local branches
    assert result.pack_requested and result.objects_received == 3  # commit, tree, blob
    assert result.gone == [] and result.default_branch == "main"
    assert set(result.timings_ms) >= {"connect", "negotiate", "receive", "index", "refs"}
    assert seen[0].phase is Phase.CONNECTING and any(p.phase is Phase.RECEIVING for p in seen)
    assert not [name for name in pack_dir(local) if name.startswith("tmp_")]
    fsck(local)


def test_fetch_when_nothing_moved_requests_no_pack(remote: Remote, tmp_path: Path) -> None:
    bare, _ = seed(remote, tmp_path, branches=("feature",))
    local = local_clone(remote, bare, tmp_path)
    before_refs, before_packs = refs(local), pack_dir(local)
    if isinstance(remote, HttpRemote):
        remote.server.app.commands.clear()
    result = fetch(local, remote)
    assert (result.updated, result.gone, result.pruned) == ({}, [], [])
    assert not result.pack_requested and result.objects_received == result.bytes_received == 0
    assert result.timings_ms["negotiate"] == result.timings_ms["receive"] == 0.0
    assert refs(local) == before_refs and pack_dir(local) == before_packs
    if isinstance(remote, HttpRemote):  # the server saw a ref listing and nothing else
        # (a v0 listing: following tags needs its peeled tags and include-tag)
        assert [(method, target.split("/")[-1]) for method, target in remote.requests] == [
            ("GET", "refs?service=git-upload-pack")
        ]
        git("config", "remote.origin.tagOpt", "--no-tags", cwd=local)
        remote.server.app.commands.clear()
        fetch(local, remote)
        assert [command for command, _ in remote.commands] == ["ls-refs"]  # v2 when not following


def test_deleted_upstream_branch_is_reported_gone(remote: Remote, tmp_path: Path) -> None:
    bare, work = seed(remote, tmp_path, branches=("feature", "topic"))
    local = local_clone(remote, bare, tmp_path)
    git("branch", "-q", "--track", "feature", "origin/feature", cwd=local)
    git("push", "-q", str(bare), "--delete", "feature", cwd=work)
    result = fetch(local, remote)  # git fetch keeps the ref, stale, unless told to prune
    assert (result.gone, result.stale, result.pruned) == (["feature"], ["feature"], [])
    assert "refs/remotes/origin/feature" in refs(local)
    git("config", "fetch.prune", "true", cwd=local)
    result = fetch(local, remote)
    assert (result.gone, result.stale) == (["feature"], [])
    assert result.pruned == ["refs/remotes/origin/feature"]
    assert "refs/remotes/origin/feature" not in refs(local)
    assert "refs/remotes/origin/topic" in refs(local)  # untracked: left alone
    assert "origin/feature: gone" in git("branch", "-vv", "--list", "feature", cwd=local)
    fsck(local)


def fast_import(bare: Path, count: int, first: int = 0, parent: str | None = None) -> None:
    """`count` commits on main, each rewriting one small file."""
    stream = []
    for n in range(first, first + count):
        data = f"version {n}\n"
        message = f"commit {n}\n"
        stream.append(
            f"commit refs/heads/main\ncommitter A <a@example.invalid> {1_600_000_000 + n * 60} +0000\n"
            f"data {len(message)}\n{message}"
        )
        if n == first and parent is not None:
            stream.append(f"from {parent}\n")
        stream.append(f"M 100644 inline file.txt\ndata {len(data)}\n{data}\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=bare,
        input="".join(stream).encode(),
        check=True,
        timeout=60,
    )


def loose_objects(repo: Path) -> int:
    return int(git("count-objects", cwd=repo).split()[0])


def fetched_as_git_fetches(remote: Remote, local: Path, bare: Path, tmp_path: Path) -> int:
    """Fetch `local` from `remote` (serving `bare`) beside a copy git fetches: the same
    objects received, the same tip; how many."""
    referee = tmp_path / "referee"
    subprocess.run(["cp", "-a", str(local), str(referee)], check=True, timeout=60)
    before = loose_objects(referee)
    git("fetch", "-q", str(bare), "+refs/heads/*:refs/remotes/origin/*", cwd=referee)
    by_git = loose_objects(referee) - before
    result = fetch(local, remote)
    assert result.objects_received == by_git
    assert rev_parse(local, "refs/remotes/origin/main") == rev_parse(bare, "main")
    return by_git


def test_negotiation_offers_remote_tracking_refs(remote: Remote, tmp_path: Path) -> None:
    """Local main 2,000 commits behind origin/main; the server gains one commit."""
    bare = remote.create("origin")
    fast_import(bare, 2001)
    local = local_clone(remote, bare, tmp_path)
    git("reset", "-q", "--hard", "HEAD~2000", cwd=local)
    fast_import(bare, 1, first=2001, parent=rev_parse(bare, "main"))
    assert fetched_as_git_fetches(remote, local, bare, tmp_path) == 3
    fsck(local)


def test_only_tracked_branches_are_fetched(git_daemon: Remote, tmp_path: Path) -> None:
    bare, work = seed(git_daemon, tmp_path, branches=("feature", "other"))
    local = local_clone(git_daemon, bare, tmp_path)
    for branch in ("main", "feature", "other"):
        push_commit(work, bare, f"{branch}.txt", branch, branch)
    pull = push_commit(work, bare, "pr.txt", "pull request")
    git("update-ref", "refs/pull/1/head", pull, cwd=bare)
    git("reset", "-q", "--hard", "HEAD~1", cwd=work)
    git("push", "-q", "--force", str(bare), "main", cwd=work)
    git("tag", "-a", "-m", "v1", "v1", "other", cwd=work)
    git("push", "-q", str(bare), "v1", cwd=work)

    result = fetch(local, git_daemon)  # default: upstreams (main) and the default branch
    assert set(result.updated) == {"refs/remotes/origin/main"} and result.tags == {}
    result = fetch(local, git_daemon, tracked=TrackedBranches.named(["other"]))
    assert set(result.updated) == {"refs/remotes/origin/other"}
    assert "refs/tags/v1" in result.tags  # followed with `other`, as git fetch follows it
    result = fetch(local, git_daemon, tracked=TrackedBranches.all())
    assert set(result.updated) == {"refs/remotes/origin/feature"}
    names = set(refs(local))
    assert not any(name.startswith("refs/pull/") for name in names)
    assert git("cat-file", "-e", pull, cwd=local, check=False) == ""
    assert subprocess.run(["git", "cat-file", "-e", pull], cwd=local, check=False).returncode != 0
    fsck(local)


def local_with_url(tmp_path: Path, url: str) -> Path:
    local = tmp_path / "local"
    git("init", "-q", "-b", "main", str(local))
    commit_file(local, "mine.txt", "mine\n")
    git("remote", "add", "origin", url, cwd=local)
    return local


@pytest.mark.parametrize("scheme", ["git", "http", "ssh"])
def test_connection_refused_is_offline(scheme: str, refused_port: int, tmp_path: Path) -> None:
    local = local_with_url(tmp_path, f"{scheme}://{LOOPBACK}:{refused_port}/origin.git")
    before = refs(local)
    with Repo(str(local)) as repo, pytest.raises(RemoteUnreachable) as caught:
        fetch_remote(repo, "origin", timeout=TIMEOUT, ssh_command="ssh -F /dev/null")
    assert caught.value.remote == "origin" and str(caught.value).count("\n") == 0
    assert refs(local) == before


@pytest.mark.parametrize("kind", ["git_daemon", "http_server", "sshd_server"])
def test_hang_up_mid_pack_changes_nothing(
    kind: str, request: pytest.FixtureRequest, cutting_proxy: CuttingProxyFactory, tmp_path: Path
) -> None:
    remote: Remote = request.getfixturevalue(kind)
    bare, work = seed(remote, tmp_path)
    local = local_clone(remote, bare, tmp_path)
    (work / "big.bin").write_bytes(os.urandom(1 << 20))
    git("add", "big.bin", cwd=work)
    git("commit", "-q", "-m", "big", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    assert remote.port is not None
    proxy = cutting_proxy(LOOPBACK, remote.port, 64 * 1024)
    git("remote", "set-url", "origin", proxy.rewrite(remote.url("origin")), cwd=local)
    before, packs = refs(local), pack_dir(local)
    with pytest.raises(TransferFailed) as caught:
        fetch(local, remote)
    assert proxy.cuts >= 1 and caught.value.remote == "origin", caught.value
    assert refs(local) == before and pack_dir(local) == packs
    fsck(local)
    git("remote", "set-url", "origin", remote.url("origin"), cwd=local)
    assert fetch(local, remote).objects_received == 3  # and the next fetch works


def test_wrong_credentials_are_auth_failed_without_the_secret(
    http_auth_server: HttpRemote, tmp_path: Path
) -> None:
    bare, _ = seed(http_auth_server, tmp_path)
    local = local_clone(http_auth_server, bare, tmp_path)
    wrong = HttpAuth(http_auth_server.username or "", "wrong-Secret-4711")
    for auth in (wrong, None):
        with Repo(str(local)) as repo, pytest.raises(AuthFailed) as caught:
            fetch_remote(repo, "origin", auth=auth, timeout=TIMEOUT)
        error = caught.value
        assert error.result.value == "auth_failed" and error.remote == "origin"
        for text in (str(error), repr(error), error.reason, repr(error.__cause__)):
            assert "wrong-Secret-4711" not in text
    secret = http_auth_server.password or ""
    git("remote", "set-url", "origin", http_auth_server.url_with_credentials("origin"), cwd=local)
    with Repo(str(local)) as repo:  # a password left in the URL works, and is never shown
        assert not fetch_remote(repo, "origin", timeout=TIMEOUT).pack_requested
    git(
        "remote",
        "set-url",
        "origin",
        http_auth_server.url_with_credentials("origin", ("alice", "x")),
        cwd=local,
    )
    with Repo(str(local)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", timeout=TIMEOUT)
    assert secret not in str(caught.value)


@pytest.mark.parametrize("scheme", ["git", "http", "ssh"])
@pytest.mark.slow
def test_silent_server_times_out(scheme: str, silent_server: SilentServer, tmp_path: Path) -> None:
    """The server never answers nor hangs up: only the client's timeout can end the fetch
    (how long it takes: `python -m bench.timeouts`)."""
    local = local_with_url(tmp_path, f"{scheme}://{LOOPBACK}:{silent_server.port}/origin.git")
    with Repo(str(local)) as repo, pytest.raises(RemoteUnreachable) as caught:
        fetch_remote(repo, "origin", timeout=1.0, ssh_command="ssh -F /dev/null")
    assert silent_server.connections >= 1 and "time" in caught.value.reason


@pytest.mark.parametrize(
    "url", ["ftp://example.org/r.git", "git://", "http://:80/r", "ssh://-oProxyCommand=x/r", "host:"]
)
def test_malformed_remote_url_is_bad_input(url: str, tmp_path: Path) -> None:
    local = local_with_url(tmp_path, url)
    with Repo(str(local)) as repo, pytest.raises(BadRemoteUrl) as caught:
        fetch_remote(repo, "origin")
    assert caught.value.bad_input and "\n" not in str(caught.value)
    with Repo(str(local)) as repo, pytest.raises(UnknownRemote):
        fetch_remote(repo, "upstream")


def test_missing_local_repository_is_a_transfer_error(tmp_path: Path) -> None:
    local = local_with_url(tmp_path, str(tmp_path / "nowhere.git"))
    with Repo(str(local)) as repo, pytest.raises(TransferFailed, match="no git repository"):
        fetch_remote(repo, "origin")


def fetch_behind(
    gate: threading.BoundedSemaphore, local: Path, remote: Remote
) -> tuple[threading.Thread, list[FetchResult]]:
    """A fetch in a thread while `gate` is held; it must wait for the gate (checked)."""
    results: list[FetchResult] = []
    waiting = threading.Thread(target=lambda: results.append(fetch(local, remote, pack_gate=gate)))
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and not results  # it waits for the gate
    return waiting, results


def test_only_fetches_that_receive_a_big_pack_wait_for_the_pack_gate(
    git_daemon: Remote, tmp_path: Path
) -> None:
    bare, work = seed(git_daemon, tmp_path)
    local = local_clone(git_daemon, bare, tmp_path)
    gate = threading.BoundedSemaphore(1)
    gate.acquire()  # another fetch is indexing a pack
    assert fetch(local, git_daemon, pack_gate=gate).objects_received == 0  # nothing to receive: no wait
    new = push_commit(work, bare, "b.txt", "new\n")
    assert fetch(local, git_daemon, pack_gate=gate).objects_received == 3  # a few objects: no wait
    assert rev_parse(local, "origin/main") == new
    big = push_commit(work, bare, "big.bin", os.urandom(GATED_BYTES).hex())  # about 1.1 MiB deflated
    waiting, results = fetch_behind(gate, local, git_daemon)  # received, indexed only once it may
    assert rev_parse(local, "origin/main") == new  # nothing landed while it waits
    gate.release()
    waiting.join(10)
    assert results and results[0].objects_received == 3 and rev_parse(local, "origin/main") == big
    assert gate.acquire(blocking=False)  # and gave it back
    fsck(local)


def test_a_first_fetch_waits_for_the_pack_gate_before_asking(git_daemon: Remote, tmp_path: Path) -> None:
    bare, _work = seed(git_daemon, tmp_path)
    local = tmp_path / "empty"
    git("init", "-q", "-b", "main", str(local))
    git("remote", "add", "origin", git_daemon.url("origin"), cwd=local)
    gate = threading.BoundedSemaphore(1)
    gate.acquire()
    waiting, results = fetch_behind(gate, local, git_daemon)
    gate.release()
    waiting.join(10)
    assert results and rev_parse(local, "origin/main") == rev_parse(bare, "main")
    assert gate.acquire(blocking=False)
