"""Credentials for one HTTP(S) exchange, in git's order, with git's approve and reject.

First what needs no asking: a user name and secret given for this exchange
(typed in the settings), a password written into the URL, Gitferry's
keyring entry, or a password the running engine was given before
(`SessionPasswords`: git's `credential-cache`, in the engine's memory); these
are sent with the first request. When the server
answers 401 (none was sent, or it refused the one sent), the next source is
asked, as git's credential_fill does: git's credential helpers in their
configured order (`get`, each told what the earlier ones gave: one helper's user
name goes with a later one's password, as in git),
then, as git's prompt does, the user's askpass program (`git_askpass.py`:
`GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`) when the user started the job in the
CLI, then the user through the client's `SignInPrompt` (a terminal prompt, the
desktop app's sign-in dialog) when the job may ask: only for the user name when
a helper gave the password alone, as git asks. The request is then
sent again.

After the server accepted a credential that came from a helper, the askpass
program or the prompt, every helper is told `store` (git's approve), and a typed one is
saved in the keyring; a keyring entry refused before it is then forgotten.
A credential the user gave (typed, or given for the exchange) is kept in the
running engine's memory, so background fetches sign in with it while the app
or daemon runs, with no keyring too; a kept one the server refuses is dropped.
A one-off command (the CLI) hands a typed one that nothing else keeps to the
running engine, if one runs (`Signer.hand_over`), once the server accepted it.
When the server refuses a credential from a helper or the prompt, every helper
is told `erase` (git's reject). Gitferry's own keyring entry is never handed
to git's helpers.
"""

from __future__ import annotations

import contextlib
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum

from dulwich.config import Config
from dulwich.repo import Repo

from core.credentials import Credentials, KeyringUnavailable
from core.errors import GitferryError
from core.git.config.credential_config import CredentialQuery, credential_query
from core.git.config.remote_config import list_remotes
from core.git.config.url_rewrite import fetch_url
from core.git.transfer import credential_helper, git_askpass
from core.git.transfer.credential_helper import HelperNeedsGit, helper_name
from core.git.transfer.signer import SessionPasswords, Signer, SignInRequest, unkept_password_note
from core.git.transfer.ssh_identity import describe_ssh
from core.git.transfer.stop import TransferStop, registered
from core.phrase import Phrase, in_turn, phrase
from core.remote_url import (
    BadRemoteUrl,
    HttpAuth,
    Kind,
    RemoteUrl,
    credential_key,
    parse_remote_url,
    url_without_secret,
)

log = logging.getLogger(__name__)


class Source(StrEnum):
    GIVEN = "given"  # typed in the settings for this exchange
    URL = "url"  # a password written into the URL
    KEYRING = "keyring"
    MEMORY = "memory"  # given to the running engine before (`SessionPasswords`)
    HELPER = "helper"
    ASKPASS = "askpass"  # the user's askpass program (`git_askpass.py`), git's prompt's first try
    PROMPT = "prompt"

    def shown(self, name: str = "") -> Phrase:
        """Where a credential came from, as a message says it."""
        if self is Source.HELPER:
            return phrase("from credential helper {name}", name=repr(name))
        if self is Source.ASKPASS:
            return phrase("from askpass program {name}", name=repr(name))
        return {
            Source.GIVEN: phrase("as typed"),
            Source.URL: phrase("in the URL"),
            Source.KEYRING: phrase("from the keyring"),
            Source.MEMORY: phrase("as given earlier while Gitferry runs"),
            Source.PROMPT: phrase("as typed at the sign-in"),
        }[self]


