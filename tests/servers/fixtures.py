"""Fixtures for real git servers on loopback (see ``tests/servers``), for every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import GitDaemon, Remote, RemoteHost
from tests.servers.faults import CuttingProxy, CuttingProxyFactory, RefusedPort, SilentServer, TricklingServer
from tests.servers.host import LOOPBACK
from tests.servers.hostile import HostileServer
from tests.servers.lfs import LfsHttpServer
from tests.servers.proxy import PROXY_VARIABLES, ForwardProxy
from tests.servers.remote import HttpRemote, namespace_for
from tests.servers.smart_http import SmartHttpServer
from tests.servers.ssh import SshServer, sshd_unavailable
from tests.servers.tls import ScratchCa, TlsSmartHttpServer


@pytest.fixture(scope="session")
def remotes_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remotes")


@pytest.fixture(scope="session")
def git_daemon_process(remotes_root: Path) -> Iterator[GitDaemon]:
    with GitDaemon(remotes_root / "git") as daemon:
        yield daemon


@pytest.fixture
def namespace(request: pytest.FixtureRequest) -> str:
    return namespace_for(request.node.name)


@pytest.fixture
def path_remote(remotes_root: Path, namespace: str) -> Remote:
    return Remote("path", RemoteHost(remotes_root / "path" / namespace))


@pytest.fixture
def file_remote(remotes_root: Path, namespace: str) -> Remote:
    root = remotes_root / "file" / namespace
    return Remote("file", RemoteHost(root, root.as_uri()))


@pytest.fixture
def git_daemon(git_daemon_process: GitDaemon, namespace: str) -> Remote:
    host = git_daemon_process.host.child(namespace)
    return Remote("git", host, port=git_daemon_process.port)


HTTP_CREDENTIALS = ("alice", "s3cret:p@ss")


@pytest.fixture(scope="session")
def http_process(remotes_root: Path) -> Iterator[SmartHttpServer]:
    with SmartHttpServer(remotes_root / "http") as server:
        yield server


@pytest.fixture(scope="session")
def http_auth_process(remotes_root: Path) -> Iterator[SmartHttpServer]:
    with SmartHttpServer(remotes_root / "http-auth", HTTP_CREDENTIALS) as server:
        yield server


def _http_remote(kind: str, server: SmartHttpServer, namespace: str) -> HttpRemote:
    host = RemoteHost(server.root, f"http://{LOOPBACK}:{server.port}").child(namespace)
    auth = server.app.credentials
    return HttpRemote(kind, host, auth=auth, port=server.port, server=server, namespace=namespace)


@pytest.fixture
def http_server(http_process: SmartHttpServer, namespace: str) -> HttpRemote:
    return _http_remote("http", http_process, namespace)


@pytest.fixture
def http_auth_server(http_auth_process: SmartHttpServer, namespace: str) -> HttpRemote:
    return _http_remote("http_auth", http_auth_process, namespace)


@pytest.fixture(scope="session")
def sshd_process(remotes_root: Path) -> Iterator[SshServer]:
    reason = sshd_unavailable()
    if reason is not None:
        pytest.skip(reason)
    with SshServer(remotes_root / "ssh") as server:
        yield server


@pytest.fixture
def sshd_server(sshd_process: SshServer, namespace: str) -> Remote:
    return Remote(
        "ssh",
        sshd_process.host.child(namespace),
        ssh_command=sshd_process.ssh_command,
        ssh_key=sshd_process.key,
        port=sshd_process.port,
    )


_REMOTE_FIXTURES = {
    "path": "path_remote",
    "file": "file_remote",
    "git": "git_daemon",
    "http": "http_server",
    "http_auth": "http_auth_server",
    "ssh": "sshd_server",
}


@pytest.fixture(
    params=[
        pytest.param(kind, marks=[pytest.mark.sshd] if kind == "ssh" else []) for kind in _REMOTE_FIXTURES
    ]
)
def remote(request: pytest.FixtureRequest) -> Remote:
    """Every kind in turn: path, file, git, http, http_auth, ssh."""
    fixture: Remote = request.getfixturevalue(_REMOTE_FIXTURES[request.param])
    return fixture


@pytest.fixture
def cutting_proxy() -> Iterator[CuttingProxyFactory]:
    """``cutting_proxy(target_host, target_port, cut_after_bytes, pace_seconds=0) -> CuttingProxy``."""
    proxies: list[CuttingProxy] = []

    def start(
        target_host: str, target_port: int, cut_after_bytes: int, pace_seconds: float = 0.0
    ) -> CuttingProxy:
        proxy = CuttingProxy(target_host, target_port, cut_after_bytes, pace_seconds=pace_seconds)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def hostile_server() -> Iterator[HostileServer]:
    """A `git://` server that answers as it is told to (`HostileServer.serve`, `.stall`)."""
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


@pytest.fixture
def trickling_server() -> Iterator[TricklingServer]:
    server = TricklingServer()
    yield server
    server.stop()


@pytest.fixture
def refused_port() -> Iterator[int]:
    port = RefusedPort()
    yield port.port
    port.close()


@pytest.fixture(scope="session")
def lfs_process(remotes_root: Path) -> Iterator[LfsHttpServer]:
    with LfsHttpServer(remotes_root / "lfs", HTTP_CREDENTIALS) as server:
        yield server


@pytest.fixture
def lfs_server(lfs_process: LfsHttpServer, namespace: str) -> HttpRemote:
    """Smart HTTP with Basic auth and a Git LFS server (``<repo>.git/info/lfs``) on one port."""
    return _http_remote("http_auth", lfs_process, namespace)


@pytest.fixture(scope="session")
def scratch_ca(tmp_path_factory: pytest.TempPathFactory) -> ScratchCa:
    return ScratchCa.make(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def tls_process(
    tmp_path_factory: pytest.TempPathFactory, scratch_ca: ScratchCa
) -> Iterator[TlsSmartHttpServer]:
    with TlsSmartHttpServer(tmp_path_factory.mktemp("https") / "repos", scratch_ca) as server:
        yield server


@pytest.fixture
def https_server(tls_process: TlsSmartHttpServer, namespace: str) -> HttpRemote:
    """Smart HTTP behind TLS, its certificate signed by `scratch_ca` (nothing else trusts it)."""
    host = RemoteHost(tls_process.root, f"https://{LOOPBACK}:{tls_process.port}").child(namespace)
    return HttpRemote("https", host, port=tls_process.port, server=tls_process, namespace=namespace)


@pytest.fixture
def proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ForwardProxy]:
    """A forward proxy that logs what goes through it, no proxy variable set."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with ForwardProxy(tmp_path / "proxy.log") as server:
        yield server
