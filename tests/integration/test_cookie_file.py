"""`http.cookieFile`: a server that signs git in with a cookie (Gerrit, googlesource.com's
`~/.gitcookies`) signs a sync in the same way. git itself is the referee."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest

from tests.gitcli import commit_file, git
from tests.integration.test_fetch import push_commit
from tests.integration.test_http_settings import refs, registered_clone, sync
from tests.servers.host import LOOPBACK, RemoteHost
from tests.servers.remote import HttpRemote
from tests.servers.smart_http import GitHttpBackend, SmartHttpServer

COOKIE = "o=git-alice.example.com=1//0token"


class CookieGate(GitHttpBackend):
    """git's backend for requests with `COOKIE` among their cookies only; `sent` records
    every cookie any request carried."""

    sent: set[str] = set()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        cookies = [c.strip() for c in environ.get("HTTP_COOKIE", "").split(";") if c.strip()]
        self.sent.update(cookies)
        if COOKIE in cookies:
            return super().__call__(environ, start_response)
        start_response("403 Forbidden", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]


@pytest.fixture
def gated(tmp_path_factory: pytest.TempPathFactory, namespace: str) -> Iterator[HttpRemote]:
    server = SmartHttpServer(tmp_path_factory.mktemp("cookies") / "repos")
    server.app = CookieGate(server.root)
    with server:
        host = RemoteHost(server.root, f"http://{LOOPBACK}:{server.port}").child(namespace)
        yield HttpRemote("http", host, port=server.port, server=server, namespace=namespace)


def test_http_cookie_file_signs_fetch_and_push_in_as_it_signs_git_in(
    gated: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(gated, tmp_path, capsys)
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    assert sync(capsys)["result"] != "ok" and refs(mine) == before  # no cookie: refused
    cookies = tmp_path / ".gitcookies"  # as Gerrit's page writes it: no header line
    name, value = COOKIE.split("=", 1)
    cookies.write_text(
        "# a comment\n"
        f"{LOOPBACK}\tFALSE\t/\tFALSE\t2147483647\t{name}\t{value}\n"
        f"{LOOPBACK}\tFALSE\t/\tFALSE\t1\tstale\tgone\n"  # expired in 1970
        "other.example\tTRUE\t/\tFALSE\t0\tforeign\tnot-for-this-host\n"
        f"{LOOPBACK}\tFALSE\t/\tTRUE\t0\tsecure\thttps-only\n"
    )
    git("config", "--global", "http.cookieFile", str(cookies))
    git("ls-remote", "origin", cwd=mine)  # the referee: curl sends the cookie
    CookieGate.sent.clear()  # (curl takes 127.0.0.1 for a secure origin: the https-only one too)

    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "HEAD", cwd=mine)
    assert CookieGate.sent == {COOKIE}  # not the expired one, another host's, an https-only one
