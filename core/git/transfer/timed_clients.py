"""git:// and ssh clients that never wait on the remote longer than a timeout.

Dulwich's `TCPGitClient` connects and reads without a timeout, and its ssh
pipes block until the ssh process says something: a silent server hangs a
fetch forever. These variants put a deadline on the connect and on every read,
and let a `TransferStop` cut the connection from another thread (`stop.py`).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import subprocess
from collections.abc import Callable
from typing import IO

from dulwich.client import (
    StrangeHostname,
    SubprocessSSHVendor,
    SubprocessWrapper,
    TCPGitClient,
)
from dulwich.protocol import (
    DEFAULT_GIT_PROTOCOL_VERSION_FETCH,
    DEFAULT_GIT_PROTOCOL_VERSION_SEND,
    Protocol,
)

from core.git.transfer.stop import TransferStop
from core.platform.readiness import readable

_KILL_GRACE = 2.0


def _registered(stop: TransferStop | None, closer: Callable[[], None]) -> Callable[[], None]:
    """`stop.register(closer)`, or nothing to undo without a stop."""
    return stop.register(closer) if stop is not None else _nothing


def _nothing() -> None:
    pass


class TimedTCPGitClient(TCPGitClient):
    """`git://` with a socket timeout on connect and on every read; a stop shuts the
    socket down, which ends a read in progress at once."""

    def __init__(
        self, host: str, port: int | None = None, *, timeout: float, stop: TransferStop | None = None
    ) -> None:
        super().__init__(host, port)
        self._timeout = timeout
        self._stop = stop

    def _connect(
        self,
        cmd: bytes,
        path: str | bytes,
        protocol_version: int | None = None,
    ) -> tuple[Protocol, Callable[[], bool], IO[bytes] | None]:
        if isinstance(path, str):
            path = path.encode(self._remote_path_encoding)
        sock = socket.create_connection((self._host, self._port), timeout=self._timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = sock.makefile("rb", -1)
        unregister = _registered(self._stop, lambda: sock.shutdown(socket.SHUT_RDWR))

        def write(data: bytes) -> int:
            # Not a socket file's write: with a timeout the socket is non-blocking
            # underneath, and `send` may take only part of a large pack chunk, which
            # dulwich does not retry (the remote then sees a corrupt pack).
            sock.sendall(data)
            return len(data)

        def close() -> None:
            unregister()
            rfile.close()
            sock.close()

        def no_half_close() -> None:
            # Dulwich half-closes here; git does not, and a proxy that treats a
            # half-close as a hang-up would then cut every fetch.
            pass

        proto = Protocol(
            rfile.read,
            write,
            close,
            report_activity=self._report_activity,
            shutdown_write=no_half_close,
        )
        if path.startswith(b"/~"):
            path = path[1:]
        if cmd == b"upload-pack":
            # 0 asked for is 0 (a fetch following tags), not the default
            self.protocol_version = (
                DEFAULT_GIT_PROTOCOL_VERSION_FETCH if protocol_version is None else protocol_version
            )
        else:
            self.protocol_version = DEFAULT_GIT_PROTOCOL_VERSION_SEND
        extra = b""
        if cmd == b"upload-pack" and self.protocol_version == 2:
            extra = b"\0\0version=2\0"  # hidden from servers that only know "host="
        proto.send_cmd(b"git-" + cmd, path, b"host=" + self._host.encode("ascii") + extra)
        return proto, lambda: readable(sock.fileno(), 0.0), None


class _TimedPipe:
    """Reads exactly n bytes (or up to EOF) from a pipe, waiting at most `timeout` per wait."""

    def __init__(self, fd: int, timeout: float) -> None:
        self._fd = fd
        self._timeout = timeout

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise ValueError("a bounded read needs a size")
        chunks = []
        wanted = size
        while wanted > 0:
            if not readable(self._fd, self._timeout):
                raise TimeoutError(f"no data from the remote for {self._timeout:g} s")
            data = os.read(self._fd, wanted)
            if not data:
                break
            chunks.append(data)
            wanted -= len(data)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _TimedSubprocess(SubprocessWrapper):
    """An ssh process whose output reads time out, and which is killed if it will not exit.

    It reads the raw pipe itself: dulwich's wrapper puts a `BufferedReader` on
    it, which would also close the pipe when it is garbage-collected.
    """

    def __init__(
        self, proc: subprocess.Popen[bytes], timeout: float, stop: TransferStop | None = None
    ) -> None:
        assert proc.stdout is not None and proc.stdin is not None
        self.proc = proc
        self.read = _TimedPipe(proc.stdout.fileno(), timeout).read
        self.write = proc.stdin.write
        self._unregister = _registered(stop, proc.kill)  # a stop ends the ssh: its output ends

    def close(self, timeout: int | None = None) -> None:
        self._unregister()
        proc = self.proc
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            proc.wait(timeout=_KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class TimedSSHVendor(SubprocessSSHVendor):
    """Runs the system ssh (as dulwich's vendor does) with a read timeout on its output;
    a stop kills it."""

    def __init__(self, timeout: float, stop: TransferStop | None = None) -> None:
        self._timeout = timeout
        self._stop = stop

    def run_command(
        self,
        host: str,
        command: bytes,
        username: str | None = None,
        port: int | None = None,
        password: str | None = None,
        key_filename: str | None = None,
        ssh_command: str | None = None,
        protocol_version: int | None = None,
    ) -> SubprocessWrapper:
        if password is not None:
            raise NotImplementedError("ssh passwords are not supported; use keys or an agent")
        args = [*shlex.split(ssh_command or "ssh"), "-x"]
        if port:
            args += ["-p", str(port)]
        if key_filename:
            args += ["-i", key_filename]
        version = DEFAULT_GIT_PROTOCOL_VERSION_FETCH if protocol_version is None else protocol_version
        if version > 0:
            args += ["-o", f"SetEnv GIT_PROTOCOL=version={version}"]
        destination = f"{username}@{host}" if username else host
        if destination.startswith("-"):
            raise StrangeHostname(hostname=destination)
        proc = subprocess.Popen(
            [*args, destination, command.decode("utf-8", "surrogateescape")],
            bufsize=0,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return _TimedSubprocess(proc, self._timeout, self._stop)
