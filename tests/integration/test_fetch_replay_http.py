"""A cold no-change `gitferry sync --fetch-only` of an HTTP(S) remote answered from the
last one's record (`core/git/transfer/http_advertisement.py`), against `git http-backend`
behind the tests' HTTP and TLS servers and their forward proxy; and every change that
must send it to the engine's sync instead: the remote moved, git's `http.*` settings, the
CA file, the proxy's variables, a remote that needs credentials."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.engine.core import Core
from core.engine.fetch_replay import record_path
from core.git.transfer.advertisement import read_advertisement
from core.git.transfer.http_advertisement import trust_files
from core.paths import data_dir
from core.remote_url import HttpAuth
from tests.gitcli import git
from tests.integration.clones import Clones, run
from tests.integration.engine_process import gitferry
from tests.integration.test_fetch_replay import (
    _repo_id,
    fetch,
    gone_and_told,
    recorded,
    replayed,
    report,
    rows,
)
from tests.servers.host import LOOPBACK
from tests.servers.proxy import PROXY_VARIABLES, ForwardProxy
from tests.servers.remote import HttpRemote
from tests.servers.tls import ScratchCa

LISTING = ("GET", "/origin.git/info/refs?service=git-upload-pack")


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http_world(http_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Clones:
    return Clones.make(http_server, tmp_path, capsys)


@pytest.fixture
def https_world(
    https_server: HttpRemote, scratch_ca: ScratchCa, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Clones:
    ca = tmp_path / "ca.cert"  # the test's own copy, to change
    shutil.copy(scratch_ca.ca_cert, ca)
    git("config", "--global", "http.sslCAInfo", str(ca))
    return Clones.make(https_server, tmp_path, capsys)


def _record(name: str = "mine") -> dict[str, object]:
    found: dict[str, object] = json.loads(record_path(data_dir(), _repo_id(name)).read_text())
    return found


def _dial() -> dict[str, object]:
    (remote,) = _record()["remotes"]  # type: ignore[misc]
    dial: dict[str, object] = remote["dial"]
    return dial


def test_a_fetch_over_http_is_answered_again_as_the_engine_answered_it(http_world: Clones) -> None:
    server = http_world.remote
    assert isinstance(server, HttpRemote)
    recorded(http_world.capsys)
    first = fetch("mine", "--json")  # the engine's, recorded again
    assert replayed(first)  # the record made by `recorded` answered it
    engine_runs = rows("sync_runs")
    dial = _dial()
    assert dial["kind"] == "http" and dial["proxy"] is None and dial["verify"] is True
    asked = len(server.requests)
    second = fetch("mine", "--json")
    assert replayed(second)
    # Its request written by hand: neither urllib3 nor `http.client` with the email package.
    assert {"urllib3", "http.client", "email.parser", "ssl"} & second.modules == set()
    assert server.requests[asked:] == [LISTING]  # one request, the engine's first
    assert report(second) == report(first)
    runs = rows("sync_runs")
    assert len(runs) == len(engine_runs) + 1
    assert {**runs[-1], "details": None} == {**runs[-2], "details": None}
    git("fsck", "--strict", cwd=http_world.mine)


def test_what_the_remote_brought_in_is_fetched_by_the_engine(http_world: Clones) -> None:
    recorded(http_world.capsys)
    pushed = http_world.commit(http_world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=http_world.theirs)
    ran = fetch("mine", "--json")
    assert not replayed(ran)
    assert json.loads(ran.out)["repos"][0]["objects_received"] > 0
    assert http_world.head(http_world.mine, "refs/remotes/origin/main") == pushed


def test_an_annotated_tag_is_read_as_dulwich_reads_it(http_world: Clones) -> None:
    """The record's listing (dulwich's refs, its peeled tags put back) is what the replay
    reads: a tag and its `^{}` line."""
    git("tag", "-a", "-m", "one", "v1", cwd=http_world.theirs)
    git("push", "-q", "origin", "v1", cwd=http_world.theirs)
    assert not replayed(fetch())  # brings the tag
    recorded(http_world.capsys)
    (remote,) = _record()["remotes"]  # type: ignore[misc]
    names = [name for name, _sha in remote["advertised"]]
    assert {"refs/tags/v1", "refs/tags/v1^{}"} <= set(names)
    assert read_advertisement(remote["dial"], 10) == remote["advertised"]
    assert replayed(fetch())


def test_https_is_replayed_and_a_changed_ca_file_goes_to_the_engine(https_world: Clones) -> None:
    recorded(https_world.capsys)
    dial = _dial()
    ca = str(https_world.mine.parent / "ca.cert")
    assert (dial["verify"], dial["ca_info"]) == (True, ca)
    assert replayed(fetch())
    copy = Path(ca).with_name("ca.new")
    shutil.copy(ca, copy)
    copy.rename(ca)  # the same CAs in a new file, as a package update writes it
    ran = fetch("mine", "--json")
    assert not replayed(ran)
    assert json.loads(ran.out)["repos"][0]["result"] == "up_to_date"
    recorded(https_world.capsys)
    assert replayed(fetch())


def test_the_platforms_trust_store_is_read_as_truststore_reads_it(
    https_server: HttpRemote, scratch_ca: ScratchCa, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No `http.sslCAInfo`: the engine's truststore and the replay's read OpenSSL's default
    bundle (`SSL_CERT_FILE` here, the test's CA); the bundle changed, the engine's sync runs."""
    bundle = tmp_path / "bundle.pem"
    shutil.copy(scratch_ca.ca_cert, bundle)
    env = {"SSL_CERT_FILE": str(bundle), "SSL_CERT_DIR": str(tmp_path / "none")}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GIT_SSL_CAINFO", raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        world = Clones.make(https_server, tmp_path, capsys)
        recorded(world.capsys)
        dial = _dial()
        assert dial["ca_info"] is None and [str(bundle), *dial["trust"][0][1:]] == dial["trust"][0]  # type: ignore[index]
        assert replayed(fetch())
        copy = bundle.with_name("bundle.new")
        shutil.copy(bundle, copy)
        copy.rename(bundle)
        assert not replayed(fetch())


