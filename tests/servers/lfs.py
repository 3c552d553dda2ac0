"""A Git LFS server (batch API, basic transfer) beside ``git http-backend`` on one loopback port.

``<repo>.git/info/lfs/objects/batch`` answers git-lfs's batch requests (docs/api/batch.md):
a download gets a ``download`` action for each object the server has and a 404 error for
the others; an upload gets ``upload`` and ``verify`` actions for each object it lacks and
no actions for those it has. ``.../info/lfs/objects/<oid>`` serves (GET) and takes (PUT)
the bytes, streamed to and from disk: a PUT is hashed as it arrives and kept only when its
sha256 and size are right. ``.../info/lfs/verify`` answers 200 for an object it has. Every
other path goes to ``git http-backend``. With credentials, every LFS request needs HTTP
Basic auth, the same as the git requests' (the action URLs carry no token: the client
sends its credentials to them, as it would to a real server on its own host).

git-lfs (Debian's ``git-lfs``) is the referee that this server speaks the protocol.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from tests.servers.host import LOOPBACK
from tests.servers.smart_http import CHUNK, GitHttpBackend, SmartHttpServer, _body_chunks, _unauthorized

MEDIA_TYPE = "application/vnd.git-lfs+json"
_LFS_PATH = re.compile(r"(?P<repo>/.+?\.git)/info/lfs(?P<rest>/.*)")
_OID = re.compile(r"[0-9a-f]{64}")


class LfsObjects:
    """The server's objects on disk, one directory per repository path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, repo: str, oid: str) -> Path:
        return self.root / repo.strip("/") / oid[0:2] / oid[2:4] / oid

    def has(self, repo: str, oid: str, size: int) -> bool:
        path = self.path(repo, oid)
        return path.is_file() and path.stat().st_size == size

    def drop(self, repo: str, oid: str) -> None:
        """Lose an object (a test's missing object)."""
        self.path(repo, oid).unlink()

    def oids(self, repo: str) -> set[str]:
        base = self.root / repo.strip("/")
        return {p.name for p in base.glob("*/*/*")} if base.exists() else set()


class LfsApp:
    """The LFS half of the WSGI application. ``requests`` records ``(method, path)``."""

    def __init__(self, objects: LfsObjects, git: GitHttpBackend) -> None:
        self.objects = objects
        self._git = git  # whose Basic auth check the LFS requests pass too
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse, repo: str, rest: str
    ) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        with self._lock:
            self.requests.append((method, f"{repo}/info/lfs{rest}"))
        if self._git.credentials is not None and self._git._authenticated_user(environ) is None:
            return _unauthorized(start_response)
        base = f"http://{environ.get('HTTP_HOST') or LOOPBACK}{repo}/info/lfs"
        if rest == "/objects/batch" and method == "POST":
            return self._batch(environ, start_response, repo, base)
        if rest == "/verify" and method == "POST":
            return self._verify(environ, start_response, repo)
        oid = rest.removeprefix("/objects/")
        if _OID.fullmatch(oid) and method == "GET":
            return self._get(start_response, repo, oid)
        if _OID.fullmatch(oid) and method == "PUT":
            return self._put(environ, start_response, repo, oid)
        return _json(start_response, "404 Not Found", {"message": f"no such LFS endpoint: {method} {rest}"})

    def _batch(
        self, environ: WSGIEnvironment, start_response: StartResponse, repo: str, base: str
    ) -> list[bytes]:
        request = json.loads(b"".join(_body_chunks(environ)))
        operation = request.get("operation")
        answers = []
        for item in request.get("objects", []):
            oid, size = str(item["oid"]), int(item["size"])
            answer: dict[str, Any] = {"oid": oid, "size": size}
            present = self.objects.has(repo, oid, size)
            if operation == "download" and present:
                answer["actions"] = {"download": {"href": f"{base}/objects/{oid}", "expires_in": 3600}}
            elif operation == "download":
                answer["error"] = {"code": 404, "message": "Object does not exist"}
            elif operation == "upload" and not present:
                answer["actions"] = {
                    "upload": {"href": f"{base}/objects/{oid}", "expires_in": 3600},
                    "verify": {"href": f"{base}/verify", "expires_in": 3600},
                }
            answers.append(answer)
        return _json(
            start_response, "200 OK", {"transfer": "basic", "objects": answers, "hash_algo": "sha256"}
        )

    def _get(self, start_response: StartResponse, repo: str, oid: str) -> Iterable[bytes]:
        path = self.objects.path(repo, oid)
        if not path.is_file():
            return _json(start_response, "404 Not Found", {"message": "Object does not exist"})
        start_response(
            "200 OK",
            [("Content-Type", "application/octet-stream"), ("Content-Length", str(path.stat().st_size))],
        )
        return _file_chunks(path)

    def _put(
        self, environ: WSGIEnvironment, start_response: StartResponse, repo: str, oid: str
    ) -> list[bytes]:
        final = self.objects.path(repo, oid)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{oid}.{secrets.token_hex(4)}")
        digest = hashlib.sha256()
        with temp.open("wb") as out:
            for chunk in _body_chunks(environ):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != oid:
            temp.unlink()
            return _json(
                start_response, "422 Unprocessable Entity", {"message": "sha256 does not match the oid"}
            )
        os.replace(temp, final)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    def _verify(self, environ: WSGIEnvironment, start_response: StartResponse, repo: str) -> list[bytes]:
        request = json.loads(b"".join(_body_chunks(environ)))
        if self.objects.has(repo, str(request["oid"]), int(request["size"])):
            return _json(start_response, "200 OK", {"message": "verified"})
        return _json(start_response, "404 Not Found", {"message": "Object does not exist"})


class GitLfsApp:
    """git http-backend for git's paths, ``LfsApp`` for ``*.git/info/lfs/*``."""

    def __init__(self, git: GitHttpBackend, lfs: LfsApp) -> None:
        self.git = git
        self.lfs = lfs
        self.credentials = git.credentials
        self.requests = git.requests
        self.commands = git.commands

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        match = _LFS_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self.git(environ, start_response)
        return self.lfs(environ, start_response, match.group("repo"), match.group("rest"))

    def kill_all(self) -> None:
        self.git.kill_all()


class LfsHttpServer(SmartHttpServer):
    """Smart HTTP and Git LFS for every repository under ``root``, at one loopback port."""

    def __init__(self, root: Path, credentials: tuple[str, str] | None = None) -> None:
        super().__init__(root, credentials)
        self.objects = LfsObjects(root.parent / f"{root.name}-lfs")
        self.lfs = LfsApp(self.objects, self.app)
        self.app = GitLfsApp(self.app, self.lfs)  # type: ignore[assignment]


def _json(start_response: StartResponse, status: str, document: dict[str, Any]) -> list[bytes]:
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", MEDIA_TYPE), ("Content-Length", str(len(body)))])
    return [body]


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk
