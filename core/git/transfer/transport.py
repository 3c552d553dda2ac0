"""Dulwich clients for every transport, each with a bounded time to wait.

- HTTP(S): a urllib3 pool with explicit connect and read timeouts and no
  silent retries (dulwich issue 799: an HTTP fetch can otherwise hang).
  Basic credentials go into a request header only, never into a URL.
- git://: a socket with a timeout on connect and on every read.
- ssh: `BatchMode` (never a password prompt), `ConnectTimeout` and
  `ServerAlive*` options after the user's own, and a read timeout on the pipe.
- local paths and `file://`: dulwich's in-process client.

`translate_error` turns whatever a transfer raised into `AuthFailed`,
`RemoteUnreachable` or `TransferFailed`, with secrets scrubbed from the text;
a transfer a `TransferStop` cut short ends in `TransferStopped` whatever the
cut connection raised (`stop.py`).
"""

from __future__ import annotations

import errno
import functools
import math
import os
import shlex
import socket
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any, cast

import urllib3
from dulwich.client import (
    GitClient,
    HTTPProxyUnauthorized,
    HTTPUnauthorized,
    LocalGitClient,
    SSHGitClient,
    Urllib3HttpGitClient,
)
from dulwich.config import Config
from dulwich.errors import HangupException, NotGitRepository
from dulwich.repo import Repo
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from core.errors import GitferryError
from core.git.transfer.errors import (
    AuthFailed,
    RemoteError,
    RemoteUnreachable,
    TransferFailed,
    scrub,
)
from core.git.transfer.stop import TransferStop
from core.git.transfer.timed_clients import TimedSSHVendor, TimedTCPGitClient
from core.remote_url import BadRemoteUrl, HttpAuth, Kind, RemoteUrl, check_url, parse_remote_url

__all__ = [
    "BadRemoteUrl",
    "Kind",
    "RemoteUrl",
    "check_url",
    "close_client",
    "open_client",
    "parse_remote_url",
    "ssh_command_for",
    "translate_error",
]

USER_AGENT = "git/2.39-compatible (gitferry; dulwich)"
_UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ETIMEDOUT,
    errno.EHOSTDOWN,
}
_SSH_UNREACHABLE = (
    "connection refused",
    "could not resolve hostname",
    "connection timed out",
    "operation timed out",
    "no route to host",
    "network is unreachable",
    "connection closed by remote host",
)


def open_client(
    url: RemoteUrl,
    *,
    auth: HttpAuth | None,
    timeout: float,
    ssh_command: str | None = None,
    config: Config | None = None,
    stop: TransferStop | None = None,
) -> tuple[GitClient, str]:
    """A dulwich client for `url` and the path to pass to its fetch methods; `stop`
    can cut its connection from another thread."""
    if url.kind in (Kind.PATH, Kind.FILE):
        return BitmaplessLocalClient(), url.path
    if url.kind is Kind.GIT:
        return TimedTCPGitClient(url.host or "", url.port, timeout=timeout, stop=stop), url.path
    if url.kind is Kind.SSH:
        command = ssh_command_for(timeout, ssh_command, config)
        ssh = SSHGitClient(
            url.host or "",
            port=url.port,
            username=url.user,
            vendor=TimedSSHVendor(timeout, stop),
            ssh_command=command,
        )
        return ssh, url.path
    username, password = (auth.username, auth.password) if auth else (url.user, url.password)
    base = f"{url.kind}://{url.netloc}/"
    client = StoppableHttpClient(
        base,
        pool_manager=http_pool(base, timeout),
        username=username,
        password=password,
        stop=stop,
    )
    return client, url.path


