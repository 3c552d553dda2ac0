"""git's low-speed limit on every transport: a server that stops sending mid-pack, through
a real git daemon, git http-backend and sshd behind a `StallingProxy`, is cut long before
the read timeout (30 s here) would end it: `RemoteTooSlow`, nothing kept, no ref moved."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dulwich.repo import Repo

from core.git.transfer.deadlines import RemoteTooSlow
from core.git.transfer.fetch import fetch_remote
from core.results import ResultKind
from tests.gitcli import git, refs
from tests.integration.test_fetch import local_clone, seed
from tests.servers import LOOPBACK, Remote
from tests.servers.faults import StallingProxy

FIXTURES = {"git": "git_daemon", "http": "http_server", "ssh": "sshd_server"}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["git", "http", pytest.param("ssh", marks=pytest.mark.sshd)])
def test_a_server_that_stops_mid_pack_is_cut_by_the_low_speed_limit(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    remote: Remote = request.getfixturevalue(FIXTURES[kind])
    bare, work = seed(remote, tmp_path)
    local = local_clone(remote, bare, tmp_path)
    (work / "big.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    git("add", "big.bin", cwd=work)
    git("commit", "-q", "-m", "big", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    url = remote.url("origin")
    proxy = StallingProxy(LOOPBACK, urlsplit(url).port or 0, 512 * 1024)
    try:
        git("remote", "set-url", "origin", proxy.rewrite(url), cwd=local)
        git("config", "http.lowSpeedTime", "2", cwd=local)
        before = refs(local)
        with Repo(str(local)) as repo, pytest.raises(RemoteTooSlow) as caught:
            fetch_remote(repo, "origin", timeout=30.0, ssh_command=remote.ssh_command)
    finally:
        proxy.stop()
    assert caught.value.result is ResultKind.OFFLINE
    assert str(caught.value) == (
        "origin is too slow: under 1,000 bytes a second received for 2 s "
        "(git config http.lowSpeedLimit/http.lowSpeedTime); nothing was kept"
    )
    assert refs(local) == before
    assert not list((local / ".git" / "objects").rglob("tmp_*"))
    git("fsck", "--no-progress", cwd=local)
