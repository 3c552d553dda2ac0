"""Remote URLs as git reads them: parsed, validated, redacted, and split from secrets.

The one place URLs are handled. Supported: a local path, `file://`, `git://`,
`http(s)://`, `ssh://` (also `git+ssh://`), and scp-style `[user@]host:path`.
Anything else is a `BadRemoteUrl` with a one-line reason, raised before any
connection. A URL typed with `user:password@` in it is split: the secret goes to
the keyring (`core.credentials`) and the URL is stored without it.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from core.errors import BadInput
from core.phrase import Phrase, as_phrase, phrase

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>\[[^\]/]+\]|[^:/\[\]@]+):(?P<path>.*)$")
_SSH_SCHEMES = {"ssh", "git+ssh", "ssh+git"}
_SCHEMES = ("https", "http", "file", "git", "ssh", "git+ssh", "ssh+git")
# a word then ":" and one slash, ":" and none, or "//" with no colon: a mistyped "<scheme>://"
_SCHEME_TYPO = re.compile(r"^(?P<word>[A-Za-z][A-Za-z0-9+.-]*)(?P<sep>:/(?!/)|:(?!/)|//)(?P<rest>.*)$")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


class Kind(StrEnum):
    PATH = "path"
    FILE = "file"
    GIT = "git"
    HTTP = "http"
    HTTPS = "https"
    SSH = "ssh"


@dataclass(frozen=True)
class RemoteUrl:
    """A parsed remote URL. `text` is safe to show: any password in it is `***`."""

    kind: Kind
    text: str
    path: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def netloc(self) -> str:
        """host[:port], IPv6 hosts in brackets; no user information."""
        return format_netloc(self.host, self.port)


def parse_remote_url(url: str, base: Path | str | None = None) -> RemoteUrl:
    """Parse `url`; a relative local path is taken relative to `base` (or the cwd)."""
    if not url:
        raise BadRemoteUrl(url, phrase("it is empty"))
    if url != url.strip() or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadRemoteUrl(_shown(url), phrase("it has leading/trailing spaces or control characters"))
    scheme = _SCHEME.match(url)
    if scheme is not None:
        return _parse_with_scheme(url, scheme.group(1).lower())
    if "://" in url:
        raise BadRemoteUrl(url, phrase("the scheme is not valid"))
    _refuse_scheme_typo(url)
    scp = _SCP.match(url)
    if scp is not None and not _looks_like_local_path(url):
        return _parse_scp(url, scp)
    root = Path(base) if base is not None else Path.cwd()
    return RemoteUrl(Kind.PATH, url, os.path.normpath(root / url))


def _refuse_scheme_typo(url: str) -> None:
    """`htps:/example.org/x`, `https//example.org/x`, `http:example.org/x`: a URL whose
    `://` was mistyped would otherwise be an ssh host (`htps:`) or a relative folder
    (`https/example.org/x`). Refused when the word is a scheme Gitferry knows, or close to
    `http`/`https`/`file` (an ssh host name such as `htpc` or `server` is not)."""
    match = _SCHEME_TYPO.match(url)
    if match is None:
        return
    word, sep = match["word"].lower(), match["sep"]
    if word in _SCHEMES:
        scheme = word
        if sep == ":" and word not in ("http", "https", "file"):
            return  # `git:repo.git`, `ssh:x`: an scp address to a host so named
    else:
        close = difflib.get_close_matches(word, ("https", "http", "file"), n=1, cutoff=0.8)
        if not close:
            return
        scheme = close[0]
    rest = match["rest"].lstrip("/")
    if scheme == "file":
        rest = "/" + rest
    raise BadRemoteUrl(url, phrase("the scheme is mistyped; did you mean {url}?", url=f"{scheme}://{rest}"))


def check_url(url: str) -> RemoteUrl:
    """Validate a URL typed by the user (raises `BadRemoteUrl`)."""
    return parse_remote_url(url)


def folder_name(url: str) -> str:
    """The folder `git clone URL` makes by itself (git's `git_url_basename`): the last
    part of the path, without a trailing `/`, `/.git` or `.git`; '' when there is none."""
    text = url.strip().rstrip("/")
    text = text.removesuffix("/.git").rstrip("/")
    start = max(text.rfind("/"), text.rfind(":")) + 1
    name = text[start:].removesuffix(".git")
    return "" if name in ("", ".", "..") or name.startswith("-") else name


def _shown(url: str) -> str:
    return "".join(c if 32 <= ord(c) != 127 else "?" for c in url)


def _looks_like_local_path(url: str) -> bool:
    # git: a colon after a slash ("./a:b", "/x:y") is part of a local path
    slash = url.find("/")
    return slash != -1 and slash < url.find(":")


def _split(url: str) -> SplitResult:
    """`urlsplit(url)` with its port read, or a one-line `BadRemoteUrl`: urllib raises a
    bare ValueError for an unclosed IPv6 bracket or a port that is not a number, which
    would otherwise reach the user as a traceback."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - read for its ValueError
    except ValueError as exc:
        raise BadRemoteUrl(redact_url(url), _why(exc)) from None
    return parts


def _why(exc: ValueError) -> str | Phrase:
    text = str(exc)
    if "IPv6" in text:
        return phrase("an IPv6 address must be in [brackets], closed before the path")
    if "port" in text.lower():
        return phrase("the port must be a number from 0 to 65535")
    return text.splitlines()[0] if text else phrase("it cannot be parsed")


def _parse_with_scheme(url: str, scheme: str) -> RemoteUrl:
    parts = _split(url)
    port = parts.port
    if scheme == "file":
        return _parse_file(url, parts)
    if scheme in ("http", "https"):
        kind = Kind(scheme)
    elif scheme == "git":
        kind = Kind.GIT
    elif scheme in _SSH_SCHEMES:
        kind = Kind.SSH
    else:
        close = difflib.get_close_matches(scheme, ("https", "http", "file", "ssh"), n=1, cutoff=0.8)
        hint: str | Phrase = phrase("; did you mean {scheme}://?", scheme=close[0]) if close else ""
        raise BadRemoteUrl(
            url, phrase("unsupported transport {scheme}{hint}", scheme=repr(scheme), hint=hint)
        )
    shown = redact_url(url)
    host = parts.hostname
    if not host:
        raise BadRemoteUrl(shown, phrase("no host name"))
    if host.startswith("-"):
        raise BadRemoteUrl(shown, phrase("a host name cannot start with '-'"))
    path = parts.path
    if kind is not Kind.HTTP and kind is not Kind.HTTPS and path in ("", "/"):
        raise BadRemoteUrl(shown, _NO_PATH)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and kind is not Kind.HTTP and kind is not Kind.HTTPS:
        raise BadRemoteUrl(shown, phrase("a {kind} URL cannot carry a password", kind=str(kind)))
    return RemoteUrl(kind, shown, path or "/", host, port, user, password)


def _parse_file(url: str, parts: SplitResult) -> RemoteUrl:
    if parts.netloc not in ("", "localhost"):
        raise BadRemoteUrl(url, phrase("file:// URLs must name a local path (no host)"))
    path = unquote(parts.path)
    if not path:
        raise BadRemoteUrl(url, _NO_PATH)
    return RemoteUrl(Kind.FILE, url, path)


def _parse_scp(url: str, match: re.Match[str]) -> RemoteUrl:
    host = match["host"].strip("[]")
    if not host or host.startswith("-"):
        raise BadRemoteUrl(url, phrase("the host name is empty or starts with '-'"))
    if not match["path"]:
        raise BadRemoteUrl(url, phrase("no repository path after ':'"))
    if match["user"] and ":" in match["user"]:
        raise BadRemoteUrl(url, phrase("an ssh address cannot carry a password"))
    return RemoteUrl(Kind.SSH, url, match["path"], host, None, match["user"])


@dataclass(frozen=True)
class HttpAuth:
    """A user name and password for an HTTP(S) remote (never shown in a repr)."""

    username: str
    password: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"HttpAuth(username={self.username!r}, password='***')"


_NO_PATH = phrase("no repository path")


class BadRemoteUrl(BadInput):
    """A remote URL that cannot be parsed or names no supported transport; `url` is
    redacted, since a malformed URL can still carry a password."""

    def __init__(self, url: str, why: str | Phrase) -> None:
        url = redact_url(url)
        self.why_said = as_phrase(why)
        super().__init__(phrase("bad remote URL {url}: {why}", url=repr(url), why=self.why_said))
        self.url = url
        self.why = self.why_said.english()


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


def format_netloc(host: str | None, port: int | None, username: str | None = None) -> str:
    """[user@]host[:port], IPv6 hosts in brackets, the user URL-quoted."""
    shown = host or ""
    if ":" in shown:
        shown = f"[{shown}]"
    if port is not None:
        shown = f"{shown}:{port}"
    return f"{quote(username, safe='')}@{shown}" if username else shown


def _netloc(parts: SplitResult, username: str | None) -> str:
    return format_netloc(parts.hostname, parts.port, username)


def credential_key(url: str) -> str:
    """The identity of a credential: the URL with no user information."""
    parts = _split(url)
    if parts.scheme not in ("http", "https"):
        return url
    return urlunsplit(parts._replace(netloc=_netloc(parts, None)))


def split_url_secret(url: str) -> tuple[str, HttpAuth | None]:
    """`https://u:p@host/x` -> (`https://u@host/x`, HttpAuth(u, p)); other URLs unchanged."""
    parts = _split(url)
    if parts.scheme not in ("http", "https") or parts.password is None:
        return url, None
    username = unquote(parts.username or "")
    clean = urlunsplit(parts._replace(netloc=_netloc(parts, username or None)))
    return clean, HttpAuth(username, unquote(parts.password))


def url_without_secret(url: str) -> str:
    """`url` fit to store or show: an HTTP(S) password dropped (the user kept), any
    other scheme's password `***`."""
    clean, _auth = split_url_secret(url)
    return redact_url(clean)


def redact_urls(text: str) -> str:
    """`text` with every URL in it fit to show: the text of an exception nobody wrote
    for users (a library's, a bug's) may quote a URL with its password."""

    def shown(match: re.Match[str]) -> str:
        try:
            return url_without_secret(match.group())
        except BadRemoteUrl:  # urlsplit refuses it (a bad port, a bracket): the plain redaction
            return redact_url(match.group())

    return _URL_IN_TEXT.sub(shown, text)
