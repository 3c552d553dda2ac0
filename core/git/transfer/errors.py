"""Errors of talking to a remote: each with its fields and the sync result it maps to.

Messages name the remote and a reason, never a credential: callers build
them from redacted URLs and from `scrub`bed exception text.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from core.errors import GitferryError
from core.phrase import Phrase, as_phrase, phrase, verbatim
from core.results import ResultKind


class RemoteError(GitferryError):
    """Talking to `remote` failed; `reason` is one line, free of secrets (`reason_said`:
    the same as a phrase, for the app to translate)."""

    def __init__(self, remote: str, reason: str | Phrase, message: str | Phrase) -> None:
        super().__init__(message)
        self.remote = remote
        self.reason_said = as_phrase(reason)
        self.reason = self.reason_said.english()


class AuthFailed(RemoteError):
    result = ResultKind.AUTH_FAILED

    def __init__(self, remote: str, reason: str | Phrase | None = None) -> None:
        why = as_phrase(reason or phrase("authentication refused"))
        super().__init__(remote, why, phrase("{remote}: {reason}", remote=remote, reason=why))


class SignInNeeded(AuthFailed):
    """The server wants a credential and none could be given: none is stored (keyring,
    git's credential helpers) and nobody could be asked (a background fetch, a CLI
    without a terminal). Nothing was refused: the remote is not failing, so the breaker
    does not count it (core/engine/daemon.py, `as_outcome`)."""


class RemoteUnreachable(RemoteError):
    result = ResultKind.OFFLINE

    def __init__(self, remote: str, reason: str | Phrase, message: str | Phrase | None = None) -> None:
        why = as_phrase(reason)
        super().__init__(
            remote, why, message or phrase("{remote} is unreachable: {reason}", remote=remote, reason=why)
        )


def named_by_address(error: RemoteError, address: str) -> RemoteError:
    """`error` as a clone says it: about `address` (host[:port], or the URL of a path) it
    tried, not the remote name `origin` the person cloning never gave. Errors with more
    than a reason to them come back as they were."""
    if type(error) is RemoteUnreachable:
        why = error.reason_said
        return RemoteUnreachable(
            address, why, phrase("could not reach {address}: {reason}", address=address, reason=why)
        )
    if isinstance(error, AuthFailed) and type(error) in (AuthFailed, SignInNeeded):
        return type(error)(address, error.reason_said)
    if type(error) is TransferFailed:
        why = error.reason_said
        # a reason naming the address is the whole of it: "no git repository at URL"
        return TransferFailed(address, why, why if address in why.english() else None)
    return error


class TransferFailed(RemoteError):
    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str | Phrase, message: str | Phrase | None = None) -> None:
        why = as_phrase(reason)
        super().__init__(
            remote,
            why,
            message or phrase("fetching from {remote} failed: {reason}", remote=remote, reason=why),
        )


class CertificateNotTrusted(TransferFailed):
    """The server's TLS certificate did not verify: nothing was sent or received."""

    def __init__(self, remote: str, detail: str) -> None:
        super().__init__(
            remote,
            phrase(
                "certificate not trusted ({detail}): give git's http.sslCAInfo the CA's certificate file",
                detail=detail,
            ),
        )
        self.detail = detail


def without_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret (as it is, and URL-quoted) replaced by `***`."""
    for secret in secrets:
        if secret:
            for form in (secret, quote(secret, safe=""), quote(secret)):
                text = text.replace(form, "***")
    return text


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` on one line, shortened, with every secret replaced by `***`."""
    line = " ".join(without_secrets(text, secrets).split())
    return line if len(line) <= 300 else line[:297] + "..."


def scrubbed(said: Phrase, secrets: Iterable[str | None] = ()) -> Phrase:
    """`said` as `scrub` would leave its text: itself when that changes nothing, else the
    scrubbed English (a secret, or a line too long, in it)."""
    english = said.english()
    text = scrub(english, secrets)
    return said if text == english else verbatim(text)


class TransferStopped(RemoteError):
    """The transfer was stopped from outside (`TransferStop`): a user's Cancel, or a
    background fetch that ran past its deadline. Nothing it received was kept."""

    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str | Phrase) -> None:
        why = as_phrase(reason)
        super().__init__(
            remote, why, phrase("fetching from {remote} stopped: {reason}", remote=remote, reason=why)
        )
