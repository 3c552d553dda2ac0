"""Settings scoped to a URL, chosen as git chooses them (`git help config`, `http.<url>.*`).

git normalises both the URL in hand and the `<url>` of each config section
(scheme and host lower-cased, a default port dropped, `%XX` escapes made
canonical, `.` and `..` path segments resolved), then a section matches when
its scheme, host (a `*` label matches any one label), port and user (if it
names one) are the URL's and its path is a prefix of the URL's path ending on
a `/` boundary. Entries are read in git's order (system, global, repository)
and each is kept unless a better-matching one for the same key came before
it: a longer host, then a longer path, then a user name that matched. A key
without a URL matches anything, as the worst match. Credential settings
(`credential.<url>.*`) keep every matching entry in order instead, and also
accept a partial URL (`credential.example.com.helper`).

dulwich's own matching (`dulwich.credentials.match_urls`, `_urlmatch_http_sections`)
compares un-normalised URLs, ignores host wildcards and orders sections by path
length alone, so the rules are implemented here.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dulwich.config import Config, ConfigFile, StackedConfig

_SCHEME_CHARS = set(string.ascii_letters + string.digits + "+.-")
_HOST_CHARS = set(string.ascii_letters + string.digits + ".-_[:]")
_UNSAFE = set(' <>"%{}|\\^`')
_RESERVED = set(":/?#[]@!$&'()*+,;=")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class NormalUrl:
    """A URL as git normalises it, in the parts matching looks at."""

    scheme: str
    user: str | None
    host: str
    port: str
    path: str  # always starts with "/"

    @property
    def text(self) -> str:
        user = f"{self.user}@" if self.user is not None else ""
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{user}{self.host}{port}{self.path}"


@dataclass(frozen=True, order=True)
class Match:
    """How well a config URL matched (greater is better)."""

    host_len: int = 0
    path_len: int = 0
    user_matched: bool = False


NO_URL = Match()  # a key without a URL: matches anything, worst of all


def _escapes(text: str) -> str | None:
    """`text` with `%XX` escapes made canonical: unreserved characters unescaped, escaped
    delimiters kept escaped, unsafe characters (and every byte past ASCII) escaped, hex
    upper case; None when an escape is malformed."""
    raw = text.encode("utf-8")
    out: list[str] = []
    i = 0
    while i < len(raw):
        byte = raw[i]
        escaped = False
        if byte == ord("%"):
            digits = raw[i + 1 : i + 3].decode("ascii", "replace")
            if len(digits) < 2 or any(d not in string.hexdigits for d in digits):
                return None
            byte = int(digits, 16)
            escaped = True
            i += 3
        else:
            i += 1
        ch = chr(byte)
        if byte <= 0x1F or byte >= 0x7F or ch in _UNSAFE or (escaped and ch in _RESERVED):
            out.append(f"%{byte:02X}")
        else:
            out.append(ch)
    return "".join(out)


def normalize(url: str, *, allow_globs: bool = False) -> NormalUrl | None:
    """`url` normalised as git does, or None when git would not take it as a URL."""
    head, sep, rest = url.partition("://")
    if not sep or not head or not head[0].isalpha() or any(c not in _SCHEME_CHARS for c in head):
        return None
    scheme = head.lower()
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:]
    user: str | None = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        normal = _escapes(userinfo)
        if normal is None:
            return None
        user = normal.split(":", 1)[0]
    host, port = _host_and_port(authority, scheme)
    if host is None or port is None:
        return None
    if not host and scheme != "file":
        return None
    allowed = _HOST_CHARS | {"*"} if allow_globs else _HOST_CHARS
    if any(c not in allowed for c in host):
        return None
    path = _path(remainder)
    if path is None:
        return None
    return NormalUrl(scheme, user, host.lower(), port, path)


def _host_and_port(authority: str, scheme: str) -> tuple[str | None, str | None]:
    colon = authority.rfind(":")
    if colon < 0 or authority.rfind("]") > colon:
        return authority, ""
    host, port = authority[:colon], authority[colon + 1 :].lstrip("0")
    if not port and authority[colon + 1 :]:
        port = "0"
    if not port or _DEFAULT_PORTS.get(scheme) == port:
        return host, ""
    if not port.isdigit() or not 0 < int(port) <= 65535:
        return None, None
    return host, port


def _path(remainder: str) -> str | None:
    end = min((i for i in (remainder.find(c) for c in "?#") if i >= 0), default=len(remainder))
    segments: list[str] = []
    raw = remainder[:end].lstrip("/").split("/") if remainder[:end] else [""]
    for index, segment in enumerate(raw):
        normal = _escapes(segment)
        if normal is None:
            return None
        last = index == len(raw) - 1
        if normal == ".":
            if last:
                segments.append("")
            continue
        if normal == "..":
            if not segments:
                return None
            segments.pop()
            if last:
                segments.append("")
            continue
        segments.append(normal)
    return "/" + "/".join(segments)


def _path_match(path: str, prefix: str) -> int:
    """The length of `prefix` matched against `path` on a `/` boundary (the implied
    trailing slash counted), or 0."""
    if prefix in ("", "/"):
        return 1 if path in ("", "/") or path.startswith("/") else 0
    prefix = prefix.removesuffix("/")
    if not path.startswith(prefix):
        return 0
    if len(path) == len(prefix) or path[len(prefix)] == "/":
        return len(prefix) + 1
    return 0


def _host_match(host: str, pattern: str) -> bool:
    labels, wanted = host.split("."), pattern.split(".")
    return len(labels) == len(wanted) and all(w in ("*", h) for h, w in zip(labels, wanted, strict=True))


def match(url: NormalUrl, prefix: NormalUrl) -> Match | None:
    """How the config URL `prefix` matches `url`, or None."""
    if url.scheme != prefix.scheme:
        return None
    if prefix.user is not None and url.user != prefix.user:
        return None
    if not _host_match(url.host, prefix.host) or url.port != prefix.port:
        return None
    path_len = _path_match(url.path, prefix.path)
    if not path_len:
        return None
    return Match(len(prefix.host), path_len, prefix.user is not None)


@dataclass(frozen=True)
class Entry:
    """One `section[.subsection].name = value` line of the configuration."""

    section: bytes
    subsection: bytes | None
    name: str  # lower case
    value: bytes


def entries(config: Config) -> Iterator[Entry]:
    """Every entry of `config` in the order git reads them: system, global, the
    repository (its worktree's config last), then `GIT_CONFIG_COUNT` pairs. Within one
    file, in its sections' first-appearance order (dulwich merges a section opened
    twice)."""
    backends = list(reversed(config.backends)) if isinstance(config, StackedConfig) else [config]
    for backend in backends:
        if isinstance(backend, ConfigFile) or hasattr(backend, "sections"):
            yield from _file_entries(backend)
    yield from _environment_entries()


def _file_entries(config: Config) -> Iterator[Entry]:
    for section in config.sections():
        subsection = section[1] if len(section) > 1 else None
        for name, value in config.items(section):
            if isinstance(value, bytes):
                yield Entry(section[0].lower(), subsection, name.decode("utf-8", "replace").lower(), value)


def _environment_entries() -> Iterator[Entry]:
    try:
        count = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        return
    for i in range(count):
        key, value = os.environ.get(f"GIT_CONFIG_KEY_{i}"), os.environ.get(f"GIT_CONFIG_VALUE_{i}")
        if not key or value is None or "." not in key:
            continue
        section, _, rest = key.partition(".")
        subsection, dot, name = rest.rpartition(".")
        yield Entry(
            section.lower().encode(),
            subsection.encode() if dot else None,
            name.lower(),
            value.encode(),
        )


PartialMatch = Callable[[str], bool]


def scoped(
    config: Config, section: str, url: str, *, every: bool = False, partial: PartialMatch | None = None
) -> list[tuple[str, bytes]]:
    """`(name, value)` of the `section` entries that apply to `url`, in the order git
    hands them to its callback (a later one of the same name overrides, or adds to, an
    earlier one). `every`: keep each matching entry (git's credential rules) rather than
    only those at least as specific as the best before them. `partial` decides for a
    config URL git cannot normalise (credential's partial URLs)."""
    target = normalize(url)
    best: dict[str, Match] = {}
    out: list[tuple[str, bytes]] = []
    wanted = section.lower().encode()
    for entry in entries(config):
        if entry.section != wanted:
            continue
        quality = NO_URL
        if entry.subsection is not None:
            found = _subsection_match(entry.subsection.decode("utf-8", "replace"), target, partial)
            if found is None:
                continue
            quality = found
        if not every and entry.name in best and quality < best[entry.name]:
            continue
        best[entry.name] = quality
        out.append((entry.name, entry.value))
    return out


def _subsection_match(
    config_url: str, target: NormalUrl | None, partial: PartialMatch | None
) -> Match | None:
    prefix = normalize(config_url, allow_globs=True)
    if prefix is None:
        return NO_URL if partial is not None and partial(config_url) else None
    if target is None:
        return None
    return match(target, prefix)


def last(values: list[tuple[str, bytes]], name: str) -> bytes | None:
    """The value that wins for `name` (the last one handed over), or None."""
    found = [value for key, value in values if key == name.lower()]
    return found[-1] if found else None


def listed(values: list[tuple[str, bytes]], name: str) -> list[bytes]:
    """A multi-valued key's values; an empty value clears those before it (as git's
    `http.extraHeader` and `credential.helper`)."""
    out: list[bytes] = []
    for key, value in values:
        if key == name.lower():
            if value:
                out.append(value)
            else:
                out.clear()
    return out
