"""What ssh asks while it connects, and who answers: the user, the session's memory, or nobody.

OpenSSH asks through `SSH_ASKPASS` (Gitferry's own helper, `askpass.py`) when
it meets a host key it does not know ("The authenticity of host ... can't be
established. ED25519 key fingerprint is SHA256:...") and when a key file
needs its passphrase ("Enter passphrase for key '...': "). `SshAsking`
answers for one exchange:

- a host key: the fingerprint the user accepted (ssh compares it with the key
  it was sent, and only then writes known_hosts itself, hashed or not, in the
  file its own settings name); nobody to ask (a background fetch, the CLI):
  no, and the question is kept so the error can give the fingerprint;
- a passphrase: the one typed earlier in this session for that key file
  (`SshPassphrases` in `signer.py`, memory only), else the user's answer, else none (ssh
  goes on to its next key, then says "Permission denied");
- anything else (a password prompt): no answer. Gitferry signs in over ssh
  with keys and agents only.

A changed host key is never asked about: ssh refuses it on its own (with
`StrictHostKeyChecking` ask or yes), and `ssh_failure` says so.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.git.transfer.errors import (
    AuthFailed,
    RemoteError,
    RemoteUnreachable,
    SignInNeeded,
    TransferFailed,
    scrub,
)
from core.git.transfer.stop import TransferStop
from core.phrase import Phrase, phrase

if TYPE_CHECKING:
    from core.git.transfer.signer import SshPassphrases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HostKeyQuestion:
    """ssh does not know `host`'s key: accept it (its fingerprint) or not (None)?"""

    remote: str
    host: str  # as ssh names it: `github.com`, `[127.0.0.1]:2222`
    key_type: str  # ED25519, ECDSA, RSA...
    fingerprint: str  # SHA256:...
    withdrawn: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


@dataclass(frozen=True)
class PassphraseQuestion:
    """The key file needs its passphrase (None: the user declined). `again`: ssh asks once
    more in the same connection, so the passphrase it was given (typed, or kept from earlier
    this session) was not the key's."""

    remote: str
    key_file: str
    again: bool = False
    # where the key signs in: the remote's URL (no secret; its path names the repository)
    # and its host, so a dialog during Sync all says which repository it is for
    url: str = ""
    host: str = ""
    withdrawn: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


@dataclass(frozen=True)
class HostKeyChangedNotice:
    """ssh refused `host`: its key is not the one known_hosts has. Shown, never accepted."""

    remote: str
    host: str
    key_type: str
    fingerprint: str
    known_hosts: str  # the file with the key ssh expected
    withdrawn: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


SshQuestion = HostKeyQuestion | PassphraseQuestion | HostKeyChangedNotice
SshPrompt = Callable[[SshQuestion], str | None]
"""Asks the user (blocking, from a thread of the transfer's): a host key's answer is the
fingerprint accepted, a passphrase's the passphrase, a notice's nothing; None: declined.
A question's `withdrawn` is set when its transfer stopped (a Cancel): nobody waits for
the answer any more."""

_HOST_KEY = re.compile(
    r"The authenticity of host '(?P<host>[^' ]+)(?: \([^)]*\))?' can't be established\.\s*"
    r"(?P<type>[A-Z0-9-]+) key fingerprint is (?P<fp>SHA256:[A-Za-z0-9+/=]+)\.",
)
_PASSPHRASE = re.compile(r"^Enter passphrase for (?:key )?'(?P<file>.+)': ?$")
_CHANGED = re.compile(
    r"The fingerprint for the (?P<type>[A-Z0-9-]+) key sent by the remote host is\s+"
    r"(?P<fp>SHA256:[A-Za-z0-9+/=]+)\.",
)
_CHANGED_HOST = re.compile(r"Host key for (?P<host>\S+) has changed")
_OFFENDING = re.compile(r"Offending \S+ key in (?P<file>.+?):\d+")
_ADDED = "Warning: Permanently added "  # ssh saved a host key: news, not the failure
_PREFIXED = re.compile(r"[\w.@-]+: ")  # "fatal: ", "ssh: ", "git@host: ": a line of its own
_NOT_KNOWN = re.compile(r"No (?P<type>[A-Z0-9-]+) host key is known for (?P<host>\S+)")
# git-upload-pack on the server, for a path that is not a repository; said as an HTTP
# remote's 404 is said, not in git's "fatal:" words
_NO_REPOSITORY = "does not appear to be a git repository"
_SSH_UNREACHABLE = (
    "connection refused",
    "could not resolve hostname",
    "connection timed out",
    "operation timed out",
    "no route to host",
    "network is unreachable",
    "connection closed by remote host",
)


