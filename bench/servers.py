"""A loopback `git daemon`, started and stopped by the bench itself, in bounded time."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GIT_DAEMON = "/usr/lib/git-core/git-daemon"
HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
_PACK_WROTE = re.compile(rb'"key":"write_pack_file/wrote","value":"(\d+)"')


class GitDaemon:
    """`git daemon` serving every repository under `root` on a free loopback port.

    It logs every request (`--verbose`) to a file beside `root`, so a benchmark can
    check that a contender really asked the server rather than answering from a cache.
    With `count_objects`, the server's git also writes trace2 events, whose
    `write_pack_file/wrote` entries say how many objects each pack it sent held:
    one count, taken on the server, for every client alike.
    With `receive_pack`, clients may also push to it.
    """

    def __init__(self, root: Path, count_objects: bool = False, receive_pack: bool = False) -> None:
        self.root = root
        self.receive_pack = receive_pack
        self.port = _free_port()
        self.log = root.parent / f".git-daemon-{self.port}.log"
        self.trace = root.parent / f".git-daemon-{self.port}.trace2" if count_objects else None
        self._proc: subprocess.Popen[bytes] | None = None

    def url(self, name: str) -> str:
        return f"git://{HOST}:{self.port}/{name}"

    def requests(self) -> int:
        """How many upload-pack requests (fetches, ls-remotes) the daemon has served."""
        if not self.log.exists():
            return 0
        return self.log.read_bytes().count(b"Request upload-pack")

    def pushes(self) -> int:
        """How many receive-pack requests (pushes) the daemon has served."""
        if not self.log.exists():
            return 0
        return self.log.read_bytes().count(b"Request receive-pack")

    def packs_sent(self) -> list[int]:
        """Objects in each pack the server has sent so far, oldest first."""
        if self.trace is None or not self.trace.exists():
            return []
        return [int(n) for n in _PACK_WROTE.findall(self.trace.read_bytes())]

    def start(self) -> None:
        env = dict(os.environ)
        if self.trace is not None:
            env["GIT_TRACE2_EVENT"] = str(self.trace)
        with self.log.open("wb") as log:
            self._proc = subprocess.Popen(
                self._argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env
            )
        self._wait_listening()

    def _argv(self) -> list[str]:
        return [
            GIT_DAEMON,
            "--reuseaddr",
            "--verbose",
            "--export-all",
            "--informative-errors",
            f"--base-path={self.root}",
            f"--listen={HOST}",
            f"--port={self.port}",
            *(["--enable=receive-pack"] if self.receive_pack else []),
            str(self.root),
        ]

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        self.log.unlink(missing_ok=True)
        if self.trace is not None:
            self.trace.unlink(missing_ok=True)

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"git daemon exited with {self._proc.returncode}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"git daemon did not listen on {HOST}:{self.port} in time")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def git_daemon(root: Path, count_objects: bool = False, receive_pack: bool = False) -> Iterator[GitDaemon]:
    daemon = GitDaemon(root, count_objects, receive_pack)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()
