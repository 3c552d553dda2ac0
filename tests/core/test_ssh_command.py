"""Which ssh program and variant git would run (connect.c's get_ssh_command and
determine_ssh_variant), and the options each variant gets, with git itself as referee:
`GIT_TRACE` shows the command git runs for `git ls-remote` over ssh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from dulwich.config import ConfigDict

from core.git.config.ssh_command import Variant, ssh_program
from core.git.transfer.timed_ssh import variant_options


def config(**values: str) -> ConfigDict:
    found = ConfigDict()
    for key, value in values.items():
        section, name = key.split("_", 1)
        found.set((section.encode(),), name.encode(), value.encode())
    return found


def test_git_ssh_command_before_core_sshcommand_before_git_ssh() -> None:
    both = config(core_sshCommand="ssh -F /etc/x")
    env = {"GIT_SSH_COMMAND": "my-ssh -v", "GIT_SSH": "/usr/bin/plink"}
    assert ssh_program(both, env).source == "GIT_SSH_COMMAND"
    assert ssh_program(both, {"GIT_SSH": "/usr/bin/plink"}).command == "ssh -F /etc/x"
    program = ssh_program(None, {"GIT_SSH": "/usr/bin/plink"})
    assert (program.command, program.shell, program.variant) == ("/usr/bin/plink", False, Variant.PLINK)
    assert ssh_program(None, {}).variant is Variant.SSH


@pytest.mark.parametrize(
    ("command", "variant"),
    [
        ("ssh -i key", Variant.SSH),
        ("/usr/bin/SSH.exe", Variant.SSH),
        ("'C:/Program Files/plink.exe' -batch", Variant.PLINK),
        ("TortoisePlink", Variant.TORTOISEPLINK),
        ("/opt/wrapper.sh -x", Variant.AUTO),
    ],
)
def test_the_variant_from_the_programs_name(command: str, variant: Variant) -> None:
    assert ssh_program(None, {"GIT_SSH_COMMAND": command}).variant is variant


def test_the_variant_named_by_the_environment_or_the_config() -> None:
    assert ssh_program(config(ssh_variant="putty"), {"GIT_SSH": "x"}).variant is Variant.PUTTY
    named = {"GIT_SSH": "x", "GIT_SSH_VARIANT": "simple"}
    assert ssh_program(config(ssh_variant="putty"), named).variant is Variant.SIMPLE
    assert ssh_program(config(ssh_variant="whatever"), {"GIT_SSH": "plink"}).variant is Variant.SSH


def test_each_variants_options_as_git_gives_them() -> None:
    env: dict[str, str] = {}
    assert variant_options(Variant.SSH, 2222, 2, env) == ["-o", "SendEnv=GIT_PROTOCOL", "-p", "2222"]
    assert env == {"GIT_PROTOCOL": "version=2"}
    assert variant_options(Variant.PLINK, 2222, 2, {}) == ["-P", "2222"]
    assert variant_options(Variant.TORTOISEPLINK, 2222, 0, {}) == ["-batch", "-P", "2222"]
    assert variant_options(Variant.SIMPLE, None, 2, {}) == []
    with pytest.raises(ValueError, match="does not support setting port"):
        variant_options(Variant.SIMPLE, 2222, 2, {})


@pytest.mark.parametrize("program", ["plink", "tortoiseplink", "ssh"])
def test_git_runs_the_same_options(tmp_path: Path, program: str) -> None:
    """A fake program that logs its arguments, run by git: the options match ours."""
    log = tmp_path / "args"
    fake = tmp_path / program
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\nexit 1\n')
    fake.chmod(0o755)
    env = {**os.environ, "GIT_SSH": str(fake), "GIT_PROTOCOL": ""}
    subprocess.run(
        ["git", "-c", "protocol.version=0", "ls-remote", "ssh://me@example.invalid:2222/r.git"],
        env=env,
        capture_output=True,
        check=False,
        timeout=30,
    )
    words = log.read_text().splitlines()
    variant = ssh_program(None, {"GIT_SSH": str(fake)}).variant
    assert words[:-2] == variant_options(variant, 2222, 0, {})
    assert words[-2:] == ["me@example.invalid", "git-upload-pack '/r.git'"]
