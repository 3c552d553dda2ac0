"""No keyring, no problem for public remotes: a real `gitferry` process with no usable keyring.

`PYTHON_KEYRING_BACKEND` names keyring's always-failing backend (a machine
without a keyring) or a backend that does not exist (a malformed setting).
Clone and sync of a public HTTP remote work as `git clone` does; a remote
that requires credentials fails with one line naming the keyring problem
(`auth_failed`, exit 1, no traceback), and works once git's credential
helper gives the secret: the broken keyring was read, failed, and the chain
went on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git, rev_parse
from tests.servers.remote import HttpRemote

BACKENDS = {
    "no keyring": ("keyring.backends.fail.Keyring", "there is no system keyring"),
    "malformed": ("no.such.Backend", "PYTHON_KEYRING_BACKEND=no.such.Backend cannot be loaded"),
}


def gitferry(
    backend: str, *args: str, cwd: Path, typed: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`gitferry ARGS` with the keyring `backend`; `typed`: what the user types at its prompts."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": backend}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cwd,
        input=typed if typed is not None else "",
    )


def _published(remote: HttpRemote, tmp_path: Path) -> Path:
    """A remote repository `origin` with one commit on main; the work tree that pushed it."""
    bare = remote.create("origin.git")
    seed = tmp_path / "seed"
    git("clone", "-q", str(bare), str(seed))
    commit_file(seed, "a.txt", "one\n")
    git("push", "-q", "origin", "HEAD:main", cwd=seed)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "unexpected error" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("case", BACKENDS)
def test_public_http_remote_clones_and_syncs(http_server: HttpRemote, tmp_path: Path, case: str) -> None:
    backend, _ = BACKENDS[case]
    bare = _published(http_server, tmp_path)
    cloned = gitferry(backend, "clone", http_server.url("origin.git"), "mine", cwd=tmp_path)
    assert cloned.returncode == 0, cloned.stderr
    _no_traceback(cloned)
    mine = tmp_path / "mine"
    assert rev_parse(mine, "HEAD") == rev_parse(bare, "main")
    new = commit_file(mine, "b.txt", "two\n")
    synced = gitferry(backend, "sync", "--json", "mine", cwd=tmp_path)
    _no_traceback(synced)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["repos"][0]["pushed"] == ["main"]
    assert rev_parse(bare, "main") == new


@pytest.mark.slow
@pytest.mark.parametrize("case", BACKENDS)
def test_remote_needing_a_secret_names_the_keyring(
    http_auth_server: HttpRemote, tmp_path: Path, case: str
) -> None:
    backend, named = BACKENDS[case]
    bare = _published(http_auth_server, tmp_path)
    cloned = gitferry(backend, "clone", http_auth_server.url("origin.git"), "mine", cwd=tmp_path)
    assert cloned.returncode == 1
    _no_traceback(cloned)
    lines = cloned.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "credentials" in lines[0], cloned.stderr
    assert "Error" not in lines[0] and "unlock" not in lines[0]  # no exception name, no wrong advice
    assert not (tmp_path / "mine").exists() or not any((tmp_path / "mine").iterdir())

    # An existing clone: sync says auth_failed, naming the keyring, and leaves the branch alone.
    mine = tmp_path / "work"
    git("clone", "-q", http_auth_server.url_with_credentials("origin.git"), str(mine))
    git("remote", "set-url", "origin", http_auth_server.url("origin.git"), cwd=mine)
    assert gitferry(backend, "add", str(mine), cwd=tmp_path).returncode == 0
    head = commit_file(mine, "b.txt", "two\n")
    synced = gitferry(backend, "sync", "--json", "work", cwd=tmp_path)
    _no_traceback(synced)
    assert synced.returncode == 1
    report = json.loads(synced.stdout)["repos"][0]
    assert report["result"] == "auth_failed" and named in report["message"], report
    assert rev_parse(mine, "HEAD") == head and rev_parse(bare, "main") != head
    # `gitferry status` says why and what to do, not the result's name alone (a user trial)
    status = gitferry(backend, "status", "work", cwd=tmp_path).stdout.splitlines()
    assert status[0].endswith(": auth_failed") and status[1] == f"  {report['message']}", status
    assert "credential.helper store" in status[1] or "PYTHON_KEYRING_BACKEND" in status[1]

    # git's credential helper gives the secret: the failed keyring read fell through to it.
    user, password = http_auth_server.auth or ("", "")
    helper = f"!f() {{ echo username={user}; echo password={password}; }}; f"
    git("config", "credential.helper", helper, cwd=mine)
    synced = gitferry(backend, "sync", "--json", "work", cwd=tmp_path)
    _no_traceback(synced)
    assert synced.returncode == 0, synced.stdout
    assert rev_parse(bare, "main") == head

    # The helper's password is wrong: said as that, without the keyring's problem (nor its
    # advice to give the secret through a git credential helper, which the user did).
    git("config", "credential.helper", f"!f() {{ echo username={user}; echo password=wrong; }}; f", cwd=mine)
    again = commit_file(mine, "c.txt", "three\n")
    synced = gitferry(backend, "sync", "--json", "work", cwd=tmp_path)
    report = json.loads(synced.stdout)["repos"][0]
    assert (synced.returncode, report["result"]) == (1, "auth_failed"), report
    assert report["message"] == "origin: the server refused the credentials (from credential helper '!f()')"
    assert rev_parse(mine, "HEAD") == again and rev_parse(bare, "main") == head

    # The helper has none for this server (`store` after git erased a refused one): the
    # advice is not to configure a helper, which the user did, but where the password comes from.
    git("config", "credential.helper", "!f() { :; }; f", cwd=mine)
    synced = gitferry(backend, "sync", "--json", "work", cwd=tmp_path)
    report = json.loads(synced.stdout)["repos"][0]
    assert (synced.returncode, report["result"]) == (1, "auth_failed"), report
    assert named in report["message"] and "git config --global credential.helper" not in report["message"]
    assert report["message"].endswith(
        "credential helper '!f()' has no password for this server: a sync you start asks for it,"
        " and '!f()' keeps it"
    ), report


@pytest.mark.slow
def test_a_clone_from_a_url_with_a_password_is_kept_and_says_the_password_was_not(
    http_auth_server: HttpRemote, tmp_path: Path
) -> None:
    """A user trial: `gitferry clone http://user:secret@host/repo` with no keyring
    downloaded everything, then failed 'could not save the credential' (exit 1), the
    clone left unregistered, and a retry downloaded it all again to fail the same way. The
    clone is done whether a keyring keeps the password or not: it says it was not kept."""
    backend, _named = BACKENDS["no keyring"]
    bare = _published(http_auth_server, tmp_path)
    _user, password = http_auth_server.auth or ("", "")
    cloned = gitferry(
        backend, "clone", http_auth_server.url_with_credentials("origin.git"), "mine", cwd=tmp_path
    )
    _no_traceback(cloned)
    assert cloned.returncode == 0, cloned.stderr
    assert cloned.stdout.strip().endswith(
        "origin: the password was not kept (there is no system keyring): background fetches cannot"
        " sign in; install one (GNOME Keyring, KWallet) or use a git credential helper"
        " (git config --global credential.helper store, or cache)"
    ), cloned.stdout
    assert password not in cloned.stdout + cloned.stderr
    mine = tmp_path / "mine"
    assert rev_parse(mine, "HEAD") == rev_parse(bare, "main")
    assert git("status", "--porcelain", cwd=mine) == ""
    assert password not in (mine / ".git" / "config").read_text()
    listed = gitferry(backend, "list", cwd=tmp_path)
    assert "mine" in listed.stdout, listed.stdout + listed.stderr


@pytest.mark.slow
def test_a_urls_password_goes_to_gits_credential_helper_as_git_gives_it(
    http_auth_server: HttpRemote, tmp_path: Path
) -> None:
    """A README trial: with `credential.helper store` set up, as the README advises for a
    machine without a keyring, `gitferry remote add NAME origin http://user:pw@host/r`
    failed 'there is no system keyring ...; use a git credential helper' (the remote not
    added) and a clone from such a URL said the password was not kept. `git push` of such a
    URL tells the helpers `store`; so does Gitferry, and the next sync signs in with it."""
    backend, _named = BACKENDS["no keyring"]
    bare = _published(http_auth_server, tmp_path)
    user, password = http_auth_server.auth or ("", "")
    git("config", "--global", "credential.helper", "store")
    with_password = http_auth_server.url_with_credentials("origin.git")
    stored = Path(os.environ["HOME"]) / ".git-credentials"

    cloned = gitferry(backend, "clone", with_password, "mine", cwd=tmp_path)
    _no_traceback(cloned)
    assert cloned.returncode == 0, cloned.stderr
    assert "not kept" not in cloned.stdout and "keyring" not in cloned.stdout, cloned.stdout
    assert _helper_gives(http_auth_server.url("origin.git")) == (user, password)
    assert password not in (tmp_path / "mine" / ".git" / "config").read_text()

    stored.unlink()
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    commit_file(work, "a.txt", "one\n")
    assert gitferry(backend, "add", str(work), cwd=tmp_path).returncode == 0
    added = gitferry(backend, "remote", "add", "work", "origin", with_password, cwd=tmp_path)
    _no_traceback(added)
    assert added.returncode == 0, added.stderr
    url = http_auth_server.url("origin.git")
    assert git("remote", "get-url", "origin", cwd=work) == url.replace("://", f"://{user}@")
    assert _helper_gives(http_auth_server.url("origin.git")) == (user, password)
    head = commit_file(tmp_path / "mine", "b.txt", "two\n")
    synced = gitferry(backend, "sync", "--json", "mine", cwd=tmp_path)
    assert synced.returncode == 0, synced.stdout
    assert rev_parse(bare, "main") == head

    # `credentials set` says where they went (it said "saved in the keyring", with none).
    stored.unlink()
    typed = gitferry(
        backend, "credentials", "set", "work", "origin", cwd=tmp_path, typed=f"{user}\n{password}\n"
    )
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.strip() == (
        "credentials for work/origin accepted by the remote and kept by git's credential helpers"
        " (there is no keyring)"
    ), typed.stdout
    assert _helper_gives(url) == (user, password)


def _helper_gives(url: str) -> tuple[str, str]:
    """What git's own `git credential fill` gets from the configured helpers for `url`."""
    answer = subprocess.run(
        ["git", "credential", "fill"],
        input=f"url={url}\n\n",
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""},
    ).stdout
    fields = dict(line.split("=", 1) for line in answer.splitlines() if "=" in line)
    return fields.get("username", ""), fields.get("password", "")


def test_credentials_of_a_remote_that_takes_none_are_refused_for_what_it_is(tmp_path: Path) -> None:
    """A README trial: `gitferry credentials set NAME origin` of a folder remote said
    "origin uses /srv/notes.git, not HTTP(S): ssh uses your agent and keys"."""
    bare = tmp_path / "notes.git"
    git("init", "-q", "--bare", str(bare))
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    git("remote", "add", "origin", str(bare), cwd=work)
    git("remote", "add", "mirror", "git@example.invalid:team/notes.git", cwd=work)
    assert gitferry(BACKENDS["no keyring"][0], "add", str(work), cwd=tmp_path).returncode == 0
    said = {}
    for remote in ("origin", "mirror"):
        proc = gitferry(BACKENDS["no keyring"][0], "credentials", "set", "work", remote, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        said[remote] = proc.stderr.strip()
    assert said == {
        "origin": f"gitferry: origin is a folder on this computer ({bare}):"
        " it takes no user name or password",
        "mirror": "gitferry: mirror uses ssh, not HTTP(S): ssh signs in with your agent and keys",
    }
