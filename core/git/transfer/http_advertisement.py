"""A smart HTTP(S) remote's ref advertisement (protocol v0) read again with the standard
library, as the engine's fetch last read it (`advertisement.read_advertisement`).

The engine's fetch of an HTTP(S) remote (dulwich's urllib3 client, `transport.py`, over
the pool `http_pool.py` sets up from git's `http.*` settings) asks protocol v0 when it
follows tags (the default) and, for a remote whose refs did not move, sends one request:
`GET <url>/info/refs?service=git-upload-pack`. When that request went out without
credentials and was answered 200 with a smart advertisement, neither redirected nor
through anything this module cannot say again (a client certificate, `http.cookieFile`,
`http.extraHeader`, a SOCKS or https proxy, a proxy's user and password), the engine
keeps it as a `Dial` (`http_dial`): the URL, the headers sent, the http proxy, the
certificate settings, the files the certificate check reads (by identity) and the
environment the pool read (proxies, `SSL_CERT_*`, the keyring's backend).

`over_http` sends the same request, over the same TLS context
(`verifying_context`, which `http_pool.py` uses too: truststore, or `http.sslCAInfo` /
`http.sslCAPath`, or no check with `http.sslVerify=false`), so a certificate the engine
would refuse is refused here too; anything else than the same 200 (a redirect, 401, 403,
404, a TLS error, another content type, an environment or trust file that changed) is
None, and the engine's fetch runs and says what it says. The refs read are those the
fetch asked for (`advertisement.read_advertisement` keeps those under its prefixes).

The request is written and its answer read by hand (HTTP/1.1, a body chunked, of a
`Content-Length` or up to the end), as `advertisement.py` reads pkt-lines by hand:
`http.client` imports the `email` package, 57 million instructions (`valgrind
--tool=callgrind`) over `ssl`'s, a quarter of the whole replay.
"""

from __future__ import annotations

import io
import os
import socket
from typing import TYPE_CHECKING, Any, BinaryIO

from core.git.sync_inputs import identity

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable

    from core.git.transfer.advertisement import Advertised, Dial

ADVERTISEMENT = "application/x-git-upload-pack-advertisement"
_LINE = 65536  # the longest status or header line read (`http.client`'s limit)
_HEADERS = 100  # the most header lines (`http.client`'s)
SERVICE_LINE = b"# service=git-upload-pack"

# What the engine's HTTP(S) exchange reads of the environment besides `GIT_*` (a fact of
# every record, `sync_inputs`): the proxies (`http_config.choose_proxy`), the trust
# store's files (OpenSSL's, through truststore) and the keyring the sign-in asks.
ENVIRONMENT = (
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PYTHON_KEYRING_BACKEND",
)


def verifying_context(verify: bool, ca_info: str | None, ca_path: str | None) -> ssl.SSLContext:
    """What checks the server's certificate (raises `OSError`, `ssl.SSLError` for a CA
    file that cannot be loaded): nothing when `verify` is off; `ca_info` / `ca_path`
    alone when given; else the platform's trust store (truststore)."""
    import ssl  # an https remote's only

    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_info or ca_path:
        return ssl.create_default_context(cafile=ca_info, capath=ca_path)
    import truststore  # only the platform's store pays for it

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def trust_files(verify: bool, ca_info: str | None, ca_path: str | None) -> list[list[object]]:
    """The files (and directories) the certificate check reads, by identity: a CA bundle
    changed since the record sends the fetch to the engine even when it would still
    trust the server (the replay checks the certificate itself, with the same files)."""
    if not verify:
        return []
    if ca_info or ca_path:
        paths = [ca_info or "", ca_path or ""]
    else:
        import ssl

        found = ssl.get_default_verify_paths()
        paths = [found.cafile or "", found.capath or "", *_TRUSTSTORE_CANDIDATES]
    return [identity(path, path) for path in paths if path]


# Where truststore looks on Linux when OpenSSL's defaults hold nothing (`truststore._openssl`).
_TRUSTSTORE_CANDIDATES = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)


def environment() -> dict[str, str]:
    return {name: os.environ[name] for name in ENVIRONMENT if name in os.environ}


