"""Signing in to an HTTP(S) remote in git's order: the keyring, git's credential helpers
(a logging helper of the tests' own, and git's own `credential-store`), then the user.

A helper is asked `get` only when the server wants credentials, told `store` once
the server accepted its answer and `erase` once it refused it; a credential the user
typed at the prompt is saved in the keyring and handed to the helpers; a CLI without a
terminal fails `auth_failed` in one line. Real smart-HTTP server with Basic auth.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

import keyring
import pytest
from dulwich.repo import Repo
from keyring.backends import fail

from core.credentials import Credentials
from core.git.transfer.errors import AuthFailed
from core.git.transfer.fetch import fetch_remote
from core.git.transfer.sign_in import describe_credential
from core.git.transfer.signer import SessionPasswords, Signer, SignInRequest
from core.remote_url import HttpAuth
from tests.gitcli import commit_file, git
from tests.integration.clones import run
from tests.integration.test_fetch import push_commit, seed
from tests.memory_keyring import MemoryKeyring
from tests.servers.remote import HttpRemote

ROOT = Path(__file__).resolve().parents[2]
WRONG = "not-the-Secret-9"


class Helper:
    """The logging helper of `tests/credential_helper.py`, its state in a directory."""

    def __init__(self, state: Path) -> None:
        state.mkdir()
        self.state = state
        self.command = f"!{sys.executable} {ROOT / 'tests' / 'credential_helper.py'} {state}"

    def answer(self, username: str, password: str) -> None:
        (self.state / "answer.json").write_text(json.dumps({"username": username, "password": password}))

    def calls(self) -> list[dict[str, object]]:
        log = self.state / "calls.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def actions(self) -> list[str]:
        return [str(call["action"]) for call in self.calls()]

    def stored(self) -> dict[str, dict[str, str]]:
        store = self.state / "store.json"
        found: dict[str, dict[str, str]] = json.loads(store.read_text()) if store.exists() else {}
        return found

    def reset(self) -> None:
        for name in ("calls.jsonl", "answer.json"):
            (self.state / name).unlink(missing_ok=True)


@pytest.fixture
def helper(tmp_path: Path) -> Helper:
    helper = Helper(tmp_path / "helper")
    git("config", "--global", "credential.helper", helper.command)
    return helper


def registered(
    server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path, Path]:
    bare, work = seed(server, tmp_path)
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))
    git("remote", "set-url", "origin", server.url("origin"), cwd=mine)
    assert run(capsys, "add", str(mine))[0] == 0
    return bare, work, mine


def sync(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, doc, err = run(capsys, "sync", "mine", "--json")
    assert isinstance(doc, dict), err
    report: dict[str, object] = doc["repos"][0]
    report["exit"] = code
    return report


def host_of(server: HttpRemote) -> str:
    return f"127.0.0.1:{server.port}"


def test_a_helper_is_asked_after_a_401_told_store_after_success_and_erase_after_refusal(
    http_auth_server: HttpRemote,
    helper: Helper,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user, right = http_auth_server.auth or ("", "")
    bare, work, mine = registered(http_auth_server, tmp_path, capsys)
    helper.answer(user, right)
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    calls = helper.calls()
    assert [c["action"] for c in calls[:2]] == ["get", "store"], calls
    assert calls[0]["fields"] == {"protocol": "http", "host": host_of(http_auth_server)}  # no path, no secret
    assert calls[1]["fields"] == {
        "protocol": "http",
        "host": host_of(http_auth_server),
        "username": user,
        "password": "<given>",
    }
    assert set(helper.actions()) == {"get", "store"}  # the push asked too: the same answers
    assert memory_keyring.secrets == {}  # a helper's credential stays the helper's
    assert not any(call["secret_in_env"] for call in calls)
    assert all(right not in " ".join(map(str, call["argv"])) for call in calls)

    helper.reset()
    helper.answer(user, WRONG)
    before = git("rev-parse", "origin/main", cwd=mine)
    report = sync(capsys)
    assert (report["exit"], report["result"]) == (1, "auth_failed"), report
    message = str(report["message"])
    assert "refused the credentials" in message and "credential helper" in message and WRONG not in message
    assert helper.actions() == ["get", "erase"]
    assert git("rev-parse", "origin/main", cwd=mine) == before


def test_the_keyring_comes_first_and_the_helper_is_not_asked(
    http_auth_server: HttpRemote,
    helper: Helper,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, right = http_auth_server.auth or ("", "")
    _bare, _work, _mine = registered(http_auth_server, tmp_path, capsys)
    Credentials().save(http_auth_server.url("origin"), HttpAuth(user, right))
    assert sync(capsys)["result"] == "up_to_date"
    assert helper.calls() == []


def test_a_refused_keyring_entry_falls_back_to_the_helper_and_is_forgotten(
    http_auth_server: HttpRemote,
    helper: Helper,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user, right = http_auth_server.auth or ("", "")
    registered(http_auth_server, tmp_path, capsys)
    Credentials().save(http_auth_server.url("origin"), HttpAuth(user, WRONG))
    helper.answer(user, right)
    assert sync(capsys)["result"] == "up_to_date"
    assert helper.actions() == ["get", "store"]  # nothing erased: the refused one was Gitferry's
    assert memory_keyring.secrets == {}


def test_gits_own_credential_store_with_a_git_credentials_file(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user, right = http_auth_server.auth or ("", "")
    bare, work, mine = registered(http_auth_server, tmp_path, capsys)
    credentials = Path.home() / ".git-credentials"
    credentials.write_text(
        f"http://{quote(user, safe='')}:{quote(right, safe='')}@{host_of(http_auth_server)}\n"
    )
    credentials.chmod(0o600)
    git("config", "--global", "credential.helper", "store")
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    report = sync(capsys)
    assert (report["exit"], report["result"]) == (0, "ok"), report
    assert git("rev-parse", "origin/main", cwd=mine) == theirs
    # git's own client agrees with what the store holds, and the file is as git keeps it
    assert git("ls-remote", http_auth_server.url("origin"), cwd=mine).endswith("refs/heads/main")
    assert len(credentials.read_text().splitlines()) == 1


def test_without_git_a_git_command_helper_is_named_in_one_line(
    http_auth_server: HttpRemote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare, _work = seed(http_auth_server, tmp_path)
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))
    git("remote", "set-url", "origin", http_auth_server.url("origin"), cwd=mine)
    git("config", "credential.helper", "store", cwd=mine)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", signer=Signer(Credentials()), timeout=10)
    message = caught.value.message
    assert "credential helper 'store' is a git command and git is not installed" in message, message
    assert "\n" not in message


def test_a_typed_sign_in_is_saved_in_the_keyring_and_given_to_the_helpers(
    http_auth_server: HttpRemote,
    helper: Helper,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user, right = http_auth_server.auth or ("", "")
    bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    asked: list[SignInRequest] = []
    answers = [HttpAuth(user, WRONG), HttpAuth(user, right)]

    def prompt(request: SignInRequest) -> HttpAuth | None:
        asked.append(request)
        return answers.pop(0)

    signer = Signer(Credentials(), prompt)
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", signer=signer, timeout=10)
    assert "refused the credentials (as typed at the sign-in)" in caught.value.message
    assert len(asked) == 1 and asked[0].url == http_auth_server.url("origin") and not asked[0].refused
    assert not asked[0].no_keyring and len(asked[0].helpers) == 1  # what the dialog says keeps it
    assert helper.actions() == ["get", "erase"] and memory_keyring.secrets == {}
    helper.reset()
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin", signer=signer, timeout=10)
    assert helper.actions() == ["get", "store"]
    assert [right in blob for blob in memory_keyring.secrets.values()] == [True]
    helper.reset()
    assert sync(capsys)["result"] == "up_to_date"  # the keyring's entry now: nobody asked
    assert helper.calls() == [] and answers == []
    assert git("rev-parse", "origin/main", cwd=mine) == git("rev-parse", "main", cwd=bare)


def test_a_cli_without_a_terminal_fails_auth_failed_in_one_line(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registered(http_auth_server, tmp_path, capsys)
    code, out, err = run(capsys, "sync", "mine")
    assert code == 1 and out.count("\n") == 1 and "auth_failed" in out, (out, err)
    assert "the server requires credentials and none are stored" in out


def test_test_connection_uses_the_sync_path_and_says_what_signed_in(
    http_auth_server: HttpRemote,
    helper: Helper,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    from core.api import Api

    user, right = http_auth_server.auth or ("", "")
    registered(http_auth_server, tmp_path, capsys)
    helper.answer(user, right)

    async def check() -> tuple[str, str, list[str]]:
        api = await Api.open(Path(os.environ["GITFERRY_HOME"]))
        try:
            found = await api.test_connection("mine", "origin")
            access = await api.remote_access("mine")
            return found.credential.english(), found.url, [a.credential.english() for a in access]
        finally:
            await api.close()

    credential, url, described = asyncio.run(check())
    shown = f"!{Path(sys.executable).name}"
    assert credential == f"signed in from credential helper {shown!r}"
    assert url == http_auth_server.url("origin")
    assert described == [f"git's credential helper {shown!r}"]
    assert helper.actions() == ["get", "store"]


def test_a_helper_that_gives_only_the_password_signs_in_with_the_configured_user_name(
    http_auth_server: HttpRemote, helper: Helper, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`credential.<url>.username` names the user and the helper answers `get` with the
    password alone (as a password manager's helper does): git signs in with the two
    together; Gitferry said "the server requires credentials" and pushed nothing."""
    user, right = http_auth_server.auth or ("", "")
    bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    git("config", "--global", f"credential.http://{host_of(http_auth_server)}.username", user)
    git("config", "--global", "credential.useHttpPath", "true")
    (helper.state / "answer.json").write_text(json.dumps({"password": right}))
    assert git("ls-remote", http_auth_server.url("origin"), "main")  # git itself signs in so
    helper.reset()
    (helper.state / "answer.json").write_text(json.dumps({"password": right}))
    new = commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("--git-dir", str(bare), "rev-parse", "main") == new
    calls = helper.calls()
    assert calls[0]["action"] == "get" and calls[0]["fields"] == {
        "protocol": "http",
        "host": host_of(http_auth_server),
        "path": http_auth_server.url("origin").split(f"{host_of(http_auth_server)}/", 1)[1],
        "username": user,
    }, calls
    assert calls[1]["action"] == "store" and calls[1]["fields"]["username"] == user  # type: ignore[index]


