"""Dulwich clients for every transport, each with a bounded time to wait.

- HTTP(S): a urllib3 pool set up as git's `http.*` settings say (`http_pool.py`,
  imported for an HTTP(S) remote only, so git:// and ssh never load urllib3:
  trust store, proxy, headers, timeouts, no silent retries). Credentials go in
  a request header only, never into a URL, and come from a `SignIn` (given,
  keyring, git's credential helpers, the user), asked again on a 401 as git does.
- git://: a socket with a timeout on connect and on every read.
- ssh: the program git would run (`GIT_SSH_COMMAND`, `core.sshCommand`, `GIT_SSH`,
  with git's variants), `ConnectTimeout` and `ServerAlive*` options after the
  user's own, a read timeout on the pipe, and Gitferry's askpass answering an
  unknown host key or a key's passphrase (`ssh_questions.py`).
- local paths and `file://`: dulwich's in-process client.

`translate_error` turns whatever a transfer raised into `AuthFailed`,
`RemoteUnreachable` or `TransferFailed`, with secrets scrubbed from the text;
a transfer a `TransferStop` cut short ends in `TransferStopped` whatever the
cut connection raised (`stop.py`).
"""

from __future__ import annotations

import errno
import functools
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urljoin

from dulwich.client import (
    FetchPackResult,
    GitClient,
    HTTPProxyUnauthorized,
    HTTPUnauthorized,
    LocalGitClient,
    Urllib3HttpGitClient,
)
from dulwich.config import Config
from dulwich.errors import HangupException, NotGitRepository
from dulwich.object_store import BaseObjectStore, peel_sha
from dulwich.objects import Commit, ObjectID, Tag
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.transfer.advertisement import Dial
from core.git.transfer.deadlines import TransferWatch, watched
from core.git.transfer.errors import (
    AuthFailed,
    CertificateNotTrusted,
    RemoteError,
    RemoteUnreachable,
    SignInNeeded,
    TransferFailed,
    scrub,
    scrubbed,
    without_secrets,
)
from core.git.transfer.ofs_delta import http_body_asking_ofs_delta
from core.git.transfer.stop import TransferStop
from core.git.transfer.timed_clients import TimedTCPGitClient
from core.phrase import Phrase, phrase, verbatim
from core.remote_url import BadRemoteUrl, HttpAuth, Kind, RemoteUrl, check_url, parse_remote_url

if TYPE_CHECKING:
    import urllib3
    from dulwich.client import DetermineWantsFunc
    from dulwich.object_store import GraphWalker

    from core.git.config.ssh_command import SshProgram
    from core.git.transfer.sign_in import SignIn
    from core.git.transfer.signer import Signer
    from core.git.transfer.ssh_questions import SshAsking

__all__ = [
    "BadRemoteUrl",
    "Kind",
    "RemoteUrl",
    "check_url",
    "close_client",
    "open_client",
    "parse_remote_url",
    "ssh_program_for",
    "translate_error",
]

# The system's words for each (`os.strerror`, lower case, as Linux says them), translatable.
_UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED: phrase("connection refused"),
    errno.ENETUNREACH: phrase("network is unreachable"),
    errno.EHOSTUNREACH: phrase("no route to host"),
    errno.ETIMEDOUT: phrase("connection timed out"),
    errno.EHOSTDOWN: phrase("host is down"),
}


