"""A git:// client that never waits on the remote longer than a timeout.

Dulwich's `TCPGitClient` connects and reads without a timeout: a silent server
hangs a fetch forever. This variant puts a deadline on the connect and on every
read, and lets a `TransferStop` cut the connection from another thread
(`stop.py`). Its ssh counterpart is `timed_ssh.py`, imported for an ssh remote only
(with git's ssh command settings: not by a cold git:// fetch).
"""

from __future__ import annotations

import io
import socket
from typing import TYPE_CHECKING

from dulwich.client import TCPGitClient
from dulwich.protocol import (
    DEFAULT_GIT_PROTOCOL_VERSION_FETCH,
    DEFAULT_GIT_PROTOCOL_VERSION_SEND,
    TCP_GIT_PORT,
    Protocol,
)

from core.git.transfer.advertisement import Dial, git_dial
from core.git.transfer.have_batches import Connected, batched_haves
from core.git.transfer.ofs_delta import asking_ofs_delta
from core.git.transfer.stop import TransferStop, registered

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


class TimedTCPGitClient(TCPGitClient):
    """`git://` with a socket timeout on connect and on every read; a stop shuts the
    socket down, which ends a read in progress at once."""

    def __init__(
        self, host: str, port: int | None = None, *, timeout: float, stop: TransferStop | None = None
    ) -> None:
        super().__init__(host, port)
        self._timeout = timeout
        self._stop = stop

    def _connect(self, cmd: bytes, path: str | bytes, protocol_version: int | None = None) -> Connected:
        if isinstance(path, str):
            path = path.encode(self._remote_path_encoding)
        # An ASCII host name as bytes: for a str, getaddrinfo encodes it with the IDNA codec,
        # whose import (encodings.idna, stringprep, unicodedata) was 1.5 ms of a cold sync.
        # getaddrinfo takes bytes; typeshed's create_connection says str only.
        host = self._host.encode("ascii") if self._host.isascii() else self._host
        sock = socket.create_connection((host, self._port), timeout=self._timeout)  # type: ignore[arg-type]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        arriving = _Arriving(sock)
        rfile = io.BufferedReader(arriving)
        unregister = registered(self._stop, lambda: sock.shutdown(socket.SHUT_RDWR))

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
            asking_ofs_delta(write),
            close,
            report_activity=self._report_activity,
            shutdown_write=no_half_close,
        )
        if path.startswith(b"/~"):
            path = path[1:]
        self.dialled: Dial | None = None
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
        if cmd == b"upload-pack" and self.protocol_version == 0:
            self.dialled = git_dial(self._host, self._port or TCP_GIT_PORT, path)

        def arrived() -> bool:  # asked only while haves are negotiated: not by a no-change fetch
            from core.platform.readiness import readable

            # an acknowledgement already read from the socket into `rfile` counts: dulwich
            # stops offering haves once 256 went by without one read (its MAX_IN_VAIN)
            return arriving.arrived > rfile.tell() or readable(sock.fileno(), 0.0)

        if cmd == b"upload-pack":
            batched, can_read = batched_haves(proto, arrived)
            return batched, can_read, None
        return proto, arrived, None


class _Arriving(io.RawIOBase):
    """The socket's bytes as they arrive, counted: a `BufferedReader` over it tells how
    many it handed on (`tell`), and so whether some are still waiting in its buffer."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.arrived = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._sock.recv_into(buffer)
        self.arrived += count
        return count

    def tell(self) -> int:
        return self.arrived
