"""A user's ssh set-up in the test's scratch HOME, against the test sshd on loopback.

`~/.ssh/config` (a `Host *` block naming the key, the known_hosts file and
`HashKnownHosts yes`), keys made for the test (with or without a passphrase,
authorised on the server), an `ssh-agent` the test starts, and a clone `mine`
whose `origin` is the sshd's repository. OpenSSH reads `~` from the account
(`getpwuid`), not from `$HOME`, so git's `core.sshCommand` in the scratch
global config is `ssh -F <scratch>/.ssh/config`: the user's config, in the
scratch HOME, and nothing of the machine's own.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.gitcli import commit_file, git
from tests.servers import Remote
from tests.servers.ssh import SshServer
from tests.waiting import wait_until

PASSPHRASE = "c0rrect Horse;battery$staple"


def keygen(path: Path, passphrase: str = "") -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "gitferry-test", "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def fingerprint(public_key: Path) -> str:
    """`ssh-keygen -lf`'s SHA256 fingerprint of a public key: the referee."""
    out = subprocess.run(
        ["ssh-keygen", "-lf", str(public_key)], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    found = re.search(r"SHA256:\S+", out)
    assert found, out
    return found[0]


@dataclass
class SshHome:
    server: SshServer
    remote: Remote
    home: Path
    key: Path

    @property
    def ssh_dir(self) -> Path:
        return self.home / ".ssh"

    @property
    def config(self) -> Path:
        return self.ssh_dir / "config"

    @property
    def known_hosts(self) -> Path:
        return self.ssh_dir / "known_hosts"

    @property
    def host_name(self) -> str:
        """The host as known_hosts names it (a port other than 22 in brackets)."""
        return f"[127.0.0.1]:{self.server.port}"

    @property
    def host_fingerprint(self) -> str:
        return fingerprint(self.server.state / "host_key.pub")

    @classmethod
    def make(cls, server: SshServer, remote: Remote, home: Path, *, passphrase: str = "") -> SshHome:
        ssh_dir = home / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        key = keygen(ssh_dir / "id_test", passphrase)
        with (server.state / "authorized_keys").open("a") as keys:
            keys.write(key.with_suffix(".pub").read_text())
        made = cls(server, remote, home, key)
        made.config.write_text(
            "Host *\n"
            f"  IdentityFile {key}\n"
            "  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {made.known_hosts}\n"
            "  HashKnownHosts yes\n"
            "  StrictHostKeyChecking ask\n"
        )
        git("config", "--global", "core.sshCommand", f"ssh -F {shlex.quote(str(made.config))}")
        return made

    def seeded_clone(self, tmp_path: Path, name: str = "mine") -> tuple[Path, Path]:
        """The sshd's `origin` with one commit, and a clone `name` whose origin is its ssh URL."""
        bare = self.remote.create("origin")
        work = tmp_path / "work"
        git("init", "-q", "-b", "main", str(work))
        commit_file(work, "a.txt", "one\n")
        git("push", "-q", str(bare), "main", cwd=work)
        mine = tmp_path / name
        git("clone", "-q", str(bare), str(mine))
        git("remote", "set-url", "origin", self.remote.url("origin"), cwd=mine)
        return bare, mine

    def known(self) -> bytes:
        return self.known_hosts.read_bytes() if self.known_hosts.exists() else b""

    def plain_ssh(self, *options: str) -> subprocess.CompletedProcess[str]:
        """The user's own ssh (BatchMode, nothing asked) to the server, running `true`."""
        return subprocess.run(
            [
                "ssh",
                "-F",
                str(self.config),
                "-o",
                "BatchMode=yes",
                *options,
                "-p",
                str(self.server.port),
                f"{self.server.user}@127.0.0.1",
                "true",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )

    def trust_server(self) -> None:
        """known_hosts holds the server's real key, as ssh would write it."""
        public = (self.server.state / "host_key.pub").read_text().split()
        self.known_hosts.write_text(f"{self.host_name} {public[0]} {public[1]}\n")


class Agent:
    """An `ssh-agent` of the test's own on a socket in the scratch HOME; gone at `stop`."""

    def __init__(self, home: Path) -> None:
        self.socket = home / "agent.sock"
        self._proc = subprocess.Popen(
            ["ssh-agent", "-D", "-a", str(self.socket)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(lambda: self.socket.exists() or self._proc.poll() is not None, "ssh-agent to listen")
        assert self.socket.exists(), "ssh-agent did not start"

    def add(self, key: Path, passphrase: str, scratch: Path) -> None:
        """`ssh-add key`, its passphrase given by a one-off askpass of the test's (not Gitferry's)."""
        answer = scratch / "test-askpass"
        answer.write_text(f"#!/bin/sh\nprintf '%s\\n' {shlex.quote(passphrase)}\n")
        answer.chmod(0o700)
        env = {
            **os.environ,
            "SSH_AUTH_SOCK": str(self.socket),
            "SSH_ASKPASS": str(answer),
            "SSH_ASKPASS_REQUIRE": "force",
        }
        subprocess.run(
            ["ssh-add", str(key)],
            env=env,
            check=True,
            capture_output=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        answer.unlink()

    def stop(self) -> None:
        os.kill(self._proc.pid, signal.SIGTERM)
        self._proc.wait(10)
