"""Where an ssh remote's sign-in comes from, as the settings say it, without asking anyone.

The program is the one git would run (`ssh_command.ssh_program`); for OpenSSH,
`<program> -G [-p port] <destination>` prints the settings ssh would use for
that host after the user's `~/.ssh/config` (through any wrapper or `-F` the
command has): the `identityagent` and `identityfile`s. The agent is the one
`SSH_AUTH_SOCK` (or `IdentityAgent`) names, asked for its key count with
`ssh-add -l`; a key file is named when it exists, with whether it needs a
passphrase (`ssh-keygen -y -P ''` fails on an encrypted one: no secret in
that argument). Nothing here connects to the remote.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dulwich.config import Config

from core.git.config.ssh_command import Variant, ssh_program
from core.git.transfer.timed_ssh import ssh_dash_g
from core.phrase import Phrase, phrase
from core.remote_url import RemoteUrl

_WAIT = 10.0


def ssh_settings(url: RemoteUrl, config: Config | None) -> dict[str, list[str]] | None:
    """`ssh -G`'s settings for `url`'s host (keys lower-case, every value kept in order);
    None when the program is not OpenSSH or cannot say."""
    program = ssh_program(config)
    if program.variant not in (Variant.SSH, Variant.AUTO):
        return None
    destination = f"{url.user}@{url.host}" if url.user else url.host or ""
    done = ssh_dash_g(program, destination, url.port, _WAIT)
    if done is None or done.returncode != 0:
        return None
    settings: dict[str, list[str]] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        settings.setdefault(key.lower(), []).append(value)
    return settings


def describe_ssh(url: RemoteUrl, config: Config | None) -> Phrase:
    """One line: the agent (with its key count) and the key files ssh would offer."""
    program = ssh_program(config)
    ssh: str | Phrase = "ssh"
    if program.source != "ssh":
        ssh = phrase("ssh through {source} ({command})", source=program.source, command=program.command)
    settings = ssh_settings(url, config)
    if settings is None:
        return phrase("{ssh}: its own keys and agent", ssh=ssh)
    offered = []
    agent = _agent(settings)
    if agent:
        offered.append(agent)
    keys = [_key(Path(_expand(name))) for name in settings.get("identityfile", [])]
    offered += [key for key in keys if key]
    if not offered:
        return phrase("{ssh}: no agent and no key file (ssh -G names none that exists)", ssh=ssh)
    said = offered[-1]
    for earlier in reversed(offered[:-1]):
        said = phrase("{first}, then {then}", first=earlier, then=said)
    return phrase("{ssh}: {offered}", ssh=ssh, offered=said)


def _agent(settings: dict[str, list[str]]) -> Phrase | None:
    socket_path = (settings.get("identityagent") or [os.environ.get("SSH_AUTH_SOCK", "")])[0]
    if socket_path in ("", "none"):
        return None
    if socket_path == "SSH_AUTH_SOCK":
        socket_path = os.environ.get("SSH_AUTH_SOCK", "")
    env = {**os.environ, "SSH_AUTH_SOCK": _expand(socket_path)}
    try:
        done = subprocess.run(
            ["ssh-add", "-l"],
            env=env,
            capture_output=True,
            timeout=_WAIT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode == 2:
        return None  # no agent answers there
    count = len(done.stdout.splitlines()) if done.returncode == 0 else 0
    return phrase("the SSH agent (%n key(s))", count)


def _key(path: Path) -> Phrase | None:
    if not path.is_file():
        return None
    try:
        done = subprocess.run(
            ["ssh-keygen", "-y", "-P", "", "-f", str(path)],
            capture_output=True,
            timeout=_WAIT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return phrase("key file {path}", path=str(path))
    if done.returncode == 0:
        return phrase("key file {path}", path=str(path))
    return phrase("key file {path} (passphrase: asked once a session)", path=str(path))


def _expand(path: str) -> str:
    """`~` as ssh expands it: the account's home directory, not `$HOME`."""
    if not path.startswith("~"):
        return path
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return os.path.expanduser(path)
    return home + path[1:]