def test_a_remote_whose_certificate_is_not_checked_is_replayed_with_its_warning(https_world: Clones) -> None:
    git("config", "http.sslVerify", "false", cwd=https_world.mine)
    recorded(https_world.capsys)
    assert _dial()["verify"] is False and _dial()["trust"] == []
    ran = fetch("mine", "--json")
    assert replayed(ran)
    assert "certificate is not checked" in json.loads(ran.out)["repos"][0]["message"]


def test_a_certificate_the_engine_would_refuse_is_refused_by_the_replay(
    https_world: Clones, tmp_path: Path
) -> None:
    """The replay checks the server's certificate with the engine's context: another CA
    in `http.sslCAInfo`, or the platform's store, trusts it no more here than there."""
    recorded(https_world.capsys)
    (remote,) = _record()["remotes"]  # type: ignore[misc]
    dial = remote["dial"]
    assert read_advertisement(dial, 10) == remote["advertised"]
    other = ScratchCa.make(tmp_path / "other").ca_cert
    for ca_info in (str(other), None):  # another CA; the platform's store
        verify = (True, ca_info, None)
        changed = {**dial, "ca_info": ca_info, "trust": trust_files(*verify)}
        assert read_advertisement(changed, 10) is None
    git("config", "--global", "http.sslCAInfo", str(other))
    ran = gitferry("sync", "--fetch-only", "--json", "mine", in_process=True)
    assert ran.code == 1 and not replayed(ran)
    assert "certificate not trusted" in json.loads(ran.out)["repos"][0]["message"]


def test_a_proxy_variable_set_sends_the_fetch_to_the_engine_and_the_replay_goes_through_it(
    http_world: Clones, proxy: ForwardProxy
) -> None:
    recorded(http_world.capsys)
    env = {"http_proxy": proxy.url}
    assert not replayed(gitferry("sync", "--fetch-only", "mine", in_process=True, env=env))
    through = f"{http_world.remote.url('origin')}/info/refs?service=git-upload-pack"
    assert proxy.log == [("GET", through)]  # the engine's, through the proxy now
    recorded(http_world.capsys, env=env)
    seen = len(proxy.log)
    assert replayed(gitferry("sync", "--fetch-only", "mine", in_process=True, env=env))
    assert proxy.log[seen:] == [("GET", through)]  # the replay's, as the engine's
    assert not replayed(fetch())  # and without the variable: the engine's again


def test_https_through_a_proxy_tunnel_is_replayed(https_world: Clones, proxy: ForwardProxy) -> None:
    env = {"HTTPS_PROXY": f"{LOOPBACK}:{proxy.port}"}
    recorded(https_world.capsys, env=env)
    assert _dial()["proxy"] == {"host": LOOPBACK, "port": proxy.port}
    seen = len(proxy.log)
    assert replayed(gitferry("sync", "--fetch-only", "mine", in_process=True, env=env))
    assert proxy.log[seen:] == [("CONNECT", f"{LOOPBACK}:{https_world.remote.port}")]


def test_a_changed_http_setting_goes_to_the_engine(http_world: Clones) -> None:
    recorded(http_world.capsys)
    git("config", "--global", "http.userAgent", "git/2.99")
    assert not replayed(fetch())
    recorded(http_world.capsys)
    assert _dial()["headers"]["User-agent"] == "git/2.99"  # type: ignore[index]
    assert replayed(fetch())


def _said_only_by_the_engine(world: Clones, proxy: ForwardProxy, scratch_ca: ScratchCa) -> dict[str, str]:
    """git settings of the repository the engine's fetch sends, which a replay does not
    say again (a secret, mostly), each one the server or proxy takes."""
    cookies = world.mine.parent / "cookies.txt"
    cookies.write_text(f"{LOOPBACK}\tFALSE\t/\tFALSE\t0\tsession\tsecret\n")
    cert, key = scratch_ca.client(world.mine.parent / "client")
    return {
        "http.extraHeader": "X-Token: secret",
        "http.cookieFile": str(cookies),
        "http.sslCert": str(cert),
        "http.sslKey": str(key),
        "http.proxy": f"http://user:secret@{LOOPBACK}:{proxy.port}",
    }


