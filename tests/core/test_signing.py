"""Signing commits as git signs them: the settings read as git reads them, real gpg and
ssh keys made by the test, `git verify-commit` as the referee, and every failure a
one-line `SigningFailed` with no commit made."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.config.identity import Signature
from core.git.config.signing import SigningConfig, SigningFailed, signing_config
from core.git.objects.new_commit import CommitMaker
from tests.gitcli import commit_file, git
from tests.signing import (
    IDENTITY,
    SigningKeys,
    agent_environment,
    configure,
    signing_keys,
    stop_agent,
    verify_commit,
    x509_keys,
)

__all__ = ["signing_keys", "x509_keys"]  # the fixtures, used by name

WHO = Signature(IDENTITY.encode(), 1_795_000_000, 3600)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    commit_file(path, "a.txt", "a\n")
    return path


def make_commit(path: Path, maker: CommitMaker, message: bytes = b"made by Gitferry\n") -> str:
    """A commit on top of HEAD made by `maker`, stored (no ref moves)."""
    with Repo(str(path)) as repo:
        head = repo.head()
        commit = maker.make(tree=ObjectID(repo[head].tree), parents=[head], message=message)
        repo.object_store.add_object(commit)
        return commit.id.decode()


def maker_for(path: Path) -> CommitMaker:
    with Repo(str(path)) as repo:
        return CommitMaker.for_repo(repo, now=1_795_000_000.0)


# The settings, read as git reads them.


@pytest.mark.parametrize("value", ["true", "yes", "on", "1", "2"])
def test_gpgsign_true_in_every_spelling_git_takes(repo: Path, value: str) -> None:
    git("config", "commit.gpgsign", value, cwd=repo)
    assert git("config", "--bool", "commit.gpgsign", cwd=repo) == "true"  # git agrees
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("openpgp", "gpg", None, None)


@pytest.mark.parametrize("value", ["false", "no", "off", "0", ""])
def test_gpgsign_false_in_every_spelling_git_takes(repo: Path, value: str) -> None:
    git("config", "commit.gpgsign", value, cwd=repo)
    assert git("config", "--bool", "commit.gpgsign", cwd=repo) == "false"
    with Repo(str(repo)) as opened:
        assert signing_config(opened) is None


def test_a_key_without_a_value_is_true_as_in_git(repo: Path) -> None:
    with (repo / ".git" / "config").open("a") as config:
        config.write("[commit]\n\tgpgsign\n")
    assert git("config", "--bool", "commit.gpgsign", cwd=repo) == "true"
    with Repo(str(repo)) as opened:
        assert signing_config(opened) is not None


def test_each_format_has_git_s_program_and_its_own_setting(repo: Path, clean_env: Path) -> None:
    configure(repo, {"commit.gpgsign": "true", "gpg.format": "x509"})
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("x509", "gpgsm", None, None)
    configure(repo, {"gpg.x509.program": "~/bin/my-gpgsm", "user.signingKey": "0xABCDEF"})
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("x509", f"{clean_env}/bin/my-gpgsm", "0xABCDEF", None)
    configure(repo, {"gpg.format": "ssh", "gpg.ssh.defaultKeyCommand": "ssh-add -L"})
    git("config", "--unset", "user.signingKey", cwd=repo)
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("ssh", "ssh-keygen", None, "ssh-add -L")
    configure(repo, {"gpg.format": "openpgp", "gpg.program": "/opt/gpg2"})
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("openpgp", "/opt/gpg2", None, "ssh-add -L")
    configure(repo, {"gpg.openpgp.program": "/opt/gpg3"})  # the format's own name comes first
    with Repo(str(repo)) as opened:
        assert signing_config(opened) == SigningConfig("openpgp", "/opt/gpg3", None, "ssh-add -L")


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("gpg.format", "pgp", "gpg.format is 'pgp'; git signs with openpgp, x509 or ssh"),
        ("commit.gpgsign", "maybe", "commit.gpgsign is 'maybe', not a boolean"),
    ],
)
def test_a_setting_git_refuses_is_refused(repo: Path, key: str, value: str, said: str) -> None:
    configure(repo, {"commit.gpgsign": "true", key: value})
    with Repo(str(repo)) as opened, pytest.raises(SigningFailed) as failed:
        CommitMaker.for_repo(opened)
    assert failed.value.message == f"commit.gpgsign is set but signing is misconfigured: {said}"


# Real signatures, verified by git.


def test_unsigned_when_gpgsign_is_off(repo: Path) -> None:
    commit = make_commit(repo, maker_for(repo))
    assert git("log", "-1", "--format=%G?", commit, cwd=repo) == "N"
    assert "gpgsig" not in git("cat-file", "-p", commit, cwd=repo)


def test_openpgp_signs_as_the_committer_without_a_signing_key(repo: Path, signing_keys: SigningKeys) -> None:
    configure(repo, {"commit.gpgsign": "true"})
    commit = make_commit(repo, maker_for(repo), b"subject\n\nbody\n\nmore body\n")
    verify_commit(repo, commit)
    assert git("log", "-1", "--format=%G? %GS", commit, cwd=repo) == f"G {IDENTITY}"
    raw = git("cat-file", "-p", commit, cwd=repo)
    headers = raw.split("\n\n", 1)[0].splitlines()
    # the signature is the last header, each continuation line indented by one space
    first = next(i for i, line in enumerate(headers) if line.startswith("gpgsig "))
    assert headers[first] == "gpgsig -----BEGIN PGP SIGNATURE-----"
    assert all(line.startswith(" ") for line in headers[first + 1 :])
    assert headers[-1] == " -----END PGP SIGNATURE-----"
    git("fsck", "--strict", cwd=repo)


def test_ssh_key_file(repo: Path, signing_keys: SigningKeys) -> None:
    configure(repo, signing_keys.settings("ssh"))
    commit = make_commit(repo, maker_for(repo))
    verify_commit(repo, commit)
    assert git("log", "-1", "--format=%G? %GS", commit, cwd=repo) == "G test@example.invalid"
    assert "-----BEGIN SSH SIGNATURE-----" in git("cat-file", "-p", commit, cwd=repo)


def test_x509_signs_with_gpgsm(repo: Path, x509_keys: SigningKeys) -> None:
    configure(repo, x509_keys.settings("x509"))
    commit = make_commit(repo, maker_for(repo))
    verify_commit(repo, commit)
    assert git("log", "-1", "--format=%G?", commit, cwd=repo) == "G"
    assert "-----BEGIN SIGNED MESSAGE-----" in git("cat-file", "-p", commit, cwd=repo)


@pytest.mark.parametrize("how", ["key::", "ssh-", "defaultKeyCommand"])
def test_ssh_key_given_literally_signs_through_the_agent(
    repo: Path, signing_keys: SigningKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A public key given literally (or by gpg.ssh.defaultKeyCommand): the private
    half is the agent's (`ssh-keygen -Y sign -U`), as git passes it."""
    agent = agent_environment(tmp_path)
    try:
        for name, value in agent.items():
            monkeypatch.setenv(name, value)
        subprocess.run(
            ["ssh-add", "-q", str(signing_keys.ssh_key)], check=True, capture_output=True, timeout=60
        )
        settings = signing_keys.settings("ssh")
        public = signing_keys.public_ssh_key()
        if how == "defaultKeyCommand":
            del settings["user.signingKey"]
            settings["gpg.ssh.defaultKeyCommand"] = "ssh-add -L"
        else:
            settings["user.signingKey"] = f"key::{public}" if how == "key::" else public
        configure(repo, settings)
        signing_keys.ssh_key.unlink()  # only the agent can sign now
        commit = make_commit(repo, maker_for(repo))
        verify_commit(repo, commit)
    finally:
        stop_agent(agent)