@dataclass
class SignIn:
    """The credential chain of one exchange with `url` (already rewritten by insteadOf)."""

    remote: str
    url: RemoteUrl
    config: Config | None = None
    given: HttpAuth | None = field(default=None, repr=False)
    signer: Signer = field(default_factory=Signer)
    stop: TransferStop | None = None
    current: HttpAuth | None = field(default=None, repr=False)
    source: Source | None = None
    source_name: str = ""  # the helper's name when `source` is HELPER
    notes: list[Phrase] = field(default_factory=list)  # why sources gave nothing (one line each)
    _tried: set[Source] = field(default_factory=set)
    _keyring_refused: bool = False
    _keyring_absent: str = ""  # why no keyring could keep a password (`KeyringUnavailable.absent`)
    _cancelled: bool = False  # the user closed the sign-in dialog (Cancel), not the transfer's stop
    _refused_what: Phrase | None = None  # the last source the server refused, as shown
    _approved: bool = False
    _query: CredentialQuery | None = None
    _helper_password: str | None = field(default=None, repr=False)  # a helper's, with no user name
    _helper_gave: str = ""  # that helper's name

    @property
    def secrets(self) -> list[str | None]:
        """Every secret this exchange holds, for scrubbing messages."""
        given = self.given.password if self.given else None
        return [self.url.password, given, self._password(), self._helper_password]

    def _password(self) -> str | None:
        return self.current.password if self.current is not None else None

    # The chain -----------------------------------------------------------------------

    def first(self) -> HttpAuth | None:
        """What goes with the first request: given, in the URL, or in the keyring."""
        if self.given is not None:
            return self._use(Source.GIVEN, self.given)
        self._tried.add(Source.GIVEN)
        if self.url.password is not None:
            return self._use(Source.URL, HttpAuth(self.url.user or "", self.url.password))
        self._tried.add(Source.URL)
        found = self._from_keyring()
        return found if found is not None else self._from_memory()

    def after_unauthorized(self) -> HttpAuth | None:
        """The server answered 401: the next credential to try, or None (give up)."""
        if self.current is not None:
            self._refused()
        if self.source in (Source.GIVEN, Source.URL, Source.ASKPASS, Source.PROMPT) or self._approved:
            return None  # what the user gave or wrote is final; a prompt is asked once
        if Source.KEYRING not in self._tried:
            found = self._from_keyring()
            if found is not None:
                return found
        if Source.MEMORY not in self._tried:
            found = self._from_memory()
            if found is not None:
                return found
        if Source.HELPER not in self._tried:
            found = self._from_helpers()
            if found is not None:
                return found
        if Source.PROMPT not in self._tried:
            return self._from_prompt()
        return None

    def accepted(self) -> None:
        """The server accepted `current`: git's approve, and a typed secret kept."""
        if self._approved or self.current is None:
            return
        self._approved = True
        if self.source in (Source.HELPER, Source.ASKPASS, Source.PROMPT):
            self._tell_helpers("store", self.current)
        passwords = self.signer.passwords
        if passwords is not None and self.source in (Source.GIVEN, Source.PROMPT):
            passwords.keep(*self._memory_key(), self.current)
        keyring = self.signer.keyring
        if keyring is None:
            return
        try:
            if self.source is Source.PROMPT and self._helper_password is None:
                keyring.save(self._key(), self.current)  # a helper's password stays the helper's
            elif self._keyring_refused and self.source in (Source.HELPER, Source.MEMORY):
                keyring.forget(self._key())  # stale: the helper's credential is the one that works
        except KeyringUnavailable as exc:
            log.warning("%s: %s", self.remote, exc.message)
            if exc.absent and self.source is Source.PROMPT and not self._query_for().helpers:
                holder = self._kept_in_memory(self.current)
                note = unkept_password_note(self.remote, exc.why_said, exc.fix_said, holder)
                self.signer.notes.append(note)

    def _kept_in_memory(self, auth: HttpAuth) -> str | None:
        """Who keeps a typed password that the server accepted and nothing else keeps: this
        running engine (kept above), the running engine a one-off command hands it to
        (over its owner-only socket, never written), or nobody (None)."""
        if self.signer.passwords is not None:
            return self.signer.passwords.holder
        if self.signer.hand_over is None:
            return None
        return self.signer.hand_over(*self._memory_key(), auth)

    @property
    def needs_someone(self) -> bool:
        """The exchange ended unauthorised with nothing refused and nobody to ask: a
        credential only the user can give (`SignInNeeded`), not the server failing."""
        return self._refused_what is None and self.signer.prompt is None

    def refusal(self) -> Phrase:
        """Why the exchange ended unauthorised, in one line (`scrubbed` before it is shown)."""
        if self._refused_what is not None:
            # A credential was found and refused: why other sources had none (no keyring,
            # "give it through a git credential helper") is beside the point.
            return phrase("the server refused the credentials ({what})", what=self._refused_what)
        if self._cancelled:  # what the user did, not why no source had one (no keyring...)
            return phrase("the sign-in was cancelled")
        notes = list(dict.fromkeys(self.notes))
        if notes:
            return phrase("the server requires credentials; {notes}", notes=in_turn(notes))
        if self.signer.prompt is None:
            return phrase(
                "the server requires credentials and none are stored (keyring, git's credential helpers)"
            )
        return phrase("the server requires credentials and none were given")

    # Sources -------------------------------------------------------------------------

    def _use(self, source: Source, auth: HttpAuth, name: str = "") -> HttpAuth:
        self.source, self.source_name, self.current = source, name, auth
        self._tried.add(source)
        return auth

    def _key(self) -> str:
        return credential_key(url_without_secret(self.url.text))

    def _from_keyring(self) -> HttpAuth | None:
        self._tried.add(Source.KEYRING)
        keyring = self.signer.keyring
        if keyring is None:
            return None
        try:
            found = keyring.get(self._key())
        except KeyringUnavailable as exc:
            if exc.absent:
                self._keyring_absent = exc.why
            if exc.absent and self.signer.prompt is None:  # a background fetch: nowhere to keep one
                self.notes.append(self._no_keyring_note(exc))
            else:
                self.notes.append(exc.phrase)
            return None
        return self._use(Source.KEYRING, found) if found is not None else None

    def _no_keyring_note(self, exc: KeyringUnavailable) -> Phrase:
        """Why a job nobody watches found no password with no keyring, and the way on. With
        a credential helper configured (asked next: this note is said only if it has none
        either), not the advice to configure one: a sync you start asks, and the helper is
        told to keep what the server accepts, as git tells it."""
        try:
            helpers = self._query_for().helpers
        except GitferryError:
            helpers = ()
        if helpers:
            return phrase(
                "{why} and credential helper {helper} has no password for this server:"
                " a sync you start asks for it, and {helper} keeps it",
                why=exc.why_said,
                helper=", ".join(repr(helper_name(h)) for h in helpers),
            )
        return phrase(
            "{why} to keep a password for background fetches: {fix}; a sync you start asks for it",
            why=exc.why_said,
            fix=exc.fix_said,
        )

    def _memory_key(self) -> tuple[str, str, str | None]:
        return memory_key(self.config, self.url.text)

    def _from_memory(self) -> HttpAuth | None:
        self._tried.add(Source.MEMORY)
        passwords = self.signer.passwords
        if passwords is None:
            return None
        username = self.url.user or self._query_for().username
        found = passwords.get(*self._memory_key(), username)
        return self._use(Source.MEMORY, found) if found is not None else None

    def _query_for(self) -> CredentialQuery:
        if self._query is None:
            self._query = credential_query(self.config, url_without_secret(self.url.text))
        return self._query

    def _from_helpers(self) -> HttpAuth | None:
        """git's credential_fill: the helpers are asked `get` in turn, each told what is known
        so far (the user name, a password an earlier one gave) and filling in what it
        answers (a value it gives replaces the one known), until a user name and a password
        are both known: one helper's user name goes with a later one's password."""
        self._tried.add(Source.HELPER)
        query = self._query_for()
        username, password, gave = query.username, None, ""
        for helper in query.helpers:
            try:
                with self._users_time():
                    answer = credential_helper.ask(helper, query, self.stop, password)
            except HelperNeedsGit as exc:
                self.notes.append(exc.phrase)
                continue
            if answer.password is not None:
                password, gave = answer.password, helper_name(helper)
            if answer.username is not None and answer.username != username:
                username = answer.username
                query = CredentialQuery(query.protocol, query.host, query.path, username, query.helpers)
                self._query = query  # the prompt offers it, `store` and `erase` tell it
            if username is not None and password is not None:
                return self._use(Source.HELPER, HttpAuth(username, password), gave)
            if answer.quit:
                self.notes.append(
                    phrase("credential helper {helper} said to stop asking", helper=repr(helper_name(helper)))
                )
                self._tried.add(Source.PROMPT)
                return None
        if password is not None:  # git asks for the user name only: so does the prompt
            self._helper_password, self._helper_gave = password, gave
            self.notes.append(
                phrase(
                    "credential helper {helper} gave a password but no user name: "
                    "set git's credential.username, or write the user in the URL",
                    helper=repr(gave),
                )
            )
        return None

    def _users_time(self) -> AbstractContextManager[None]:
        """A prompt or a helper waits for the user: the transfer's deadlines do not count it."""
        return self.stop.paused() if self.stop is not None else contextlib.nullcontext()

    def _from_askpass(self) -> HttpAuth | None:
        """git's prompt runs the user's askpass program before the terminal (when the user
        started the job): for the user name unless one is known, then for the password
        unless a helper gave it. None: no program, or it gave no answer."""
        self._tried.add(Source.ASKPASS)
        program = git_askpass.askpass_program(self.config) if self.signer.askpass else None
        if program is None:
            return None
        query = self._query_for()
        username = query.username or self.url.user
        password = self._helper_password
        with self._users_time():
            if not username:
                where = git_askpass.describe(query)
                username = git_askpass.ask(program, f"Username for '{where}': ", self.stop)
            if username and password is None:
                where = git_askpass.describe(query, username)
                password = git_askpass.ask(program, f"Password for '{where}': ", self.stop)
        if not username or not password:
            self.notes.append(phrase("the askpass program {program} gave no answer", program=repr(program)))
            return None
        return self._use(Source.ASKPASS, HttpAuth(username, password), program)

    def _from_prompt(self) -> HttpAuth | None:
        self._tried.add(Source.PROMPT)
        if Source.ASKPASS not in self._tried:
            asked = self._from_askpass()
            if asked is not None:
                return asked
        prompt = self.signer.prompt
        if prompt is None:
            return None
        refused = self.current is not None or self._keyring_refused
        username = self._query_for().username or self.url.user
        from_helper = self._helper_gave if self._helper_password is not None else None
        request = SignInRequest(
            self.remote,
            url_without_secret(self.url.text),
            username,
            refused,
            from_helper,
            no_keyring=bool(self._keyring_absent) or self.signer.keyring is None,
            helpers=tuple(helper_name(h) for h in self._query_for().helpers),
        )
        withdraw = registered(self.stop, request.withdrawn.set)
        try:
            with self._users_time():
                typed = prompt(request)
        finally:
            withdraw()
        if typed is not None and self._helper_password is not None and typed.username:
            typed = HttpAuth(typed.username, self._helper_password)
        if typed is None or not typed.password:
            self._cancelled = typed is None and not request.withdrawn.is_set()
            self.current = None
            return None
        return self._use(Source.PROMPT, typed)

    def _refused(self) -> None:
        assert self.current is not None
        self._refused_what = self.source.shown(self.source_name) if self.source else None
        if self.source is Source.KEYRING:
            self._keyring_refused = True
        elif self.source is Source.MEMORY and self.signer.passwords is not None:
            self.signer.passwords.forget(*self._memory_key(), self.current)
        elif self.source in (Source.HELPER, Source.ASKPASS, Source.PROMPT):
            self._tell_helpers("erase", self.current)

    def _tell_helpers(self, action: str, auth: HttpAuth) -> None:
        query = self._query_for()
        for helper in query.helpers:
            try:
                credential_helper.tell(helper, action, query, auth, self.stop)
            except GitferryError as exc:
                log.warning("%s: %s", self.remote, exc.message)