@pytest.mark.parametrize("key", ["http.extraHeader", "http.cookieFile", "http.sslCert", "http.proxy"])
def test_what_a_replay_cannot_send_again_is_never_recorded(
    http_world: Clones, proxy: ForwardProxy, scratch_ca: ScratchCa, key: str
) -> None:
    recorded(http_world.capsys)
    settings = _said_only_by_the_engine(http_world, proxy, scratch_ca)
    for name in [key, "http.sslKey"] if key == "http.sslCert" else [key]:
        git("config", name, settings[name], cwd=http_world.mine)
    for _ in range(2):  # the first after a change is never recorded: the second would be
        ran = fetch("mine", "--json")
        assert not replayed(ran)
        assert json.loads(ran.out)["repos"][0]["result"] == "up_to_date"
    assert not record_path(data_dir(), _repo_id("mine")).exists()
    assert bool(proxy.log) == (key == "http.proxy")


def test_a_remote_that_needs_credentials_is_never_recorded(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signed in by git's credential helper after a 401, as git does: the replay would
    have to ask it again, and asks nothing."""
    from tests.integration.test_sign_in import Helper

    helper = Helper(tmp_path / "helper")
    git("config", "--global", "credential.helper", helper.command)
    helper.answer(*(http_auth_server.auth or ("", "")))
    Clones.make(http_auth_server, tmp_path, capsys)
    for _ in range(2):
        assert run(capsys, "sync", "--fetch-only", "mine")[0] == 0
    assert "get" in helper.actions()
    assert not record_path(data_dir(), _repo_id("mine")).exists()
    assert not replayed(fetch())


def test_a_remote_gone_or_redirected_is_left_to_the_engine(http_world: Clones) -> None:
    recorded(http_world.capsys)
    (remote,) = _record()["remotes"]  # type: ignore[misc]
    origin = http_world.remote.url("origin")
    with _redirecting(origin.removesuffix("/origin.git")) as elsewhere:
        moved = f"{elsewhere}/origin.git/info/refs?service=git-upload-pack"
        assert read_advertisement({**remote["dial"], "url": moved}, 10) is None
        # The engine follows a redirect, as git does; what it read then is never recorded.
        git("remote", "set-url", "origin", f"{elsewhere}/origin.git", cwd=http_world.mine)
        for _ in range(2):
            ran = fetch("mine", "--json")
            assert not replayed(ran) and json.loads(ran.out)["repos"][0]["result"] == "up_to_date"
        assert not record_path(data_dir(), _repo_id("mine")).exists()
    git("remote", "set-url", "origin", origin, cwd=http_world.mine)
    gone_and_told(http_world)  # a 404


@pytest.mark.parametrize("framing", ["chunked", "length", "close"])
def test_the_listing_is_read_however_the_server_frames_it(http_world: Clones, framing: str) -> None:
    """The backend's own listing, sent on chunked (HTTP/1.1 servers in front of `git
    http-backend`), with a `Content-Length`, or up to the connection's end (the tests' bridge)."""
    recorded(http_world.capsys)
    (remote,) = _record()["remotes"]  # type: ignore[misc]
    dial = remote["dial"]
    with urllib.request.urlopen(dial["url"], timeout=10) as answer:
        body = answer.read()
    with _serving(body, framing) as url:
        assert read_advertisement({**dial, "url": url}, 10) == remote["advertised"]
        assert read_advertisement({**dial, "url": url.replace("info/refs", "other")}, 10) is None


@contextmanager
def _serving(body: bytes, framing: str) -> Iterator[str]:
    """A server that answers the listing `body`, framed as `framing` says, at the URL it gives."""

    class Listing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0" if framing == "close" else "HTTP/1.1"

        def do_GET(self) -> None:
            if not self.path.startswith("/origin.git/info/refs?"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
            if framing == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for at in range(0, len(body), 7):  # chunks that cut pkt-lines anywhere
                    piece = body[at : at + 7]
                    self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
                return
            if framing == "length":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with _server(Listing) as port:
        yield f"http://{LOOPBACK}:{port}/origin.git/info/refs?service=git-upload-pack"


@contextmanager
def _server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _redirecting(to: str) -> Iterator[str]:
    """A server that redirects every request to the same path under `to`: its URL."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with _server(Redirect) as port:
        yield f"http://{LOOPBACK}:{port}"


def test_a_credential_saved_in_the_keyring_sends_the_fetch_to_the_engine(http_world: Clones) -> None:
    """The engine's fetch sends the keyring's credential for the URL with its first request;
    the replay asks no keyring: a record made without one is dropped once one is kept."""
    recorded(http_world.capsys)
    asyncio.run(_keep_a_credential(http_world.remote.url("origin")))
    assert not record_path(data_dir(), _repo_id("mine")).exists()
    assert not replayed(fetch())


async def _keep_a_credential(url: str) -> None:
    core = await Core.open()
    try:
        await core.offload.io(core.credentials.save, url, HttpAuth("me", "pw"))
    finally:
        await core.close()