# Failures: one line, no commit.


def test_a_signing_key_gpg_does_not_have(repo: Path, signing_keys: SigningKeys) -> None:
    configure(repo, {"commit.gpgsign": "true", "user.signingKey": "nobody@example.invalid"})
    maker = maker_for(repo)
    objects_before = git("count-objects", "-v", cwd=repo)
    with pytest.raises(SigningFailed) as failed:
        make_commit(repo, maker)
    assert (
        failed.value.message
        == 'commit.gpgsign is set but gpg failed: skipped "nobody@example.invalid": No secret key'
    )
    assert git("count-objects", "-v", cwd=repo) == objects_before


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        (
            {"gpg.program": "/nonexistent/gpg"},
            "commit.gpgsign is set but gpg failed: /nonexistent/gpg was not found",
        ),
        (
            {"gpg.program": "false"},
            "commit.gpgsign is set but false failed: exit status 1, no signature made",
        ),
        # exit 0 without SIG_CREATED is no signature, as git judges it
        ({"gpg.program": "true"}, "commit.gpgsign is set but true failed: exit status 0, no signature made"),
        (
            {"gpg.format": "ssh", "user.signingKey": "/nonexistent/key"},
            "commit.gpgsign is set but ssh-keygen failed: "
            "Couldn't load public key /nonexistent/key: No such file or directory",
        ),
        (
            {"gpg.format": "ssh"},
            "commit.gpgsign is set but signing is misconfigured: "
            "either user.signingKey or gpg.ssh.defaultKeyCommand needs to be configured",
        ),
        (
            {"gpg.format": "ssh", "gpg.ssh.defaultKeyCommand": "echo no key here"},
            "commit.gpgsign is set but gpg.ssh.defaultKeyCommand failed: it printed no key: no key here",
        ),
    ],
)
def test_every_failure_is_one_line_and_no_commit(repo: Path, settings: dict[str, str], said: str) -> None:
    configure(repo, {"commit.gpgsign": "true", **settings})
    with pytest.raises(SigningFailed) as failed:
        make_commit(repo, maker_for(repo))
    assert failed.value.message == said
    assert "\n" not in failed.value.message
    # git, with the same settings, refuses to commit too
    proc = subprocess.run(
        ["git", "commit", "--allow-empty", "-m", "x"], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