def open_client(
    url: RemoteUrl,
    *,
    auth: HttpAuth | None,
    timeout: float,
    ssh_command: str | None = None,
    config: Config | None = None,
    stop: TransferStop | None = None,
    sign_in: SignIn | None = None,
    asking: SshAsking | None = None,
    remote: str | None = None,
) -> tuple[GitClient, str]:
    """A dulwich client for `url` and the path to pass to its fetch methods; `stop`
    can cut its connection from another thread. An HTTP(S) client signs in through
    `sign_in` when given, else with `auth` or the URL's own user and password; ssh
    answers its questions through `asking` when given, else asks nothing. `remote`: the
    remote's name, whose `remote.<name>.proxy` an HTTP(S) exchange takes."""
    if url.kind in (Kind.PATH, Kind.FILE):
        return BitmaplessLocalClient(), url.path
    if url.kind is Kind.GIT:
        return TimedTCPGitClient(url.host or "", url.port, timeout=timeout, stop=stop), url.path
    if url.kind is Kind.SSH:
        from core.git.transfer.timed_ssh import BatchedSSHGitClient, TimedSSHVendor  # only ssh pays

        program = ssh_program_for(ssh_command, config)
        ssh = BatchedSSHGitClient(
            url.host or "",
            port=url.port,
            username=url.user,
            vendor=TimedSSHVendor(timeout, stop, program=program, asking=asking),
        )
        return ssh, url.path
    from core.git.config.http_config import http_settings  # urllib3: only HTTP(S) pays for it
    from core.git.transfer.http_pool import pool_from_settings, replay_base

    if sign_in is not None:
        first = sign_in.first()
    else:
        first = auth or (HttpAuth(url.user or "", url.password) if url.password is not None else None)
    base = f"{url.kind}://{url.netloc}/"
    settings = http_settings(config, url.text, remote)
    client = StoppableHttpClient(
        base,
        pool_manager=pool_from_settings(settings, timeout),
        replay=replay_base(settings, url.kind is Kind.HTTPS),
        username=first.username if first else None,
        password=first.password if first else None,
        stop=stop,
        sign_in=sign_in,
    )
    return client, url.path


