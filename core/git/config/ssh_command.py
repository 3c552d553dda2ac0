"""Which ssh program git would run, and which kind of ssh it is, as git's connect.c decides.

`GIT_SSH_COMMAND`, then `core.sshCommand`: a shell command line (git runs it
through `sh -c '<command> "$@"'`, so quoting, variables and `~` work as in
git). Otherwise `GIT_SSH`: a program path, no shell, no arguments. Otherwise
`ssh`. The variant (`GIT_SSH_VARIANT`, then `ssh.variant`, else guessed from
the program's base name: `ssh`, `plink`, `tortoiseplink`, with or without
`.exe`) says which options the program takes: OpenSSH's `-p` and `-o`,
PuTTY's `-P`, TortoisePlink's `-batch`, or none (`simple`). A program git
cannot name is `auto`: git then runs `<program> -G ... <host>` and takes
OpenSSH when that succeeds, else `simple` (`transfer/ssh_process.py` does
the same).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dulwich.config import Config

from core.git.config.values import config_text


class Variant(StrEnum):
    AUTO = "auto"
    SIMPLE = "simple"
    SSH = "ssh"
    PLINK = "plink"
    PUTTY = "putty"
    TORTOISEPLINK = "tortoiseplink"


_BY_NAME = {
    "ssh": Variant.SSH,
    "ssh.exe": Variant.SSH,
    "plink": Variant.PLINK,
    "plink.exe": Variant.PLINK,
    "tortoiseplink": Variant.TORTOISEPLINK,
    "tortoiseplink.exe": Variant.TORTOISEPLINK,
}


@dataclass(frozen=True)
class SshProgram:
    """The program and how to run it: `shell` means `command` is a shell command line."""

    command: str
    shell: bool
    variant: Variant
    source: str  # where it came from, as a message says it: "GIT_SSH_COMMAND", "core.sshCommand"...

    def argv(self, args: list[str]) -> list[str]:
        """The process to start for `args` after the program, as git's run_command starts it."""
        if not self.shell:
            return [self.command, *args]
        if os.name == "nt":  # no sh to hand the line to: split it as a shell would
            return [*shlex.split(self.command), *args]
        return ["sh", "-c", f'{self.command} "$@"', self.command, *args]


def ssh_program(config: Config | None, environ: Mapping[str, str] | None = None) -> SshProgram:
    """The ssh program git would run for a transfer with `config`'s settings."""
    env = os.environ if environ is None else environ
    command, source = env.get("GIT_SSH_COMMAND"), "GIT_SSH_COMMAND"
    if command is None:
        command, source = config_text(config, (b"core",), b"sshCommand", "surrogateescape"), "core.sshCommand"
    if command is not None:
        return SshProgram(command, True, _variant(config, env, command, cmdline=True), source)
    program = env.get("GIT_SSH")
    if program:
        return SshProgram(program, False, _variant(config, env, program, cmdline=False), "GIT_SSH")
    return SshProgram("ssh", False, _variant(config, env, "ssh", cmdline=False), "ssh")


def _variant(config: Config | None, env: Mapping[str, str], command: str, *, cmdline: bool) -> Variant:
    named = env.get("GIT_SSH_VARIANT")
    if named is None:
        named = config_text(config, (b"ssh",), b"variant", "surrogateescape")
    if named is not None:
        # git: any other word is OpenSSH
        return Variant(named) if named in Variant.__members__.values() else Variant.SSH
    if cmdline:
        try:
            words = shlex.split(command)
        except ValueError:
            return Variant.AUTO
        if not words:
            return Variant.AUTO
        command = words[0]
    name = command.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return _BY_NAME.get(name, Variant.AUTO)