class HostKeyUnknown(TransferFailed):
    """ssh does not know the server's host key and nobody accepted it."""

    def __init__(self, remote: str, question: HostKeyQuestion, url: str) -> None:
        super().__init__(
            remote,
            f"unknown ssh host key for {question.host} ({question.key_type} {question.fingerprint}); "
            f"if that is the server's key, accept it with a sync you start in the app, or "
            f"gitferry trust-host {url} {question.fingerprint}",
        )
        self.question = question


class HostKeyChanged(TransferFailed):
    """ssh refused the server: its host key is not the one known_hosts holds."""

    def __init__(self, remote: str, notice: HostKeyChangedNotice) -> None:
        super().__init__(
            remote,
            f"WARNING: the ssh host key of {notice.host} has CHANGED (now {notice.key_type} "
            f"{notice.fingerprint}); someone may be intercepting the connection, or the server "
            f"was reinstalled. Refused: ask its owner, then fix the entry in {notice.known_hosts}",
        )
        self.notice = notice


@dataclass
class SshAsking:
    """The answers to ssh's questions for one exchange with `remote`.

    `accepted`: a host key fingerprint the user accepted before this exchange
    (`gitferry trust-host`). `prompt` is None when nobody may be asked."""

    remote: str
    prompt: SshPrompt | None = None
    passphrases: SshPassphrases | None = None
    stop: TransferStop | None = None
    accepted: str | None = None
    declined_host: HostKeyQuestion | None = None
    url: str = ""  # the remote's URL, no secret: a passphrase question names it
    host: str = ""  # host[:port]
    accepted_host: HostKeyQuestion | None = None  # answered yes: ssh wrote it to known_hosts
    declined_passphrase: str | None = None  # the key file whose passphrase nobody gave
    answered_key: str | None = None  # the key file whose passphrase was given
    _asked: dict[str, int] = field(default_factory=dict)  # passphrase prompts per key file
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _waiting: int = 0

    @property
    def waiting(self) -> bool:
        """ssh waits for an answer (the user's time: its silence is not the remote's)."""
        return self._waiting > 0

    def answer(self, text: str) -> str | None:
        """The answer to ssh's prompt `text`, or None (no)."""
        with self._waiting_for_answer():
            found = _HOST_KEY.search(text)
            if found:
                return self._host_key(HostKeyQuestion(self.remote, found["host"], found["type"], found["fp"]))
            found = _PASSPHRASE.match(text.strip())
            if found:
                return self._passphrase(found["file"])
            log.debug("%s: ssh asked something Gitferry does not answer: %s", self.remote, text.strip())
            return None

    def _host_key(self, question: HostKeyQuestion) -> str | None:
        answer = self.accepted if self.accepted is not None else self._ask(question)
        if answer != question.fingerprint:
            self.declined_host = question
            return None
        self.accepted_host = question
        return answer  # ssh compares it with the key it was sent, then writes known_hosts

    def _passphrase(self, key_file: str) -> str | None:
        with self._lock:
            self._asked[key_file] = self._asked.get(key_file, 0) + 1
            again = self._asked[key_file] > 1
        kept = self.passphrases
        with kept.one_question(key_file) if kept is not None else contextlib.nullcontext():
            if kept is not None and again:
                kept.forget(key_file)  # asked again: the one kept was wrong
            elif kept is not None and kept.get(key_file) is not None:
                self.answered_key = key_file
                return kept.get(key_file)
            typed = self._ask(PassphraseQuestion(self.remote, key_file, again, self.url, self.host))
            if not typed:
                self.declined_passphrase = key_file
                return None
            if kept is not None:
                kept.keep(key_file, typed)
        self.answered_key = key_file
        return typed

    def used(self) -> Phrase:
        """What an exchange that succeeded signed in with, as the settings say it."""
        if self.answered_key is not None:
            return phrase(
                "signed in with the key {key} (its passphrase as typed this session)", key=self.answered_key
            )
        return phrase("signed in by ssh (your agent or key files)")

    def _ask(self, question: SshQuestion) -> str | None:
        if self.prompt is None:
            return None
        if self.stop is None:
            return self.prompt(question)
        withdraw = self.stop.register(question.withdrawn.set)  # a Cancel withdraws the question
        try:
            with self.stop.paused():
                return self.prompt(question)
        finally:
            withdraw()

    @contextlib.contextmanager
    def _waiting_for_answer(self) -> Iterator[None]:
        with self._lock:
            self._waiting += 1
        try:
            yield
        finally:
            with self._lock:
                self._waiting -= 1

    def notify(self, notice: HostKeyChangedNotice) -> None:
        """Tell the user about a refused host key (nothing to answer)."""
        self._ask(notice)


