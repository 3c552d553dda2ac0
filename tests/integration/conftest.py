"""Fixtures for real git servers on loopback (see ``tests/servers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import GitDaemon, Remote, RemoteHost
from tests.servers.remote import namespace_for


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


_REMOTE_FIXTURES = {
    "path": "path_remote",
    "file": "file_remote",
    "git": "git_daemon",
}


@pytest.fixture(params=list(_REMOTE_FIXTURES))
def remote(request: pytest.FixtureRequest) -> Remote:
    fixture: Remote = request.getfixturevalue(_REMOTE_FIXTURES[request.param])
    return fixture
