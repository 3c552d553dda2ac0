"""The one object a test gets for a remote, whatever the transport."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from tests.servers.host import RemoteHost

KINDS = ("path", "file", "git", "http", "http_auth", "ssh")

_namespace_counter = itertools.count(1)


def namespace_for(test_name: str) -> str:
    """A directory name unique within the session, readable enough to debug with."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")[:40]
    return f"t{next(_namespace_counter):04d}-{readable}"


@dataclass
class Remote:
    """Bare repositories served over one transport, in a namespace of their own.

    ``kind`` is one of KINDS. ``auth`` is ``(user, password)`` for ``http_auth``,
    ``ssh_command`` the client command (without ``-p``: the URL carries the port)
    for ``ssh``.
    """

    kind: str
    host: RemoteHost
    auth: tuple[str, str] | None = None
    ssh_command: str | None = None
    port: int | None = None

    def url(self, name: str) -> str:
        return self.host.url(name)

    def create(self, name: str) -> Path:
        return self.host.create(name)

    def bare_path(self, name: str) -> Path:
        return self.host.bare_path(name)
