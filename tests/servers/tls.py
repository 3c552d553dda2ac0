"""HTTPS for the tests: a certificate authority made on the spot, and smart HTTP behind TLS.

``ScratchCa.make(directory)`` runs ``openssl`` to create a self-signed CA and a
server certificate it signs for ``127.0.0.1`` and ``localhost``; nothing on the
machine trusts that CA, so a client that verifies refuses the server unless told
about ``ca.cert`` (``http.sslCAInfo``). ``TlsSmartHttpServer`` is the smart-HTTP
bridge (``git http-backend``) with its listening socket wrapped in TLS: the TLS
front of the tests' own.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.servers.smart_http import SmartHttpServer

DAYS = "2"


@dataclass(frozen=True)
class ScratchCa:
    ca_cert: Path
    server_cert: Path
    server_key: Path

    @classmethod
    def make(cls, directory: Path) -> ScratchCa:
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca_cert = directory / "ca.key", directory / "ca.cert"
        key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.cert"
        extensions = directory / "server.ext"
        extensions.write_text(
            "basicConstraints=CA:FALSE\n"
            "keyUsage=digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        )
        _openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_cert,
            "-days", DAYS, "-subj", "/CN=Gitferry test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
        _openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"
        )
        _openssl(
            "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", DAYS, "-extfile", extensions,
        )  # fmt: skip
        return cls(ca_cert, cert, key)


def _openssl(*args: object) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)


class TlsSmartHttpServer(SmartHttpServer):
    """Serves every repository under ``root`` at ``https://127.0.0.1:PORT/<path>``."""

    def __init__(self, root: Path, ca: ScratchCa, credentials: tuple[str, str] | None = None) -> None:
        super().__init__(root, credentials)
        self.ca = ca
        self.handshakes_failed = 0

    def start(self) -> TlsSmartHttpServer:
        super().start()
        assert self._server is not None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca.server_cert, self.ca.server_key)
        server = self._server
        plain_accept = server.get_request

        def accept() -> tuple[socket.socket, object]:
            sock, address = plain_accept()
            sock.settimeout(10)
            try:
                return context.wrap_socket(sock, server_side=True), address
            except (OSError, ssl.SSLError):
                self.handshakes_failed += 1
                sock.close()
                raise

        server.get_request = accept  # type: ignore[method-assign]
        return self

    def __enter__(self) -> TlsSmartHttpServer:
        return self.start()
