"""Servers that misbehave on purpose: proxies that hang up, fall silent or flip a
byte of the pack mid-transfer, a server that never answers, one that answers too
slowly ever to finish, a port that refuses connections, and a proxy that goes down and
comes back on its port (a server stopped and restarted)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Protocol

from tests.servers.host import LOOPBACK, STOP_TIMEOUT

IO_TIMEOUT = 30.0
CHUNK = 64 * 1024
POLL = 0.05
TRICKLE_SECONDS = 0.5  # far below any client's read timeout


class _Acceptor:
    """A loopback listener whose thread hands every connection to ``on_accept``."""

    def __init__(self, on_accept: Callable[[socket.socket], None], port: int = 0) -> None:
        self._on_accept = on_accept
        self._listener = socket.create_server((LOOPBACK, port))
        self._listener.settimeout(POLL)
        self.port: int = self._listener.getsockname()[1]
        self.stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.spawn(self._accept_loop)

    def spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(IO_TIMEOUT)
            self.keep(conn)
            self._on_accept(conn)

    def stop(self) -> None:
        self.stopping.set()
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            _close(sock)
        for thread in threads:
            thread.join(timeout=STOP_TIMEOUT)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class CuttingProxy:
    """Forwards TCP both ways to ``target``, and hangs up on both sides of a
    connection once ``cut_after_bytes`` have gone from the server to the client.
    With ``pace_seconds`` it waits that long before each chunk it hands the
    client: a slow link, for transfers that must still be running when a test acts."""

    def __init__(
        self, target_host: str, target_port: int, cut_after_bytes: int, *, pace_seconds: float = 0.0
    ) -> None:
        self.target = (target_host, target_port)
        self.cut_after_bytes = cut_after_bytes
        self.pace_seconds = pace_seconds
        self.cuts = 0
        self.bytes_to_client = 0
        self._acceptor = _Acceptor(self._on_accept)
        self.port = self._acceptor.port

    def rewrite(self, url: str) -> str:
        """``url`` of the target, pointed at this proxy instead."""
        origin = f"{self.target[0]}:{self.target[1]}"
        if origin not in url:
            raise ValueError(f"{url} does not point at {origin}")
        return url.replace(origin, f"{LOOPBACK}:{self.port}", 1)

    def _on_accept(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=IO_TIMEOUT)
        except OSError:
            _close(client)
            return
        self._acceptor.keep(server)
        self._acceptor.spawn(self._pump, client, server, None)
        self._acceptor.spawn(self._pump, server, client, self.cut_after_bytes)

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        to_client = self._client_stream() if limit is not None else None
        try:
            while data := source.recv(CHUNK):
                if to_client is not None:
                    data = to_client.pass_on(data)
                    time.sleep(self.pace_seconds)
                sink.sendall(data)
                if to_client is not None:
                    self.bytes_to_client += len(data)
                    if to_client.reached:
                        self.cuts += 1
                        self._at_limit()
                        break
        except OSError:
            pass
        _close(source)
        _close(sink)

    def _client_stream(self) -> _Stream:
        """One connection's server-to-client bytes: what is passed on, and when to stop."""
        return _ByteLimit(self.cut_after_bytes)

    def _at_limit(self) -> None:
        """Called once the limit is reached, before the hang-up."""

    def stop(self) -> None:
        self._acceptor.stop()


