"""The urllib3 pool for requests to one URL, set up as git's settings say (`http_config`).

- Certificates: the platform's trust store by default, through `truststore`
  (the system's verifier on macOS and Windows, the distribution's CA bundle
  found at run time on Linux), so a bundled app verifies HTTPS on any machine
  and trusts the CAs its administrator installed, as git does. `http.sslCAInfo`
  / `http.sslCAPath` replace it, as they replace curl's default bundle.
  `http.sslVerify=false` checks nothing (the repository then carries a warning).
- Client certificate: `http.sslCert` and `http.sslKey` (PEM) are presented to a server
  that asks for one, as curl presents them; a key with a passphrase is refused in one
  line rather than asked for (OpenSSL would prompt on the terminal, or hang a daemon).
- Proxy: `http.proxy` or the environment, `no_proxy` honoured; an http(s) proxy's
  user and password go in a `Proxy-Authorization` header. A SOCKS proxy goes through
  urllib3's `SOCKSProxyManager` (PySocks), imported only then; its user and password
  are SOCKS's own.
- `http.extraHeader`, `http.userAgent` and `http.cookieFile`'s cookies on every request.
- Timeouts on connect and read, no silent retries except redirects (dulwich
  issue 799: an HTTP fetch can otherwise hang).

Git LFS requests use the same function, so they go where git's would.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

import urllib3
from dulwich.config import Config
from urllib3.exceptions import InsecureRequestWarning

from core.git.config.http_config import BadHttpSetting, HttpSettings, http_settings
from core.git.transfer.advertisement import Dial
from core.git.transfer.http_advertisement import environment, trust_files, verifying_context

USER_AGENT = "git/2.39-compatible (gitferry; dulwich)"

# `http.sslVerify=false` is the user's choice, shown on the repository; urllib3 would
# otherwise warn on stderr at every request.
urllib3.disable_warnings(InsecureRequestWarning)


def http_pool_for(
    url: str, config: Config | None, timeout: float, remote: str | None = None
) -> urllib3.PoolManager:
    """A pool for requests to `url` (a repository or LFS URL, no password in it), for
    `remote`'s git traffic when given (its `remote.<name>.proxy`)."""
    return pool_from_settings(http_settings(config, url, remote), timeout)


def request_headers(settings: HttpSettings) -> dict[str, str]:
    """What git adds to every request these settings apply to: the user agent, the
    cookies of `http.cookieFile` and `http.extraHeader`. A pool sends them only with a
    request that gives no headers of its own (urllib3 replaces, not merges): one that
    does adds them itself."""
    headers = {"User-agent": settings.user_agent or USER_AGENT}
    if settings.cookie is not None:
        headers["Cookie"] = settings.cookie
    headers.update(dict(settings.extra_headers))
    return headers


def pool_from_settings(settings: HttpSettings, timeout: float) -> urllib3.PoolManager:
    headers = request_headers(settings)
    options: dict[str, Any] = {
        "timeout": urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
        "retries": urllib3.Retry(total=5, connect=0, read=0, status=0, other=0, redirect=5),
        "headers": headers,
        "ssl_context": ssl_context(settings),
    }
    if not settings.ssl_verify:
        options.update(cert_reqs="CERT_NONE", assert_hostname=False)
    proxy = settings.proxy
    if proxy is None:
        return urllib3.PoolManager(**options)
    if proxy.url.startswith("socks"):
        from urllib3.contrib.socks import SOCKSProxyManager

        return SOCKSProxyManager(proxy.url, proxy.username, proxy.password, **options)
    proxy_headers = None
    if proxy.username is not None:
        proxy_headers = urllib3.make_headers(proxy_basic_auth=f"{proxy.username}:{proxy.password or ''}")
    return urllib3.ProxyManager(proxy.url, proxy_headers=proxy_headers, **options)


def ssl_context(settings: HttpSettings) -> ssl.SSLContext:
    """What verifies the server's certificate, and the client certificate presented
    (see the module's docstring)."""
    context = _verifying_context(settings)
    if settings.client_cert is not None:
        _load_client_cert(context, settings.client_cert, settings.client_key)
    return context


def _load_client_cert(context: ssl.SSLContext, cert: str, key: str | None) -> None:
    asked: list[bool] = []

    def no_passphrase() -> bytes:
        asked.append(True)
        return b""  # nobody types one here: OpenSSL then fails to decrypt

    try:
        context.load_cert_chain(cert, key, password=no_passphrase)
    except (OSError, ssl.SSLError) as exc:
        setting = "http.sslKey" if key is not None else "http.sslCert"
        if asked:
            why = f"{key or cert} is encrypted and Gitferry cannot ask for its passphrase: decrypt it"
            raise BadHttpSetting(setting, f"{why} (openssl pkey -in KEY -out PLAIN_KEY)") from None
        where = cert if key is None else f"{cert} with {key}"
        raise BadHttpSetting(setting, f"cannot load {where}: {exc.strerror or exc}") from None


def _verifying_context(settings: HttpSettings) -> ssl.SSLContext:
    try:
        return verifying_context(settings.ssl_verify, settings.ca_info, settings.ca_path)
    except (OSError, ssl.SSLError) as exc:
        key = "http.sslCAInfo" if settings.ca_info else "http.sslCAPath"
        where = settings.ca_info or settings.ca_path
        raise BadHttpSetting(key, f"cannot load {where}: {exc.strerror or exc}") from None


def replay_base(settings: HttpSettings, https: bool) -> Dial | None:
    """What a no-change fetch's record keeps of these settings to send its request again
    without the engine (`http_advertisement.py`); None when a replay could not send it
    as this pool does: a client certificate, `http.cookieFile`, `http.extraHeader` (a
    token, mostly), a SOCKS or https proxy, a proxy's user and password."""
    proxy = settings.proxy
    if settings.client_cert or settings.cookie_file or settings.extra_headers:
        return None
    if proxy is not None and (not proxy.url.startswith("http://") or proxy.username is not None):
        return None
    where = urlsplit(proxy.url) if proxy is not None else None
    return {
        "kind": "http",
        "headers": {**request_headers(settings), "Accept": "*/*", "Pragma": "no-cache"},  # dulwich's
        "proxy": None if where is None else {"host": where.hostname, "port": where.port},
        "verify": settings.ssl_verify,
        "ca_info": settings.ca_info,
        "ca_path": settings.ca_path,
        "trust": trust_files(settings.ssl_verify, settings.ca_info, settings.ca_path) if https else [],
        "env": environment(),
    }
