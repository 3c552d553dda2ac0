"""No secret leaks: smart HTTP with Basic auth, a wrong and a right password.

A wrong secret ends `auth_failed` and is saved nowhere; the right one is saved
in the keyring and only there. Then every place a secret could leak to is
scanned for both, in every form it could take (as typed, URL-quoted, inside a
Basic `Authorization` header): the desktop app's and the CLI's logs at DEBUG,
the activity log, the status store with its -wal/-shm (also copied while a sync
runs), everything under `.git`, every message and `--json` output, and the
command lines of a running sync and of any process it starts.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import pytest

from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import run, type_lines
from tests.integration.test_fetch import local_clone, seed
from tests.memory_keyring import MemoryKeyring
from tests.servers.remote import HttpRemote, Remote
from tests.servers.ssh import SshServer

ROOT = Path(__file__).resolve().parents[2]
WRONG = "wr0ng-Secret:7@x"
# The keyring lives in the test process: the child gets a copy on stdin, so nothing
# about the secret is on its command line unless Gitferry put it there.
CHILD = (
    "import json, logging, sys, keyring\n"
    "from tests.memory_keyring import MemoryKeyring\n"
    "backend = MemoryKeyring()\n"
    "backend.secrets = {tuple(k): v for k, v in json.loads(sys.stdin.readline())}\n"
    "keyring.set_keyring(backend)\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
    "from core.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def forms(user: str, secret: str) -> list[bytes]:
    """Every shape a secret takes on its way out: typed, URL-quoted, JSON-escaped, Basic auth."""
    basic = base64.b64encode(f"{user}:{secret}".encode())
    return [secret.encode(), quote(secret, safe="").encode(), json.dumps(secret)[1:-1].encode(), basic]


@dataclass
class Evidence:
    """Everything collected that a secret must not be in, by where it came from."""

    items: list[tuple[str, bytes]] = field(default_factory=list)

    def text(self, where: str, text: str) -> None:
        self.items.append((where, text.encode()))

    def files(self, *roots: Path) -> None:
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    self.items.append((str(path), path.read_bytes()))

    def where(self, needles: list[bytes]) -> list[str]:
        return [where for where, data in self.items if any(n in data for n in needles)]


@pytest.fixture
def home() -> Path:
    return Path(os.environ["GITFERRY_HOME"])


@pytest.fixture
def debug_logs(home: Path) -> Iterator[Path]:
    """The desktop app's `gitferry.log` at DEBUG, as `gui.app.configure_logging` sets it up."""
    from gui.app import configure_logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    configure_logging(home, verbose=True)
    # The CLI run in this process replaces a handler of the same name with its own
    # errors-only one; renamed, the app's DEBUG handler stays beside it, as if the
    # desktop app were logging to the same file.
    for handler in list(root.handlers):
        if handler not in before and handler.get_name() == "gitferry-file":
            handler.set_name("desktop-app-file")
    yield home / "gitferry.log"
    for handler in list(root.handlers):
        if handler not in before:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def evidence() -> Evidence:
    return Evidence()


def cli(capsys: pytest.CaptureFixture[str], evidence: Evidence, *args: str) -> tuple[int, Any, str]:
    """The CLI in-process; its stdout and stderr are kept as evidence."""
    code, out, err = run(capsys, *args)
    where = f"gitferry {args[0]} (call {len(evidence.items) // 2})"  # the args hold secrets
    evidence.text(f"{where}: stdout", out if isinstance(out, str) else json.dumps(out))
    evidence.text(f"{where}: stderr", err)
    return code, out, err


def set_credentials(
    capsys: pytest.CaptureFixture[str],
    evidence: Evidence,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
    secret: str,
) -> tuple[int, str]:
    type_lines(monkeypatch, user, secret)
    code, _out, err = cli(capsys, evidence, "credentials", "set", "mine", "origin")
    return code, err


def seeded(server: HttpRemote, tmp_path: Path) -> tuple[Path, Path]:
    """The auth server's `origin` with one commit, and a clone `mine` that fetches it over HTTP."""
    bare, _work = seed(server, tmp_path)
    return bare, local_clone(server, bare, tmp_path, "mine")


