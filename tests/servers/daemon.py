"""``git daemon`` on a loopback port, serving a RemoteHost over ``git://``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import TracebackType

from tests.servers.host import (
    LOOPBACK,
    START_ATTEMPTS,
    RemoteHost,
    free_port,
    server_env,
    start_process,
    stop_process,
    wait_for_port,
)


class GitDaemon:
    """Exports every repository under ``root``, fetch and push (receive-pack) both on."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = 0
        self.log = root.parent / f"{root.name}-git-daemon.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> RemoteHost:
        return RemoteHost(self.root, f"git://{LOOPBACK}:{self.port}")

    def start(self) -> GitDaemon:
        self.root.mkdir(parents=True, exist_ok=True)
        for attempt in range(START_ATTEMPTS):
            try:
                self._launch()
                return self
            except RuntimeError:  # the port was taken between free_port() and bind()
                self.stop()
                if attempt == START_ATTEMPTS - 1:
                    raise RuntimeError(f"git daemon would not start; see {self.log}") from None
        return self

    def _launch(self) -> None:
        self.port = free_port()
        args = [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--informative-errors",
            f"--base-path={self.root}",
            "--enable=receive-pack",
            f"--listen={LOOPBACK}",
            f"--port={self.port}",
        ]
        self._proc = start_process(args, server_env(self.root.parent), self.log)
        wait_for_port(self.port, self._proc)

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> GitDaemon:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
