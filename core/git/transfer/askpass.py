"""The other end of Gitferry's `SSH_ASKPASS` helper: a private socket that answers ssh's questions.

One `AskpassServer` per process, started by the first ssh exchange that may
be asked something: a Unix socket in a fresh directory only this user can
enter (`mkdtemp`, mode 0700), a launcher script beside it for `SSH_ASKPASS`
(ssh runs a path, no arguments), and a thread that takes each connection of
`askpass_helper.py`. Every ssh process gets a ticket of its own in its
environment; a question comes with its ticket and is answered by that
exchange's `SshAsking` (the user, the session's memory, or no), in a thread
of its own, so a dialog waiting for the user holds up nothing else. An answer
goes back on the socket only: never into an argument, a variable, a file or
a log. A ticket is withdrawn when its ssh is done, and the directory goes at
exit.

Where Unix sockets are missing (Windows) there is no server, and ssh runs in
batch mode as before: it asks nothing, an unknown host key or a key with a
passphrase fails with ssh's own line.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import secrets
import shlex
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from core.git.transfer import askpass_helper
from core.git.transfer.ssh_questions import SshAsking

log = logging.getLogger(__name__)

FROZEN_VARIABLE = "GITFERRY_ASKPASS"  # a bundled gitferry started with it set is the helper
_MAX_QUESTION = 64 * 1024


class AskpassServer:
    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="gitferry-askpass-"))
        self.socket_path = self.directory / "socket"
        self.launcher = self.directory / "askpass"
        self._tickets: dict[str, SshAsking] = {}
        self._lock = threading.Lock()
        self._write_launcher()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.socket_path))
        self._listener.listen(16)
        threading.Thread(target=self._accept, name="gitferry-askpass", daemon=True).start()

    def _write_launcher(self) -> None:
        if getattr(sys, "frozen", False):  # a PyInstaller bundle: the binary is the helper
            line = f"{FROZEN_VARIABLE}=1 exec {shlex.quote(sys.executable)}"
        else:
            line = f"exec {shlex.quote(sys.executable)} -I -S {shlex.quote(askpass_helper.__file__)}"
        self.launcher.write_text(f'#!/bin/sh\n{line} "$@"\n')
        self.launcher.chmod(0o700)

    def register(self, asking: SshAsking) -> tuple[dict[str, str], Callable[[], None]]:
        """The variables that make one ssh ask `asking`, and how to withdraw them."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets[ticket] = asking
        env = {
            "SSH_ASKPASS": str(self.launcher),
            "SSH_ASKPASS_REQUIRE": "force",
            askpass_helper.SOCKET_VARIABLE: str(self.socket_path),
            askpass_helper.TICKET_VARIABLE: ticket,
        }

        def withdraw() -> None:
            with self._lock:
                self._tickets.pop(ticket, None)

        return env, withdraw

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self._listener.accept()
            except OSError:
                return  # closed at exit
            threading.Thread(
                target=self._answer, args=(conn,), name="gitferry-askpass-q", daemon=True
            ).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            with conn.makefile("rb") as lines:
                line = lines.readline(_MAX_QUESTION)
            try:
                question = json.loads(line)
                ticket, prompt = str(question["ticket"]), str(question["prompt"])
            except (ValueError, KeyError, TypeError):
                return
            with self._lock:
                asking = self._tickets.get(ticket)
            answer = None
            if asking is not None:
                try:
                    answer = asking.answer(prompt)
                except Exception:  # the prompt's own failure: ssh gets "no"
                    log.exception("answering ssh's question")
            conn.sendall(json.dumps({"answer": answer}).encode() + b"\n")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()
        shutil.rmtree(self.directory, ignore_errors=True)


_server: AskpassServer | None = None
_server_lock = threading.Lock()


def askpass_server() -> AskpassServer | None:
    """The process's server, started on first use; None where ssh cannot ask through one."""
    global _server
    if not hasattr(socket, "AF_UNIX") or os.name == "nt":
        return None
    with _server_lock:
        if _server is None:
            try:
                _server = AskpassServer()
            except OSError as exc:
                log.warning("ssh cannot ask for host keys or passphrases: %s", exc)
                return None
            atexit.register(_server.close)
        return _server
