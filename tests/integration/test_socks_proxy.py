"""SOCKS proxies as git takes them (`http.proxy`, `remote.<name>.proxy`, `all_proxy`), through
a real SOCKS server: OpenSSH's `ssh -D` against the test sshd. git fetch is the referee; the
proxy's log shows each connection went through it, with the host named as the scheme says
(socks5h and socks4a: the proxy resolves `localhost`; socks5 and socks4: resolved here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git
from tests.integration.test_fetch import push_commit
from tests.integration.test_http_settings import refs, registered_clone, sync
from tests.integration.test_lfs import _commit, _gitferry_clone, _publisher, _sync
from tests.servers.host import LOOPBACK
from tests.servers.proxy import PROXY_VARIABLES
from tests.servers.remote import HttpRemote
from tests.servers.socks import SocksProxy
from tests.servers.ssh import SshServer


@pytest.fixture
def socks(sshd_process: SshServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SocksProxy]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with SocksProxy(sshd_process, tmp_path / "socks") as proxy:
        yield proxy


@pytest.mark.parametrize(
    ("where", "scheme", "version", "named"),
    [
        ("http.proxy", "socks5h", "socks5", "localhost"),
        ("all_proxy", "socks5", "socks5", LOOPBACK),
        ("remote.origin.proxy", "socks4a", "socks4", "localhost"),
        ("http.proxy", "socks", "socks4", LOOPBACK),
    ],
)
def test_fetch_and_push_go_through_a_socks_proxy_as_git_s_do(
    where: str,
    scheme: str,
    version: str,
    named: str,
    http_server: HttpRemote,
    socks: SocksProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare, work, mine = registered_clone(http_server, tmp_path, capsys)
    by_name = http_server.url("origin").replace(f"//{LOOPBACK}:", "//localhost:")
    git("remote", "set-url", "origin", by_name, cwd=mine)
    proxy = socks.url(scheme)
    if where == "all_proxy":
        monkeypatch.setenv("all_proxy", proxy)
    elif where == "remote.origin.proxy":
        git("config", "remote.origin.proxy", proxy, cwd=mine)
    else:
        git("config", "--global", where, proxy)
    wanted = (version, named, http_server.port)

    referee = tmp_path / "referee"
    git("clone", "-q", "--bare", str(bare), str(referee))
    push_commit(work, bare, "b.txt", "theirs\n")
    git("-c", f"http.proxy={proxy}", "fetch", "-q", by_name, "+refs/heads/*:refs/heads/*", cwd=referee)
    assert socks.requests() and set(socks.requests()) == {wanted}, socks.requests()
    seen = len(socks.requests())

    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    fetched = git("rev-parse", "main", cwd=referee)  # what git fetched through the proxy
    git("merge-base", "--is-ancestor", fetched, "main", cwd=mine)  # the sync fetched it too
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "main", cwd=mine)
    later = socks.requests()[seen:]
    assert later and set(later) == {wanted}, later  # fetch and push, each through the proxy


def test_a_socks_proxy_that_fails_is_named_in_one_line_and_nothing_changes(
    http_server: HttpRemote, socks: SocksProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unreachable, or hanging up as `ssh -D` does when it cannot reach the remote: the proxy
    is named, not "origin is unreachable" (git: "Failed to connect to 127.0.0.1 port 9",
    "connection to proxy closed")."""
    bare, work, mine = registered_clone(http_server, tmp_path, capsys)
    push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    git("config", "--global", "http.proxy", f"socks5h://{LOOPBACK}:9")  # discard: nothing answers
    report = sync(capsys)
    assert (report["result"], report["message"]) == (
        "offline",
        "origin: the proxy is unreachable: connection refused",
    ), report
    git("config", "--global", "http.proxy", socks.url("socks5h"))
    git(
        "remote", "set-url", "origin", f"http://{LOOPBACK}:9/origin.git", cwd=mine
    )  # the proxy cannot reach it
    report = sync(capsys)
    assert (report["result"], report["message"]) == (
        "error",
        "fetching from origin failed: the proxy closed the connection (can it reach the remote?)",
    ), report
    assert refs(mine) == before


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")
def test_git_lfs_downloads_go_through_the_socks_proxy_too(
    lfs_server: HttpRemote,
    socks: SocksProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`remote.origin.proxy` empty sends git's own traffic straight to the remote; LFS
    requests take `http.proxy` (as git-lfs, which reads no `remote.<name>.proxy`): every
    request the SOCKS proxy sees is an LFS one."""
    first = os.urandom(100_000)
    pub = _publisher(lfs_server, tmp_path, {"a.bin": first})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    git("config", "remote.origin.proxy", "", cwd=mine)
    git("config", "--global", "http.proxy", socks.url("socks5"))
    second = os.urandom(200_000)
    _commit(pub, {"b.bin": second}, "second")
    git("push", "-q", "origin", "main", cwd=pub)

    code, report = _sync(capsys, "mine")

    assert code == 0 and report["lfs_downloaded"] == 1, report
    assert (mine / "b.bin").read_bytes() == second
    assert socks.requests() and set(socks.requests()) == {("socks5", LOOPBACK, lfs_server.port)}
