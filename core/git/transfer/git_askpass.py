"""The user's askpass program, run as git's prompt runs it for an HTTP(S) credential.

git asks for a user name and a password nothing else gave (no helper) through
`git_prompt`: first the program `GIT_ASKPASS` names, else `core.askPass`, else
`SSH_ASKPASS` (an empty value is none), run directly (no shell) with the prompt
as its one argument, its first line of output the answer; only when none is set,
or it fails, the terminal. So a machine where `git fetch` signs in through such a
program (a desktop's `ksshaskpass`, an editor's askpass, a script printing a
token) signs in the same way in a sync the user started. The description in the
prompt is git's `credential_describe`: `protocol://[user@]host[/path]`.

Unlike Gitferry's own `SSH_ASKPASS` helper (`askpass.py`, which answers ssh's
questions), this is the user's program; a background job never runs it
(`Signer.askpass`): it may open a window and wait for someone.
"""

from __future__ import annotations

import logging
import os
import subprocess

from dulwich.config import Config

from core.git.config.credential_config import CredentialQuery
from core.git.config.values import config_text
from core.git.transfer.stop import TransferStop, registered

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 300.0  # the program may show a window and wait for the user, as a helper may


def askpass_program(config: Config | None) -> str | None:
    """The program git's prompt would run: `GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`."""
    for program in (
        os.environ.get("GIT_ASKPASS"),
        config_text(config, (b"core",), b"askPass", "surrogateescape"),
        os.environ.get("SSH_ASKPASS"),
    ):
        if program is not None:
            return program or None  # set but empty: none, as git takes it
    return None


def describe(query: CredentialQuery, username: str | None = None) -> str:
    """git's `credential_describe`: what the prompt names."""
    user = f"{username}@" if username else ""
    path = f"/{query.path}" if query.path else ""
    return f"{query.protocol}://{user}{query.host}{path}"


def ask(program: str, prompt: str, stop: TransferStop | None = None) -> str | None:
    """git's `do_askpass`: `program prompt`, the first line it prints; None when it could
    not start, failed or gave no answer within `ANSWER_TIMEOUT`."""
    try:
        proc = subprocess.Popen(
            [program, prompt],
            stdout=subprocess.PIPE,
            start_new_session=True,  # a stop kills it and whatever it started
        )
    except OSError as exc:
        log.warning("askpass program %s could not start: %s", program, exc.strerror)
        return None
    unregister = registered(stop, proc.kill)
    try:
        out, _ = proc.communicate(timeout=ANSWER_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        log.warning("askpass program %s: no answer within %g s", program, ANSWER_TIMEOUT)
        return None
    finally:
        unregister()
    if proc.returncode != 0:
        log.warning("askpass program %s exited with %s", program, proc.returncode)
        return None
    return out.decode("utf-8", "surrogateescape").split("\n", 1)[0].split("\r", 1)[0]