def over_http(
    dial: Dial, timeout: float, read_refs: Callable[[Callable[[int], bytes]], Advertised | None]
) -> Advertised | None:
    """The refs the dialled HTTP(S) remote advertises now, read by `read_refs` from the
    v0 listing after the service line; None when anything differs from the record."""
    from urllib.parse import urlsplit  # pathlib's already

    url = urlsplit(str(dial["url"]))
    trust = trust_files(dial["verify"], dial["ca_info"], dial["ca_path"]) if url.scheme == "https" else []
    if dial["env"] != environment() or dial["trust"] != trust or url.hostname is None:
        return None
    https = url.scheme == "https"
    port = url.port or (443 if https else 80)
    proxy = dial["proxy"]
    target = f"{url.path}?{url.query}"
    host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    if port != (443 if https else 80):  # as http.client writes `Host`, under urllib3 too
        host += f":{port}"
    with socket.create_connection(_address(proxy, url.hostname, port), timeout) as raw:  # type: ignore[arg-type]
        sock: socket.socket = raw
        if proxy is not None and https:
            _tunnel(raw, url.hostname, port)
        elif proxy is not None:
            target = str(dial["url"])  # through an http proxy, an http URL is asked whole
        if https:
            context = verifying_context(dial["verify"], dial["ca_info"], dial["ca_path"])
            sock = context.wrap_socket(raw, server_hostname=url.hostname)
        with sock, sock.makefile("rb") as stream:
            sock.sendall(_request(target, host, dial["headers"]))
            status, headers = _response_head(stream)
            if status != 200 or headers.get("content-type") != ADVERTISEMENT:
                return None  # redirected, refused, signing in asked, another server: the engine's
            read = io.BytesIO(_body(stream, headers)).read
    head = read(4)
    line = read(int(head, 16) - 4) if len(head) == 4 else b""
    if line.rstrip(b"\n") != SERVICE_LINE or read(4) != b"0000":
        return None
    found = read_refs(read)
    return found


def _address(proxy: dict[str, Any] | None, host: str, port: int) -> tuple[str | bytes, int]:
    """Where to connect; an ASCII name as bytes, as the engine's `git://` client gives it
    (`timed_clients`: no IDNA codec)."""
    name, port = (str(proxy["host"]), int(proxy["port"])) if proxy is not None else (host, port)
    return (name.encode("ascii") if name.isascii() else name), port


def _request(target: str, host: str, headers: dict[str, str]) -> bytes:
    """The request as urllib3 has `http.client` write it: `Host`, `Accept-Encoding:
    identity`, then the headers given."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _tunnel(sock: socket.socket, host: str, port: int) -> None:
    """`CONNECT host:port` through an http proxy, as `http.client`'s tunnel asks it."""
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.0\r\n\r\n".encode("ascii"))
    with sock.makefile("rb") as stream:  # the proxy's answer ends there: the server waits for TLS
        status, _headers = _response_head(stream)
    if status != 200:
        raise OSError(f"the proxy answered {status} to CONNECT")


def _response_head(stream: BinaryIO) -> tuple[int, dict[str, str]]:
    """The status and the headers (names in lower case) of an HTTP/1.x response."""
    version, _, rest = stream.readline(_LINE).partition(b" ")
    if not version.startswith(b"HTTP/1."):
        raise ValueError("not an HTTP/1.x response")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for _ in range(_HEADERS):
        line = stream.readline(_LINE)
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    raise ValueError("too many headers")


def _body(stream: BinaryIO, headers: dict[str, str]) -> bytes:
    """The whole body: chunked, of a `Content-Length`, or up to the end."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while size := int(stream.readline(_LINE).split(b";")[0], 16):
            chunk = stream.read(size)
            if len(chunk) != size or stream.readline(_LINE) not in (b"\r\n", b"\n"):
                raise ValueError("a chunk cut short")
            chunks.append(chunk)
        return b"".join(chunks)  # the trailer, if any, is left unread: nothing of the listing
    if "content-length" in headers:
        size = int(headers["content-length"])
        body = stream.read(size)
        if len(body) != size:
            raise ValueError("the body cut short")
        return body
    return stream.read()