class StoppableHttpClient(Urllib3HttpGitClient):
    """dulwich's urllib3 client whose responses a `TransferStop` can cut (their socket is
    shut down for reading, which ends a read in progress), and which answers a 401 as
    git does: the `SignIn`'s next credential, and the request sent again (a request
    whose body is a stream cannot be, and fails). The first success with a credential
    approves it. `dialled`: its listing's request, as a replay sends it again (`replay`:
    what of its settings a replay can say again, `http_pool.replay_base`), once it was
    answered over protocol v0, with no credential sent and no redirect."""

    def __init__(
        self,
        *args: Any,
        stop: TransferStop | None = None,
        sign_in: SignIn | None = None,
        replay: Dial | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._stop = stop
        self.sign_in = sign_in
        self._unregisters: list[Callable[[], None]] = []
        self.peeled: dict[Ref, ObjectID] = {}  # tag -> what it peels to, from the last listing
        self._replay = replay
        self.dialled: Dial | None = None

    def _http_request(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        data: Any = None,
        raise_for_status: bool = True,
    ) -> Any:
        asked = http_body_asking_ofs_delta(data)
        if asked is not data and headers is not None and "Content-Length" in headers:
            headers = {**headers, "Content-Length": str(len(asked))}
        data = asked
        while True:
            try:
                resp, read = super()._http_request(url, headers, data, raise_for_status)
            except HTTPUnauthorized:
                if self.sign_in is None or not (data is None or isinstance(data, bytes)):
                    raise
                if self._stop is not None:
                    self._stop.check(self.sign_in.remote)
                following = self.sign_in.after_unauthorized()
                if following is None:
                    raise
                self._use(following)
                continue
            if self.sign_in is not None and self._auth_header is not None:
                self.sign_in.accepted()
            break
        if self._stop is not None:
            self._unregisters.append(self._stop.register(cast("urllib3.BaseHTTPResponse", resp).shutdown))
        return resp, read

    def _discover_references(
        self,
        service: bytes,
        base_url: str,
        protocol_version: int | None = None,
        ref_prefix: Sequence[bytes] | None = None,
    ) -> tuple[dict[Ref, ObjectID | None], set[bytes], str, dict[Ref, Ref], dict[Ref, ObjectID]]:
        """dulwich's, keeping the peeled tag targets its `fetch_pack` drops: following
        tags needs them (`fetch.py` reads `peeled`)."""
        found = super()._discover_references(service, base_url, protocol_version, ref_prefix)
        self.peeled = dict(found[4])
        self.dialled = None
        answered = found[2] == base_url and self._auth_header is None and self.dumb is False
        if (
            self._replay is not None
            and service == b"git-upload-pack"
            and self.protocol_version == 0
            and answered
        ):
            self.dialled = {**self._replay, "url": urljoin(base_url, "info/refs?service=git-upload-pack")}
        return found

    def _use(self, auth: HttpAuth) -> None:
        from urllib3.util import make_headers

        header = make_headers(basic_auth=f"{auth.username}:{auth.password}")
        self._auth_header = header["authorization"]
        self._auth_origin = self._origin(self._base_url)

    def close(self) -> None:
        for unregister in self._unregisters:
            unregister()
        super().close()


class BitmaplessLocalClient(LocalGitClient):
    """dulwich's in-process client for a local remote, serving fetches without pack bitmaps.

    Once any pack of the remote has a `.bitmap` (bare repositories get one on every
    `git gc`), dulwich 1.2.21 reads every pack's bitmap to find the objects to send and
    fails with ENOENT on the first pack that has none: a pack pushed after that gc. The
    graph walk finds the same objects. Its fetch also answers with the refs the wants
    were chosen from (`fetch_pack`), not the remote's refs read again afterwards, and keeps
    the annotated tags' peeled targets (`peeled`), which git's upload-pack advertises and
    dulwich's local listing lacks: following tags needs them (`fetch.py` reads them).
    """

    peeled: dict[Ref, ObjectID] = {}  # replaced at each listing, never changed in place
    path = ""  # the remote's, once it listed its refs

    def included_tags(
        self, wants: Sequence[ObjectID], here: BaseObjectStore, peeled: Mapping[str, bytes]
    ) -> set[str]:
        """The tags of `peeled` (tag ref -> target) whose target the fetch of `wants`
        brings: what git's `include-tag` has upload-pack send along (dulwich's local
        fetch has none). The walk goes through the remote's new objects only, stopping at
        those already `here`."""
        targets: dict[bytes, list[str]] = {}
        for name, target in peeled.items():
            if ObjectID(target) not in here:
                targets.setdefault(target, []).append(name)
        found: set[str] = set()
        seen: set[bytes] = set()
        stack: list[bytes] = list(wants) if targets else []
        with closing(Repo(self.path)) as remote:
            while stack:
                sha = stack.pop()
                if sha in seen or ObjectID(sha) in here:
                    continue
                seen.add(sha)
                found.update(targets.pop(sha, ()))
                if not targets:  # every target found: the rest of the walk finds nothing
                    break
                try:
                    obj = remote.object_store[ObjectID(sha)]
                except KeyError:  # absent: the fetch itself says so
                    continue
                if isinstance(obj, Commit):
                    stack.extend(obj.parents)
                elif isinstance(obj, Tag):
                    stack.append(obj.object[1])
        return found

    def fetch_pack(
        self,
        path: str | bytes,
        determine_wants: DetermineWantsFunc,
        graph_walker: GraphWalker,
        pack_data: Callable[[bytes], int],
        progress: Callable[[bytes], None] | None = None,
        depth: int | None = None,
        ref_prefix: Sequence[bytes] | None = None,
        filter_spec: bytes | None = None,
        protocol_version: int | None = None,
        shallow_since: str | None = None,
        shallow_exclude: list[str] | None = None,
    ) -> FetchPackResult:
        """dulwich's fetch, answering with the refs the wants were chosen from.

        dulwich reads the remote's refs again once the pack is written: a push to the
        remote meanwhile (someone else's `git push` into a shared bare repository) then
        shows refs whose objects were never sent, and the fetch failed `the remote did
        not send <id>`. git's upload-pack answers from one listing; so does this."""
        listed: list[dict[Ref, ObjectID | None]] = []

        def wants(refs: Mapping[Ref, ObjectID], depth: int | None = None) -> list[ObjectID]:
            listed.append(dict(refs))
            self.peeled = _peeled_tags(path, refs)
            self.path = os.fsdecode(path)
            return determine_wants(refs, depth)

        result = super().fetch_pack(
            path,
            wants,
            graph_walker,
            pack_data,
            progress,
            depth,
            ref_prefix,
            filter_spec,
            protocol_version,
            shallow_since,
            shallow_exclude,
        )
        if listed:
            result.refs = listed[0]
        return result

    @classmethod
    def _open_repo(cls, path: str | bytes) -> closing[Repo]:
        repo = Repo(os.fsdecode(path))
        store = repo.object_store
        walk = functools.partial(type(store).get_reachability_provider, store, prefer_bitmaps=False)
        setattr(store, "get_reachability_provider", walk)  # noqa: B010 - this one store only
        return closing(repo)


def _peeled_tags(path: str | bytes, refs: Mapping[Ref, ObjectID]) -> dict[Ref, ObjectID]:
    """tag ref -> what it peels to, for the annotated tags among `refs` (the `^{}` lines
    of git's advertisement), from the remote's packed-refs where it records them."""
    tags = [name for name in refs if name.startswith(b"refs/tags/")]
    if not tags:
        return {}
    peeled: dict[Ref, ObjectID] = {}
    with closing(Repo(os.fsdecode(path))) as remote:
        for name in tags:
            try:
                target = remote.refs.get_peeled(name)
                if target is None:
                    target = peel_sha(remote.object_store, refs[name])[1].id
            except (KeyError, ValueError):  # a tag naming a missing object: git lists it unpeeled
                continue
            if target != refs[name]:
                peeled[name] = ObjectID(target)
    return peeled


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
    signer: Signer | None = None,
    host_key: str | None = None,
) -> Iterator[tuple[GitClient, str]]:
    """A client for one exchange with `remote`: any failure inside comes out as the
    core's error (`translate_error`, or `translate`; `TransferStopped` once `stop` was
    asked for), and the client is closed. An HTTP(S) exchange signs in through
    `signer`'s keyring, git's credential helpers and `signer`'s prompt (`SignIn`); an
    ssh one answers ssh's questions with `signer`'s passphrases and ssh prompt
    (`SshAsking`), and with `host_key`, a fingerprint the user accepted already."""
    if stop is not None:
        stop.check(remote)  # stopped before this remote's turn: do not connect
    sign_in = None
    asking = None
    # The sign-in chain and ssh's questions are imported by the transfers that use them.
    if url.kind in (Kind.HTTP, Kind.HTTPS) and signer is not None:
        from core.git.transfer.sign_in import SignIn

        sign_in = SignIn(remote, url, config, given=auth, signer=signer, stop=stop)
    if url.kind is Kind.SSH:
        from core.git.transfer.ssh_questions import SshAsking

        asking = SshAsking(
            remote,
            signer.ssh_prompt if signer is not None else None,
            signer.passphrases if signer is not None else None,
            stop,
            accepted=host_key,
            url=url.text,
            host=url.netloc,
        )
    client, path = open_client(
        url,
        auth=auth,
        timeout=timeout,
        ssh_command=ssh_command,
        config=config,
        stop=stop,
        sign_in=sign_in,
        asking=asking,
        remote=remote,
    )
    try:
        yield client, path
    except Exception as exc:
        if stop is not None:
            stop.check(remote)  # the cut connection's error is not the remote's doing
        if isinstance(exc, GitferryError):
            raise
        if sign_in is not None and _unauthorized(exc):
            failed = SignInNeeded if sign_in.needs_someone else AuthFailed
            raise failed(remote, scrubbed(sign_in.refusal(), sign_in.secrets)) from exc
        if asking is not None:
            _raise_ssh_failure(exc, remote, url, asking)
        raise (translate or translate_error)(exc, remote, url, auth) from exc
    finally:
        close_client(client)


