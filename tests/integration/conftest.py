"""Fixtures for real git servers on loopback (see ``tests/servers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import GitDaemon, Remote, RemoteHost
from tests.servers.host import LOOPBACK
from tests.servers.remote import HttpRemote, namespace_for
from tests.servers.smart_http import SmartHttpServer


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


_REMOTE_FIXTURES = {
    "path": "path_remote",
    "file": "file_remote",
    "git": "git_daemon",
    "http": "http_server",
    "http_auth": "http_auth_server",
}


@pytest.fixture(params=list(_REMOTE_FIXTURES))
def remote(request: pytest.FixtureRequest) -> Remote:
    fixture: Remote = request.getfixturevalue(_REMOTE_FIXTURES[request.param])
    return fixture
