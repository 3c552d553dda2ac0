"""Where the test remotes live: a directory of bare repositories, and the plumbing
(free ports, waiting for a listener, a fixed environment, a keeper that takes servers
down with the test run) every server shares."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
START_ATTEMPTS = 3  # a port from free_port() can be taken before the server binds it
KEEPER = Path(__file__).with_name("keeper.py")


class RemoteHost:
    """A directory of bare repositories as one transport sees it.

    ``url_prefix`` is what a repository's URL starts with (``git://127.0.0.1:PORT``,
    ``file:///tmp/...``); without one, ``url`` is the repository's plain path.
    """

    def __init__(self, root: Path, url_prefix: str | None = None) -> None:
        self.root = root
        self.url_prefix = url_prefix

    def bare_path(self, name: str) -> Path:
        return self.root / f"{name}.git"

    def url(self, name: str) -> str:
        if self.url_prefix is None:
            return str(self.bare_path(name))
        return f"{self.url_prefix}/{name}.git"

    def create(self, name: str) -> Path:
        """A new, empty bare repository whose default branch is ``main``."""
        path = self.bare_path(name)
        if path.exists():
            raise FileExistsError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "-q", "--bare", "--initial-branch=main", str(path)],
            check=True,
            capture_output=True,
            env=server_env(self.root),
            timeout=30,
        )
        return path

    def child(self, name: str) -> RemoteHost:
        """The same transport, rooted at a subdirectory: a fresh namespace per test."""
        prefix = None if self.url_prefix is None else f"{self.url_prefix}/{name}"
        return RemoteHost(self.root / name, prefix)


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """A fixed environment for server processes, independent of the test's own one."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    env.update(extra)
    return env


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Block until something accepts on ``port``; fail if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {LOOPBACK}:{port} after {START_TIMEOUT}s")


def wait_until(check: Callable[[], object], what: str, timeout: float = START_TIMEOUT) -> None:
    """Block until `check()` is true, polling; fail naming `what` once `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


def start_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A server under its keeper (``keeper.py``, whose process this is): the server and
    every process it forks die when the test run does, even by SIGKILL, or on ``stop_process``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(KEEPER), *args],
            env=env,
            stdin=subprocess.PIPE,  # the run holds the only write end: closing it stops the server
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Hang up on the keeper, which stops the server and its children, then exits;
    signal the keeper if it lingers. Never waits unboundedly."""
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    for nudge in (None, proc.terminate, proc.kill):
        if nudge is not None:
            with contextlib.suppress(ProcessLookupError):
                nudge()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


class ServerProcess:
    """A server process on a free loopback port, in a ``with`` block or by hand.

    Subclasses prepare their files in ``_prepare`` and, in ``_launch``, pick a port,
    start the process and wait for it to listen. A port from ``free_port()`` can be
    taken before the server binds it, so launching is retried.
    """

    name = "server"

    def __init__(self, log: Path) -> None:
        self.port = 0
        self.log = log
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        self._prepare()
        for attempt in range(START_ATTEMPTS):
            try:
                self._launch()
                return self
            except RuntimeError:
                self.stop()
                if attempt == START_ATTEMPTS - 1:
                    raise RuntimeError(f"{self.name} would not start; see {self.log}") from None
        return self

    def _prepare(self) -> None:
        """Directories, keys, configuration: whatever launching needs."""

    def _launch(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
