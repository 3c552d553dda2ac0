"""Debian's openssh ``sshd`` on a loopback port, with its own keys and config."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.servers.host import (
    LOOPBACK,
    RemoteHost,
    ServerProcess,
    free_port,
    server_env,
    start_process,
    wait_for_port,
)

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")

_CONFIG = """\
Port {port}
ListenAddress {address}
HostKey {state}/host_key
AuthorizedKeysFile {state}/authorized_keys
PidFile {state}/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AcceptEnv GIT_PROTOCOL
SetEnv GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
LoginGraceTime {login_grace}
MaxStartups 64
LogLevel VERBOSE
"""


def sshd_unavailable() -> str | None:
    """Why this machine cannot run the test sshd, or None when it can."""
    if not os.path.exists(SSHD):
        return f"{SSHD} not installed (apt-get install openssh-server)"
    if os.geteuid() != 0:
        return "the test sshd runs as root (it logs clients in as root)"
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        return "the openssh client (ssh, ssh-keygen) is not installed"
    return None


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gitferry-test", "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )


class SshServer(ServerProcess):
    """Logs the current user in with a generated key; repositories by absolute path.

    ``ssh_command`` is the client command without host or ``-p`` (the URL carries
    the port), for ``GIT_SSH_COMMAND`` or dulwich's ``ssh_command=``.
    """

    name = "sshd"

    def __init__(self, root: Path, *, login_grace: int = 20) -> None:
        state = root.parent / f"{root.name}-sshd"
        self.login_grace = login_grace  # seconds sshd waits for a client to log in
        super().__init__(state / "sshd.log")
        self.root = root
        self.state = state
        self.key = self.state / "client_key"
        self.user = pwd.getpwuid(os.geteuid()).pw_name

    @property
    def host(self) -> RemoteHost:
        return RemoteHost(self.root, f"ssh://{self.user}@{LOOPBACK}:{self.port}{self.root}")

    @property
    def ssh_command(self) -> str:
        return shlex.join(
            [
                "ssh",
                "-F",
                "/dev/null",
                "-i",
                str(self.key),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "ConnectTimeout=10",
            ]
        )

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        _keygen(self.state / "host_key")
        _keygen(self.key)
        (self.state / "authorized_keys").write_bytes(self.key.with_suffix(".pub").read_bytes())

    def _launch(self) -> None:
        self.port = free_port()
        config = self.state / "sshd_config"
        config.write_text(
            _CONFIG.format(port=self.port, address=LOOPBACK, state=self.state, login_grace=self.login_grace)
        )
        args = [SSHD, "-D", "-e", "-f", str(config)]
        self._proc = start_process(args, server_env(self.state), self.log)
        wait_for_port(self.port, self._proc)
