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

`over_http` sends the same request through `http.client`, over the same TLS context
(`verifying_context`, which `http_pool.py` uses too: truststore, or `http.sslCAInfo` /
`http.sslCAPath`, or no check with `http.sslVerify=false`), so a certificate the engine
would refuse is refused here too; anything else than the same 200 (a redirect, 401, 403,
404, a TLS error, another content type, an environment or trust file that changed) is
None, and the engine's fetch runs and says what it says. The refs read are those the
fetch asked for (`prefixes`: dulwich filters a v0 listing by them).
"""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from core.git.transfer.advertisement import Advertised, Dial

ADVERTISEMENT = "application/x-git-upload-pack-advertisement"
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
        found = ssl.get_default_verify_paths()
        paths = [found.cafile or "", found.capath or "", *_TRUSTSTORE_CANDIDATES]
    return [_identity(path) for path in paths if path]


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
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(str(dial["url"]))
    trust = trust_files(dial["verify"], dial["ca_info"], dial["ca_path"]) if url.scheme == "https" else []
    if dial["env"] != environment() or dial["trust"] != trust:
        return None
    # Through an http proxy, an http URL is asked whole; an https one through a tunnel.
    target = str(dial["url"]) if dial["proxy"] and url.scheme == "http" else url.path + f"?{url.query}"
    conn = _connection(url.scheme, url.hostname or "", url.port, dial, timeout)
    try:
        conn.request("GET", target, headers=dial["headers"])
        resp = conn.getresponse()
        if resp.status != 200 or resp.getheader("Content-Type") != ADVERTISEMENT:
            return None  # redirected, refused, signing in asked, another server: the engine's
        head = resp.read(4)
        line = resp.read(int(head, 16) - 4) if len(head) == 4 else b""
        if line.rstrip(b"\n") != SERVICE_LINE or resp.read(4) != b"0000":
            return None
        found = read_refs(resp.read)
    except http.client.HTTPException:
        return None
    finally:
        conn.close()
    return None if found is None else _asked(found, dial["prefixes"])


def _connection(scheme: str, host: str, port: int | None, dial: Dial, timeout: float) -> Any:
    import http.client

    proxy = dial["proxy"]
    if scheme == "https":
        context = verifying_context(dial["verify"], dial["ca_info"], dial["ca_path"])
        if proxy is None:
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        tunnel = http.client.HTTPSConnection(proxy["host"], proxy["port"], timeout=timeout, context=context)
        tunnel.set_tunnel(host, port or 443)
        return tunnel
    if proxy is None:
        return http.client.HTTPConnection(host, port, timeout=timeout)
    return http.client.HTTPConnection(proxy["host"], proxy["port"], timeout=timeout)


def _asked(found: Advertised, prefixes: list[str]) -> Advertised:
    """The listing as dulwich gives it to the fetch: the refs under `prefixes` (their
    peeled `^{}` lines with them), and every symbolic ref."""
    return [ref for ref in found if ref[0] == "symref" or ref[0].startswith(tuple(prefixes))]


def _identity(path: str) -> list[object]:
    try:
        st = os.stat(path)
    except OSError:
        return [path]
    return [path, st.st_ino, st.st_size, st.st_mtime_ns]