def test_a_helper_that_gives_a_password_and_no_user_name_is_told_as_that(
    http_auth_server: HttpRemote, helper: Helper, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No user name anywhere (URL, credential.username) and a helper that answers with the
    password alone: git would ask for the user name; a sync that may not ask said only
    "the server requires credentials", as if the helper had said nothing."""
    _user, right = http_auth_server.auth or ("", "")
    bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    (helper.state / "answer.json").write_text(json.dumps({"password": right}))
    before = git("--git-dir", str(bare), "rev-parse", "main")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"]) == (1, "auth_failed"), report
    assert str(report["message"]).startswith("origin: the server requires credentials; "), report
    assert "gave a password but no user name: set git's credential.username" in str(report["message"])
    assert right not in str(report["message"])
    assert git("--git-dir", str(bare), "rev-parse", "main") == before


@pytest.mark.parametrize("first_gives", ["password", "username"])
def test_one_helpers_user_name_goes_with_a_later_helpers_password_as_in_git(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str], first_gives: str
) -> None:
    """Two helpers, each knowing half (a password manager's helper gives the password, a
    second one the user name): git asks each in turn with what is known so far and signs
    in with the two together (credential_fill). Gitferry dropped the first helper's
    password and said "gave a password but no user name". git is the referee: the same
    helpers are asked, told the same fields, and the credential is stored in both."""
    user, right = http_auth_server.auth or ("", "")
    halves = {"password": {"password": right}, "username": {"username": user}}
    second_gives = "username" if first_gives == "password" else "password"
    first, second = Helper(tmp_path / "first"), Helper(tmp_path / "second")
    bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    git("config", "--global", "credential.helper", first.command)
    git("config", "--global", "--add", "credential.helper", second.command)

    def told() -> list[tuple[str, object, object]]:
        calls = [("first", call["action"], call["fields"]) for call in first.calls()]
        calls += [("second", call["action"], call["fields"]) for call in second.calls()]
        for helper, answer in ((first, first_gives), (second, second_gives)):
            helper.reset()
            (helper.state / "answer.json").write_text(json.dumps(halves[answer]))
        return calls

    told()
    assert git("ls-remote", http_auth_server.url("origin"), "main")  # git signs in so
    by_git = told()
    assert [(who, action) for who, action, _ in by_git] == [
        ("first", "get"),
        ("first", "store"),
        ("second", "get"),
        ("second", "store"),
    ], by_git
    new = commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("--git-dir", str(bare), "rev-parse", "main") == new
    by_gitferry = told()
    # The fetch and the push each sign in: the same calls, each as git made it.
    assert {json.dumps(call) for call in by_gitferry} == {json.dumps(call) for call in by_git}, by_gitferry


@pytest.mark.slow
def test_a_running_engine_keeps_a_typed_password_in_memory_for_that_host_until_refused(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No keyring, no credential helper: a password typed once is kept in the running
    engine's memory (git's credential-cache), so a background fetch, which asks nobody,
    signs in with it; it is given to no other host, and dropped once the server refuses it."""
    keyring.set_keyring(fail.Keyring())  # the autouse memory keyring is put back afterwards
    user, right = http_auth_server.auth or ("", "")
    _bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    passwords = SessionPasswords("the app")
    asked: list[SignInRequest] = []

    def prompt(request: SignInRequest) -> HttpAuth:
        asked.append(request)
        return HttpAuth(user, right)

    typed = Signer(Credentials(), prompt, passwords=passwords)
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin", signer=typed, timeout=10)
    assert len(asked) == 1 and asked[0].no_keyring and asked[0].helpers == ()  # the dialog says so
    assert [note.english() for note in typed.notes] == [
        "origin: the password is kept in memory only until the app quits (there is no system keyring):"
        " background fetches sign in with it until then; to keep it longer, install one (GNOME Keyring,"
        " KWallet) or use a git credential helper (git config --global credential.helper store, or cache)"
    ]
    key = ("http", host_of(http_auth_server), None)  # no path without credential.useHttpPath
    assert passwords.get(*key, None) == HttpAuth(user, right)
    background = Signer(Credentials(), passwords=passwords)
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin", signer=background, timeout=10)
    assert len(asked) == 1 and git("rev-parse", "origin/main", cwd=mine) != ""

    # Another host (the same server, named otherwise) is not given it.
    other = http_auth_server.url("origin").replace("127.0.0.1", "localhost")
    git("remote", "set-url", "origin", other, cwd=mine)
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", signer=background, timeout=10)
    assert "refused" not in caught.value.message, caught.value.message
    git("remote", "set-url", "origin", http_auth_server.url("origin"), cwd=mine)

    # A kept password the server refuses is dropped, and said as such.
    passwords.keep(*key, HttpAuth(user, WRONG))
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", signer=background, timeout=10)
    assert "refused the credentials (as given earlier while Gitferry runs)" in caught.value.message
    assert WRONG not in caught.value.message
    assert passwords.get(*key, None) is None


def test_a_helper_that_gives_only_the_password_has_the_prompt_ask_only_for_the_user_name(
    http_auth_server: HttpRemote,
    helper: Helper,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No user name in the config or the URL, and a helper that answers with the password
    alone: git asks only "Username for ..." (GIT_ASKPASS is the referee) and signs in with
    the helper's password; Gitferry's prompt asked for both. Now the prompt is told which
    helper gave the password, asked the user name only, and the helper's password is sent."""
    user, right = http_auth_server.auth or ("", "")
    bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    asked_log = tmp_path / "askpass.log"
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f'#!/bin/sh\necho "$1" >> {asked_log}\necho {user}\n')
    askpass.chmod(0o700)
    (helper.state / "answer.json").write_text(json.dumps({"password": right}))
    env = {**os.environ, "GIT_ASKPASS": str(askpass), "GIT_TERMINAL_PROMPT": "0"}
    import subprocess

    subprocess.run(
        ["git", "ls-remote", http_auth_server.url("origin"), "main"], env=env, check=True, capture_output=True
    )
    by_git = asked_log.read_text().splitlines()
    assert len(by_git) == 1 and by_git[0].startswith("Username for "), by_git
    helper.reset()
    (helper.state / "answer.json").write_text(json.dumps({"password": right}))

    asked: list[SignInRequest] = []

    def prompt(request: SignInRequest) -> HttpAuth | None:
        asked.append(request)
        return HttpAuth(user, "")  # the user name only, as the terminal and the dialog answer

    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin", signer=Signer(Credentials(), prompt), timeout=10)
    assert len(asked) == 1 and asked[0].username is None, asked
    assert asked[0].password_from == f"!{Path(sys.executable).name}"
    assert helper.actions() == ["get", "store"]
    assert helper.calls()[1]["fields"]["username"] == user  # type: ignore[index]
    assert memory_keyring.secrets == {}  # the helper's password stays the helper's
    assert git("rev-parse", "origin/main", cwd=mine) == git("rev-parse", "main", cwd=bare)


def test_the_terminal_asks_only_the_user_name_when_a_helper_gave_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass
    import io

    from core.cli_output import terminal_sign_in

    def no_password(prompt: str = "") -> str:
        raise AssertionError(f"asked {prompt!r}")

    monkeypatch.setattr(getpass, "getpass", no_password)
    monkeypatch.setattr(sys, "stdin", io.StringIO("alice\n"))
    request = SignInRequest("origin", "http://127.0.0.1:1/r.git", None, False, "store")
    assert terminal_sign_in(request) == HttpAuth("alice", "")


def test_the_settings_say_a_password_kept_in_memory_not_only_that_there_is_no_keyring(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """User trial: signed in at a clone's prompt with no keyring on the machine, the
    settings' sign-in row said "Credential: not from the keyring (there is no system
    keyring)" while the app signed every fetch in with the password it kept; nor did a
    credential helper git would ask show behind a missing keyring."""
    keyring.set_keyring(fail.Keyring())
    user, right = http_auth_server.auth or ("", "")
    _bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    url = http_auth_server.url("origin")
    passwords = SessionPasswords("the app")
    with Repo(str(mine)) as repo:
        config = repo.get_config_stack()
        before = describe_credential(url, config, Credentials(), passwords).english()
        assert before.startswith("not from the keyring (")
        fetch_remote(
            repo,
            "origin",
            signer=Signer(Credentials(), lambda _r: HttpAuth(user, right), passwords=passwords),
        )
        assert describe_credential(url, config, Credentials(), passwords).english() == (
            f"signed in as {user}, kept in memory until the app quits"
        )
    git("config", "--global", "credential.helper", "store")
    with Repo(str(mine)) as repo:
        said = describe_credential(url, repo.get_config_stack(), Credentials(), SessionPasswords("the app"))
    assert said.english() == "git's credential helper 'store'"


def test_the_settings_name_the_helpers_a_password_kept_in_memory_was_given_to(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """User trial (the GUI on a power user's setup): signed in at a clone's prompt with
    credential.helper store and no keyring, the settings' row said "signed in as alice,
    kept in memory until the app quits", as if the password went with the app, while
    ~/.git-credentials held it (the prompt itself said it went to 'store')."""
    keyring.set_keyring(fail.Keyring())
    user, right = http_auth_server.auth or ("", "")
    _bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    git("config", "--global", "credential.helper", "store")
    url = http_auth_server.url("origin")
    passwords = SessionPasswords("the app")
    with Repo(str(mine)) as repo:
        config = repo.get_config_stack()
        fetch_remote(
            repo,
            "origin",
            signer=Signer(Credentials(), lambda _r: HttpAuth(user, right), passwords=passwords),
        )
        said = describe_credential(url, config, Credentials(), passwords).english()
    kept = f"signed in as {user}, kept in memory until the app quits"
    assert said == f"{kept}, then git's credential helper 'store'"
    stored = Path(os.environ["HOME"], ".git-credentials").read_text()
    assert f"//{user}:" in stored, stored  # the prompt gave it to the helper: it outlives the app


def test_a_sign_in_the_user_cancelled_is_said_cancelled(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """User trial: Cancel in the sign-in dialog of Start syncing ended "the server requires
    credentials; there is no system keyring: could not read the credential; install one
    …", as if something had failed, of a sign-in the user cancelled."""
    keyring.set_keyring(fail.Keyring())
    _bare, _work, mine = registered(http_auth_server, tmp_path, capsys)
    cancelled = Signer(Credentials(), lambda _request: None, passwords=SessionPasswords("the app"))
    with Repo(str(mine)) as repo, pytest.raises(AuthFailed) as caught:
        fetch_remote(repo, "origin", signer=cancelled, timeout=10)
    assert caught.value.message == "origin: the sign-in was cancelled", caught.value.message