class StoppableHttpClient(Urllib3HttpGitClient):
    """dulwich's urllib3 client whose responses a `TransferStop` can cut (their socket is
    shut down for reading, which ends a read in progress)."""

    def __init__(self, *args: Any, stop: TransferStop | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stop = stop
        self._unregisters: list[Callable[[], None]] = []

    def _http_request(self, *args: Any, **kwargs: Any) -> Any:
        resp, read = super()._http_request(*args, **kwargs)
        if self._stop is not None:
            self._unregisters.append(self._stop.register(cast("urllib3.BaseHTTPResponse", resp).shutdown))
        return resp, read

    def close(self) -> None:
        for unregister in self._unregisters:
            unregister()
        super().close()


class BitmaplessLocalClient(LocalGitClient):
    """dulwich's in-process client for a local remote, serving fetches without pack bitmaps.

    Once any pack of the remote has a `.bitmap` (bare repositories get one on every
    `git gc`), dulwich 1.2.21 reads every pack's bitmap to find the objects to send and
    fails with ENOENT on the first pack that has none: a pack pushed after that gc. The
    graph walk finds the same objects.
    """

    @classmethod
    def _open_repo(cls, path: str | bytes) -> closing[Repo]:
        repo = Repo(os.fsdecode(path))
        store = repo.object_store
        walk = functools.partial(type(store).get_reachability_provider, store, prefer_bitmaps=False)
        setattr(store, "get_reachability_provider", walk)  # noqa: B010 - this one store only
        return closing(repo)


ErrorTranslator = Callable[[BaseException, str, RemoteUrl, HttpAuth | None], RemoteError]


@contextmanager
def connected(
    remote: str,
    url: RemoteUrl,
    *,
    auth: HttpAuth | None,
    timeout: float,
    ssh_command: str | None = None,
    config: Config | None = None,
    translate: ErrorTranslator | None = None,
    stop: TransferStop | None = None,
) -> Iterator[tuple[GitClient, str]]:
    """A client for one exchange with `remote`: any failure inside comes out as the
    core's error (`translate_error`, or `translate`; `TransferStopped` once `stop` was
    asked for), and the client is closed."""
    if stop is not None:
        stop.check(remote)  # stopped before this remote's turn: do not connect
    client, path = open_client(
        url, auth=auth, timeout=timeout, ssh_command=ssh_command, config=config, stop=stop
    )
    try:
        yield client, path
    except Exception as exc:
        if stop is not None:
            stop.check(remote)  # the cut connection's error is not the remote's doing
        if isinstance(exc, GitferryError):
            raise
        raise (translate or translate_error)(exc, remote, url, auth) from exc
    finally:
        close_client(client)


def close_client(client: GitClient) -> None:
    """Release the client's connections (dulwich leaves an HTTP pool open)."""
    client.close()
    if isinstance(client, Urllib3HttpGitClient):
        client.pool_manager.clear()


def http_pool(base_url: str, timeout: float) -> urllib3.PoolManager:
    """A pool with connect/read timeouts, no retries but redirects, and the environment's proxy."""
    options = {
        "timeout": urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
        "retries": urllib3.Retry(total=5, connect=0, read=0, status=0, other=0, redirect=5),
        "headers": {"User-agent": USER_AGENT},
    }
    host = urllib3.util.parse_url(base_url).host or ""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(base_url.split(":", 1)[0]) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(host):
        return urllib3.ProxyManager(proxy, **options)  # type: ignore[arg-type]
    return urllib3.PoolManager(**options)  # type: ignore[arg-type]


def ssh_command_for(timeout: float, explicit: str | None, config: Config | None) -> str:
    """The ssh command as git picks it, plus options that bound every wait."""
    command = explicit or os.environ.get("GIT_SSH_COMMAND")
    if not command and os.environ.get("GIT_SSH"):
        command = shlex.quote(os.environ["GIT_SSH"])
    if not command and config is not None:
        try:
            command = config.get((b"core",), b"sshCommand").decode()
        except KeyError:
            command = None
    seconds = max(1, math.ceil(timeout))
    bounded = [
        "-o",
        "BatchMode=yes",
        "-o",
        f"ConnectTimeout={seconds}",
        "-o",
        f"ServerAliveInterval={max(1, math.ceil(timeout / 3))}",
        "-o",
        "ServerAliveCountMax=3",
    ]
    return f"{command or 'ssh'} {shlex.join(bounded)}"


def translate_error(
    exc: BaseException, remote: str, url: RemoteUrl, auth: HttpAuth | None = None
) -> RemoteError:
    """The core error for a failed transfer; no secret survives in its text."""
    secrets = [url.password, auth.password if auth else None]
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, HTTPUnauthorized | HTTPProxyUnauthorized):
            why = "the server refused the credentials" if auth or url.password else None
            return AuthFailed(remote, why or "the server requires credentials (none are stored)")
    for cause in chain:
        reason = _unreachable_reason(cause)
        if reason is not None:
            return RemoteUnreachable(remote, reason)
    for cause in chain:
        if isinstance(cause, HangupException) and cause.stderr_lines:
            return _ssh_failure(remote, cause.stderr_lines, secrets)
        if isinstance(cause, NotGitRepository):
            return TransferFailed(remote, f"no git repository at {url.text}")
    text = str(exc) or type(exc).__name__
    return TransferFailed(remote, scrub(text, secrets))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        todo.extend([current.__cause__, current.__context__])
        if isinstance(reason, BaseException):
            todo.append(reason)


def _unreachable_reason(exc: BaseException) -> str | None:
    if isinstance(exc, NameResolutionError | socket.gaierror):
        return "the host name could not be resolved"
    if isinstance(exc, Urllib3Timeout | TimeoutError | socket.timeout):
        return "timed out waiting for the remote"
    if isinstance(exc, NewConnectionError):
        return "connection refused" if "refused" in str(exc).lower() else "could not connect"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        return os.strerror(exc.errno or 0).lower()
    return None


def _ssh_failure(remote: str, lines: Sequence[bytes], secrets: list[str | None]) -> RemoteError:
    text = scrub(b" ".join(lines).decode("utf-8", "replace"), secrets)
    lowered = text.lower()
    if "permission denied" in lowered:
        return AuthFailed(remote, f"ssh refused the login: {text}")
    if any(marker in lowered for marker in _SSH_UNREACHABLE):
        return RemoteUnreachable(remote, text)
    return TransferFailed(remote, text)