def store_with_helpers(config: Config | None, url: str, auth: HttpAuth) -> bool:
    """git's approve of a credential the server accepted that came with no helper (typed
    into a URL, `credentials set`): every credential helper configured for where `url`
    connects (after insteadOf) is told `store`, as git tells them of a URL's password.
    False when none is configured (then only a keyring or memory can keep it)."""
    query = credential_query(config, url_without_secret(fetch_url(config, url).effective))
    for helper in query.helpers:
        try:
            credential_helper.tell(helper, "store", query, auth)
        except GitferryError as exc:
            log.warning("%s: %s", helper_name(helper), exc.message)
    return bool(query.helpers)


def memory_key(config: Config | None, url: str) -> tuple[str, str, str | None]:
    """How `SessionPasswords` keys a password for `url` (where the transfer goes, after
    insteadOf), as git matches credentials: protocol, host with port, and the path
    only with `credential.useHttpPath`."""
    query = credential_query(config, url_without_secret(url))
    return query.protocol, query.host, query.path


def remote_memory_key(config: Config | None, url: str) -> tuple[str, str, str | None]:
    """`memory_key` of a remote's configured `url` as a fetch looks its password up: of the
    URL it connects to (after insteadOf)."""
    return memory_key(config, fetch_url(config, url).effective)


