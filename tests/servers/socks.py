"""A SOCKS proxy on loopback: OpenSSH's dynamic forwarding (`ssh -N -D`) through the test sshd.

`ssh -D` answers SOCKS4, SOCKS4a and SOCKS5 (without authentication) and, at `-vv`,
logs every request it is asked to forward with the host as the client named it
(`dynamic request: socks5 host localhost port 8080`): `requests` reads them back,
so a test sees that a connection went through the proxy and who resolved the name.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.servers.host import LOOPBACK, ServerProcess, free_port, server_env, start_process, wait_for_port
from tests.servers.ssh import SshServer

_REQUEST = re.compile(r"dynamic request: (socks\d) host (\S+) port (\d+)")


class SocksProxy(ServerProcess):
    name = "ssh -D"

    def __init__(self, sshd: SshServer, state: Path) -> None:
        super().__init__(state / "socks.log")
        self.sshd = sshd
        self.state = state

    def url(self, scheme: str) -> str:
        return f"{scheme}://{LOOPBACK}:{self.port}"

    def requests(self) -> list[tuple[str, str, int]]:
        """(SOCKS version, host as the client gave it, port) of every request so far."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [(version, host, int(port)) for version, host, port in _REQUEST.findall(text)]

    def _prepare(self) -> None:
        self.state.mkdir(parents=True, exist_ok=True)

    def _launch(self) -> None:
        self.port = free_port()
        args = [
            *shlex.split(self.sshd.ssh_command.replace("LogLevel=ERROR", "LogLevel=DEBUG2")),
            "-N",
            "-D",
            f"{LOOPBACK}:{self.port}",
            "-p",
            str(self.sshd.port),
            f"{self.sshd.user}@{LOOPBACK}",
        ]
        self._proc = start_process(args, server_env(self.state), self.log)
        wait_for_port(self.port, self._proc)
