"""What ssh writes when it fails, said in a sync's one line as separate sentences.

ssh (and a ProxyCommand, and git's wrapped advice) writes several lines; joined by a
space they ran together ("Host key verification failed. fatal: Could not read ...").
The real ssh client, its ProxyCommand refusing; `git fetch` beside it is the referee
of what ssh wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import run


def test_each_line_ssh_writes_is_its_own_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(
        'Host refusing.invalid\n  ProxyCommand sh -c "echo proxy: tunnel refused >&2; exit 1"\n'
    )
    mine = tmp_path / "mine"
    git("init", "-q", str(mine))
    git("commit", "-q", "--allow-empty", "-m", "first", cwd=mine)
    git("remote", "add", "origin", "ssh://refusing.invalid/r.git", cwd=mine)
    git("config", "core.sshCommand", f"ssh -F {config}", cwd=mine)
    fetched = subprocess.run(
        ["git", "fetch", "origin"], cwd=mine, capture_output=True, text=True, check=False
    )
    said_by_ssh = fetched.stderr.split("fatal:")[0].strip().splitlines()  # git's own words follow
    assert fetched.returncode != 0 and len(said_by_ssh) >= 2, fetched.stderr
    assert run(capsys, "add", str(mine))[0] == 0

    code, doc, _err = run(capsys, "sync", "--json")

    message = doc["repos"][0]["message"]
    assert code == 1 and message.endswith(": " + "; ".join(said_by_ssh)), message
    assert "\n" not in message
