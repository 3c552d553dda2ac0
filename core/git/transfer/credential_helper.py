"""git's credential helpers, run as git runs them and spoken to in git's credential protocol.

A helper value names the command: `!cmd args` is a shell command, an absolute
path is run as it is, any other name `n` is `git credential-n` (so it needs git
installed). The action (`get`, `store`, `erase`) is appended and the line runs
under `sh -c`, as git's run-command does. The helper reads `key=value` lines on
its stdin (`protocol`, `host`, `path`, `username`, and `password` for store and
erase) ended by a blank line; for `get` it answers in the same form on stdout, and is
told what earlier helpers gave (a password too), as git's credential_fill tells it.
A secret travels only on that pipe: never in the command line or the
environment. A helper that fails or cannot start is skipped, as git skips it;
one that says `quit=1` stops the search.

dulwich 1.2.21 has no helper runner (its `credentials` module only matches
`credential.<url>` sections), so this is ours.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from core.errors import GitferryError
from core.git.config.credential_config import CredentialQuery
from core.git.transfer.stop import TransferStop
from core.phrase import phrase
from core.remote_url import HttpAuth

log = logging.getLogger(__name__)

GET_TIMEOUT = 300.0  # a helper may show its own sign-in window and wait for the user
STORE_TIMEOUT = 30.0


class HelperNeedsGit(GitferryError):
    def __init__(self, helper: str) -> None:
        super().__init__(
            phrase(
                "credential helper {helper} is a git command and git is not installed", helper=repr(helper)
            )
        )
        self.helper = helper


@dataclass(frozen=True)
class HelperAnswer:
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    quit: bool = False


def helper_name(helper: str) -> str:
    """How a helper is shown: `store`, `/usr/bin/x`, a shell command as `!` and its first
    word's file name (the rest of a shell line can hold a token: `!f() { echo password=...`)."""
    if not helper.startswith("!"):
        return helper
    words = helper[1:].split()
    return "!" + (os.path.basename(words[0]) if words else "")


def helper_command(helper: str, action: str) -> str:
    """The shell line git runs for `helper` and `action`."""
    if helper.startswith("!"):
        command = helper[1:]
    elif os.path.isabs(helper):
        command = helper
    else:
        if shutil.which("git") is None:
            raise HelperNeedsGit(helper)
        command = f"git credential-{helper}"
    return f"{command} {action}"


def ask(
    helper: str, query: CredentialQuery, stop: TransferStop | None = None, password: str | None = None
) -> HelperAnswer:
    """`get`: what `helper` knows for `query` (an empty answer when it failed). `password`:
    one an earlier helper gave, told to this one as git's credential_write tells it."""
    output = _run(helper, "get", query, _Known(query.username, password), stop, GET_TIMEOUT)
    return _answer(output) if output is not None else HelperAnswer()


def tell(
    helper: str, action: str, query: CredentialQuery, auth: HttpAuth, stop: TransferStop | None = None
) -> None:
    """`store` (the remote accepted `auth`) or `erase` (it refused it)."""
    _run(helper, action, query, _Known(auth.username, auth.password), stop, STORE_TIMEOUT)


@dataclass(frozen=True)
class _Known:
    """What a helper is told besides the URL: the user name and the password known so far."""

    username: str | None
    password: str | None = field(default=None, repr=False)


def request_text(query: CredentialQuery, known: _Known) -> bytes:
    lines = [("protocol", query.protocol), ("host", query.host)]
    if query.path:
        lines.append(("path", query.path))
    if known.username is not None:
        lines.append(("username", known.username))
    if known.password is not None:
        lines.append(("password", known.password))
    for key, value in lines:
        if "\n" in value or "\0" in value:
            raise GitferryError(f"credential value for {key} contains a newline")
    return "".join(f"{key}={value}\n" for key, value in lines).encode() + b"\n"


def _run(
    helper: str,
    action: str,
    query: CredentialQuery,
    known: _Known,
    stop: TransferStop | None,
    timeout: float,
) -> bytes | None:
    command = helper_command(helper, action)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if action == "get" else subprocess.DEVNULL,
            stderr=None,  # the helper's own messages reach the user, as with git
            start_new_session=True,  # a stop kills it and whatever it started
        )
    except OSError as exc:
        log.warning("credential helper %s could not start: %s", helper_name(helper), exc.strerror)
        return None
    unregister = stop.register(proc.kill) if stop is not None else None
    try:
        out, _ = proc.communicate(request_text(query, known), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        log.warning("credential helper %s %s: no answer within %g s", helper_name(helper), action, timeout)
        return None
    finally:
        if unregister is not None:
            unregister()
    took = time.monotonic() - started
    if proc.returncode != 0:  # its stderr is not repeated: nobody knows what a helper prints
        log.warning("credential helper %s %s exited with %s", helper_name(helper), action, proc.returncode)
        return None
    log.debug("credential helper %s %s answered in %.2f s", helper_name(helper), action, took)
    return out if out is not None else b""


def _answer(output: bytes) -> HelperAnswer:
    values: dict[str, str] = {}
    for raw in output.decode("utf-8", "replace").splitlines():
        if not raw:
            break
        key, sep, value = raw.partition("=")
        if not sep:
            log.warning("credential helper answered a line without '=': ignored")
            return HelperAnswer()
        values[key] = value
    expiry = values.get("password_expiry_utc")
    password = values.get("password")
    if expiry is not None and expiry.isdigit() and int(expiry) < time.time():
        password = None  # expired: as if the helper had none
    quit_ = values.get("quit", "").lower() in ("1", "true", "yes", "on")
    return HelperAnswer(values.get("username"), password, quit_)