def ssh_lines_said(stderr: str) -> str:
    """What ssh (and a git on the other end) wrote, on one line, each sentence its own:
    "Host key verification failed; fatal: Could not read from remote repository; Please
    make sure you have the correct access rights and the repository exists." A line
    goes on the sentence before it only when that one did not end (".", "!", "?", a blank
    line) and it starts in lower case with no "fatal:"-like prefix (git wraps one over two
    lines); ssh's "Warning: Permanently added ..." is left out when more was said."""
    sentences: list[str] = []
    ended = True
    for line in (raw.strip() for raw in stderr.splitlines()):
        if not line or line.startswith(_ADDED):
            ended = ended or not line
            continue
        if ended or not line[0].islower() or _PREFIXED.match(line):
            sentences.append(line)
        else:
            sentences[-1] += " " + line
        ended = line.endswith((".", "!", "?"))
    if not sentences:
        return " ".join(stderr.split())
    said = [s[:-1] if s.endswith(".") and not s.endswith("..") else s for s in sentences[:-1]]
    return "; ".join((*said, sentences[-1]))


def ssh_failure(remote: str, url: str, stderr: str, asking: SshAsking | None) -> RemoteError:
    """The error for an ssh that ended before git's protocol began, from what it wrote."""
    if asking is not None and asking.declined_host is not None:
        return HostKeyUnknown(remote, asking.declined_host, url)
    changed = _CHANGED.search(stderr)
    if changed:
        host = _CHANGED_HOST.search(stderr)
        offending = _OFFENDING.search(stderr)
        return HostKeyChanged(
            remote,
            HostKeyChangedNotice(
                remote,
                host["host"] if host else "the server",
                changed["type"],
                changed["fp"],
                offending["file"] if offending else "known_hosts",
            ),
        )
    text = scrub(ssh_lines_said(stderr))
    if asking is not None and asking.accepted_host is not None and "permission denied" not in text.lower():
        return TransferFailed(
            remote,
            f"{text} (the host key of {asking.accepted_host.host} was accepted and ssh saved it; "
            "the server gave up waiting meanwhile: sync again)",
        )
    not_known = _NOT_KNOWN.search(stderr)
    if not_known:
        return TransferFailed(
            remote,
            f"unknown ssh host key for {not_known['host']} and StrictHostKeyChecking is yes: "
            f"add the server's key to known_hosts (ssh -o StrictHostKeyChecking=ask {not_known['host']})",
        )
    lowered = text.lower()
    if "permission denied" in lowered:
        if asking is not None and asking.declined_passphrase is not None:
            # Nobody gave the key's passphrase (a background fetch asks nobody): the user's to
            # give, not the server failing, so the remote's breaker does not count it (as an
            # HTTP(S) sign-in nobody could give)
            return SignInNeeded(
                remote,
                f"ssh refused the login: {text} (the key {asking.declined_passphrase} needs its "
                "passphrase: add it to your ssh-agent with ssh-add, or sync from the app)",
            )
        return AuthFailed(remote, f"ssh refused the login: {text}")
    if any(marker in lowered for marker in _SSH_UNREACHABLE):
        return RemoteUnreachable(remote, text)
    if _NO_REPOSITORY in lowered:
        return TransferFailed(remote, phrase("no git repository at {url}", url=url))
    return TransferFailed(remote, text)
