"""One Gitferry per user and data folder: a second launch asks the first to show its
window, then exits.

Which process is the one is settled by an exclusive `flock` on `app.lock` in the data
folder (the kernel drops it when the process ends, even in a crash): atomic, where
"nobody answers, so listen" let two launches close together both run. The raise
requests travel over a `QLocalServer`; the first instance may start it after its first
paint (`claim(listen=False)`, then `listen()`), so QtNetwork, hashlib and the user
lookup stay out of the launch; meanwhile a second launch keeps trying to reach it for a
few seconds.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 500
REACH_SECONDS = 5.0  # how long a second launch tries to reach a first one still starting
REACH_STEP = 0.05
RAISE = b"raise\n"
LOCK_FILE = "app.lock"


def server_name(home: Path) -> str:
    """Per user and per data directory, so a test's GITFERRY_HOME never meets the real app."""
    import getpass
    import hashlib

    digest = hashlib.sha1(str(home.resolve()).encode()).hexdigest()[:12]
    return f"gitferry-{getpass.getuser()}-{digest}"


class SingleInstance(QObject):
    raise_requested = Signal()

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.home = home
        self._lock: int | None = None
        self._server: QLocalServer | None = None

    @property
    def name(self) -> str:
        return server_name(self.home)

    def claim(self, *, listen: bool = True) -> bool:
        """True if this process is the one instance (and, with `listen`, takes raise
        requests already); False after telling the running one to show."""
        self.home.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.home / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            self._notify_running()
            return False
        self._lock = lock
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Take the raise requests of later launches (the instance holds the lock)."""
        from PySide6.QtNetwork import QLocalServer

        name = self.name
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_connection)
        QLocalServer.removeServer(name)  # a socket left by a crashed instance
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.listen(name)

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._lock is not None:
            os.close(self._lock)  # the lock goes with it
            self._lock = None

    def _notify_running(self) -> None:
        """Ask the running instance to show its window; it may not listen yet (given up
        after `REACH_SECONDS`)."""
        from PySide6.QtNetwork import QLocalSocket

        name = self.name
        deadline = time.monotonic() + REACH_SECONDS
        while True:
            socket = QLocalSocket()
            socket.connectToServer(name)
            if socket.waitForConnected(CONNECT_TIMEOUT_MS):
                socket.write(RAISE)
                socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
                socket.disconnectFromServer()
                return
            if time.monotonic() >= deadline:
                return
            time.sleep(REACH_STEP)

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.raise_requested.emit()