@contextmanager
def watched_connection(
    remote: str,
    url: RemoteUrl,
    *,
    config: Config | None,
    stop: TransferStop | None,
    **connect: Any,
) -> Iterator[tuple[TransferWatch, GitClient, str]]:
    """`connected`, under the deadlines `config` gives (`deadlines.watched`): the watch's
    stop, linked to `stop`, is the exchange's, so a deadline or a Cancel cuts it."""
    with (
        watched(remote, config, stop) as watch,
        connected(remote, url, config=config, stop=watch.stop, **connect) as (client, path),
    ):
        yield watch, client, path


def _raise_ssh_failure(exc: BaseException, remote: str, url: RemoteUrl, asking: SshAsking) -> None:
    """An ssh that ended before git's protocol began: what it said, read with what it
    asked (a host key nobody accepted is named with its fingerprint; a changed one is
    shown to the user, who can only close the warning)."""
    from core.git.transfer.ssh_questions import HostKeyChanged, ssh_failure

    for cause in _causes(exc):
        if isinstance(cause, HangupException) and (cause.stderr_lines or asking.declined_host):
            text = b"\n".join(cause.stderr_lines or []).decode("utf-8", "replace")
            error = ssh_failure(remote, url.text, text, asking)
            if isinstance(error, HostKeyChanged):
                asking.notify(error.notice)
            raise error from exc


