"""git's `http.cookieFile`: the cookies curl sends from a Netscape-format cookie file.

Gerrit and googlesource.com sign git in with a cookie (`~/.gitcookies`, written by
their "generate password" page); git hands the file to curl, which sends with each
request the cookies whose domain, path, scheme and expiry match its URL. The file
is read as curl reads it: one cookie a line, seven tab-separated fields (domain,
whether sub-domains match, path, secure only, expiry in Unix seconds with 0 for a
session cookie, name, value); `#` starts a comment, except `#HttpOnly_` before a
domain; no header line is required (Python's `MozillaCookieJar` requires one, and
`.gitcookies` has none). A file that cannot be read sends no cookie, as with curl.
`http.saveCookies` (writing the server's cookies back) is not done. The file is read
once while it stays as it is (its inode, size and modification time), not at each request.
"""

from __future__ import annotations

import logging
import os
import time
from typing import NamedTuple
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

HTTP_ONLY = "#HttpOnly_"


def cookie_header(path: str, url: str, now: float | None = None) -> str | None:
    """The `Cookie` header curl would send to `url` from the file at `path`; None: none."""
    cookies = _cookies(path)
    if not cookies:
        return None
    parts = urlsplit(url)
    host, secure, request_path = (parts.hostname or "").lower(), parts.scheme == "https", parts.path or "/"
    moment = time.time() if now is None else now
    pairs = [
        f"{c.name}={c.value}"
        for c in cookies
        if _domain_matches(host, c.domain, c.subdomains)
        and _path_matches(request_path, c.path)
        and (secure or not c.secure_only)
        and not (c.expiry and c.expiry < moment)
    ]
    return "; ".join(pairs) or None


class _Cookie(NamedTuple):
    domain: str  # lower case
    subdomains: bool
    path: str
    secure_only: bool
    expiry: int  # Unix seconds; 0: a session cookie (or no number)
    name: str
    value: str


# The file's cookies by its path, with the stat they were read at: read once while it is
# unchanged (a Git LFS transfer asks for every object's request), again once it changes.
_read: dict[str, tuple[tuple[int, int, int], tuple[_Cookie, ...]]] = {}


def _cookies(path: str) -> tuple[_Cookie, ...] | None:
    try:
        st = os.stat(path)
        seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        kept = _read.get(path)
        if kept is not None and kept[0] == seen:
            return kept[1]
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        log.warning("http.cookieFile %s cannot be read: %s", path, exc.strerror)
        return None
    cookies = tuple(cookie for line in lines if (cookie := _parsed(line)) is not None)
    _read[path] = (seen, cookies)
    return cookies


def _parsed(line: str) -> _Cookie | None:
    if line.startswith(HTTP_ONLY):
        line = line[len(HTTP_ONLY) :]
    elif line.startswith("#") or not line.strip():
        return None
    fields = line.split("\t")
    if len(fields) != 7:
        return None
    domain, subdomains, cookie_path, secure_only, expiry, name, value = fields
    return _Cookie(
        domain.lower(),
        subdomains.upper() == "TRUE",
        cookie_path or "/",
        secure_only.upper() == "TRUE",
        int(expiry) if expiry.isdigit() else 0,
        name,
        value,
    )


def _domain_matches(host: str, domain: str, subdomains: bool) -> bool:
    bare = domain.lstrip(".")
    if host == bare:
        return True
    return (subdomains or domain.startswith(".")) and host.endswith("." + bare)


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path or cookie_path == "/":
        return True
    prefix = cookie_path if cookie_path.endswith("/") else cookie_path + "/"
    return request_path.startswith(prefix)