def remote_memory_keys(repo: Repo) -> dict[str, tuple[str, str, str | None]]:
    """How `SessionPasswords` keys a password for each remote of `repo` (by name) that a
    fetch connects to (its URL after insteadOf): which remotes a password given for a key
    signs in."""
    config = repo.get_config_stack()
    return {remote.name: remote_memory_key(config, remote.url) for remote in list_remotes(repo)}


def used(sign_in: SignIn | None) -> Phrase:
    """What an exchange that succeeded signed in with, as the settings say it."""
    if sign_in is None or sign_in.source is None or sign_in.current is None:
        return phrase("no sign-in needed")
    return phrase("signed in {how}", how=sign_in.source.shown(sign_in.source_name))


def describe_credential(
    url: str, config: Config | None, keyring: Credentials | None, passwords: SessionPasswords | None = None
) -> Phrase:
    """Where a sync would take the credential for `url` from, without asking anyone
    (a helper may show a window when asked): the keyring's entry, a password the running
    engine keeps in memory (`passwords`, typed at a sign-in), a password in the URL, git's
    credential helpers by name, or none. In the order a sync looks (`SignIn`)."""
    try:
        parsed = parse_remote_url(url)
    except BadRemoteUrl as exc:
        return exc.why_said
    if parsed.kind is Kind.SSH:
        return describe_ssh(parsed, config)
    if parsed.kind not in (Kind.HTTP, Kind.HTTPS):
        return phrase("none needed")
    if parsed.password is not None:
        return phrase("the password in the URL")
    no_keyring = None
    if keyring is not None:
        try:
            found = keyring.get(credential_key(url_without_secret(url)))
        except KeyringUnavailable as exc:
            found, no_keyring = None, phrase("not from the keyring ({why})", why=exc.why_said)
        if found is not None:
            return phrase("the keyring (user {user})", user=found.username)
    try:
        helpers = _helpers_said(config, url)
    except GitferryError as exc:
        helpers = exc.phrase
    if passwords is not None and (kept := passwords.get(*memory_key(config, url), None)) is not None:
        if helpers is None:
            return phrase(
                "signed in as {user}, kept in memory until {holder} quits",
                user=kept.username,
                holder=passwords.holder,
            )
        # A typed password was given to the helpers too (`accepted`): it outlives the app there.
        return phrase(
            "signed in as {user}, kept in memory until {holder} quits, then {helpers}",
            user=kept.username,
            holder=passwords.holder,
            helpers=helpers,
        )
    return helpers or no_keyring or phrase("none saved: a sync you start asks you to sign in")


def _helpers_said(config: Config | None, url: str) -> Phrase | None:
    """git's credential helpers for `url`, by name; None when none is configured."""
    helpers = credential_query(config, url_without_secret(url)).helpers
    if not helpers:
        return None
    names = ", ".join(repr(helper_name(h)) for h in helpers)
    if len(helpers) > 1:
        return phrase("git's credential helpers {names}", names=names)
    return phrase("git's credential helper {names}", names=names)
