"""A forward proxy on loopback that logs what goes through it, as a company proxy would.

``CONNECT host:port`` opens a tunnel (what a client does for an https URL); a
request with an absolute URI (``GET http://host:port/path``, what a client does for
an http URL) is sent on to the origin and its answer relayed back, one request per
connection. Every request is logged (``log``, and a ``proxy.log`` file beside the
test's data): ``("CONNECT", "127.0.0.1:PORT")`` or ``("GET", "http://...")``.
With ``credentials``, a request without the right ``Proxy-Authorization`` gets 407.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers.host import LOOPBACK, STOP_TIMEOUT

TIMEOUT = 30.0
CHUNK = 64 * 1024
# Every variable that can send a request through a proxy (a test's fixture unsets them).
PROXY_VARIABLES = (
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
}


class ForwardProxy:
    def __init__(self, log_file: Path, credentials: tuple[str, str] | None = None) -> None:
        self.log_file = log_file
        self.credentials = credentials
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.server_address[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def record(self, method: str, target: str) -> None:
        with self._lock:
            self.log.append((method, target))
            with self.log_file.open("a") as out:
                out.write(f"{method} {target}\n")

    def start(self) -> ForwardProxy:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: ForwardProxy
    protocol_version = "HTTP/1.1"
    timeout = TIMEOUT

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _allowed(self) -> bool:
        wanted = self.owner.credentials
        if wanted is None:
            return True
        token = base64.b64encode(f"{wanted[0]}:{wanted[1]}".encode()).decode()
        if self.headers.get("Proxy-Authorization", "") == f"Basic {token}":
            return True
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        return False

    def do_CONNECT(self) -> None:
        self.owner.record("CONNECT", self.path)
        if not self._allowed():
            return
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=TIMEOUT)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        _pipe(self.connection, upstream)

    def _forward(self) -> None:
        self.owner.record(self.command, self.path)
        if not self._allowed():
            return
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute http URI expected")
            return
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=TIMEOUT)
        framing = ("transfer-encoding", "content-length")  # the body is sent on whole
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | set(framing)}
        headers["Connection"] = "close"
        path = target.path + (f"?{target.query}" if target.query else "")
        body = self._body()
        upstream.request(self.command, path, body=body, headers=headers)
        response = upstream.getresponse()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with contextlib.suppress(OSError):
            while chunk := response.read1(CHUNK):
                self.wfile.write(chunk)
        upstream.close()

    do_GET = do_POST = _forward

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():
                pass
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None


def _pipe(a: socket.socket, b: socket.socket) -> None:
    with contextlib.suppress(OSError), b:
        sockets = [a, b]
        while True:
            ready, _, _ = select.select(sockets, [], [], TIMEOUT)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(CHUNK)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
