"""git's `http.cookieFile`: the cookies curl sends from a Netscape-format cookie file.

Gerrit and googlesource.com sign git in with a cookie (`~/.gitcookies`, written by
their "generate password" page); git hands the file to curl, which sends with each
request the cookies whose domain, path, scheme and expiry match its URL. The file
is read as curl reads it: one cookie a line, seven tab-separated fields (domain,
whether sub-domains match, path, secure only, expiry in Unix seconds with 0 for a
session cookie, name, value); `#` starts a comment, except `#HttpOnly_` before a
domain; no header line is required (Python's `MozillaCookieJar` requires one, and
`.gitcookies` has none). A file that cannot be read sends no cookie, as with curl.
`http.saveCookies` (writing the server's cookies back) is not done.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

HTTP_ONLY = "#HttpOnly_"


def cookie_header(path: str, url: str, now: float | None = None) -> str | None:
    """The `Cookie` header curl would send to `url` from the file at `path`; None: none."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        log.warning("http.cookieFile %s cannot be read: %s", path, exc.strerror)
        return None
    parts = urlsplit(url)
    host, secure, request_path = (parts.hostname or "").lower(), parts.scheme == "https", parts.path or "/"
    moment = time.time() if now is None else now
    pairs = []
    for line in lines:
        if line.startswith(HTTP_ONLY):
            line = line[len(HTTP_ONLY) :]
        elif line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 7:
            continue
        domain, subdomains, cookie_path, secure_only, expiry, name, value = fields
        if not _domain_matches(host, domain.lower(), subdomains.upper() == "TRUE"):
            continue
        if not _path_matches(request_path, cookie_path or "/"):
            continue
        if secure_only.upper() == "TRUE" and not secure:
            continue
        if expiry.isdigit() and int(expiry) != 0 and int(expiry) < moment:
            continue
        pairs.append(f"{name}={value}")
    return "; ".join(pairs) or None


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
