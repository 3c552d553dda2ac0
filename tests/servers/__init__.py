"""Real git servers on 127.0.0.1 for the integration tests.

The fixtures live in ``tests/servers/fixtures.py`` (a plugin of ``tests/conftest.py``). Server processes are
session-scoped; every test gets its own namespace (a fresh subdirectory, so any
repository name is free), and each remote fixture yields a ``Remote``:

    def test_fetch(remote: Remote, tmp_path: Path) -> None:   # runs once per kind
        bare = remote.create("origin")          # empty bare repo, branch main
        url = remote.url("origin")              # transport-specific URL
        ...

``remote`` is parametrized over ``path``, ``file``, ``git``, ``http``,
``http_auth`` and ``ssh``; ``path_remote``, ``file_remote``, ``git_daemon``,
``http_server``, ``http_auth_server`` and ``sshd_server`` give one kind each.
HTTP kinds yield an ``HttpRemote`` (``requests``, ``commands``, ``auth``,
``url_with_credentials``). For ssh, hand ``remote.ssh_command`` to git as
``GIT_SSH_COMMAND`` or to dulwich as ``get_transport_and_path(url, ssh_command=...)``.

Fault servers: ``cutting_proxy(host, port, cut_after_bytes)`` (a factory;
``proxy.rewrite(url)`` points a URL at the proxy), ``silent_server`` (``.port``),
``trickling_server`` (``.port``: a byte now and then, so a transfer never ends on its
own) and ``refused_port`` (an int).

No server outlives the test run, however it ends (SIGTERM, SIGKILL): git daemon
and sshd run under a keeper (``keeper.py``) that kills them and every process they
forked; the HTTP bridge and the fault servers are threads of the run, and the
bridge's ``git http-backend`` processes end when their pipes to the run close.
"""

from tests.servers.daemon import GitDaemon
from tests.servers.faults import CuttingProxy, CuttingProxyFactory, RefusedPort, SilentServer, TricklingServer
from tests.servers.host import LOOPBACK, RemoteHost
from tests.servers.remote import KINDS, HttpRemote, Remote
from tests.servers.smart_http import SmartHttpServer
from tests.servers.ssh import SshServer

__all__ = [
    "KINDS",
    "LOOPBACK",
    "CuttingProxy",
    "CuttingProxyFactory",
    "GitDaemon",
    "HttpRemote",
    "RefusedPort",
    "Remote",
    "RemoteHost",
    "SilentServer",
    "SmartHttpServer",
    "SshServer",
    "TricklingServer",
]
