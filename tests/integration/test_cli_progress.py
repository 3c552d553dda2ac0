"""The CLI's progress line, seen on a terminal (a pseudo-terminal here) while `gitferry
clone` runs against a real `git daemon`: the checkout counts the files it writes, as the
clone dialog's "Writing files: n of N" does, instead of a byte count that stays at 0.0 MiB."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import many_files
from tests.servers import Remote

FILES = 1500
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What `args` writes to a terminal 200 columns wide, escape sequences removed."""
    leader, follower = pty.openpty()
    os.set_blocking(leader, True)
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return ANSI.sub("", b"".join(chunks).decode(errors="replace"))


@pytest.mark.slow
def test_the_checkout_counts_files_written_not_bytes(git_daemon: Remote, tmp_path: Path) -> None:
    many_files(git_daemon, tmp_path, count=FILES)
    url = git_daemon.url("origin")
    env = {**os.environ, "GITFERRY_HOME": str(tmp_path / "home"), "COLUMNS": "200", "TERM": "xterm"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    target = tmp_path / "clone"
    shown = on_a_terminal([sys.executable, "-m", "core.cli", "clone", url, str(target)], env)
    assert f"writing files {FILES:,} of {FILES:,}" in shown, shown
    assert ": checkout" not in shown  # was "checkout 0.0 MiB" throughout
    assert f"{target}: writing files" in shown and f"{target}/origin" not in shown  # nobody named a remote
    assert git("status", "--porcelain", cwd=target) == ""
