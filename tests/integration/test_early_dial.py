"""A cold `gitferry sync NAME` over ssh starts the ssh its last sync ran before it imports the
engine, and the fetch takes it (`core/git/transfer/early_dial.py`). Each sync is a fresh
`gitferry` process against the tests' sshd; every ssh runs through a wrapper that logs whether
it was started early (the command that asks nothing: `BatchMode=yes` among Gitferry's own
options, which the fetch's own ssh, able to ask through Gitferry's askpass, leaves out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.git.transfer.early_dial import record_path
from tests.gitcli import commit_file, git
from tests.servers import Remote

pytestmark = pytest.mark.sshd

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from gui.launch import main; sys.exit(main())"
# `EARLY_SAYS`: what the early ssh writes on stderr before it fails (exit 255), as ssh does
# for a host key or a passphrase it may not ask about, or a host it cannot reach.
WRAPPER = """#!/bin/sh
case "$* " in
  *" BatchMode=yes "*) echo early >> "{log}"
    if [ -n "$EARLY_SAYS" ]; then echo "$EARLY_SAYS" >&2; exit 255; fi ;;
  "-G "*) ;;  # the variant's probe (a wrapper's name does not say OpenSSH)
  *) echo fetch >> "{log}" ;;
esac
exec {ssh} "$@"
"""


class World:
    def __init__(self, tmp_path: Path, remote: Remote) -> None:
        self.log = tmp_path / "ssh.log"
        wrapper = tmp_path / "ssh-wrapper"
        wrapper.write_text(WRAPPER.format(log=self.log, ssh=remote.ssh_command))
        wrapper.chmod(0o755)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_SSH_COMMAND": str(wrapper)}
        self.env.pop("GITFERRY_IN_PROCESS", None)
        self.bare = remote.create("origin")
        self.work = tmp_path / "work"
        git("init", "-q", "-b", "main", str(self.work))
        commit_file(self.work, "a.txt", "one\n")
        git("push", "-q", str(self.bare), "main", cwd=self.work)
        self.mine = tmp_path / "mine"
        git("clone", "-q", str(self.bare), str(self.mine))
        git("remote", "set-url", "origin", remote.url("origin"), cwd=self.mine)
        self.gitferry("add", str(self.mine), "--name", "mine")

    def gitferry(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", ENTRY, *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**self.env, **env},
        )

    def sync(self, **env: str) -> dict[str, str]:
        """One cold `gitferry sync mine --json` after a new commit on the server; its report."""
        commit_file(self.work, "a.txt", f"{len(self.dials())}\n")
        git("push", "-q", str(self.bare), "main", cwd=self.work)
        done = self.gitferry("sync", "mine", "--json", **env)
        report: dict[str, str] = json.loads(done.stdout)["repos"][0]
        return report

    def dials(self) -> list[str]:
        return self.log.read_text().split() if self.log.exists() else []

    def in_step(self) -> bool:
        return git("rev-parse", "HEAD", cwd=self.mine) == git("rev-parse", "main", cwd=self.bare)


@pytest.fixture
def world(tmp_path: Path, sshd_server: Remote) -> World:
    return World(tmp_path, sshd_server)


def test_the_second_cold_sync_takes_the_ssh_started_before_the_engine(world: World) -> None:
    assert world.sync()["result"] == "ok" and world.in_step()
    assert world.dials() == ["fetch"]  # nothing recorded yet: the fetch's own ssh
    assert record_path(Path(os.environ["GITFERRY_HOME"]), "mine").exists()
    assert world.sync()["result"] == "ok" and world.in_step()
    assert world.dials() == ["fetch", "early"]  # started early and taken: no second ssh
    assert world.sync()["result"] == "ok" and world.in_step()
    assert world.dials() == ["fetch", "early", "early"]


def test_changed_settings_start_nothing_early(world: World) -> None:
    assert world.sync()["result"] == "ok"
    git("config", "remote.origin.tagOpt", "--no-tags", cwd=world.mine)  # the config is not the record's
    assert world.sync()["result"] == "ok" and world.in_step()
    assert world.dials() == ["fetch", "fetch"]
    assert world.sync()["result"] == "ok"  # recorded again with these settings
    assert world.dials() == ["fetch", "fetch", "early"]


def test_an_early_ssh_that_would_have_asked_is_started_again_able_to_ask(world: World) -> None:
    assert world.sync()["result"] == "ok"
    report = world.sync(EARLY_SAYS="Permission denied (publickey).")
    assert report["result"] == "ok" and world.in_step()
    assert world.dials() == ["fetch", "early", "fetch"]


def test_an_early_ssh_that_cannot_reach_the_host_is_the_sync_s_answer(world: World) -> None:
    """Not started again: the same would happen (a second connect timeout, for one)."""
    assert world.sync()["result"] == "ok"
    report = world.sync(EARLY_SAYS="ssh: connect to host 127.0.0.1 port 9: Connection refused")
    assert report["result"] != "ok" and "Connection refused" in report["message"], report
    assert world.dials() == ["fetch", "early"]
    assert not world.in_step()
