"""SSH as the user's ssh has it: the test sshd on loopback, the user's `~/.ssh/config` and
known_hosts in the scratch HOME, keys with and without a passphrase, an `ssh-agent`.

What ssh asks goes to Gitferry's askpass: an unknown host key is never accepted
without the user (the CLI names its fingerprint, `ssh-keygen -lf` as referee, and
`gitferry trust-host` accepts exactly that one, ssh writing known_hosts); a changed
key is refused and known_hosts left as it was; a key's passphrase is asked through
the client's prompt once a session; an agent's key asks nothing; the ssh program is
the one git would run (`core.sshCommand`, `GIT_SSH_COMMAND`, a wrapper that logs)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.credentials import Credentials
from core.git.transfer.errors import AuthFailed, SignInNeeded
from core.git.transfer.fetch import fetch_remote
from core.git.transfer.signer import Signer, SshPassphrases
from core.git.transfer.ssh_questions import (
    HostKeyChanged,
    HostKeyChangedNotice,
    HostKeyQuestion,
    HostKeyUnknown,
    PassphraseQuestion,
    SshQuestion,
)
from tests.gitcli import git
from tests.integration.clones import run
from tests.servers import Remote
from tests.servers.ssh import SshServer
from tests.ssh_home import PASSPHRASE, Agent, SshHome, fingerprint, keygen

pytestmark = [pytest.mark.sshd, pytest.mark.slow]


@pytest.fixture
def ssh_home(sshd_process: SshServer, sshd_server: Remote) -> SshHome:
    return SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]))


class Recorder:
    """The client's prompt: every question kept; host keys and passphrases answered as told."""

    def __init__(self, host_key: bool = False, passphrase: str | None = None) -> None:
        self.questions: list[SshQuestion] = []
        self.host_key = host_key
        self.passphrase = passphrase

    def __call__(self, question: SshQuestion) -> str | None:
        self.questions.append(question)
        if isinstance(question, HostKeyQuestion):
            return question.fingerprint if self.host_key else None
        if isinstance(question, PassphraseQuestion):
            return self.passphrase
        return None


def fetch(mine: Path, prompt: Recorder | None, passphrases: SshPassphrases | None = None) -> None:
    with Repo(str(mine)) as repo:
        fetch_remote(
            repo,
            "origin",
            signer=Signer(Credentials(), passphrases=passphrases, ssh_prompt=prompt),
            timeout=20,
        )


