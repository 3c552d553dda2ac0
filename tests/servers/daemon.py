"""``git daemon`` on a loopback port, serving a RemoteHost over ``git://``."""

from __future__ import annotations

from pathlib import Path

from tests.servers.host import (
    LOOPBACK,
    RemoteHost,
    ServerProcess,
    free_port,
    server_env,
    start_process,
    wait_for_port,
)


class GitDaemon(ServerProcess):
    """Exports every repository under ``root``, fetch and push (receive-pack) both on."""

    name = "git daemon"

    def __init__(self, root: Path) -> None:
        super().__init__(root.parent / f"{root.name}-git-daemon.log")
        self.root = root

    @property
    def host(self) -> RemoteHost:
        return RemoteHost(self.root, f"git://{LOOPBACK}:{self.port}")

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

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
