"""The test servers die with the test run that started them, however it dies.

A child process starts every kind of server with the fixtures' classes (git daemon,
smart HTTP, sshd). This test then opens a request to each and holds it open, so each
server has forked the processes that serve it (git daemon's upload-pack, sshd's
per-connection children in sessions of their own, http-backend) and none of them
would end on its own: their client is this process, which lives on. Then the child
is killed, by SIGTERM or SIGKILL, and every process it had below it must be gone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.servers.host import LOOPBACK
from tests.servers.ssh import sshd_unavailable
from tests.waiting import CAP, wait_until

pytestmark = pytest.mark.slow  # over a second a test (README, "Tests")

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import json, signal, sys
from pathlib import Path
from tests.servers import GitDaemon, RemoteHost, SmartHttpServer, SshServer
from tests.servers.ssh import sshd_unavailable

root = Path(sys.argv[1])
daemon = GitDaemon(root / "git").start()
http = SmartHttpServer(root / "http").start()
ports = {"git": daemon.port, "http": http.port}
daemon.host.create("r")
RemoteHost(http.root).create("r")
if sshd_unavailable() is None:
    ssh = SshServer(root / "ssh").start()
    ssh.host.create("r")
    ports["ssh"] = ssh.port
    ports["ssh_command"] = ssh.ssh_command
    ports["ssh_target"] = f"{ssh.user}@127.0.0.1"
    ports["ssh_repo"] = str(ssh.host.bare_path("r"))
print(json.dumps(ports), flush=True)
signal.pause()
"""


def _pkt(text: str) -> bytes:
    data = text.encode()
    return b"%04x" % (len(data) + 4) + data


def _read_until_flush(read: Callable[[int], bytes], what: str) -> None:
    """Read a ref advertisement up to its flush packet: the server is now waiting for us."""
    received = b""
    while not received.endswith(b"0000"):
        chunk = read(4096)
        assert chunk, f"{what} hung up: {received!r}"
        received += chunk


class HeldRequests:
    """A request to each server, begun and never finished, owned by this process."""

    def __init__(self, ports: dict[str, object]) -> None:
        self.sockets: list[socket.socket] = []
        self.clients: list[subprocess.Popen[bytes]] = []
        self.ports = ports

    def git(self) -> None:
        sock = self._connect(int(str(self.ports["git"])))
        sock.sendall(_pkt(f"git-upload-pack /r.git\0host={LOOPBACK}\0"))
        _read_until_flush(sock.recv, "git daemon")

    def http(self) -> None:
        sock = self._connect(int(str(self.ports["http"])))
        sock.sendall(
            b"POST /r.git/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 1000\r\n\r\n0032want "
        )  # 991 bytes of the body never come: http-backend waits for them

    def ssh(self) -> None:
        command = [
            *str(self.ports["ssh_command"]).split(),
            "-p",
            str(self.ports["ssh"]),
            str(self.ports["ssh_target"]),
            f"git-upload-pack '{self.ports['ssh_repo']}'",
        ]
        client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.clients.append(client)
        assert client.stdout is not None
        out = client.stdout.fileno()
        _read_until_flush(lambda n: os.read(out, n), "sshd")

    def _connect(self, port: int) -> socket.socket:
        sock = socket.create_connection((LOOPBACK, port), timeout=CAP)
        self.sockets.append(sock)
        return sock

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        for client in self.clients:
            client.kill()
            client.communicate()


@pytest.fixture
def held() -> Iterator[list[HeldRequests]]:
    holder: list[HeldRequests] = []
    yield holder
    for requests in holder:
        requests.close()


def _below(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _alive(proc: psutil.Process) -> bool:
    """Running and not a zombie: a zombie is dead, only not yet collected by its new parent."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _command(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline()) or proc.name()
    except psutil.Error:
        return "(gone)"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_every_server_process_dies_with_the_run(sig: int, tmp_path: Path, held: list[HeldRequests]) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert run.stdout is not None
        ports = json.loads(run.stdout.readline())
        requests = HeldRequests(ports)
        held.append(requests)
        requests.git()
        requests.http()
        if "ssh" in ports:
            requests.ssh()
        else:
            print(f"sshd left out: {sshd_unavailable()}")

        def serving(word: str) -> list[psutil.Process]:
            return [p for p in _below(run.pid) if word in _command(p)]

        wait_until(lambda: serving("http-backend"), lambda: "http-backend never started")
        keepers = serving("keeper.py")  # git daemon's and sshd's
        assert len(keepers) == (2 if "ssh" in ports else 1), [_command(p) for p in keepers]
        for keeper in keepers:
            server_tree = keeper.children(recursive=True)
            assert len(server_tree) >= 2, (_command(keeper), [_command(p) for p in server_tree])
        assert len(serving("upload-pack")) >= (2 if "ssh" in ports else 1)
        if "ssh" in ports:  # what a process group alone would miss
            sessions = {os.getsid(p.pid) for p in serving("sshd")}
            assert len(sessions) >= 2, "no sshd child in a session of its own"
        everything = _below(run.pid)
        run.send_signal(sig)
        assert run.wait(CAP) == -sig
        wait_until(
            lambda: not [p for p in everything if _alive(p)],
            lambda: (
                f"still alive after {signal.Signals(sig).name}: "
                + "; ".join(_command(p) for p in everything if _alive(p))
            ),
        )
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