def _unauthorized(exc: BaseException) -> bool:
    return any(isinstance(cause, HTTPUnauthorized) for cause in _causes(exc))


def unverified_warning(remote: str, url: RemoteUrl, config: Config | None) -> Phrase | None:
    """The line a repository carries while `http.sslVerify` is off for an https remote."""
    if url.kind is not Kind.HTTPS:
        return None
    from core.git.config.http_config import http_settings

    if http_settings(config, url.text).ssl_verify:
        return None
    return phrase("warning: {remote}'s certificate is not checked (http.sslVerify is false)", remote=remote)


def dialled(client: GitClient | None) -> Dial | None:
    """How `client` reached its remote, when it spoke protocol v0 over `git://`, ssh or
    HTTP(S) as a replay can again (`advertisement.Dial`: what a no-change fetch's record
    dials again), else None."""
    vendor = getattr(client, "ssh_vendor", None)
    found = getattr(vendor if vendor is not None else client, "dialled", None)
    return found if isinstance(found, dict) else None


def close_client(client: GitClient) -> None:
    """Release the client's connections (dulwich leaves an HTTP pool open)."""
    client.close()
    if isinstance(client, Urllib3HttpGitClient):
        client.pool_manager.clear()


def ssh_program_for(explicit: str | None, config: Config | None) -> SshProgram:
    """The ssh program for a transfer: `explicit` (a command line given by the caller) before
    what git would run (`ssh_command.ssh_program`)."""
    from core.git.config.ssh_command import ssh_program

    if explicit:
        return replace(ssh_program(config, {"GIT_SSH_COMMAND": explicit}), source="given")
    return ssh_program(config)


def translate_error(
    exc: BaseException, remote: str, url: RemoteUrl, auth: HttpAuth | None = None
) -> RemoteError:
    """The core error for a failed transfer; no secret survives in its text."""
    secrets = [url.password, auth.password if auth else None]
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return CertificateNotTrusted(remote, cause.verify_message or str(cause.reason or cause))
    for cause in chain:
        failed = _proxy_failure(remote, cause)
        if failed is not None:
            return failed
    for cause in chain:
        if isinstance(cause, HTTPProxyUnauthorized):
            return AuthFailed(
                remote, phrase("the proxy requires credentials (give them in http.proxy's URL)")
            )
        if isinstance(cause, HTTPUnauthorized):
            if auth or url.password:
                return AuthFailed(remote, phrase("the server refused the credentials"))
            return AuthFailed(remote, phrase("the server requires credentials (none are stored)"))
    for cause in chain:
        reason = _unreachable_reason(cause)
        if reason is not None:
            return RemoteUnreachable(remote, reason)
    for cause in chain:
        if isinstance(cause, HangupException) and cause.stderr_lines:
            from core.git.transfer.ssh_questions import ssh_failure

            text = without_secrets(b"\n".join(cause.stderr_lines).decode("utf-8", "replace"), secrets)
            return ssh_failure(remote, url.text, text, None)
        if isinstance(cause, NotGitRepository):
            return TransferFailed(remote, phrase("no git repository at {url}", url=url.text))
    text = str(exc) or type(exc).__name__
    return TransferFailed(remote, scrub(text, secrets))