class OutageProxy(CuttingProxy):
    """Forwards TCP both ways to ``target`` until ``down()``: from then on its port refuses
    connections (the server stopped) until ``up()`` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port, cut_after_bytes=2**62)

    def down(self) -> None:
        self._acceptor.stop()

    def up(self) -> None:
        self._acceptor = _Acceptor(self._on_accept, self.port)


class StallingProxy(CuttingProxy):
    """Forwards ``stall_after_bytes`` to the client, then sends nothing more while
    holding the connection open (until stopped, at most ``IO_TIMEOUT``): a server that
    stops sending mid-pack."""

    def __init__(self, target_host: str, target_port: int, stall_after_bytes: int) -> None:
        super().__init__(target_host, target_port, stall_after_bytes)

    def _at_limit(self) -> None:
        self._acceptor.stopping.wait(IO_TIMEOUT)


class _Stream(Protocol):
    reached: bool

    def pass_on(self, data: bytes) -> bytes: ...


class _ByteLimit:
    def __init__(self, limit: int) -> None:
        self.left = limit
        self.reached = False

    def pass_on(self, data: bytes) -> bytes:
        data = data[: self.left]
        self.left -= len(data)
        self.reached = self.left <= 0
        return data


class CorruptingProxy(CuttingProxy):
    """Forwards a ``git://`` exchange both ways, but flips the bits of the pack's byte
    at ``offset`` (counted from its ``PACK`` signature); with ``cut_after_pack_bytes``
    it hangs up once that much of the pack has gone to the client instead.

    The server's bytes are read as pkt-lines, and only the payload of sideband
    channel 1 (pack data) counts, so the flip or cut always lands inside the pack,
    never in the framing or the progress messages, however the stream is split.
    ``pack_bytes`` counts the pack bytes forwarded."""

    def __init__(
        self,
        target_host: str,
        target_port: int,
        offset: int | None = 64,
        *,
        cut_after_pack_bytes: int | None = None,
    ) -> None:
        super().__init__(target_host, target_port, 1 << 62)
        self.offset = offset
        self.cut_after_pack_bytes = cut_after_pack_bytes
        self.flips = 0
        self.pack_bytes = 0

    def _client_stream(self) -> _Stream:
        return _PackStream(self)


class _PackStream:
    """One connection's pkt-line parser: flips or cuts at the proxy's pack offsets."""

    def __init__(self, proxy: CorruptingProxy) -> None:
        self.proxy = proxy
        self.header = b""
        self.left = 0  # payload bytes left in the current pkt-line
        self.at_band = False  # the next payload byte is the sideband channel
        self.in_pack = False  # the current pkt-line carries pack data
        self.pack_bytes = 0
        self.reached = False

    def pass_on(self, data: bytes) -> bytes:
        out = bytearray(data)
        i = 0
        while i < len(out) and not self.reached:
            if self.left == 0:
                take = min(4 - len(self.header), len(out) - i)
                self.header += bytes(out[i : i + take])
                i += take
                if len(self.header) == 4:
                    self.left = max(0, int(self.header, 16) - 4)
                    self.header, self.at_band, self.in_pack = b"", True, False
            elif self.at_band:
                self.in_pack, self.at_band = out[i] == 1, False
                i, self.left = i + 1, self.left - 1
            else:
                take = min(self.left, len(out) - i)
                if self.in_pack:
                    take = self._pack_data(out, i, take)
                i, self.left = i + take, self.left - take
        return bytes(out[:i])

    def _pack_data(self, out: bytearray, start: int, length: int) -> int:
        """Flip or cut within `out[start:start+length]`; how much of it to pass on."""
        proxy = self.proxy
        if proxy.offset is not None and 0 <= proxy.offset - self.pack_bytes < length:
            out[start + proxy.offset - self.pack_bytes] ^= 0xFF
            proxy.flips += 1
        cut = proxy.cut_after_pack_bytes
        if cut is not None and cut - self.pack_bytes <= length:
            length, self.reached = max(0, cut - self.pack_bytes), True
        self.pack_bytes += length
        proxy.pack_bytes += length
        return length


CuttingProxyFactory = Callable[..., CuttingProxy]
"""The ``cutting_proxy`` fixture: ``(target_host, target_port, cut_after_bytes, pace_seconds=0)``."""


class SilentServer:
    """Accepts connections, reads and discards what it is sent, and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self._acceptor = _Acceptor(self._on_accept)
        self.port = self._acceptor.port

    def _on_accept(self, conn: socket.socket) -> None:
        self.connections += 1
        self._acceptor.spawn(self._drain, conn)

    @staticmethod
    def _drain(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while conn.recv(CHUNK):
                pass

    def stop(self) -> None:
        self._acceptor.stop()


class TricklingServer(SilentServer):
    """Answers every connection with the start of a pkt-line that never ends, one byte
    every ``pace_seconds``: no read ever waits long enough to time out, so a transfer
    from it never ends on its own, only when the client gives up or the server stops."""

    def __init__(self, pace_seconds: float = TRICKLE_SECONDS) -> None:
        self.pace_seconds = pace_seconds
        super().__init__()

    def _on_accept(self, conn: socket.socket) -> None:
        super()._on_accept(conn)
        self._acceptor.spawn(self._trickle, conn)

    def _trickle(self, conn: socket.socket) -> None:
        stopping = self._acceptor.stopping
        with contextlib.suppress(OSError):
            conn.sendall(b"fff0")  # a 65,516-byte pkt-line follows: hours at this pace
            while not stopping.wait(self.pace_seconds):
                conn.sendall(b"#")


class RefusedPort:
    """A loopback port that is bound but not listening: connecting is refused, and
    nothing else can take the port while this object holds it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOOPBACK, 0))
        self.port: int = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()
