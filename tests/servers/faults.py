"""Servers that misbehave on purpose: a proxy that hangs up mid-transfer, a server
that never answers, and a port that refuses connections."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

from tests.servers.host import LOOPBACK, STOP_TIMEOUT

IO_TIMEOUT = 30.0
CHUNK = 64 * 1024
POLL = 0.05


class _Acceptor:
    """A loopback listener whose thread hands every connection to ``on_accept``."""

    def __init__(self, on_accept: Callable[[socket.socket], None]) -> None:
        self._on_accept = on_accept
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(POLL)
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
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
        while not self._stopping.is_set():
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
        self._stopping.set()
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
        sent = 0
        try:
            while data := source.recv(CHUNK):
                if limit is not None:
                    data = data[: limit - sent]
                    time.sleep(self.pace_seconds)
                sink.sendall(data)
                sent += len(data)
                if limit is not None:
                    self.bytes_to_client += len(data)
                    if sent >= limit:
                        self.cuts += 1
                        break
        except OSError:
            pass
        _close(source)
        _close(sink)

    def stop(self) -> None:
        self._acceptor.stop()


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


class RefusedPort:
    """A loopback port that is bound but not listening: connecting is refused, and
    nothing else can take the port while this object holds it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOOPBACK, 0))
        self.port: int = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()
