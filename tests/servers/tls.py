"""HTTPS for the tests: a certificate authority made on the spot, and smart HTTP behind TLS.

``ScratchCa.make(directory)`` runs ``openssl`` to create a self-signed CA and a
server certificate it signs for ``127.0.0.1`` and ``localhost``; nothing on the
machine trusts that CA, so a client that verifies refuses the server unless told
about ``ca.cert`` (``http.sslCAInfo``). ``TlsSmartHttpServer`` is the smart-HTTP
bridge (``git http-backend``) with its listening socket wrapped in TLS: the TLS
front of the tests' own. With ``client_certificates=True`` it asks every client for a
certificate the CA signed (``ScratchCa.client``: ``http.sslCert``/``http.sslKey``)
and refuses the handshake without one. It ends each connection with TLS's
close_notify, which git's GnuTLS requires of an HTTP/1.0 response.
"""

from __future__ import annotations

import contextlib
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

    def client(self, directory: Path) -> tuple[Path, Path]:
        """A client certificate this CA signs and its key (PEM files in `directory`)."""
        directory.mkdir(parents=True, exist_ok=True)
        key, csr, cert = directory / "client.key", directory / "client.csr", directory / "client.cert"
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=client")
        _openssl(
            "x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_cert.with_name("ca.key"),
            "-CAcreateserial", "-out", cert, "-days", DAYS,
        )  # fmt: skip
        return cert, key


def _openssl(*args: object) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)


class TlsSmartHttpServer(SmartHttpServer):
    """Serves every repository under ``root`` at ``https://127.0.0.1:PORT/<path>``."""

    def __init__(
        self,
        root: Path,
        ca: ScratchCa,
        credentials: tuple[str, str] | None = None,
        *,
        client_certificates: bool = False,
    ) -> None:
        super().__init__(root, credentials)
        self.ca = ca
        self.client_certificates = client_certificates
        self.handshakes_failed = 0

    def start(self) -> TlsSmartHttpServer:
        super().start()
        assert self._server is not None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca.server_cert, self.ca.server_key)
        if self.client_certificates:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.ca.ca_cert)
        server = self._server
        plain_accept = server.get_request
        plain_shutdown = server.shutdown_request

        def accept() -> tuple[socket.socket, object]:
            sock, address = plain_accept()
            sock.settimeout(10)
            try:
                return context.wrap_socket(sock, server_side=True), address
            except (OSError, ssl.SSLError):
                self.handshakes_failed += 1
                sock.close()
                raise

        def shutdown(request: socket.socket) -> None:
            if isinstance(request, ssl.SSLSocket):
                with contextlib.suppress(OSError, ValueError):
                    request.unwrap()  # close_notify
            plain_shutdown(request)

        server.get_request = accept  # type: ignore[method-assign]
        server.shutdown_request = shutdown  # type: ignore[method-assign]
        return self

    def __enter__(self) -> TlsSmartHttpServer:
        return self.start()
