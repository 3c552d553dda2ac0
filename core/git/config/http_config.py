"""git's HTTP settings for one URL: proxy, certificate checks, headers, user agent.

Read as git's http.c reads them: `http.<key>` and `http.<url>.<key>` by git's
URL matching (`urlmatch`), then the environment where git lets it override
(`GIT_SSL_NO_VERIFY`, `GIT_SSL_CAINFO`, `GIT_SSL_CAPATH`, `GIT_SSL_CERT`, `GIT_SSL_KEY`,
`GIT_HTTP_USER_AGENT`). `http.cookieFile`: the cookies for the URL (`cookie_file.py`).
A client certificate is `http.sslCert` (PEM; with its key in
the same file, or in `http.sslKey`), as curl takes it.
The proxy: `remote.<name>.proxy` for that remote's own traffic, else `http.proxy`
(either empty: no proxy at all), else for an https
URL `https_proxy`/`HTTPS_PROXY`, for an http URL `http_proxy` (lower case
only, as git and curl: an upper-case `HTTP_PROXY` can be set by a web
server's CGI environment from a request header), else `all_proxy`/`ALL_PROXY`;
lower case wins where both are set. `no_proxy`/`NO_PROXY` exempts hosts from
whichever proxy was chosen, as curl does: `*`, a host name and its sub-domains
(a leading dot ignored), an IP address or a CIDR range. A proxy is an http(s)
proxy or a SOCKS one, by its scheme as git's http.c tells curl: `socks5h` (the
proxy resolves the host name), `socks5` (resolved here), `socks4a`, `socks4`,
and `socks` taken for `socks4`.

dulwich's `default_urllib3_manager` reads a proxy from the environment before
`http.proxy`, takes `https_proxy` for http URLs too, reads only lower-case
`no_proxy` and never applies it to a configured proxy, and matches `http.<url>`
without git's precedence: hence this module.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from dulwich.config import Config

from core.errors import BadInput
from core.git.config.urlmatch import last, listed, scoped
from core.git.config.values import git_bool
from core.phrase import Phrase, phrase


class BadHttpSetting(BadInput):
    def __init__(self, key: str, why: str | Phrase) -> None:
        super().__init__(phrase("git config {key}: {why}", key=key, why=why))
        self.key = key


@dataclass(frozen=True)
class Proxy:
    """Where requests go through: `url` is `scheme://host:port` without credentials."""

    url: str
    source: str  # "http.proxy", "https_proxy", ... : what chose it, for messages
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class HttpSettings:
    ssl_verify: bool = True
    ca_info: str | None = None  # a PEM bundle: the only CAs trusted (as curl's CAINFO)
    ca_path: str | None = None  # a directory of hashed CA certificates
    client_cert: str | None = None  # a PEM client certificate (and key, unless `client_key`)
    client_key: str | None = None
    proxy: Proxy | None = None
    extra_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # may hold tokens
    user_agent: str | None = None
    cookie: str | None = field(default=None, repr=False)  # from http.cookieFile: may sign in
    cookie_file: str | None = None  # http.cookieFile, whether or not it holds a cookie for the URL


def http_settings(config: Config | None, url: str, remote: str | None = None) -> HttpSettings:
    """The settings that apply to requests for `url`, made for `remote`'s fetch or push
    when given (raises `BadHttpSetting`)."""
    values = scoped(config, "http", url) if config is not None else []
    proxy = _text(last(values, "proxy"))
    if remote is not None and config is not None:
        with contextlib.suppress(KeyError):
            proxy = _text(config.get((b"remote", remote.encode()), b"proxy"))
    verify = config_bool("http.sslVerify", last(values, "sslverify"), default=True)
    if "GIT_SSL_NO_VERIFY" in os.environ:
        verify = False
    ca_info = os.environ.get("GIT_SSL_CAINFO") or _path(last(values, "sslcainfo"))
    ca_path = os.environ.get("GIT_SSL_CAPATH") or _path(last(values, "sslcapath"))
    agent = os.environ.get("GIT_HTTP_USER_AGENT") or _text(last(values, "useragent"))
    cookie_file = _path(last(values, "cookiefile"))
    return HttpSettings(
        ssl_verify=verify,
        ca_info=ca_info,
        ca_path=ca_path,
        client_cert=os.environ.get("GIT_SSL_CERT") or _path(last(values, "sslcert")),
        client_key=os.environ.get("GIT_SSL_KEY") or _path(last(values, "sslkey")),
        proxy=choose_proxy(url, proxy),
        extra_headers=tuple(_header(raw) for raw in listed(values, "extraheader")),
        user_agent=agent,
        cookie=_cookie(cookie_file, url),
        cookie_file=cookie_file,
    )


def _cookie(cookie_file: str | None, url: str) -> str | None:
    if cookie_file is None:
        return None
    from core.git.config.cookie_file import cookie_header

    return cookie_header(cookie_file, url)


def choose_proxy(url: str, configured: str | None) -> Proxy | None:
    """The proxy for `url`: `configured` (`http.proxy`; "" for none), else the environment;
    None when there is none or `no_proxy` exempts the host."""
    parts = urlsplit(url)
    source = "http.proxy"
    chosen = configured
    if chosen is None:
        names = ("https_proxy", "HTTPS_PROXY") if parts.scheme == "https" else ("http_proxy",)
        source, chosen = _first_set((*names, "all_proxy", "ALL_PROXY"))
    if not chosen:
        return None
    exempt = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    if bypasses(parts.hostname or "", exempt):
        return None
    return _proxy(chosen, source)


def _first_set(names: tuple[str, ...]) -> tuple[str, str | None]:
    for name in names:
        value = os.environ.get(name)
        if value:
            return name, value
    return names[0], None


# A proxy URL's scheme, as urllib3 takes it (git's http.c: "socks" is curl's SOCKS4).
SCHEMES = {
    "http": "http",
    "https": "https",
    "socks": "socks4",
    "socks4": "socks4",
    "socks4a": "socks4a",
    "socks5": "socks5",
    "socks5h": "socks5h",
}


def _proxy(text: str, source: str) -> Proxy:
    full = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(full)
        port = parts.port
    except ValueError as exc:
        raise BadHttpSetting(source, f"not a proxy URL ({exc})") from None
    scheme = SCHEMES.get(parts.scheme)
    if scheme is None:
        raise BadHttpSetting(
            source,
            phrase("{scheme} proxies are not supported (http, https and socks are)", scheme=parts.scheme),
        )
    if not parts.hostname:
        raise BadHttpSetting(source, phrase("the proxy URL has no host"))
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{port or 1080}"  # curl's default proxy port
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return Proxy(f"{scheme}://{netloc}", source, username, password)


def bypasses(host: str, no_proxy: str) -> bool:
    """Whether curl's `NOPROXY` list exempts `host`."""
    host = host.lower().strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "*":
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(item.strip("[]"), strict=False):
                    return True
            except ValueError:
                pass
            continue
        item = item.lstrip(".")
        if host == item or host.endswith("." + item):
            return True
    return False


def config_bool(key: str, raw: bytes | None, *, default: bool) -> bool:
    if raw is None:
        return default
    text = raw.decode("utf-8", "replace")
    parsed = git_bool(text)
    if parsed is None:
        raise BadHttpSetting(key, phrase("{value} is not a boolean", value=repr(text.strip().lower())))
    return parsed


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def _path(raw: bytes | None) -> str | None:
    text = _text(raw)
    return os.path.expanduser(text) if text else None


def _header(raw: bytes) -> tuple[str, str]:
    name, sep, value = raw.decode("utf-8", "replace").partition(":")
    if not sep or not name.strip():
        raise BadHttpSetting("http.extraHeader", phrase("a header is 'Name: value'"))
    return name.strip(), value.strip()
