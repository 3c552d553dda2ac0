"""The server fixtures themselves, with the git CLI as the client."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git, rev_parse
from tests.servers import LOOPBACK, Remote
from tests.servers.faults import CuttingProxyFactory, SilentServer, TricklingServer
from tests.servers.remote import HttpRemote


def client_url(remote: Remote, name: str) -> str:
    if isinstance(remote, HttpRemote) and remote.auth is not None:
        return remote.url_with_credentials(name)
    return remote.url(name)


@pytest.fixture(autouse=True)
def git_client_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")


def test_clone_push_fetch(remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if remote.ssh_command is not None:
        monkeypatch.setenv("GIT_SSH_COMMAND", remote.ssh_command)
    bare = remote.create("origin")
    url = client_url(remote, "origin")

    first = tmp_path / "first"
    git("clone", "-q", url, str(first))
    sha = commit_file(first, "a.txt", "one\n")
    git("push", "-q", "origin", "main", cwd=first)
    assert rev_parse(bare, "refs/heads/main") == sha

    second = tmp_path / "second"
    git("clone", "-q", url, str(second))
    assert rev_parse(second, "HEAD") == sha

    newer = commit_file(first, "b.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=first)
    git("fetch", "-q", "origin", cwd=second)
    assert rev_parse(second, "refs/remotes/origin/main") == newer


def test_each_test_gets_fresh_repositories(remote: Remote) -> None:
    assert not remote.bare_path("origin").exists()
    remote.create("origin")
    with pytest.raises(FileExistsError):
        remote.create("origin")


def test_http_records_requests_and_v2_commands(http_server: HttpRemote, tmp_path: Path) -> None:
    http_server.create("origin")
    work = tmp_path / "work"
    git("clone", "-q", http_server.url("origin"), str(work))
    commit_file(work, "a.txt", "one\n")
    git("push", "-q", "origin", "main", cwd=work)
    assert ("POST", "/origin.git/git-receive-pack") in http_server.requests

    before = len(http_server.requests)
    git("-c", "protocol.version=0", "fetch", "-q", "origin", cwd=work)
    assert http_server.requests[before:] == [("GET", "/origin.git/info/refs?service=git-upload-pack")]

    before = len(http_server.commands)
    git("fetch", "-q", "origin", cwd=work)  # protocol v2, nothing new: ref listing only
    assert http_server.commands[before:] == [("ls-refs", "/origin.git/git-upload-pack")]

    other = tmp_path / "other"
    git("clone", "-q", http_server.url("origin"), str(other))
    commit_file(other, "b.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=other)
    before = len(http_server.commands)
    git("fetch", "-q", "origin", cwd=work)
    assert [c for c, _ in http_server.commands[before:]] == ["ls-refs", "fetch"]


def test_http_auth_refuses_wrong_credentials(http_auth_server: HttpRemote) -> None:
    http_auth_server.create("origin")
    wrong = http_auth_server.url_with_credentials("origin", ("alice", "wrong"))
    proc = subprocess.run(
        ["git", "ls-remote", wrong], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode != 0
    assert "Authentication failed" in proc.stderr

    request = urllib.request.Request(
        http_auth_server.url("origin") + "/info/refs?service=git-upload-pack",
        headers={"Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode()},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_http_large_push_is_streamed(http_server: HttpRemote, tmp_path: Path) -> None:
    """Over 1 MiB git sends the push body chunked (http.postBuffer); the bridge decodes it."""
    bare = http_server.create("origin")
    work = tmp_path / "work"
    git("init", "-q", str(work))
    (work / "noise.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    git("add", "noise.bin", cwd=work)
    git("commit", "-q", "-m", "noise", cwd=work)
    git("push", "-q", http_server.url("origin"), "main", cwd=work)
    assert rev_parse(bare, "main") == rev_parse(work, "HEAD")
    git("fsck", "--strict", "--no-progress", cwd=bare)


def big_repository(remote: Remote, name: str, tmp_path: Path, size: int) -> str:
    """A remote repository holding ``size`` incompressible bytes; returns its head."""
    bare = remote.create(name)
    work = tmp_path / f"{name}-work"
    git("init", "-q", str(work))
    (work / "noise.bin").write_bytes(os.urandom(size))
    git("add", "noise.bin", cwd=work)
    git("commit", "-q", "-m", "noise", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    return rev_parse(work, "HEAD")


def test_cutting_proxy_hangs_up_mid_pack(
    git_daemon: Remote, cutting_proxy: CuttingProxyFactory, tmp_path: Path
) -> None:
    head = big_repository(git_daemon, "big", tmp_path, 1024 * 1024)
    url = git_daemon.url("big")
    assert git_daemon.port is not None
    local = tmp_path / "local"
    git("init", "-q", str(local))

    cut = cutting_proxy(LOOPBACK, git_daemon.port, 64 * 1024)
    proc = subprocess.run(
        ["git", "fetch", cut.rewrite(url), "main:refs/remotes/origin/main"],
        cwd=local,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    # git words a hang-up mid-pack three ways, depending on where the cut falls
    assert any(
        words in proc.stderr for words in ("hung up", "early EOF", "unexpected disconnect", "bad pack header")
    ), proc.stderr
    assert cut.cuts == 1
    assert cut.bytes_to_client == 64 * 1024
    assert "refs/remotes/origin/main" not in git("for-each-ref", cwd=local)

    whole = cutting_proxy(LOOPBACK, git_daemon.port, 10 * 1024 * 1024)
    git("fetch", "-q", whole.rewrite(url), "main:refs/remotes/origin/main", cwd=local)
    assert rev_parse(local, "refs/remotes/origin/main") == head
    assert whole.cuts == 0


def test_silent_server_never_answers(silent_server: SilentServer) -> None:
    with socket.create_connection((LOOPBACK, silent_server.port), timeout=5) as sock:
        sock.sendall(b"0032git-upload-pack /x.git\0host=127.0.0.1\0")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(1)
    assert silent_server.connections == 1


def test_trickling_server_sends_an_endless_pkt_line() -> None:
    server = TricklingServer(pace_seconds=0.01)
    try:
        with socket.create_connection((LOOPBACK, server.port), timeout=30) as sock:
            sock.sendall(b"0032git-upload-pack /x.git\0host=127.0.0.1\0")
            received = b""
            while len(received) < 24:
                chunk = sock.recv(24 - len(received))
                assert chunk, "the trickling server hung up"
                received += chunk
    finally:
        server.stop()
    assert received == b"fff0" + b"#" * 20  # a pkt-line of 65,516 bytes has begun, 20 of them so far
    assert server.connections == 1


def test_refused_port_refuses(refused_port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((LOOPBACK, refused_port), timeout=5)
    proc = subprocess.run(
        ["git", "ls-remote", f"git://{LOOPBACK}:{refused_port}/x.git"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode != 0
    assert "Connection refused" in proc.stderr


def test_http_gzip_negotiation(http_server: HttpRemote, tmp_path: Path) -> None:
    """Many local commits make git gzip its later ``have`` rounds (HTTP_CONTENT_ENCODING)."""
    http_server.create("origin")
    upstream, local = tmp_path / "upstream", tmp_path / "local"
    git("clone", "-q", http_server.url("origin"), str(upstream))
    base = commit_file(upstream, "a.txt", "base\n")
    git("push", "-q", "origin", "main", cwd=upstream)
    git("clone", "-q", http_server.url("origin"), str(local))
    now = int(time.time())  # newer than the remote's commits, so they are offered first
    stream = "".join(
        f"commit refs/heads/main\nmark :{i + 1}\ncommitter A <a@b.invalid> {now + i} +0000\n"
        f"data 3\nl{i % 10}\n\nfrom {':' + str(i) if i else base}\n\n"
        for i in range(300)
    )
    git("fast-import", "--quiet", "--force", cwd=local, input=stream)
    newer = commit_file(upstream, "b.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=upstream)

    before = len(http_server.commands)
    git("fetch", "-q", "origin", cwd=local)
    assert rev_parse(local, "refs/remotes/origin/main") == newer
    assert [c for c, _ in http_server.commands[before:]].count("fetch") >= 3