@pytest.mark.slow
def test_a_wrong_secret_is_refused_and_no_secret_leaks_anywhere(
    http_auth_server: HttpRemote,
    tmp_path: Path,
    home: Path,
    debug_logs: Path,
    evidence: Evidence,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, right = http_auth_server.auth or ("", "")
    bare, mine = seeded(http_auth_server, tmp_path)
    config_before = (mine / ".git" / "config").read_bytes()
    assert cli(capsys, evidence, "add", str(mine))[0] == 0

    code, err = set_credentials(capsys, evidence, monkeypatch, user, WRONG)
    assert code == 1 and "refused the credentials" in err and err.count("\n") == 1, err
    wrong_url = http_auth_server.url_with_credentials("origin", (user, WRONG))
    code, _out, err = cli(capsys, evidence, "remote", "set-url", "mine", "origin", wrong_url)
    assert code == 1 and "refused the credentials" in err, err
    code, _out, err = cli(capsys, evidence, "clone", wrong_url, str(tmp_path / "wrong-clone"))
    assert code == 1 and not (tmp_path / "wrong-clone").exists(), err
    code, doc, _err = cli(capsys, evidence, "sync", "--json")
    assert (code, doc["repos"][0]["result"]) == (1, "auth_failed")
    assert memory_keyring.secrets == {}
    assert (mine / ".git" / "config").read_bytes() == config_before

    assert set_credentials(capsys, evidence, monkeypatch, user, right) == (0, "")
    assert [right in blob and WRONG not in blob for blob in memory_keyring.secrets.values()] == [True]
    theirs = commit_in_bare(bare, tmp_path / "theirs")
    commit_file(mine, "b.txt", "mine\n")
    code, report = sync_in_child(mine, home, memory_keyring, evidence)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""

    right_url = http_auth_server.url_with_credentials("origin")
    code, _out, err = cli(capsys, evidence, "remote", "add", "mine", "mirror", right_url)
    assert code == 0, err
    assert cli(capsys, evidence, "clone", right_url, str(tmp_path / "cloned"))[0] == 0
    missing = http_auth_server.url_with_credentials("missing")
    assert cli(capsys, evidence, "remote", "add", "mine", "gone", missing)[0] == 1  # probed: 404
    git("remote", "add", "gone", http_auth_server.url("missing"), cwd=mine)
    code, doc, _err = cli(capsys, evidence, "sync", "--json")
    reports = {report["name"]: report for report in doc["repos"]}
    assert (code, reports["mine"]["result"], reports["cloned"]["result"]) == (1, "auth_failed", "up_to_date")
    assert reports["mine"]["message"].startswith("gone: "), reports["mine"]
    for command in (["show", "mine", "--json"], ["log", "--json"], ["status", "--json"], ["list", "--json"]):
        assert cli(capsys, evidence, *command)[0] == 0
    fsck(mine)

    assert debug_logs.stat().st_size > 0 and len(memory_keyring.secrets) == 1
    sources = [where for where, _data in evidence.items]
    assert any(w.endswith("-wal (while syncing)") for w in sources), "no WAL seen while syncing"
    assert any(w.endswith("/cmdline") for w in sources)
    evidence.files(home, mine / ".git", tmp_path / "cloned" / ".git")
    for secret in (WRONG, right):
        assert evidence.where(forms(user, secret)) == [], secret


def commit_in_bare(bare: Path, scratch: Path) -> str:
    """A commit of a few incompressible megabytes pushed straight into the bare repository,
    so the fetch over HTTP lasts long enough to be watched."""
    git("clone", "-q", str(bare), str(scratch))
    (scratch / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    git("add", "big.bin", cwd=scratch)
    git("commit", "-q", "-m", "theirs", cwd=scratch)
    git("push", "-q", "origin", "main", cwd=scratch)
    return git("rev-parse", "HEAD", cwd=scratch)


def sync_in_child(
    repo: Path, home: Path, keyring_backend: MemoryKeyring, evidence: Evidence
) -> tuple[int, dict[str, Any]]:
    """`gitferry sync mine --json` in a child process, logging at DEBUG to stderr. While it
    runs, the command lines of it and its descendants and the bytes of every file in
    GITFERRY_HOME (the store's -wal and -shm exist only meanwhile) are collected."""
    out_path, err_path = repo.parent / "child.out", repo.parent / "child.err"
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, "sync", "mine", "--json"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=out_file,
            stderr=err_file,
            text=True,
        )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps([[list(k), v] for k, v in keyring_backend.secrets.items()]) + "\n")
    proc.stdin.close()
    try:
        during_sync = watch(proc, repo / ".git" / "gitferry" / "sync.lock", home, evidence)
    finally:
        proc.kill()
        proc.wait(10)
    out, err = out_path.read_text(), err_path.read_text()
    evidence.text("child sync: stdout", out)
    evidence.text("child sync: stderr", err)
    assert during_sync >= 3, f"only {during_sync} samples while the sync held its lock"
    assert "DEBUG" in err, "the child did not log at DEBUG"
    return proc.returncode, json.loads(out)["repos"][0]


