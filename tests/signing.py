"""Real signing keys for tests: a gpg key in a scratch GNUPGHOME, an ssh key pair, and
the git settings that make git (and Gitferry) sign with them. `git verify-commit` and
`git log --format=%G?` are the referees."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.gitcli import git

IDENTITY = "Test User <test@example.invalid>"  # the clean environment's user.name and user.email


@dataclass(frozen=True)
class SigningKeys:
    gnupg_home: Path
    ssh_key: Path  # the private key; its public half is beside it (.pub)
    allowed_signers: Path  # gpg.ssh.allowedSignersFile naming the ssh key for the test identity
    x509_id: str | None = None  # a self-signed certificate's id for gpgsm (the `x509_keys` fixture)

    def settings(self, fmt: str) -> dict[str, str]:
        """git settings that sign every commit with this format's key."""
        if fmt == "x509":
            assert self.x509_id is not None, "use the x509_keys fixture"
            return {"commit.gpgsign": "true", "gpg.format": "x509", "user.signingKey": self.x509_id}
        if fmt == "openpgp":
            return {
                "commit.gpgsign": "true",
                "gpg.format": "openpgp",
                "user.signingKey": "test@example.invalid",
            }
        return {
            "commit.gpgsign": "true",
            "gpg.format": "ssh",
            "user.signingKey": str(self.ssh_key),
            "gpg.ssh.allowedSignersFile": str(self.allowed_signers),
        }

    def public_ssh_key(self) -> str:
        return Path(f"{self.ssh_key}.pub").read_text().strip()


@pytest.fixture
def signing_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[SigningKeys]:
    """A passphrase-less gpg key and ssh key for the test identity. The GNUPGHOME is short
    (gpg-agent's socket lives in it) and its agent is stopped afterwards."""
    home = Path(tempfile.mkdtemp(prefix="gf-gpg-"))
    home.chmod(0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    try:
        subprocess.run(
            ["gpg", "--batch", "--quick-gen-key", "--passphrase", "", IDENTITY, "ed25519", "sign", "never"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        ssh_key = home / "id_ed25519"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@example.invalid", "-f", str(ssh_key)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        public = Path(f"{ssh_key}.pub").read_text().strip()
        allowed = home / "allowed_signers"
        allowed.write_text(f'test@example.invalid namespaces="git" {public}\n')
        yield SigningKeys(home, ssh_key, allowed)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def x509_keys(signing_keys: SigningKeys) -> SigningKeys:
    """`signing_keys` plus a self-signed X.509 certificate gpgsm signs with and trusts.
    gpgsm cannot make a key without a passphrase prompt; it certifies an RSA key
    gpg made without one (`Key-Grip`), and `trustlist.txt` marks it a trusted root."""
    home = signing_keys.gnupg_home
    _run(["gpg", "--batch", "--quick-gen-key", "--passphrase", "", "X509 <x509@example.invalid>", "rsa2048"])
    listed = _run(["gpg", "--with-keygrip", "--with-colons", "-K", "X509"])
    grip = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("grp:"))
    (home / "gpgsm.conf").write_text("disable-crl-checks\n")
    params = home / "x509.params"
    params.write_text(
        f"Key-Type: RSA\nKey-Grip: {grip}\nKey-Usage: sign\nSerial: random\n"
        "Name-DN: CN=Test User,O=Example\nName-Email: test@example.invalid\n"
    )
    certificate = home / "x509.pem"
    _run(["gpgsm", "--batch", "--gen-key", "--armor", "--output", str(certificate), str(params)])
    _run(["gpgsm", "--batch", "--import", str(certificate)])
    listed = _run(["gpgsm", "--with-colons", "--list-secret-keys"])
    fingerprint = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr:"))
    (home / "trustlist.txt").write_text(f"{fingerprint} S relax\n")
    return replace(signing_keys, x509_id=f"0x{fingerprint[-8:]}")


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120).stdout


def configure(repo: Path, settings: dict[str, str]) -> None:
    for key, value in settings.items():
        git("config", key, value, cwd=repo)


def signature_marks(repo: Path, revisions: str, *config: str) -> dict[str, str]:
    """`%G?` of every commit in `revisions` (G: a good signature, N: none, ...), by id.
    `config`: `-c key=value` settings for the verifying git (an allowed-signers file)."""
    flags = [item for setting in config for item in ("-c", setting)]
    out = git(*flags, "log", "--format=%H %G?", revisions, cwd=repo)
    return dict(line.split() for line in out.splitlines() if line)


def verify_commit(repo: Path, commit: str) -> None:
    proc = subprocess.run(
        ["git", "verify-commit", commit], cwd=repo, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, f"git verify-commit {commit}: {proc.stderr.strip()}"


def agent_environment(tmp: Path) -> dict[str, str]:
    """An ssh-agent of the test's own (its socket in `tmp`): the variables to reach it."""
    socket = tmp / "agent.sock"
    out = subprocess.run(
        ["ssh-agent", "-s", "-a", str(socket)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    env = {}
    for part in out.replace("\n", ";").split(";"):
        name, eq, value = part.strip().partition("=")
        if eq and name in ("SSH_AUTH_SOCK", "SSH_AGENT_PID"):
            env[name] = value
    return env


def stop_agent(env: dict[str, str]) -> None:
    pid = env.get("SSH_AGENT_PID")
    if pid:
        with_env = {**os.environ, **env}
        subprocess.run(["ssh-agent", "-k"], env=with_env, capture_output=True, timeout=60, check=False)