def test_an_unknown_host_key_is_named_with_its_fingerprint_and_trust_host_accepts_only_it(
    ssh_home: SshHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bare, mine = ssh_home.seeded_clone(tmp_path)
    expected = ssh_home.host_fingerprint
    assert run(capsys, "add", str(mine))[0] == 0
    code, doc, _err = run(capsys, "sync", "--json")
    report = doc["repos"][0]
    assert (code, report["result"]) == (1, "error"), report
    message = report["message"]
    assert f"unknown ssh host key for {ssh_home.host_name} (ED25519 {expected})" in message
    url = ssh_home.remote.url("origin")
    assert f"gitferry trust-host {url} {expected}" in message and "\n" not in message
    assert ssh_home.known() == b""

    other = fingerprint(keygen(tmp_path / "other").with_suffix(".pub"))
    code, _out, err = run(capsys, "trust-host", url, other)
    assert code == 1 and f"sent the ED25519 key {expected}, not {other}" in err and err.count("\n") == 1
    assert ssh_home.known() == b""

    code, out, err = run(capsys, "trust-host", url, expected)
    assert (code, err) == (0, ""), err
    assert (
        out.strip() == f"accepted {ssh_home.host_name}'s ED25519 key {expected}: ssh wrote it to known_hosts"
    )
    lines = ssh_home.known().decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("|1|"), lines  # hashed: HashKnownHosts yes
    found = subprocess.run(
        ["ssh-keygen", "-F", ssh_home.host_name, "-f", str(ssh_home.known_hosts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0 and "ssh-ed25519" in found.stdout
    checked = ssh_home.plain_ssh("-o", "StrictHostKeyChecking=yes")
    assert checked.returncode == 0, checked.stderr
    assert (
        run(capsys, "trust-host", url, expected)[1]
        .strip()
        .endswith("ssh knew its host key already; nothing written")
    )
    code, doc, _err = run(capsys, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc


def test_trust_host_takes_a_registered_repositorys_name(
    ssh_home: SshHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failed sync names the URL; the repository's name does as well: the host its ssh
    remote reaches under its own git settings (here an `insteadOf` only it has)."""
    _bare, mine = ssh_home.seeded_clone(tmp_path)
    git("config", f"url.{ssh_home.remote.url('origin')}.insteadOf", "team:notes", cwd=mine)
    git("remote", "set-url", "origin", "team:notes", cwd=mine)  # without the rewrite: a host "team"
    git("remote", "add", "backup", str(tmp_path / "work"), cwd=mine)  # a folder: no host key
    assert run(capsys, "add", str(mine), "--name", "notes")[0] == 0
    assert run(capsys, "add", str(tmp_path / "work"), "--name", "local")[0] == 0
    expected = ssh_home.host_fingerprint
    other = fingerprint(keygen(tmp_path / "other").with_suffix(".pub"))

    code, _out, err = run(capsys, "trust-host", "notes", other)
    assert (
        code == 1
        and err
        == f"gitferry: {ssh_home.host_name} sent the ED25519 key {expected}, not {other}: nothing accepted\n"
    )
    assert ssh_home.known() == b""
    for target, said in (
        ("local", "local has no ssh remote: only ssh has host keys to accept"),
        ("nowhere", "nowhere is neither a registered repository nor an ssh address"),
    ):
        code, _out, err = run(capsys, "trust-host", target, expected)
        assert code == 2 and err == f"gitferry: {said}\n", err

    code, out, err = run(capsys, "trust-host", "notes", expected)
    assert (code, err) == (
        0,
        "",
    ) and out == f"accepted {ssh_home.host_name}'s ED25519 key {expected}: ssh wrote it to known_hosts\n"
    assert ssh_home.plain_ssh("-o", "StrictHostKeyChecking=yes").returncode == 0  # ssh, the referee
    code, doc, _err = run(capsys, "sync", "notes", "--json")
    assert (code, doc["repos"][0]["result"]) == (0, "ok"), doc  # origin over ssh, and backup


def test_a_path_the_server_has_no_repository_at_is_said_as_for_http(
    ssh_home: SshHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not git-upload-pack's "fatal: '...' does not appear to be a git repository"."""
    ssh_home.trust_server()
    missing = ssh_home.remote.url("missing")
    code, _out, err = run(capsys, "clone", missing, str(tmp_path / "clone"))
    assert (code, err.strip()) == (1, f"gitferry: no git repository at {missing}"), err  # the URL once
    assert "fatal" not in err and not (tmp_path / "clone").exists()


def test_a_changed_host_key_is_refused_with_a_warning_and_known_hosts_kept(
    ssh_home: SshHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bare, mine = ssh_home.seeded_clone(tmp_path)
    impostor = keygen(tmp_path / "impostor").with_suffix(".pub").read_text().split()
    ssh_home.known_hosts.write_text(f"{ssh_home.host_name} {impostor[0]} {impostor[1]}\n")
    before = ssh_home.known()
    prompt = Recorder(host_key=True)  # a user who would accept anything is never asked
    with pytest.raises(HostKeyChanged) as refused:
        fetch(mine, prompt)
    assert [type(q) for q in prompt.questions] == [HostKeyChangedNotice]
    notice = prompt.questions[0]
    assert isinstance(notice, HostKeyChangedNotice)
    assert (notice.host, notice.fingerprint) == (ssh_home.host_name, ssh_home.host_fingerprint)
    assert notice.known_hosts == str(ssh_home.known_hosts)
    assert "has CHANGED" in refused.value.message and ssh_home.host_fingerprint in refused.value.message
    assert run(capsys, "add", str(mine))[0] == 0
    code, doc, _err = run(capsys, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (1, "error") and "CHANGED" in doc["repos"][0]["message"]
    assert ssh_home.known() == before


def test_the_prompt_accepts_a_host_key_in_the_same_connection(ssh_home: SshHome, tmp_path: Path) -> None:
    _bare, mine = ssh_home.seeded_clone(tmp_path)
    prompt = Recorder(host_key=False)
    with pytest.raises(HostKeyUnknown):
        fetch(mine, prompt)
    assert ssh_home.known() == b""
    prompt = Recorder(host_key=True)
    fetch(mine, prompt)
    assert prompt.questions == [
        HostKeyQuestion("origin", ssh_home.host_name, "ED25519", ssh_home.host_fingerprint)
    ]
    assert ssh_home.plain_ssh("-o", "StrictHostKeyChecking=yes").returncode == 0


def test_a_server_that_gave_up_while_the_user_read_the_fingerprint_is_asked_again(
    tmp_path: Path,
) -> None:
    """sshd drops a client that has not logged in within its LoginGraceTime (2 s here); the
    user took longer to accept the key. ssh wrote it to known_hosts before the server left,
    so the transfer starts ssh once more, which now knows the key: one question, a fetch
    that works."""
    with SshServer(tmp_path / "remotes", login_grace=2) as server:
        remote = Remote("ssh", server.host.child("slow-user"), port=server.port)
        home = SshHome.make(server, remote, Path(os.environ["HOME"]))
        _bare, mine = home.seeded_clone(tmp_path)

        class Slow(Recorder):
            def __call__(self, question: SshQuestion) -> str | None:
                time.sleep(4)  # reading the fingerprint, past the server's patience
                return super().__call__(question)

        prompt = Slow(host_key=True)
        fetch(mine, prompt)
        assert [type(q) for q in prompt.questions] == [HostKeyQuestion]
        log = server.log.read_text()
        ssh_connections = log.count("Connection from") - log.count(
            "kex_exchange_identification"
        )  # port probe
        assert (ssh_connections, log.count("Accepted publickey")) == (2, 1), log  # dropped, then again
        assert home.plain_ssh("-o", "StrictHostKeyChecking=yes").returncode == 0


def test_a_passphrase_is_asked_once_a_session_and_an_agent_asks_nothing(
    sshd_process: SshServer, sshd_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]), passphrase=PASSPHRASE)
    home.trust_server()
    _bare, mine = home.seeded_clone(tmp_path)
    passphrases = SshPassphrases()
    with pytest.raises(AuthFailed) as refused:  # nobody to ask
        fetch(mine, None, passphrases)
    assert f"the key {home.key} needs its passphrase" in refused.value.message
    assert isinstance(refused.value, SignInNeeded)  # the user's to give: the breaker does not count it
    prompt = Recorder(passphrase="wrong")
    with pytest.raises(AuthFailed):
        fetch(mine, prompt, passphrases)
    where = {"url": git("config", "remote.origin.url", cwd=mine), "host": f"127.0.0.1:{sshd_server.port}"}
    first, again = (
        PassphraseQuestion("origin", str(home.key), **where),
        PassphraseQuestion("origin", str(home.key), True, **where),
    )
    assert prompt.questions == [first, again, again]  # ssh's three tries, the last two said as such
    prompt = Recorder(passphrase=PASSPHRASE)
    fetch(mine, prompt, passphrases)
    fetch(mine, prompt, passphrases)  # the second from the session's memory
    assert prompt.questions == [again]  # the last wrong one, kept, was tried first: said so
    fetch(mine, None, passphrases)  # a background fetch: the same memory, nobody asked

    assert run(capsys, "add", str(mine))[0] == 0
    code, doc, _err = run(capsys, "sync", "--json")  # a new process's session, no terminal
    report = doc["repos"][0]
    assert (code, report["result"]) == (1, "auth_failed") and "needs its passphrase" in report["message"]
    assert "\n" not in report["message"]

    agent = Agent(tmp_path)
    try:
        agent.add(home.key, PASSPHRASE, tmp_path)
        os.environ["SSH_AUTH_SOCK"] = str(agent.socket)  # the conftest's clean_env drops it after
        prompt = Recorder()
        fetch(mine, prompt, SshPassphrases())
        assert prompt.questions == []
        code, doc, _err = run(capsys, "sync", "--json")
        assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc
        code, doc, _err = run(capsys, "show", "mine", "--json")
        assert code == 0
    finally:
        agent.stop()


def wrapper(tmp_path: Path, name: str, ssh: str = "ssh") -> tuple[Path, Path]:
    """An ssh wrapper that logs its arguments, one call a line, then runs `ssh`."""
    log = tmp_path / f"{name}.log"
    script = tmp_path / name
    script.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(log))}\nexec {ssh} "$@"\n')
    script.chmod(0o755)
    return script, log


def test_core_sshcommand_and_git_ssh_command_are_run_as_git_runs_them(
    ssh_home: SshHome, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ssh_home.trust_server()
    _bare, mine = ssh_home.seeded_clone(tmp_path)
    configured, configured_log = wrapper(tmp_path, "configured-ssh")
    config = shlex.quote(str(ssh_home.config))
    git("config", "core.sshCommand", f"{configured} -F {config}", cwd=mine)
    assert run(capsys, "add", str(mine))[0] == 0
    code, doc, _err = run(capsys, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc
    calls = configured_log.read_text().splitlines()
    port = ssh_home.server.port
    path = ssh_home.remote.bare_path("origin")
    # A program git cannot name: `-G` first, as git's VARIANT_AUTO does, then OpenSSH's options.
    assert calls[0] == f"-F {ssh_home.config} -G -p {port} {ssh_home.server.user}@127.0.0.1"
    # (a fetch following tags asks for protocol v0: then no GIT_PROTOCOL to send)
    started = rf"-F {ssh_home.config} (-o SendEnv=GIT_PROTOCOL )?-p {port} -o ConnectTimeout="
    assert re.match(started, calls[1]), calls[1]
    assert calls[1].endswith(f"{ssh_home.server.user}@127.0.0.1 git-upload-pack '{path}'")

    overriding, overriding_log = wrapper(tmp_path, "env-ssh")
    monkeypatch.setenv("GIT_SSH_COMMAND", f"{overriding} -F {config}")
    code, doc, _err = run(capsys, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc
    assert len(configured_log.read_text().splitlines()) == len(calls)  # GIT_SSH_COMMAND wins
    assert overriding_log.read_text().splitlines()[-1].endswith(f"git-upload-pack '{path}'")

    # GIT_SSH: a program without arguments, after both (git's order)
    program, program_log = wrapper(tmp_path, "program-ssh", f"ssh -F {config}")
    monkeypatch.setenv("GIT_SSH", str(program))
    assert run(capsys, "sync", "--json")[1]["repos"][0]["result"] == "up_to_date"
    assert not program_log.exists()  # GIT_SSH_COMMAND still wins
    monkeypatch.delenv("GIT_SSH_COMMAND")
    assert run(capsys, "sync", "--json")[1]["repos"][0]["result"] == "up_to_date"
    assert not program_log.exists()  # and core.sshCommand
    git("config", "--unset", "core.sshCommand", cwd=mine)
    git("config", "--global", "--unset", "core.sshCommand")
    code, doc, _err = run(capsys, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc
    assert program_log.read_text().splitlines()[-1].endswith(f"git-upload-pack '{path}'")


def test_the_settings_say_where_an_ssh_remotes_sign_in_comes_from(
    sshd_process: SshServer, sshd_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.git.transfer.sign_in import describe_credential

    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]), passphrase=PASSPHRASE)
    url = sshd_server.url("origin")
    with Repo.init(str(tmp_path / "r"), mkdir=True) as repo:
        config = repo.get_config_stack()
        via = f"ssh through core.sshCommand (ssh -F {home.config})"
        described = describe_credential(url, config, None).english()
        assert described == f"{via}: key file {home.key} (passphrase: asked once a session)"
        agent = Agent(tmp_path)
        try:
            agent.add(home.key, PASSPHRASE, tmp_path)
            os.environ["SSH_AUTH_SOCK"] = str(agent.socket)
            described = describe_credential(url, config, None).english()
            key = f"key file {home.key} (passphrase: asked once a session)"
            assert described == f"{via}: the SSH agent (1 key), then {key}"
        finally:
            agent.stop()
