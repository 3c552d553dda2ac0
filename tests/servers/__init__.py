"""Real git servers on 127.0.0.1 for the integration tests.

The fixtures live in ``tests/integration/conftest.py``. Server processes are
session-scoped; every test gets its own namespace (a fresh subdirectory, so any
repository name is free), and each fixture yields a ``Remote``:

    def test_fetch(remote: Remote, tmp_path: Path) -> None:   # every kind
        bare = remote.create("origin")          # empty bare repo, branch main
        url = remote.url("origin")              # transport-specific URL
        ...

``remote`` is parametrized over ``path``, ``file``, ``git``, ``http``,
``http_auth`` and ``ssh``; ``path_remote``, ``file_remote``, ``git_daemon``,
``http_server``, ``http_auth_server`` and ``sshd_server`` give one kind each.
Fault servers: ``cutting_proxy(host, port, cut_after_bytes)`` (a factory),
``silent_server`` and ``refused_port``.
"""

from tests.servers.daemon import GitDaemon
from tests.servers.host import LOOPBACK, RemoteHost
from tests.servers.remote import KINDS, Remote

__all__ = ["KINDS", "LOOPBACK", "GitDaemon", "Remote", "RemoteHost"]
