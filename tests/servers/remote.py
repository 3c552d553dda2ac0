"""The one object a test gets for a remote, whatever the transport."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.servers.host import RemoteHost
from tests.servers.smart_http import Request, SmartHttpServer

KINDS = ("path", "file", "git", "http", "http_auth", "ssh")

_namespace_counter = itertools.count(1)


def namespace_for(test_name: str) -> str:
    """A directory name unique within the session, readable enough to debug with."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")[:40]
    return f"t{next(_namespace_counter):04d}-{readable}"


@dataclass
class Remote:
    """Bare repositories served over one transport, in a namespace of their own.

    ``kind`` is one of KINDS. ``auth`` is ``(user, password)`` for ``http_auth``.
    For ``ssh``, ``ssh_command`` is the client command (no host, no ``-p``: the URL
    carries the port) and ``ssh_key`` the private key it uses. ``port`` is the
    server's port for network kinds.
    """

    kind: str
    host: RemoteHost
    auth: tuple[str, str] | None = None
    ssh_command: str | None = None
    ssh_key: Path | None = None
    port: int | None = None

    def url(self, name: str) -> str:
        return self.host.url(name)

    def create(self, name: str) -> Path:
        return self.host.create(name)

    def bare_path(self, name: str) -> Path:
        return self.host.bare_path(name)


@dataclass(kw_only=True)
class HttpRemote(Remote):
    """A smart-HTTP remote: also sees the requests made in its own namespace."""

    server: SmartHttpServer
    namespace: str

    @property
    def requests(self) -> list[Request]:
        """``(method, path?query)`` of this test's requests, paths relative to its namespace:
        ``("POST", "/origin.git/git-upload-pack")``."""
        return self._local(self.server.requests)

    @property
    def commands(self) -> list[Request]:
        """``(command, path)`` of this test's protocol v2 POSTs:
        ``("ls-refs", "/origin.git/git-upload-pack")``, then ``("fetch", ...)`` to negotiate."""
        return self._local(self.server.commands)

    def _local(self, records: list[Request]) -> list[Request]:
        prefix = f"/{self.namespace}"
        return [(first, path[len(prefix) :]) for first, path in records if path.startswith(prefix + "/")]

    @property
    def username(self) -> str | None:
        return None if self.auth is None else self.auth[0]

    @property
    def password(self) -> str | None:
        return None if self.auth is None else self.auth[1]

    def url_with_credentials(self, name: str, auth: tuple[str, str] | None = None) -> str:
        """The URL with ``user:password@`` in it (``auth`` defaults to the right ones)."""
        user, password = auth or self.auth or ("", "")
        url = self.url(name)
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"
