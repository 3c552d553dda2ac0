"""Machines for auto mode's tests: a clone with its own `GITFERRY_HOME`, registered with
auto-commit (so `sync_mode=auto`), short settle times, and a real `gitferry daemon`
process; all of one `git daemon` remote on loopback."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.cli import main
from tests.gitcli import commit_file, fsck, git
from tests.servers import Remote
from tests.waiting import CAP

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]


@dataclass
class Machine:
    name: str
    tree: Path
    home: Path
    daemon: subprocess.Popen[str] | None = None
    log: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "GITFERRY_HOME": str(self.home), "PYTHONPATH": str(ROOT)}

    def cli(self, *args: str) -> None:
        """`gitferry ARGS` under this machine's home, in this process (a cold start each
        would cost seconds a command on a loaded machine)."""
        previous = os.environ["GITFERRY_HOME"]
        os.environ["GITFERRY_HOME"] = str(self.home)
        try:
            assert main(list(args)) == 0, args
        finally:
            os.environ["GITFERRY_HOME"] = previous

    def results(self) -> list[str]:
        """Every sync's result so far, from the activity log."""
        return [entry["result"] for entry in self.entries()]

    def entries(self) -> list[dict[str, Any]]:
        """The activity log's entries so far."""
        path = self.home / "activity.jsonl"
        if not path.exists():
            return []
        lines = path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def try_cli(self, *args: str) -> bool:
        """`gitferry ARGS` succeeded (a sync may find the daemon's under way: busy)."""
        previous = os.environ["GITFERRY_HOME"]
        os.environ["GITFERRY_HOME"] = str(self.home)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                return main(list(args)) == 0
        finally:
            os.environ["GITFERRY_HOME"] = previous

    def start(self) -> None:
        self.daemon = subprocess.Popen(
            [*CLI, "daemon"],
            cwd=ROOT,
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.daemon.stderr is not None
        running = self.daemon.stderr.readline()  # from here on SIGTERM stops it cleanly
        assert "running" in running, running

    def stop(self) -> str:
        """SIGTERM (the daemon's last sync runs); its stderr."""
        daemon, self.daemon = self.daemon, None
        if daemon is None:
            return ""
        daemon.send_signal(signal.SIGTERM)
        try:
            _out, err = daemon.communicate(timeout=CAP)
        except subprocess.TimeoutExpired:
            daemon.kill()
            _out, err = daemon.communicate()
            raise AssertionError(f"{self.name}'s daemon did not stop: {err}") from None
        assert daemon.returncode == 0, err
        return err

    def kill(self) -> None:
        """SIGKILL, if still running (a test's end, whatever happened)."""
        daemon, self.daemon = self.daemon, None
        if daemon is not None:
            daemon.kill()
            daemon.communicate()

    def alive(self) -> None:
        daemon = self.daemon
        assert daemon is not None and daemon.poll() is None, daemon and daemon.communicate()

    def files(self) -> dict[str, bytes]:
        """Every file of the tree (not .git), by path."""
        found: dict[str, bytes] = {}
        for path in sorted(self.tree.rglob("*")):
            rel = path.relative_to(self.tree).as_posix()
            if rel == ".git" or rel.startswith(".git/") or not path.is_file():
                continue
            found[rel] = path.read_bytes()
        return found


def seeded_remote(remote: Remote, tmp_path: Path) -> str:
    """A `git daemon` remote holding one commit on main; its URL."""
    bare = remote.create("origin")
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "readme.txt", "shared notes\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    return remote.url("origin")


def machine(
    tmp_path: Path, name: str, url: str, *, settle: float = 0.5, settle_max: float = 3.0, interval: int = 1
) -> Machine:
    """A clone at `tmp_path/name`, registered under its own home, auto mode."""
    m = Machine(name, tmp_path / name, tmp_path / f"home-{name}")
    git("clone", "-q", url, str(m.tree))
    m.cli("add", str(m.tree), "--name", name, "--auto-commit")
    m.cli("set", name, "fetch_interval", str(interval))
    m.cli("set", "--global", "settle_time", str(settle))
    m.cli("set", "--global", "settle_max", str(settle_max))
    return m


def wait_until(condition: object, what: str, machines: list[Machine], cap: float = CAP) -> None:
    """Poll `condition` (a callable) until true; the daemons must stay alive meanwhile."""
    deadline = time.monotonic() + cap
    while True:
        if condition():  # type: ignore[operator]
            return
        for m in machines:
            m.alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (still not so after {cap:g} s)")
        time.sleep(0.05)


def lone_machine(remote: Remote, tmp_path: Path) -> Iterator[Machine]:
    """One machine, settle 0.3 s at most 1 s, its interval sync out of the way (60 s),
    running its daemon (killed at the end); `git fsck` of its tree after."""
    url = seeded_remote(remote, tmp_path)
    m = machine(tmp_path, "a", url, settle=0.3, settle_max=1.0, interval=60)
    m.start()
    try:
        yield m
    finally:
        m.kill()
    fsck(m.tree)


def remote_head(m: Machine) -> str:
    return git("ls-remote", "origin", "refs/heads/main", cwd=m.tree).split()[0]
