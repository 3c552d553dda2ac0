"""The user's askpass program (`GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`) signs a sync
the user started in, as it signs `git fetch` in; a background job never runs it.

git itself is the referee: the same program is asked the same questions by `git fetch`.
"""

from __future__ import annotations

import os
import pty
import select
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.credentials import Credentials
from core.git.transfer.errors import AuthFailed
from core.git.transfer.fetch import fetch_remote
from core.git.transfer.signer import Signer
from tests.gitcli import commit_file, git
from tests.integration.test_fetch import push_commit
from tests.integration.test_sign_in import ROOT, WRONG, Helper, helper, registered, sync
from tests.memory_keyring import MemoryKeyring
from tests.servers.remote import HttpRemote

__all__ = ["helper"]  # the fixture, used by name

TERMINAL_SECONDS = 120.0  # far beyond a sync that asks nothing: one that waits at a prompt


class Askpass:
    """An askpass program answering `username` and `password`, logging the prompts it got."""

    def __init__(self, directory: Path, username: str, password: str) -> None:
        directory.mkdir()
        self.log = directory / "prompts.jsonl"
        self.path = directory / "askpass"
        self.path.write_text(
            "#!/bin/sh\n"
            f"printf '%s\\n' \"$1\" >> {self.log}\n"
            f'case "$1" in Username*) echo {username} ;; *) echo {password} ;; esac\n'
        )
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR)

    def prompts(self) -> list[str]:
        prompts = self.log.read_text().splitlines() if self.log.exists() else []
        self.log.unlink(missing_ok=True)
        return prompts


@dataclass(frozen=True)
class Registered:
    """A clone of the signed-in server's repository, registered: the server's user and
    password, the bare repository, another clone, the registered one."""

    user: str
    password: str
    bare: Path
    work: Path
    mine: Path


@pytest.fixture
def signed(http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Registered:
    user, password = http_auth_server.auth or ("", "")
    return Registered(user, password, *registered(http_auth_server, tmp_path, capsys))


def git_fetch_prompts(askpass: Askpass, mine: Path, *, signs_in: bool = True) -> list[str]:
    """What `git fetch` asks the program (the referee), the remote's tracking ref put back."""
    before = git("rev-parse", "origin/main", cwd=mine)
    fetched = subprocess.run(["git", "fetch", "-q", "origin"], cwd=mine, capture_output=True, timeout=60)
    assert (fetched.returncode == 0) == signs_in, fetched.stderr
    git("update-ref", "refs/remotes/origin/main", before, cwd=mine)
    return askpass.prompts()


def test_core_askpass_signs_a_cli_sync_in_as_it_signs_git_fetch_in(
    http_auth_server: HttpRemote,
    signed: Registered,
    helper: Helper,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user, bare, work, mine = signed.user, signed.bare, signed.work, signed.mine
    askpass = Askpass(tmp_path / "askpass", user, signed.password)
    git("config", "--global", "core.askPass", str(askpass.path))
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    asked_by_git = git_fetch_prompts(askpass, mine)
    assert asked_by_git == [
        f"Username for 'http://127.0.0.1:{http_auth_server.port}': ",
        f"Password for 'http://{user}@127.0.0.1:{http_auth_server.port}': ",
    ]
    helper.reset()
    (helper.state / "store.json").unlink()  # git's approve stored it: the sync must ask again

    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    assert askpass.prompts() == asked_by_git  # asked once: the push signed in with the helper's
    assert helper.actions()[:2] == ["get", "store"]  # git's approve, as after git's prompt
    assert memory_keyring.secrets == {}  # the program's answer stays the program's


def test_git_askpass_comes_before_core_askpass_and_a_refused_answer_is_final(
    signed: Registered,
    helper: Helper,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = signed.mine
    configured = Askpass(tmp_path / "configured", signed.user, signed.password)
    wrong = Askpass(tmp_path / "wrong", signed.user, WRONG)
    git("config", "--global", "core.askPass", str(configured.path))
    monkeypatch.setenv("GIT_ASKPASS", str(wrong.path))
    asked_by_git = git_fetch_prompts(wrong, mine, signs_in=False)  # asked once, then refused
    assert len(asked_by_git) == 2 and configured.prompts() == []
    helper.reset()
    before = git("rev-parse", "origin/main", cwd=mine)

    report = sync(capsys)
    assert (report["exit"], report["result"]) == (1, "auth_failed"), report
    message = str(report["message"])
    assert (
        f"refused the credentials (from askpass program '{wrong.path}')" in message and WRONG not in message
    )
    assert wrong.prompts() == asked_by_git and configured.prompts() == []
    assert helper.actions() == ["get", "erase"]  # git's reject
    assert git("rev-parse", "origin/main", cwd=mine) == before


def test_a_background_fetch_never_runs_the_askpass_program(
    signed: Registered, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare, mine = signed.bare, signed.mine
    askpass = Askpass(tmp_path / "askpass", signed.user, signed.password)
    monkeypatch.setenv("GIT_ASKPASS", str(askpass.path))
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed):
        fetch_remote(repo, "origin", signer=Signer(Credentials()), timeout=10)
    assert askpass.prompts() == []
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin", signer=Signer(Credentials(), askpass=True), timeout=10)
    assert len(askpass.prompts()) == 2  # a job the user started runs it
    assert git("rev-parse", "origin/main", cwd=mine) == git("rev-parse", "main", cwd=bare)


def on_a_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """`args` run with a terminal for stdin, stdout and stderr (a pty), typing nothing:
    what they printed. One that waits at a prompt is killed after `TERMINAL_SECONDS`."""
    leader, follower = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    terminal = {"stdin": follower, "stdout": follower, "stderr": follower}
    try:
        proc = subprocess.Popen(args, cwd=cwd, env=environment, **terminal)
    finally:
        os.close(follower)
    output, deadline = b"", time.monotonic() + TERMINAL_SECONDS
    try:
        while (left := deadline - time.monotonic()) > 0 and select.select([leader], [], [], left)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            output += chunk
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)
    return output.decode("utf-8", "replace")


def test_git_terminal_prompt_0_asks_nothing_on_the_terminal_as_git_asks_nothing(
    signed: Registered, tmp_path: Path
) -> None:
    said_by_git = on_a_terminal(["git", "fetch", "origin"], signed.mine, GIT_TERMINAL_PROMPT="0")
    assert "terminal prompts disabled" in said_by_git, said_by_git
    before = git("rev-parse", "origin/main", cwd=signed.mine)
    cli = [sys.executable, "-m", "core.cli", "sync", "mine"]
    said = on_a_terminal(cli, tmp_path, GIT_TERMINAL_PROMPT="0", GITFERRY_IN_PROCESS="1")
    assert "auth_failed" in said and "Username for" not in said, said
    assert git("rev-parse", "origin/main", cwd=signed.mine) == before
