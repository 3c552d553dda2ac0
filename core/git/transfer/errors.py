"""Errors of talking to a remote: each with its fields and the sync result it maps to.

Messages name the remote and a reason, never a credential: callers build
them from redacted URLs and from `scrub`bed exception text.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from core.errors import GitferryError
from core.results import ResultKind


class RemoteError(GitferryError):
    """Talking to `remote` failed; `reason` is one line, free of secrets."""

    def __init__(self, remote: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.remote = remote
        self.reason = reason


class AuthFailed(RemoteError):
    result = ResultKind.AUTH_FAILED

    def __init__(self, remote: str, reason: str = "authentication refused") -> None:
        super().__init__(remote, reason, f"{remote}: {reason}")


class SignInNeeded(AuthFailed):
    """The server wants a credential and none could be given: none is stored (keyring,
    git's credential helpers) and nobody could be asked (a background fetch, a CLI
    without a terminal). Nothing was refused: the remote is not failing, so the breaker
    does not count it (core/engine/daemon.py, `as_outcome`)."""


class RemoteUnreachable(RemoteError):
    result = ResultKind.OFFLINE

    def __init__(self, remote: str, reason: str, message: str | None = None) -> None:
        super().__init__(remote, reason, message or f"{remote} is unreachable: {reason}")


def named_by_address(error: RemoteError, address: str) -> RemoteError:
    """`error` as a clone says it: about `address` (host[:port], or the URL of a path) it
    tried, not the remote name `origin` the person cloning never gave. Errors with more
    than a reason to them come back as they were."""
    if type(error) is RemoteUnreachable:
        return RemoteUnreachable(address, error.reason, f"could not reach {address}: {error.reason}")
    if isinstance(error, AuthFailed) and type(error) in (AuthFailed, SignInNeeded):
        return type(error)(address, error.reason)
    if type(error) is TransferFailed:
        return TransferFailed(address, error.reason)
    return error


class TransferFailed(RemoteError):
    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str) -> None:
        super().__init__(remote, reason, f"fetching from {remote} failed: {reason}")


class CertificateNotTrusted(TransferFailed):
    """The server's TLS certificate did not verify: nothing was sent or received."""

    def __init__(self, remote: str, detail: str) -> None:
        super().__init__(
            remote,
            f"certificate not trusted ({detail}): give git's http.sslCAInfo the CA's certificate file",
        )
        self.detail = detail


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` on one line, shortened, with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            for form in (secret, quote(secret, safe=""), quote(secret)):
                text = text.replace(form, "***")
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."


class TransferStopped(RemoteError):
    """The transfer was stopped from outside (`TransferStop`): a user's Cancel, or a
    background fetch that ran past its deadline. Nothing it received was kept."""

    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str) -> None:
        super().__init__(remote, reason, f"fetching from {remote} stopped: {reason}")
