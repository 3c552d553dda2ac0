"""A signing key with a passphrase, and nobody there to type it (a background sync, the
systemd unit, a CLI without a terminal). The sync said only the signer's words:
`gpg failed: signing failed: Inappropriate ioctl for device`, or `ssh-keygen failed:
Enter passphrase: Load key "…": incorrect passphrase supplied` although no passphrase
was ever supplied. Now it says what to do, nothing is committed, and doing it works
(the ssh key in an ssh-agent: the next sync signs, `git verify-commit` agrees).
The syncs run in a child process in a session of its own: no controlling terminal,
as the daemon runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain
from tests.signing import SigningKeys, agent_environment, configure, signing_keys, stop_agent, verify_commit

__all__ = ["signing_keys"]  # the fixture, used by name

PASSPHRASE = "correct horse"


def _sync_without_terminal(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("gitferry")
    return subprocess.run(
        [str(exe), "sync", name],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**env, "GITFERRY_IN_PROCESS": "1"},
    )


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "GPG_TTY", "SSH_AUTH_SOCK", "SSH_ASKPASS"):
        env.pop(name, None)
    return env


def test_an_ssh_key_with_a_passphrase_says_to_use_the_agent(
    world: Clones, signing_keys: SigningKeys, tmp_path: Path
) -> None:
    key = tmp_path / "locked_ed25519"
    made = ["ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "t", "-f", str(key)]
    subprocess.run(made, check=True, timeout=60)
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "c.txt", "mine\n")  # diverged: the sync must sign a merge
    configure(world.mine, {**signing_keys.settings("ssh"), "user.signingKey": str(key)})
    git("config", "gpg.ssh.allowedSignersFile", str(tmp_path / "allowed"), cwd=world.mine)
    (tmp_path / "allowed").write_text(f"test@example.invalid {Path(f'{key}.pub').read_text().strip()}\n")

    done = _sync_without_terminal("mine", _quiet_env())

    assert done.returncode == 1
    assert "Enter passphrase" not in done.stdout, done.stdout
    assert done.stdout.rstrip().endswith(
        "(the key needs its passphrase: add it to your ssh-agent with ssh-add, which ssh-keygen asks first)"
    ), done.stdout
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""

    agent = agent_environment(tmp_path)
    try:
        askpass = tmp_path / "askpass.sh"
        askpass.write_text(f"#!/bin/sh\necho '{PASSPHRASE}'\n")
        askpass.chmod(0o700)
        env = {**_quiet_env(), **agent}
        added = subprocess.run(
            ["ssh-add", str(key)],
            env={**env, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            start_new_session=True,
        )
        assert added.returncode == 0, added.stderr
        done = _sync_without_terminal("mine", env)  # what the line said to do
    finally:
        stop_agent(agent)
    assert done.returncode == 0, done.stdout + done.stderr
    verify_commit(world.mine, "HEAD")
    world.remember()


def _diverged_with_a_locked_key(world: Clones, signing_keys: SigningKeys) -> str:
    """A gpg key with a passphrase signs `mine`'s commits, its agent stopped (nothing
    unlocked); mine and theirs each have a commit: a sync must sign a merge. Mine's head."""
    subprocess.run(
        [
            *("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", PASSPHRASE),
            *("--quick-gen-key", "Locked <locked@example.invalid>", "ed25519", "sign", "never"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], capture_output=True, timeout=60, check=False)
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "c.txt", "mine\n")
    configure(world.mine, {**signing_keys.settings("openpgp"), "user.signingKey": "locked@example.invalid"})
    return mine


def test_a_gpg_key_with_a_passphrase_says_how_to_unlock_it(world: Clones, signing_keys: SigningKeys) -> None:
    mine = _diverged_with_a_locked_key(world, signing_keys)

    done = _sync_without_terminal("mine", _quiet_env())

    assert done.returncode == 1
    hint = "(the key needs its passphrase and gpg-agent's pinentry could not ask for it here: "
    assert "gpg failed: " in done.stdout and hint in done.stdout, done.stdout
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""


# A pinentry whose user pressed Cancel, as pinentry-gtk-2 answers then (the Assuan protocol).
CANCELLING_PINENTRY = """#!/bin/sh
echo "OK Pleased to meet you"
while read -r line; do
  case "$line" in
    GETPIN*) echo "ERR 83886179 Operation cancelled <Pinentry>" ;;
    BYE*) echo "OK closing connection"; exit 0 ;;
    *) echo "OK" ;;
  esac
done
"""


def test_a_passphrase_prompt_the_user_cancelled_is_not_said_unable_to_ask(
    world: Clones, signing_keys: SigningKeys, tmp_path: Path
) -> None:
    """User trial (the GUI with pinentry-gtk-2): the passphrase window came, the user pressed
    Cancel, and the Conflicts tab said "Operation cancelled (the key needs its passphrase and
    gpg-agent's pinentry could not ask for it here: unlock it … or set a graphical
    pinentry-program)": the pinentry had asked, and it was a graphical one."""
    pinentry = tmp_path / "pinentry-cancel"
    pinentry.write_text(CANCELLING_PINENTRY)
    pinentry.chmod(0o755)
    Path(os.environ["GNUPGHOME"], "gpg-agent.conf").write_text(f"pinentry-program {pinentry}\n")
    mine = _diverged_with_a_locked_key(world, signing_keys)

    done = _sync_without_terminal("mine", _quiet_env())

    assert done.returncode == 1
    assert "gpg failed: signing failed: Operation cancelled" in done.stdout, done.stdout
    assert "could not ask for it here" not in done.stdout, done.stdout
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""


def test_a_literal_ssh_key_without_its_agent_says_where_the_private_half_goes(
    world: Clones, signing_keys: SigningKeys
) -> None:
    """`user.signingKey = key::ssh-ed25519 AAAA…` and no ssh-agent running: the sync said only
    ssh-keygen's `Couldn't get agent socket`."""
    mine = world.commit(world.mine, "c.txt", "mine\n")
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    literal = f"key::{signing_keys.public_ssh_key()}"
    configure(world.mine, {**signing_keys.settings("ssh"), "user.signingKey": literal})

    done = _sync_without_terminal("mine", _quiet_env())

    assert done.returncode == 1
    assert done.stdout.rstrip().endswith(
        "(user.signingKey gives a public key: its private half must be in your ssh-agent (ssh-add))"
    ), done.stdout
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""
