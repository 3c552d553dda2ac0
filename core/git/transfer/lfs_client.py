"""A Git LFS client: the batch API and the basic transfer, streamed, over HTTP(S).

What git-lfs does (docs/api/batch.md, docs/api/basic-transfers.md, tq/basic_*.go):
objects are asked for in batches of 100 (`POST <server>/objects/batch`, media type
`application/vnd.git-lfs+json`, `transfers: ["basic"]`); each object the server can
serve or take comes back with actions: `download` (GET the bytes), `upload` (PUT
them) and, after an upload, `verify` (POST `{"oid", "size"}`). An object the server
already has comes back with no actions on an upload; one it does not have comes
back with an error (404, 410) on a download. The bytes go through
`LfsStore.incoming` (hashed as they arrive, moved in only when sha256 and size
match) and out of the object file in chunks, so memory does not grow with size.

Requests go through the same kind of urllib3 pool as the remote's git traffic
(`http_pool.http_pool_for`: git's `http.*` settings, proxy, trust store, timeouts), each
with the user agent and the `http.<url>.extraHeader` git's settings give its own URL
(as git-lfs matches them per request: an `Authorization` header a CI sets reaches the
LFS server, not another host's storage), and
sign in as the remote does (`SignIn`: a password in the URL, the keyring, git's
credential helpers, the prompt; another credential on a 401, as git-lfs asks its
credential helper again). The credential goes to the LFS server, and to an action's
URL on the same host (scheme, host, port) when the server gave that action no
`Authorization` of its own; never to another host.

dulwich's `HTTPLFSClient` reads every object whole into memory on both ways, sends
one batch per object, uses a pool without Gitferry's timeouts, and takes its
credentials from dulwich's config only: it is not used.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import urllib3
from dulwich.config import Config
from urllib3.exceptions import HTTPError

from core.git.objects.lfs_pointer import LfsPointer
from core.git.objects.lfs_store import CHUNK, LfsObjectCorrupt, LfsStore
from core.git.transfer.errors import AuthFailed, RemoteError, RemoteUnreachable, scrub, scrubbed
from core.git.transfer.lfs_endpoint import LfsEndpoint
from core.git.transfer.sign_in import SignIn
from core.git.transfer.signer import Signer
from core.git.transfer.stop import TransferStop
from core.git.transfer.transport import translate_error
from core.phrase import Phrase, as_phrase, phrase, verbatim
from core.remote_url import HttpAuth, parse_remote_url, split_url_secret, url_without_secret
from core.results import ResultKind

BATCH_SIZE = 100  # git-lfs's lfs.transfer.batchSize default
MEDIA_TYPE = "application/vnd.git-lfs+json"
MISSING_CODES = frozenset({404, 410})  # the object does not exist, or its owner removed it


class LfsTransferFailed(RemoteError):
    """The LFS server could not be used for `operation` ("download", "upload")."""

    result = ResultKind.ERROR

    def __init__(self, remote: str, operation: str, reason: str | Phrase) -> None:
        why = as_phrase(reason)
        if operation == "download":
            said = phrase("{remote}: Git LFS download failed: {reason}", remote=remote, reason=why)
        elif operation == "upload":
            said = phrase("{remote}: Git LFS upload failed: {reason}", remote=remote, reason=why)
        else:
            said = verbatim(f"{remote}: Git LFS {operation} failed: {why.english()}")
        super().__init__(remote, why, said)
        self.operation = operation


@dataclass(frozen=True)
class LfsAction:
    href: str
    header: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchAnswer:
    """What the server said about one object."""

    pointer: LfsPointer
    actions: Mapping[str, LfsAction] = field(default_factory=dict)
    error: str | None = None  # the server's message when it cannot transfer the object
    code: int | None = None
    authenticated: bool = False

    @property
    def missing(self) -> bool:
        """The server does not have the object (a download's 404 or 410)."""
        return self.code in MISSING_CODES


class LfsClient:
    """One LFS server, for one transfer with `remote`; close it when done (or use `with`)."""

    def __init__(
        self,
        endpoint: LfsEndpoint,
        *,
        remote: str,
        auth: HttpAuth | None = None,
        sign_in: SignIn | None = None,
        timeout: float,
        config: Config | None = None,
        stop: TransferStop | None = None,
    ) -> None:
        url, in_url = split_url_secret(endpoint.url)
        self.endpoint = LfsEndpoint(url, endpoint.source)
        self.remote = remote
        self._sign_in = None if in_url or auth else sign_in
        self._auth = in_url or auth
        if self._sign_in is not None:
            self._auth = self._sign_in.first()
        self._origin = _origin(url)
        from core.git.transfer.http_pool import http_pool_for  # urllib3: only an LFS transfer pays

        self._pool = http_pool_for(url, config, timeout)
        self._config = config
        self._stop = stop
        self._given = [a.password for a in (in_url, auth) if a is not None]

    @classmethod
    def for_remote(
        cls,
        endpoint: LfsEndpoint,
        remote: str,
        git_url: str,
        *,
        auth: HttpAuth | None,
        signer: Signer | None,
        timeout: float,
        config: Config | None,
        stop: TransferStop | None = None,
    ) -> LfsClient:
        """A client signing in as `remote` (at `git_url`) does: an HTTP(S) remote's
        credential chain, keyed by its URL; for another transport, the chain of the LFS
        server's own URL (git-lfs asks git's credential helpers for that host)."""
        sign_in = None
        if signer is not None:
            parsed = parse_remote_url(git_url) if git_url.startswith(("http://", "https://")) else None
            where = parsed or parse_remote_url(split_url_secret(endpoint.url)[0])
            sign_in = SignIn(remote, where, config, given=auth, signer=signer, stop=stop)
            auth = None
        return cls(
            endpoint, remote=remote, auth=auth, sign_in=sign_in, timeout=timeout, config=config, stop=stop
        )

    @property
    def _secrets(self) -> list[str | None]:
        return [*self._given, *(self._sign_in.secrets if self._sign_in is not None else [])]

    def __enter__(self) -> LfsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.clear()

    def batch(
        self, operation: str, pointers: Iterable[LfsPointer], ref: str | None = None
    ) -> list[BatchAnswer]:
        """The server's answer for every object, asked `BATCH_SIZE` at a time."""
        wanted = list(dict.fromkeys(pointers))
        answers: list[BatchAnswer] = []
        for start in range(0, len(wanted), BATCH_SIZE):
            answers += self._batch(operation, wanted[start : start + BATCH_SIZE], ref)
        return answers

    def download(
        self, answer: BatchAnswer, store: LfsStore, on_bytes: Callable[[int], None] | None = None
    ) -> None:
        """Fetch the object into `store` (raises `LfsTransferFailed`, `LfsObjectCorrupt`)."""
        action = answer.actions.get("download")
        if action is None:
            raise LfsTransferFailed(
                self.remote, "download", f"no download action for {answer.pointer.oid[:12]}"
            )
        with self._guard("download"):
            response = self._request("GET", action, answer, preload_content=False)
            try:
                self._expect(response, "download", f"object {answer.pointer.oid[:12]}")
                with store.incoming(answer.pointer) as incoming:
                    for chunk in response.stream(CHUNK):
                        if self._stop is not None:
                            self._stop.check(self.remote)
                        incoming.write(chunk)
                        if on_bytes is not None:
                            on_bytes(len(chunk))
                    incoming.commit()
            finally:
                response.release_conn()

    def upload(self, answer: BatchAnswer, store: LfsStore) -> None:
        """Send the object from `store`, then verify it if the server asked for that."""
        action = answer.actions.get("upload")
        if action is None:
            return  # the server has it
        pointer = answer.pointer
        with self._guard("upload"), store.open(pointer) as body:
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(pointer.size)}
            response = self._request("PUT", action, answer, body=body, headers=headers)
            self._expect(response, "upload", f"object {pointer.oid[:12]}")
        verify = answer.actions.get("verify")
        if verify is None:
            return
        with self._guard("upload"):
            document = json.dumps({"oid": pointer.oid, "size": pointer.size}).encode()
            headers = {"Content-Type": MEDIA_TYPE, "Accept": MEDIA_TYPE}
            response = self._request("POST", verify, answer, body=document, headers=headers)
            self._expect(response, "upload", f"the verification of {pointer.oid[:12]}")

    def _batch(self, operation: str, pointers: list[LfsPointer], ref: str | None) -> list[BatchAnswer]:
        request: dict[str, Any] = {
            "operation": operation,
            "transfers": ["basic"],
            "objects": [{"oid": p.oid, "size": p.size} for p in pointers],
            "hash_algo": "sha256",
        }
        if ref:
            request["ref"] = {"name": ref}
        body = json.dumps(request).encode()
        while True:
            headers = {**self._pool.headers, "Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE}
            headers.update(self._credentials())
            with self._guard(operation):
                response = self._pool.request("POST", self.endpoint.batch_url, body=body, headers=headers)
            if response.status != 401 or not self._sign_in_again():
                break
        self._expect(response, operation, "the batch request")
        if self._sign_in is not None and self._auth is not None:
            self._sign_in.accepted()
        try:
            document = json.loads(response.data)
            if document.get("transfer", "basic") != "basic":
                raise ValueError(f"the server chose the {document['transfer']!r} transfer")
            by_oid = {(o["oid"], o["size"]): o for o in document.get("objects") or []}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise LfsTransferFailed(
                self.remote, operation, f"the server's batch answer is not valid: {exc}"
            ) from None
        return [_answer(p, by_oid.get((p.oid, p.size))) for p in pointers]

    def _request(
        self,
        method: str,
        action: LfsAction,
        answer: BatchAnswer,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        preload_content: bool = True,
    ) -> urllib3.BaseHTTPResponse:
        from core.git.config.http_config import http_settings
        from core.git.transfer.http_pool import request_headers

        sent = request_headers(http_settings(self._config, action.href))  # the pool's are the batch URL's
        sent.update(headers or {})
        if not answer.authenticated and _origin(action.href) == self._origin:
            sent.update(self._credentials())
        sent.update(action.header)  # the server's own headers win, its Authorization included
        response = self._pool.request(
            method, action.href, body=body, headers=sent, preload_content=preload_content, redirect=True
        )
        if self._stop is not None and not preload_content:
            unregister = self._stop.register(response.shutdown)
            response.release_conn = _then(response.release_conn, unregister)  # type: ignore[method-assign]
        return response

    def _sign_in_again(self) -> bool:
        """After a 401: the next credential of the chain, if it has one."""
        if self._sign_in is None:
            return False
        following = self._sign_in.after_unauthorized()
        if following is None:
            return False
        self._auth = following
        return True

    def _credentials(self) -> dict[str, str]:
        if self._auth is None:
            return {}
        pair = f"{self._auth.username}:{self._auth.password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def _expect(self, response: urllib3.BaseHTTPResponse, operation: str, what: str) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        said = _server_message(response)
        if status == 401:
            if self._sign_in is not None:
                why = scrubbed(self._sign_in.refusal(), self._secrets)
                raise AuthFailed(self.remote, phrase("the LFS server: {reason}", reason=why))
            if self._auth:
                raise AuthFailed(self.remote, phrase("the LFS server refused the credentials"))
            raise AuthFailed(self.remote, phrase("the LFS server requires credentials (none are stored)"))
        if status == 403:
            raise AuthFailed(
                self.remote, f"the LFS server refused the {operation} of {what} (HTTP 403{said})"
            )
        if status == 404 and what == "the batch request":
            where = url_without_secret(self.endpoint.url)
            why = phrase("no Git LFS server at {url} (HTTP 404{said})", url=where, said=said)
            raise LfsTransferFailed(self.remote, operation, why)
        raise LfsTransferFailed(self.remote, operation, f"{what}: HTTP {status}{said}")

    @contextlib.contextmanager
    def _guard(self, operation: str) -> Iterator[None]:
        """Network failures as the core's errors (offline, refused...), no secret in them."""
        if self._stop is not None:
            self._stop.check(self.remote)
        try:
            yield
        except (RemoteError, LfsObjectCorrupt):
            raise
        except (HTTPError, OSError) as exc:
            if self._stop is not None:
                self._stop.check(self.remote)
            error = translate_error(exc, self.remote, parse_remote_url(self.endpoint.url), self._auth)
            if error.result is ResultKind.ERROR:
                raise LfsTransferFailed(self.remote, operation, scrub(error.reason, self._secrets)) from exc
            if type(error) is RemoteUnreachable:  # the git server may answer: say which one does not
                why = error.reason_said
                said = phrase(
                    "{remote}'s Git LFS server {url} ({source}) is unreachable: {reason}",
                    remote=self.remote,
                    url=self.endpoint.url,
                    source=self.endpoint.source,
                    reason=why,
                )
                raise RemoteUnreachable(self.remote, why, said) from exc
            raise error from exc


def _answer(pointer: LfsPointer, found: Mapping[str, Any] | None) -> BatchAnswer:
    if found is None:
        return BatchAnswer(pointer, error="the server did not answer for this object", code=None)
    error = found.get("error")
    if error:
        return BatchAnswer(pointer, error=str(error.get("message", "")), code=int(error.get("code", 0)))
    actions = {
        name: LfsAction(
            str(action["href"]), {str(k): str(v) for k, v in (action.get("header") or {}).items()}
        )
        for name, action in (found.get("actions") or {}).items()
    }
    return BatchAnswer(pointer, actions, authenticated=bool(found.get("authenticated")))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _server_message(response: urllib3.BaseHTTPResponse) -> str:
    try:
        message = json.loads(response.data).get("message")
    except (ValueError, AttributeError, TypeError, HTTPError, OSError):
        return ""
    return f": {scrub(str(message))}" if message else ""


def _then(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        try:
            first()
        finally:
            second()

    return both
