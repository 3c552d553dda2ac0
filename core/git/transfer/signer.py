"""The ports a transfer signs in with, apart from the sign-in itself.

`Signer` carries what a client (the CLI, the desktop app, the daemon) lends a
transfer to sign in with: the keyring, the prompt for an HTTP(S) credential
(`SignInPrompt`, asked with a `SignInRequest`), the passwords a running engine
was given (`SessionPasswords`; in a one-off command, the way to hand one to the
running engine: `PasswordHandOver`), the session's ssh key passphrases
(`SshPassphrases`) and the prompt for ssh's questions. The chain
that uses them is `sign_in.py` (HTTP(S)) and `ssh_questions.py` (ssh); they
are imported by the transfer that needs them, so a `git://` or local fetch,
which signs in to nothing, never loads them (issue 19: the cold
`gitferry sync` of such a remote).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.phrase import Phrase, phrase
from core.remote_url import HttpAuth

if TYPE_CHECKING:
    from core.credentials import Credentials
    from core.git.transfer.ssh_questions import SshPrompt


@dataclass(frozen=True)
class SignInRequest:
    """What the user is asked: the remote, its URL (no secret), a user name to offer."""

    remote: str
    url: str
    username: str | None
    refused: bool  # a credential was sent and refused
    # A credential helper gave the password but no user name (its name): ask only for the
    # user name, as git does; the answer's password is then ignored and the helper's used.
    password_from: str | None = None
    # Where a typed password is kept once the server accepts it, so the dialog says it truly:
    # `no_keyring`: none could be used (absent, or its backend cannot be loaded); `helpers`:
    # git's credential helpers told `store` (their names).
    no_keyring: bool = False
    helpers: tuple[str, ...] = ()
    # Set when the transfer stopped (a Cancel): nobody waits for the answer any more.
    withdrawn: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


SignInPrompt = Callable[[SignInRequest], HttpAuth | None]
"""Asks the user (blocking, from the transfer's thread); None: they declined."""

PasswordHandOver = Callable[[str, str, "str | None", HttpAuth], "str | None"]
"""A one-off command's way to give the running engine (the app, the daemon) a password the
server accepted and nothing else keeps, keyed as `SessionPasswords` keys it (protocol,
host, path): who keeps it now ("the daemon"), or None (no engine took it)."""


class SessionPasswords:
    """HTTP(S) passwords the user gave a running engine (the app, the daemon), kept in memory
    until `holder` quits, as git's `credential-cache` keeps them: never written, never logged.
    Keyed as git matches credentials: protocol, host with its port, and the path only when
    `credential.useHttpPath` says so; an entry for a user name answers only that user."""

    def __init__(self, holder: str) -> None:
        self.holder = holder  # "the app", "the daemon": who keeps them, as a message says it
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str, str | None], HttpAuth] = {}

    def get(self, protocol: str, host: str, path: str | None, username: str | None) -> HttpAuth | None:
        with self._lock:
            found = self._known.get((protocol, host, path))
        if found is None or (username is not None and found.username != username):
            return None
        return found

    def keep(self, protocol: str, host: str, path: str | None, auth: HttpAuth) -> None:
        with self._lock:
            self._known[(protocol, host, path)] = auth

    def forget(self, protocol: str, host: str, path: str | None, auth: HttpAuth) -> None:
        """Drop the entry if it is still `auth` (the server refused it)."""
        with self._lock:
            if self._known.get((protocol, host, path)) == auth:
                del self._known[(protocol, host, path)]

    def __repr__(self) -> str:
        return f"SessionPasswords({len(self._known)} kept)"


def unkept_password_note(remote: str, why: Phrase, fix: Phrase, holder: str | None) -> Phrase:
    """What became of a password the user gave that no keyring (`why`, `fix`: its
    `KeyringUnavailable`) and no credential helper keeps: the memory of the running engine
    `holder` ("the daemon": its own, or the one a one-off command handed it to), or nothing."""
    if holder is None:  # the next fetch nobody is asked in cannot sign in
        return phrase(
            "{remote}: the password was not kept ({why}): background fetches cannot sign in; {fix}",
            remote=remote,
            why=why,
            fix=fix,
        )
    return phrase(
        "{remote}: the password is kept in memory only until {holder} quits ({why}):"
        " background fetches sign in with it until then; to keep it longer, {fix}",
        remote=remote,
        holder=holder,
        why=why,
        fix=fix,
    )


class SshPassphrases:
    """Key passphrases typed in this session, in memory only (never logged, never written)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._asking: dict[str, threading.Lock] = {}

    def one_question(self, key_file: str) -> threading.Lock:
        """Held while the user is asked for `key_file`'s passphrase: another exchange that
        needs it (two repositories syncing at once) waits, then finds it kept."""
        with self._lock:
            return self._asking.setdefault(key_file, threading.Lock())

    def get(self, key_file: str) -> str | None:
        with self._lock:
            return self._known.get(key_file)

    def keep(self, key_file: str, passphrase: str) -> None:
        with self._lock:
            self._known[key_file] = passphrase

    def forget(self, key_file: str) -> None:
        with self._lock:
            self._known.pop(key_file, None)

    def __repr__(self) -> str:
        return f"SshPassphrases({len(self._known)} keys)"


@dataclass(frozen=True)
class Signer:
    """The ports a transfer signs in with: the keyring, and the prompt when the job may ask;
    for ssh, the session's key passphrases and the prompt for ssh's questions; the
    passwords a running engine was given (None: a one-off command keeps none)."""

    keyring: Credentials | None = None
    prompt: SignInPrompt | None = None
    passphrases: SshPassphrases | None = None
    ssh_prompt: SshPrompt | None = None
    passwords: SessionPasswords | None = None
    # A one-off command (the CLI): gives such a password to the running engine, if any.
    hand_over: PasswordHandOver | None = None
    # The job may run the user's askpass program (`git_askpass.py`) as git's prompt does,
    # before `prompt`: a command the user started in the CLI, never a background job.
    askpass: bool = False
    # What the job's user should hear of its sign-ins, one line each: a typed password
    # no keyring and no credential helper keeps.
    notes: list[Phrase] = field(default_factory=list, compare=False)
