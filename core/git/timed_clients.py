"""git:// and ssh clients that never wait on the remote longer than a timeout.

Dulwich's `TCPGitClient` connects and reads without a timeout, and its ssh
pipes block until the ssh process says something: a silent server hangs a
fetch forever. These variants put a deadline on the connect and on every read.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
from collections.abc import Callable
from typing import IO

from dulwich.client import SubprocessSSHVendor, SubprocessWrapper, TCPGitClient
from dulwich.protocol import (
    DEFAULT_GIT_PROTOCOL_VERSION_FETCH,
    DEFAULT_GIT_PROTOCOL_VERSION_SEND,
    Protocol,
)

_KILL_GRACE = 2.0


class TimedTCPGitClient(TCPGitClient):
    """`git://` with a socket timeout on connect and on every read."""

    def __init__(self, host: str, port: int | None = None, *, timeout: float) -> None:
        super().__init__(host, port)
        self._timeout = timeout

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
        wfile = sock.makefile("wb", 0)

        def close() -> None:
            rfile.close()
            wfile.close()
            sock.close()

        def shutdown_write() -> None:
            wfile.flush()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)

        proto = Protocol(
            rfile.read,
            wfile.write,
            close,
            report_activity=self._report_activity,
            shutdown_write=shutdown_write,
        )
        if path.startswith(b"/~"):
            path = path[1:]
        if cmd == b"upload-pack":
            self.protocol_version = protocol_version or DEFAULT_GIT_PROTOCOL_VERSION_FETCH
        else:
            self.protocol_version = DEFAULT_GIT_PROTOCOL_VERSION_SEND
        extra = b""
        if cmd == b"upload-pack" and self.protocol_version == 2:
            extra = b"\0\0version=2\0"  # hidden from servers that only know "host="
        proto.send_cmd(b"git-" + cmd, path, b"host=" + self._host.encode("ascii") + extra)
        return proto, lambda: _readable(sock.fileno(), 0.0), None


def _readable(fd: int, timeout: float) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


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
            if not _readable(self._fd, self._timeout):
                raise TimeoutError(f"no data from the remote for {self._timeout:g} s")
            data = os.read(self._fd, wanted)
            if not data:
                break
            chunks.append(data)
            wanted -= len(data)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _TimedSubprocess(SubprocessWrapper):
    """An ssh process whose output reads time out, and which is killed if it will not exit."""

    def __init__(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        super().__init__(proc)
        assert proc.stdout is not None
        self.read = _TimedPipe(proc.stdout.fileno(), timeout).read

    def close(self, timeout: int | None = None) -> None:
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
    def __init__(self, timeout: float) -> None:
        self._timeout = timeout

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
        started = super().run_command(
            host,
            command,
            username=username,
            port=port,
            password=password,
            key_filename=key_filename,
            ssh_command=ssh_command,
            protocol_version=protocol_version,
        )
        return _TimedSubprocess(started.proc, self._timeout)
