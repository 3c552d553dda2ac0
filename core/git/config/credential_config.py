"""What git's credential settings say for one URL: which helpers to ask, and what to tell them.

As git's credential.c: the URL becomes `protocol`, `host` (with its port, as
written) and `path` (no leading or trailing slash), plus a `username` when the
URL names one. `credential.<url>.*` and `credential.*` entries that match the
URL apply in the order they are read (`urlmatch.scoped(every=True)`), a
`<url>` git cannot parse as a full URL matched field by field
(`credential.example.com.helper`). `credential.helper` values are collected
in that order, an empty value clearing the list; `credential.username` gives a
user name when the URL has none; without `credential.useHttpPath` the path is
not sent to the helpers of an http(s) URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from dulwich.config import Config

from core.git.config.http_config import config_bool
from core.git.config.urlmatch import last, listed, scoped


@dataclass(frozen=True)
class CredentialQuery:
    """What the helpers are told about the URL (never a secret)."""

    protocol: str
    host: str
    path: str | None
    username: str | None
    helpers: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        """`protocol://[user@]host[/path]`, as git's prompt shows it."""
        user = f"{self.username}@" if self.username else ""
        path = f"/{self.path}" if self.path else ""
        return f"{self.protocol}://{user}{self.host}{path}"


@dataclass(frozen=True)
class _Fields:
    protocol: str | None
    host: str | None
    path: str | None
    username: str | None


def url_fields(url: str, *, partial: bool = False) -> _Fields:
    """`url` split as git's credential_from_url splits it (any password ignored)."""
    head, sep, rest = url.partition("://")
    if not sep:
        if not partial:
            raise ValueError(f"{url!r} has no scheme")
        head, rest = "", url
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    username = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        username = unquote(userinfo.split(":", 1)[0])
    host = unquote(authority) if authority or not partial else None
    path = unquote(tail.lstrip("/")).rstrip("/") if tail.lstrip("/") else None
    return _Fields(head or None, host, path, username or None)


def credential_query(config: Config | None, url: str) -> CredentialQuery:
    """The helpers to ask about `url` and the fields to tell them."""
    have = url_fields(url)

    def partial(config_url: str) -> bool:
        want = url_fields(config_url, partial=True)
        return all(
            getattr(want, name) is None or getattr(want, name) == getattr(have, name)
            for name in ("protocol", "host", "path", "username")
        )

    values = scoped(config, "credential", url, every=True, partial=partial) if config is not None else []
    username = have.username
    configured_user = last(values, "username")
    if username is None and configured_user is not None:
        username = configured_user.decode("utf-8", "replace")
    path = have.path
    http = have.protocol in ("http", "https")
    if http and not config_bool("credential.useHttpPath", last(values, "usehttppath"), default=False):
        path = None
    helpers = tuple(value.decode("utf-8", "replace") for value in listed(values, "helper"))
    return CredentialQuery(have.protocol or "", have.host or "", path, username, helpers)