def watch(proc: subprocess.Popen[str], lock: Path, home: Path, evidence: Evidence) -> int:
    """Sample until `proc` ends; returns how many samples fell while it held the sync lock."""
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    during_sync = 0
    while proc.poll() is None and time.monotonic() < deadline:
        holding = lock.exists()
        for process in [parent, *_children(parent)]:
            with _gone_is_fine():
                cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
                evidence.items.append((f"/proc/{process.pid}/cmdline", cmdline))
        for path in home.glob("status*"):
            with _gone_is_fine():
                evidence.items.append((f"{path} (while syncing)", path.read_bytes()))
        during_sync += holding and lock.exists()
        time.sleep(0.005)
    return during_sync


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class _gone_is_fine:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> bool:
        return kind is not None and issubclass(kind, (FileNotFoundError, ProcessLookupError, psutil.Error))


def test_a_password_written_into_git_config_by_hand_is_never_repeated(
    http_auth_server: HttpRemote,
    refused_port: int,
    tmp_path: Path,
    home: Path,
    debug_logs: Path,
    evidence: Evidence,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The user's own git put `user:password@` into the remote's URL: Gitferry uses it, and
    repeats it nowhere (store, logs, messages, output)."""
    user, right = http_auth_server.auth or ("", "")
    _bare, mine = seeded(http_auth_server, tmp_path)
    git("remote", "set-url", "origin", http_auth_server.url_with_credentials("origin"), cwd=mine)
    for name, url in (
        ("gone", http_auth_server.url_with_credentials("missing")),
        ("down", f"http://{user}:{quote(right, safe='')}@127.0.0.1:{refused_port}/x.git"),
    ):
        git("remote", "add", name, url, cwd=mine)
    assert cli(capsys, evidence, "add", str(mine))[0] == 0
    code, doc, _err = cli(capsys, evidence, "sync", "--json")
    report = doc["repos"][0]
    assert code == 1 and report["result"] in ("error", "offline"), report
    assert cli(capsys, evidence, "sync", "--json", "--fetch-only")[0] == 1
    for command in (["show", "mine", "--json"], ["show", "mine"], ["log", "--json"], ["status", "--json"]):
        assert cli(capsys, evidence, *command)[0] == 0
    evidence.files(home)
    assert evidence.where(forms(user, right)) == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://alice:{secret}@example.invalid/x.git",
        "file://alice:{secret}@example.invalid/x.git",
        "1http://alice:{secret}@example.invalid/x.git",
        "http://alice:{secret}@example.invalid/x.git ",
        "http://alice:{secret}@/x.git",
        "git://alice:{secret}@example.invalid/x.git",
        "alice:{secret}@example.invalid:x.git",
    ],
)
def test_a_malformed_url_with_a_password_is_refused_without_repeating_it(
    url: str, tmp_path: Path, evidence: Evidence, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Tiger-Lily-9"
    repo = tmp_path / "mine"
    git("init", "-q", str(repo))
    assert cli(capsys, evidence, "add", str(repo))[0] == 0
    typed = url.format(secret=secret)
    code, out, err = cli(capsys, evidence, "remote", "add", "mine", "origin", typed)
    assert code == 2 and out == "" and err.startswith("gitferry: ") and err.count("\n") == 1, (code, err)
    code, out, err = cli(capsys, evidence, "clone", typed, str(tmp_path / "clone"))
    assert code == 2 and err.count("\n") == 1, (code, err)
    evidence.files(repo / ".git", Path(os.environ["GITFERRY_HOME"]))
    assert evidence.where(forms("alice", secret)) == []


def test_a_locked_keyring_is_named_never_taken_for_missing_credentials(
    http_auth_server: HttpRemote,
    tmp_path: Path,
    evidence: Evidence,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, right = http_auth_server.auth or ("", "")
    _bare, mine = seeded(http_auth_server, tmp_path)
    assert cli(capsys, evidence, "add", str(mine))[0] == 0
    assert set_credentials(capsys, evidence, monkeypatch, user, right) == (0, "")
    memory_keyring.locked = True
    code, doc, _err = cli(capsys, evidence, "sync", "--json")
    report = doc["repos"][0]
    assert (code, report["result"]) == (1, "auth_failed"), report
    assert "keyring is locked" in report["message"] and "none are stored" not in report["message"]
    code, err = set_credentials(capsys, evidence, monkeypatch, user, right)
    assert code == 1 and "keyring is locked" in err and err.count("\n") == 1, err
    assert evidence.where(forms(user, right)) == []


PROXY_SECRET = "Pr0xy-Secret;42"
HEADER_SECRET = "hdr-T0ken-77"


def test_helpers_prompts_proxies_and_headers_leak_no_secret(
    http_auth_server: HttpRemote,
    tmp_path: Path,
    home: Path,
    debug_logs: Path,
    evidence: Evidence,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every new way a secret travels: a credential helper's answer (accepted: `store`;
    refused: `erase`), a secret typed at the sign-in prompt, a proxy's password in
    `http.proxy`, a token in `http.extraHeader`. None is in the logs at DEBUG, the store,
    the activity log, `.git`, any output, or a helper's command line or environment (the
    helper gets its secret on stdin only)."""
    from dulwich.repo import Repo

    from core.credentials import Credentials
    from core.git.transfer.fetch import fetch_remote
    from core.git.transfer.signer import Signer, SignInRequest
    from core.remote_url import HttpAuth
    from tests.integration.test_sign_in import Helper
    from tests.servers.proxy import ForwardProxy

    user, right = http_auth_server.auth or ("", "")
    _bare, mine = seeded(http_auth_server, tmp_path)
    assert cli(capsys, evidence, "add", str(mine))[0] == 0
    helper = Helper(tmp_path / "helper")
    git("config", "--global", "credential.helper", helper.command)
    git("config", "--global", "http.extraHeader", f"X-Token: {HEADER_SECRET}")
    with ForwardProxy(tmp_path / "proxy.log", credentials=("proxyuser", PROXY_SECRET)) as proxy:
        proxy_url = f"http://proxyuser:{quote(PROXY_SECRET, safe='')}@127.0.0.1:{proxy.port}"
        git("config", "--global", "http.proxy", proxy_url)
        helper.answer(user, WRONG)
        code, doc, _err = cli(capsys, evidence, "sync", "--json", "--verbose")
        assert (code, doc["repos"][0]["result"]) == (1, "auth_failed"), doc
        assert helper.actions() == ["get", "erase"], doc
        helper.reset()
        helper.answer(user, right)
        code, doc, err = cli(capsys, evidence, "sync", "--json", "--verbose")
        assert "DEBUG" in err and "credential helper" in err  # logged at DEBUG, and looked at
        assert (code, doc["repos"][0]["result"]) == (0, "up_to_date"), doc
        assert helper.actions() == ["get", "store"] and memory_keyring.secrets == {}
        assert len(proxy.log) >= 2  # it all went through the proxy, which checked its password
        git("config", "--global", "--unset", "credential.helper")

        def typed(_request: SignInRequest) -> HttpAuth:
            return HttpAuth(user, right)

        with Repo(str(mine)) as repo:
            fetch_remote(repo, "origin", signer=Signer(Credentials(), typed), timeout=10)
        assert [right in blob for blob in memory_keyring.secrets.values()] == [True]
        for command in (["status", "--json"], ["log", "--json"], ["show", "mine", "--json"]):
            assert cli(capsys, evidence, *command)[0] == 0
    for call in helper.calls():
        assert call["secret_in_env"] is False
        evidence.text("helper command line", " ".join(map(str, call["argv"])))
    evidence.text("helper environment", json.dumps(dict(os.environ)))
    evidence.files(home, mine / ".git")
    for secret in (WRONG, right):
        assert evidence.where(forms(user, secret)) == [], secret
    assert evidence.where(forms("proxyuser", PROXY_SECRET)) == []
    assert evidence.where([HEADER_SECRET.encode()]) == []


@pytest.mark.sshd
@pytest.mark.slow
def test_an_ssh_key_passphrase_is_kept_nowhere(
    sshd_process: SshServer,
    sshd_server: Remote,
    tmp_path: Path,
    home: Path,
    debug_logs: Path,
    evidence: Evidence,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A key's passphrase typed at the app's prompt: two syncs, asked once. It is in no
    log at DEBUG, the store, the activity log, `.git`, `~/.ssh`, Gitferry's askpass
    directory, any output, or the command line or environment of any process started
    meanwhile (ssh, the askpass helper): it goes from the prompt over the askpass's
    socket to the helper's stdout, which is ssh's pipe."""
    import asyncio

    from core.engine.core import Core
    from core.engine.sync import SyncOptions, sync_repository
    from core.git.transfer.askpass import askpass_server
    from core.git.transfer.ssh_questions import PassphraseQuestion, SshQuestion
    from tests.ssh_home import PASSPHRASE, SshHome

    ssh = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]), passphrase=PASSPHRASE)
    ssh.trust_server()
    _bare, mine = ssh.seeded_clone(tmp_path)
    commit_file(mine, "b.txt", "mine\n")
    assert cli(capsys, evidence, "add", str(mine))[0] == 0
    asked: list[SshQuestion] = []
    me = psutil.Process()

    def processes(where: str) -> None:
        for process in _children(me):
            with _gone_is_fine():
                evidence.items.append(
                    (f"{where}: /proc/{process.pid}/cmdline", process_file(process, "cmdline"))
                )
                evidence.items.append(
                    (f"{where}: /proc/{process.pid}/environ", process_file(process, "environ"))
                )

    def prompt(question: SshQuestion) -> str | None:
        asked.append(question)
        processes("while asked")  # ssh and the askpass helper wait for this answer
        return PASSPHRASE if isinstance(question, PassphraseQuestion) else None

    async def two_syncs() -> list[str]:
        core = await Core.open()
        core.ssh_prompt = prompt
        try:
            record = await core.store.repo("mine")
            results = []
            for _ in range(2):
                report = await sync_repository(core, record, SyncOptions(ask=True))
                results.append(str(report.result))
                processes("after a sync")
            return results
        finally:
            await core.close()

    assert asyncio.run(two_syncs()) == ["ok", "up_to_date"]
    assert [type(q) for q in asked] == [PassphraseQuestion]
    assert any("askpass_helper" in data.decode(errors="replace") for _w, data in evidence.items), (
        "no helper seen"
    )
    for command in (["status", "--json"], ["log", "--json"], ["show", "mine", "--json"]):
        assert cli(capsys, evidence, *command)[0] == 0
    server = askpass_server()
    assert server is not None
    evidence.text("this process's environment", json.dumps(dict(os.environ)))
    evidence.files(home, mine / ".git", ssh.ssh_dir, server.directory)
    assert debug_logs.stat().st_size > 0
    secret = [PASSPHRASE.encode(), quote(PASSPHRASE, safe="").encode(), json.dumps(PASSPHRASE)[1:-1].encode()]
    assert evidence.where(secret) == []


def process_file(process: psutil.Process, name: str) -> bytes:
    return Path(f"/proc/{process.pid}/{name}").read_bytes()
