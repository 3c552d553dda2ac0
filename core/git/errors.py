"""Errors of talking to a remote: each with its fields and the sync result it maps to.

Messages name the remote and a reason, never a credential: callers build
them from redacted URLs and from `scrub`bed exception text.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from core.errors import BadInput, GitferryError
from core.results import ResultKind


class BadRemoteUrl(BadInput):
    """A remote URL that cannot be parsed or names no supported transport; `url` is
    redacted, since a malformed URL can still carry a password."""

    def __init__(self, url: str, why: str) -> None:
        url = redact_url(url)
        super().__init__(f"bad remote URL {url!r}: {why}")
        self.url = url
        self.why = why


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


class RemoteUnreachable(RemoteError):
    result = ResultKind.OFFLINE

    def __init__(self, remote: str, reason: str) -> None:
        super().__init__(remote, reason, f"{remote} is unreachable: {reason}")


class TransferFailed(RemoteError):
    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str) -> None:
        super().__init__(remote, reason, f"fetching from {remote} failed: {reason}")


def redact_url(url: str) -> str:
    """`url` with the password of its user information (`user:password@`) replaced by
    `***`, for any scheme and for scp-style addresses."""
    head, sep, rest = url.partition("://")
    if not sep:
        head, rest = "", url
    authority, slash, tail = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{head}{sep}{user}:***@{hostport}{slash}{tail}"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` on one line, shortened, with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            for form in (secret, quote(secret, safe=""), quote(secret)):
                text = text.replace(form, "***")
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."
