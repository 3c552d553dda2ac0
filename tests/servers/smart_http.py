"""Smart HTTP: ``git http-backend`` behind a small threaded WSGI bridge.

``http.server``'s CGI handler is deprecated, so this bridge sets the CGI variables
itself, streams the request body (plain or chunked) into the backend and the
backend's output back, and optionally checks HTTP Basic credentials first.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import subprocess
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import IO, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIEnvironment

from tests.servers.host import LOOPBACK, STOP_TIMEOUT, server_env

REALM = "gitferry-test"
CHUNK = 64 * 1024
REQUEST_TIMEOUT = 30.0

Request = tuple[str, str]


class GitHttpBackend:
    """The WSGI application.

    ``requests`` records ``(method, path?query)`` of every call, ``commands`` the
    ``(command, path)`` of every protocol v2 POST (``ls-refs``, ``fetch``), so a test
    can tell a ref listing from a negotiation.
    """

    def __init__(self, root: Path, credentials: tuple[str, str] | None = None) -> None:
        self.root = root
        self.credentials = credentials
        self.requests: list[Request] = []
        self.commands: list[Request] = []
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()
        self._log = root.parent / f"{root.name}-http-backend.log"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self._record(environ)
        user = None
        if self.credentials is not None:
            user = self._authenticated_user(environ)
            if user is None:
                return _unauthorized(start_response)
        proc = self._spawn(environ, user)
        assert proc.stdin is not None and proc.stdout is not None
        feeder = threading.Thread(target=self._feed, args=(environ, proc.stdin), daemon=True)
        feeder.start()
        status, headers = _read_cgi_headers(proc.stdout)
        start_response(status, headers)
        return self._stream(proc, feeder)

    def kill_all(self) -> None:
        with self._lock:
            live = list(self._live)
        for proc in live:
            proc.kill()

    def _record(self, environ: WSGIEnvironment) -> None:
        target = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        with self._lock:
            self.requests.append((environ["REQUEST_METHOD"], target))

    def _feed(self, environ: WSGIEnvironment, stdin: IO[bytes]) -> None:
        """Copy the body into the backend, noting a protocol v2 request's command."""
        chunks = _body_chunks(environ)
        with contextlib.suppress(OSError), stdin:
            first = next(chunks, b"")
            command = _v2_command(first, environ.get("HTTP_CONTENT_ENCODING", ""))
            if command is not None:
                with self._lock:
                    self.commands.append((command, environ.get("PATH_INFO", "")))
            stdin.write(first)
            for chunk in chunks:
                stdin.write(chunk)

    def _authenticated_user(self, environ: WSGIEnvironment) -> str | None:
        scheme, _, encoded = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user if (user, password) == self.credentials else None

    def _spawn(self, environ: WSGIEnvironment, user: str | None) -> subprocess.Popen[bytes]:
        with self._log.open("ab") as log:
            proc = subprocess.Popen(
                ["git", "http-backend"],
                env=self._cgi_env(environ, user),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        with self._lock:
            self._live.add(proc)
        return proc

    def _cgi_env(self, environ: WSGIEnvironment, user: str | None) -> dict[str, str]:
        env = server_env(
            self.root.parent,
            GIT_PROJECT_ROOT=str(self.root),
            GIT_HTTP_EXPORT_ALL="1",
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.receivepack",
            GIT_CONFIG_VALUE_0="true",
            GATEWAY_INTERFACE="CGI/1.1",
            SERVER_PROTOCOL="HTTP/1.1",
            PATH_INFO=environ.get("PATH_INFO", ""),
            REQUEST_METHOD=environ["REQUEST_METHOD"],
            QUERY_STRING=environ.get("QUERY_STRING", ""),
            CONTENT_TYPE=environ.get("CONTENT_TYPE", ""),
            REMOTE_ADDR=environ.get("REMOTE_ADDR", LOOPBACK),
        )
        if environ.get("CONTENT_LENGTH") and not _is_chunked(environ):
            env["CONTENT_LENGTH"] = environ["CONTENT_LENGTH"]
        if user is not None:
            env["REMOTE_USER"] = user
        for cgi_name, wsgi_name in (
            ("HTTP_CONTENT_ENCODING", "HTTP_CONTENT_ENCODING"),
            ("GIT_PROTOCOL", "HTTP_GIT_PROTOCOL"),
        ):
            if environ.get(wsgi_name):
                env[cgi_name] = environ[wsgi_name]
        return env

    def _stream(self, proc: subprocess.Popen[bytes], feeder: threading.Thread) -> Iterator[bytes]:
        assert isinstance(proc.stdout, io.BufferedReader)
        try:
            while chunk := proc.stdout.read1(CHUNK):
                yield chunk
        finally:
            proc.stdout.close()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
            feeder.join(timeout=STOP_TIMEOUT)
            with self._lock:
                self._live.discard(proc)


def _unauthorized(start_response: StartResponse) -> list[bytes]:
    body = b"authentication required\n"
    start_response(
        "401 Unauthorized",
        [
            ("WWW-Authenticate", f'Basic realm="{REALM}"'),
            ("Content-Type", "text/plain"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def _is_chunked(environ: WSGIEnvironment) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _body_chunks(environ: WSGIEnvironment) -> Iterator[bytes]:
    """The request body; wsgiref leaves chunked bodies undecoded."""
    source: IO[bytes] = environ["wsgi.input"]
    if _is_chunked(environ):
        yield from _dechunk(source)
        return
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    while remaining > 0 and (chunk := source.read(min(CHUNK, remaining))):
        yield chunk
        remaining -= len(chunk)


def _v2_command(first: bytes, encoding: str) -> str | None:
    """``ls-refs`` or ``fetch`` from a v2 request's first pkt-line (``0012command=fetch``)."""
    if "gzip" in encoding:
        with contextlib.suppress(zlib.error):
            first = zlib.decompressobj(wbits=31).decompress(first, 256)
    match = re.match(rb"[0-9a-f]{4}command=([a-z-]+)", first)
    return match.group(1).decode() if match else None


def _dechunk(source: IO[bytes]) -> Iterator[bytes]:
    while True:
        size = int(source.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while source.readline().strip():  # trailers
                pass
            return
        yield source.read(size)
        source.readline()


def _read_cgi_headers(stdout: IO[bytes]) -> tuple[str, list[tuple[str, str]]]:
    status = "200 OK"
    headers: list[tuple[str, str]] = []
    while line := stdout.readline().rstrip(b"\r\n"):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "status":
            status = value.strip()
        else:
            headers.append((name.strip(), value.strip()))
    if not headers and status == "200 OK":
        status = "500 Internal Server Error"  # the backend died without a word
    return status, headers


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # so that ``Expect: 100-continue`` gets its answer
    timeout = REQUEST_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SmartHttpServer:
    """Serves every repository under ``root`` at ``http://127.0.0.1:PORT/<path>``."""

    def __init__(self, root: Path, credentials: tuple[str, str] | None = None) -> None:
        self.root = root
        self.app = GitHttpBackend(root, credentials)
        self._server: _ThreadingWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        port: int = self._server.server_address[1]
        return port

    @property
    def requests(self) -> list[Request]:
        return list(self.app.requests)

    @property
    def commands(self) -> list[Request]:
        return list(self.app.commands)

    def start(self) -> SmartHttpServer:
        self.root.mkdir(parents=True, exist_ok=True)
        self._server = _ThreadingWSGIServer((LOOPBACK, 0), _QuietHandler)
        self._server.set_app(self.app)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.app.kill_all()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)
            self._thread = None

    def __enter__(self) -> SmartHttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
