"""A real `gitferry daemon` in a subprocess, answering the CLI on its socket, and the
`gitferry` command run as a fresh process (with or without asking it)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from core.cli_socket import IN_PROCESS_VARIABLE, socket_path
from tests.waiting import CAP

ROOT = Path(__file__).resolve().parents[2]
# `gitferry daemon` as the console script runs it, from this checkout (PYTHONPATH=ROOT).
DAEMON = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())", "daemon"]
# Runs the entry point as the console script does, then prints the modules it loaded
# on the last line of stderr. Ctrl-C raises KeyboardInterrupt as in a terminal even when
# the test run was started with SIGINT ignored (a background job of a non-interactive
# shell: its children would inherit that, and the tests that send SIGINT would hang).
PROBE = """
import json, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from gui.launch import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
first_use = sys.modules.get("core.platform.first_use")  # imported, its body to run at first use: not loaded
waiting = set(first_use.waiting()) if first_use is not None else set()
print(json.dumps(sorted(set(sys.modules) - waiting)), file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Ran:
    code: int
    out: str
    err: str  # without the probe's module list
    modules: set[str]

    @property
    def in_engine(self) -> bool:
        """The engine carried the sync out: this process loaded neither dulwich nor the
        replay of a recorded no-change fetch (`core/cli_replay.py`, tried only when no
        engine took the sync)."""
        return "dulwich" not in self.modules and "core.cli_replay" not in self.modules


def gitferry(
    *args: str,
    in_process: bool = False,
    env: dict[str, str] | None = None,
    umask: int = -1,
    root: Path = ROOT,
) -> Ran:
    """`gitferry ARGS` in a fresh process (`in_process`: told not to ask an engine;
    `umask`: its own, -1 this one's; `root`: the checkout whose code it runs)."""
    environ = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    if in_process:
        environ[IN_PROCESS_VARIABLE] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=CAP,
        env=environ,
        cwd=root,
        stdin=subprocess.DEVNULL,
        umask=umask,
    )
    *err, modules = proc.stderr.splitlines(keepends=True)
    return Ran(proc.returncode, proc.stdout, "".join(err), set(json.loads(modules)))


def on_a_pty(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    """`gitferry ARGS` in a fresh process whose stdin, stdout and stderr are a terminal
    (a pty); the process and the terminal's other end, to read and type on."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-c", "import sys; from gui.launch import main; sys.exit(main())"]
    client = subprocess.Popen(
        [*command, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(follower)
    return client, leader


def code_copy(target: Path) -> Path:
    """A copy of the checkout's code (`core`, `gui`) at `target`, for a test that changes a
    file of it: the checkout's own files stay as they are for the tests beside it (another
    pytest-xdist worker's engine would take the change for another build)."""
    for package in ("core", "gui"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def read_until(leader: int, seen: bytearray, wanted: bytes) -> None:
    """Read the terminal into `seen` until `wanted` shows (or the process closes it)."""
    while wanted not in seen:
        chunk = os.read(leader, 4096)
        assert chunk, bytes(seen)
        seen += chunk


def read_to_end(leader: int, seen: bytearray) -> None:
    """Read the terminal into `seen` until the process closes it; then close ours."""
    with contextlib.suppress(OSError):
        while chunk := os.read(leader, 4096):
            seen += chunk
    os.close(leader)


def listening_socket(home: Path) -> socket.socket:
    """A stand-in engine: a listener bound to the engine's socket for `home` (its
    directory made private, as the engine makes it), for the test to accept on."""
    path = socket_path(home)
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    return listener


def answering(home: Path) -> bool:
    """Something accepts connections on the engine's socket for `home`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(socket_path(home)))
        except OSError:
            return False
    return True


def refused_daemon() -> tuple[int, str]:
    """`gitferry daemon` started on the test's GITFERRY_HOME while another engine holds it:
    its exit status and what it said on stderr (it never runs: no wait for a signal)."""
    proc = subprocess.run(
        DAEMON,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CAP,
    )
    return proc.returncode, proc.stderr


class EngineProcess:
    """`gitferry daemon` on the test's GITFERRY_HOME, answering the CLI once started
    (`answered`: waited for here; else `answers()` waits), running the code of `root`."""

    def __init__(self, *, answered: bool = True, root: Path = ROOT) -> None:
        self.home = Path(os.environ["GITFERRY_HOME"])
        self.log = self.home.parent / f"daemon-{time.monotonic_ns()}.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                DAEMON,
                cwd=root,
                env={**os.environ, "PYTHONPATH": str(root)},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        if answered:
            self.answers()

    def answers(self) -> None:
        """Wait until it answers the CLI."""
        deadline = time.monotonic() + CAP
        while not answering(self.home):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the daemon never answered: {self.stop()}")
            time.sleep(0.05)

    def logged(self, text: str) -> None:
        """Wait for `text` in what the daemon logged."""
        deadline = time.monotonic() + CAP
        while text not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the daemon never logged {text!r}: {self.stop()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the socket file stays behind, as after a crash."""
        self.proc.kill()
        self.proc.wait(CAP)

    def stop(self) -> str:
        """SIGTERM, as systemd stops it; what it logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(CAP)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(CAP)
        return self.log.read_text()