def _proxy_failure(remote: str, exc: BaseException) -> RemoteError | None:
    """What went wrong at an HTTPS proxy (urllib3's `ProxyError`, which wraps either the
    connection to the proxy that failed or the proxy's answer to CONNECT), said of the proxy,
    as git says "Received HTTP code 407 from proxy after CONNECT": not "origin is
    unreachable", nor urllib3's own words."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProxyError

    conn = exc.conn if isinstance(exc, NewConnectionError) else exc.args[0] if exc.args else None
    if isinstance(exc, ConnectTimeoutError) and hasattr(conn, "_socks_options"):
        return _socks_failure(remote, exc)
    if not isinstance(exc, ProxyError):
        return None
    inner = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], BaseException) else None
    answer = re.search(r"Tunnel connection failed: (\d{3})\s*(.*)", str(inner or ""))
    if answer is not None:
        status = f"{answer[1]} {answer[2]}".strip()
        if answer[1] == "407":
            why = phrase(
                "the proxy refused the connection ({status}); its user and password go in http.proxy's URL",
                status=status,
            )
            return AuthFailed(remote, why)
        return TransferFailed(
            remote, phrase("the proxy refused to connect to the remote ({status})", status=status)
        )
    said = (_unreachable_reason(inner) if inner else None) or verbatim(str(inner or exc))
    return _proxy_unreachable(remote, said)


def _socks_failure(remote: str, exc: BaseException) -> RemoteError:
    """A SOCKS connection that failed (`urllib3.contrib.socks`'s `NewConnectionError` or
    `ConnectTimeoutError`), said of the proxy as for an http proxy. A proxy that hangs up
    after the handshake (PySocks: "Connection closed unexpectedly"; `ssh -D` does that when
    it cannot reach the remote) is git's "connection to proxy closed"."""
    if "closed unexpectedly" in str(exc):
        return TransferFailed(remote, phrase("the proxy closed the connection (can it reach the remote?)"))
    return _proxy_unreachable(remote, _unreachable_reason(exc) or verbatim(str(exc)))


def _proxy_unreachable(remote: str, said: Phrase) -> RemoteError:
    reason = phrase("the proxy is unreachable: {why}", why=said)
    return RemoteUnreachable(remote, reason, phrase("{remote}: {reason}", remote=remote, reason=reason))


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


def _unreachable_reason(exc: BaseException) -> Phrase | None:
    from urllib3.exceptions import NameResolutionError, NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    if isinstance(exc, NameResolutionError | socket.gaierror):
        return phrase("the host name could not be resolved")
    # Before the timeout: urllib3 2 makes NewConnectionError a ConnectTimeoutError, so a
    # refused connection would otherwise read "timed out" (git: "Couldn't connect to server").
    if isinstance(exc, NewConnectionError):
        return phrase("connection refused") if "refused" in str(exc).lower() else phrase("could not connect")
    if isinstance(exc, Urllib3Timeout | TimeoutError | socket.timeout):
        return phrase("timed out waiting for the remote")
    if isinstance(exc, ConnectionRefusedError):
        return phrase("connection refused")
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        words, said = os.strerror(exc.errno or 0).lower(), _UNREACHABLE_ERRNOS[exc.errno]
        return said if said.english() == words else verbatim(words)  # another system's words
    return None
