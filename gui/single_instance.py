"""One Gitferry per user: a second launch asks the first to show its window, then exits."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 500
RAISE = b"raise\n"


def server_name(home: Path) -> str:
    """Per user and per data directory, so a test's GITFERRY_HOME never meets the real app."""
    digest = hashlib.sha1(str(home.resolve()).encode()).hexdigest()[:12]
    return f"gitferry-{getpass.getuser()}-{digest}"


class SingleInstance(QObject):
    raise_requested = Signal()

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.name = server_name(home)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_connection)

    def claim(self) -> bool:
        """True if this process is the one instance; False after telling the running one to show."""
        if self._notify_running():
            return False
        QLocalServer.removeServer(self.name)  # a socket left by a crashed instance
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        return self._server.listen(self.name)

    def release(self) -> None:
        self._server.close()

    def _notify_running(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(RAISE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.raise_requested.emit()
