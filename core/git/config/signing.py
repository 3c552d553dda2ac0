"""Whether, and how, the user's git signs commits, read as git reads it.

`commit.gpgsign` is what `git commit`, `git merge` and `git rebase` each read
to sign the commits they make; when it is true, so does every commit Gitferry
makes (`core.git.objects.new_commit`). `gpg.format` picks the signer: openpgp
(`gpg.program` or `gpg.openpgp.program`, default `gpg`), x509
(`gpg.x509.program`, default `gpgsm`) or ssh (`gpg.ssh.program`, default
`ssh-keygen`). The key is `user.signingKey`; without it openpgp and x509 sign
as the committer (`Name <email>`), and ssh asks `gpg.ssh.defaultKeyCommand`.
Program paths expand `~` as git's pathname settings do.

A setting git itself would refuse (an unknown format, a non-boolean
`commit.gpgsign`) is refused here too: the sync stops before it commits, as
`git commit` would, rather than commit unsigned.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.values import config_text, git_bool
from core.phrase import phrase
from core.results import ResultKind

SigningFormat = Literal["openpgp", "x509", "ssh"]

_DEFAULT_PROGRAMS: dict[SigningFormat, str] = {"openpgp": "gpg", "x509": "gpgsm", "ssh": "ssh-keygen"}
# Where each format's program is configured, the more specific name first.
_PROGRAM_KEYS: dict[SigningFormat, list[tuple[tuple[bytes, ...], bytes]]] = {
    "openpgp": [((b"gpg", b"openpgp"), b"program"), ((b"gpg",), b"program")],
    "x509": [((b"gpg", b"x509"), b"program")],
    "ssh": [((b"gpg", b"ssh"), b"program")],
}


class SigningFailed(GitferryError):
    """A commit that must be signed could not be: nothing was committed.

    `signer`: the program that failed; None when the configuration itself is wrong."""

    result = ResultKind.ERROR

    def __init__(self, reason: str, *, signer: str | None = None) -> None:
        if signer:
            said = phrase("commit.gpgsign is set but {signer} failed: {reason}", signer=signer, reason=reason)
        else:
            said = phrase("commit.gpgsign is set but signing is misconfigured: {reason}", reason=reason)
        super().__init__(said)
        self.signer = signer
        self.reason = reason


@dataclass(frozen=True)
class SigningConfig:
    format: SigningFormat
    program: str  # the signer to run (a name on PATH or a path)
    key: str | None  # user.signingKey, as written
    default_key_command: str | None  # gpg.ssh.defaultKeyCommand


def signing_config(repo: Repo) -> SigningConfig | None:
    """How commits of `repo` are signed; None when `commit.gpgsign` is not true."""
    config = repo.get_config_stack()
    if not _git_bool(config_text(config, (b"commit",), b"gpgsign", "surrogateescape"), "commit.gpgsign"):
        return None
    written = config_text(config, (b"gpg",), b"format", "surrogateescape")
    name = "openpgp" if written is None else written
    if name not in _DEFAULT_PROGRAMS:
        raise SigningFailed(f"gpg.format is '{name}'; git signs with openpgp, x509 or ssh")
    fmt: SigningFormat = name  # narrowed by the check above
    program = next(
        (
            value
            for section, key in _PROGRAM_KEYS[fmt]
            if (value := config_text(config, section, key, "surrogateescape"))
        ),
        _DEFAULT_PROGRAMS[fmt],
    )
    return SigningConfig(
        format=fmt,
        program=os.path.expanduser(program),
        key=config_text(config, (b"user",), b"signingkey", "surrogateescape") or None,
        default_key_command=config_text(config, (b"gpg", b"ssh"), b"defaultkeycommand", "surrogateescape")
        or None,
    )


def _git_bool(value: str | None, name: str) -> bool:
    """git's boolean: true/yes/on, false/no/off/empty, or a number (non-zero is true)."""
    if value is None:
        return False
    parsed = git_bool(value)
    if parsed is None:
        raise SigningFailed(f"{name} is '{value}', not a boolean")
    return parsed
