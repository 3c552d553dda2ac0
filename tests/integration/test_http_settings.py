"""git's network settings on real servers: HTTPS with a CA of the test's own, a forward
proxy that logs what passes through it, and `url.<base>.insteadOf` rewrites seen by the
server. The CLI is driven as a user would; git is the referee of what changed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.api import Api, RemoteAccess
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import run
from tests.integration.engine_process import gitferry
from tests.integration.test_fetch import push_commit, seed
from tests.servers.host import LOOPBACK, RemoteHost
from tests.servers.proxy import PROXY_VARIABLES, ForwardProxy
from tests.servers.remote import HttpRemote
from tests.servers.tls import ScratchCa, TlsSmartHttpServer


def registered_clone(
    remote: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path, Path]:
    """`origin` on `remote` with a commit, `mine` a registered clone (made by git from the
    bare path, pointed at the remote's URL), and the work tree that fills `origin`."""
    bare, work = seed(remote, tmp_path)
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))
    git("remote", "set-url", "origin", remote.url("origin"), cwd=mine)
    assert run(capsys, "add", str(mine))[0] == 0
    return bare, work, mine


def refs(repo: Path) -> str:
    return git("for-each-ref", "--format=%(refname) %(objectname)", cwd=repo)


def sync(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code, doc, err = run(capsys, "sync", "mine", "--json", *extra)
    assert isinstance(doc, dict), err
    report: dict[str, object] = doc["repos"][0]
    report["exit"] = code
    return report


def test_an_untrusted_certificate_is_refused_in_one_line_and_nothing_changes(
    https_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    report = sync(capsys)
    assert (report["exit"], report["result"]) == (1, "error"), report
    message = str(report["message"])
    assert "certificate not trusted" in message and "\n" not in message, message
    assert refs(mine) == before and not list((mine / ".git" / "objects" / "pack").glob("tmp_*"))
    assert https_server.requests == []  # not one request got past the handshake
    code, _out, err = run(capsys, "clone", https_server.url("origin"), str(tmp_path / "cloned"))
    assert code == 1 and "certificate not trusted" in err and err.count("\n") == 1, err
    assert not (tmp_path / "cloned").exists()
    fsck(mine)


def test_http_ssl_ca_info_trusts_the_ca_for_fetch_push_and_clone(
    https_server: HttpRemote, scratch_ca: ScratchCa, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    git(
        "config",
        "--global",
        f"http.https://{LOOPBACK}:{https_server.port}/.sslCAInfo",
        str(scratch_ca.ca_cert),
    )
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert "warning" not in str(report["message"])
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "HEAD", cwd=mine)
    code, _out, err = run(capsys, "clone", https_server.url("origin"), str(tmp_path / "cloned"))
    assert code == 0, err
    assert git("rev-parse", "HEAD", cwd=tmp_path / "cloned") == git("rev-parse", "main", cwd=bare)
    fsck(mine)


def test_a_command_in_its_own_process_loads_ssl_for_https_and_its_checks_hold(
    https_server: HttpRemote, scratch_ca: ScratchCa, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The console script's process loads `ssl` at its first use (`core/platform/first_use.py`):
    over HTTPS an untrusted certificate is still told as such, and a trusted one fetches and pushes."""
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    refused = gitferry("sync", "mine", "--json", in_process=True)
    report = json.loads(refused.out)["repos"][0]
    assert (refused.code, report["result"]) == (1, "error") and "certificate not trusted" in report["message"]
    assert refs(mine) == before
    trusted = f"http.https://{LOOPBACK}:{https_server.port}/.sslCAInfo"
    git("config", "--global", trusted, str(scratch_ca.ca_cert))
    commit_file(mine, "c.txt", "mine\n")
    synced = gitferry("sync", "mine", "--json", in_process=True)
    report = json.loads(synced.out)["repos"][0]
    assert (synced.code, report["result"], report["pushed"]) == (0, "ok", ["main"]), synced.err
    assert "_ssl" in synced.modules
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "HEAD", cwd=mine)
    fsck(mine)


def test_ssl_verify_false_works_and_the_repository_carries_a_warning(
    https_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    git("config", "http.sslVerify", "false", cwd=mine)
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    report = sync(capsys)
    assert (report["exit"], report["result"]) == (0, "ok"), report
    warning = "origin's certificate is not checked (http.sslVerify is false)"
    assert warning in str(report["message"])
    assert git("rev-parse", "origin/main", cwd=mine) == theirs
    code, doc, _err = run(capsys, "status", "mine", "--json")
    assert code == 0 and warning in doc["repos"][0]["last_message"]


def test_fetch_push_and_clone_go_through_http_proxy_and_no_proxy_bypasses_it(
    http_server: HttpRemote,
    proxy: ForwardProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare, work, mine = registered_clone(http_server, tmp_path, capsys)
    git("config", "--global", "http.proxy", proxy.url)
    push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert run(capsys, "clone", http_server.url("origin"), str(tmp_path / "cloned"))[0] == 0
    through = [target for _method, target in proxy.log]
    origin = http_server.url("origin")
    for wanted in (
        f"{origin}/info/refs?service=git-upload-pack",
        f"{origin}/git-upload-pack",
        f"{origin}/info/refs?service=git-receive-pack",
        f"{origin}/git-receive-pack",
    ):
        assert wanted in through, (wanted, through)
    assert through.count(f"{origin}/info/refs?service=git-upload-pack") >= 2  # the sync's and the clone's
    assert (proxy.log_file.read_text().splitlines()[0]).split(" ", 1)[1] == proxy.log[0][1]

    seen = len(proxy.log)
    monkeypatch.setenv("NO_PROXY", LOOPBACK)
    git("pull", "-q", "--no-rebase", str(bare), "main", cwd=work)
    push_commit(work, bare, "d.txt", "more\n")
    assert sync(capsys)["result"] == "ok"
    assert len(proxy.log) == seen  # the proxy saw nothing more


def test_https_proxy_variable_tunnels_https_with_connect(
    https_server: HttpRemote,
    scratch_ca: ScratchCa,
    proxy: ForwardProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    git("config", "--global", "http.sslCAInfo", str(scratch_ca.ca_cert))
    monkeypatch.setenv("HTTPS_PROXY", f"{LOOPBACK}:{proxy.port}")
    push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert run(capsys, "clone", https_server.url("origin"), str(tmp_path / "cloned"))[0] == 0
    assert set(proxy.log) == {("CONNECT", f"{LOOPBACK}:{https_server.port}")} and len(proxy.log) >= 3
    assert ("POST", "/origin.git/git-receive-pack") in https_server.requests


def test_insteadof_and_pushinsteadof_rewrite_what_the_server_sees(
    http_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(http_server, tmp_path, capsys)
    mirror = http_server.create("pushed")
    git("push", "-q", str(mirror), "main", cwd=work)
    base = http_server.url("origin").removesuffix("origin.git")
    git("config", "--global", f"url.{base}.insteadOf", "gf:")
    git("config", "--global", f"url.{base}push-.pushInsteadOf", "gf:")
    git("remote", "set-url", "origin", "gf:origin.git", cwd=mine)
    (http_server.bare_path("push-origin")).symlink_to(mirror)  # where the push lands: a second name
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    git("push", "-q", str(mirror), "main", cwd=work)
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("rev-parse", "origin/main", cwd=mine) == git("rev-parse", "HEAD", cwd=mine)
    assert git("rev-parse", "main", cwd=mirror) == git("rev-parse", "HEAD", cwd=mine)
    assert git("rev-parse", "main", cwd=bare) == theirs  # fetched from, never pushed to
    requests = http_server.requests
    assert ("GET", "/origin.git/info/refs?service=git-upload-pack") in requests
    assert ("POST", "/push-origin.git/git-receive-pack") in requests
    assert ("POST", "/origin.git/git-receive-pack") not in requests
    assert git("config", "remote.origin.url", cwd=mine) == "gf:origin.git"  # the config keeps it

    code, _out, err = run(capsys, "clone", "gf:origin.git", str(tmp_path / "cloned"))
    assert code == 0, err
    assert git("config", "remote.origin.url", cwd=tmp_path / "cloned") == "gf:origin.git"
    access = asyncio.run(remote_access("mine"))
    assert [(a.name, a.fetch_url, a.effective_fetch_url, a.effective_push_url) for a in access] == [
        ("origin", "gf:origin.git", f"{base}origin.git", f"{base}push-origin.git")
    ]


async def remote_access(name: str) -> list[RemoteAccess]:
    """What the settings dialog shows for each remote (through the façade)."""
    api = await Api.open(Path(os.environ["GITFERRY_HOME"]))
    try:
        return await api.remote_access(name)
    finally:
        await api.close()


def test_a_proxy_that_refuses_the_credentials_or_cannot_be_reached_is_named_not_the_remote(
    https_server: HttpRemote,
    scratch_ca: ScratchCa,
    refused_port: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user trial: a wrong password in http.proxy's URL printed urllib3's own words
    ("HTTPSConnectionPool(...): Max retries exceeded ... ProxyError(...407...)") as an error,
    and a proxy that refused connections read "origin is unreachable: timed out waiting for
    the remote". git says "Received HTTP code 407 from proxy after CONNECT" and "Failed to
    connect"; here the proxy is named, in one line, and nothing changes."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    bare, work, mine = registered_clone(https_server, tmp_path, capsys)
    git("config", "--global", "http.sslCAInfo", str(scratch_ca.ca_cert))
    push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    with ForwardProxy(tmp_path / "proxy.log", credentials=("puser", "right")) as proxy:
        git("config", "--global", "http.proxy", f"http://puser:wrong@{LOOPBACK}:{proxy.port}")
        report = sync(capsys)
        assert (report["exit"], report["result"]) == (1, "auth_failed"), report
        assert report["message"] == (
            "origin: the proxy refused the connection (407 Proxy Authentication Required); "
            "its user and password go in http.proxy's URL"
        )
        assert refs(mine) == before and https_server.requests == []
        git("config", "--global", "http.proxy", f"http://puser:right@{LOOPBACK}:{proxy.port}")
        assert (sync(capsys)["result"], refs(mine) != before) == ("ok", True)  # the same proxy, let in
    before = refs(mine)
    git("config", "--global", "http.proxy", f"http://{LOOPBACK}:{refused_port}")
    report = sync(capsys)
    assert (report["result"], report["message"]) == (
        "offline",
        "origin: the proxy is unreachable: connection refused",
    )
    assert refs(mine) == before
    fsck(mine)


@pytest.fixture(scope="module")
def mtls_process(
    tmp_path_factory: pytest.TempPathFactory, scratch_ca: ScratchCa
) -> Iterator[TlsSmartHttpServer]:
    root = tmp_path_factory.mktemp("mtls") / "repos"
    with TlsSmartHttpServer(root, scratch_ca, client_certificates=True) as server:
        yield server


def test_http_ssl_cert_and_key_present_a_client_certificate_as_git_does(
    mtls_process: TlsSmartHttpServer,
    scratch_ca: ScratchCa,
    namespace: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = RemoteHost(mtls_process.root, f"https://{LOOPBACK}:{mtls_process.port}").child(namespace)
    server = HttpRemote("https", host, port=mtls_process.port, server=mtls_process, namespace=namespace)
    bare, work, mine = registered_clone(server, tmp_path, capsys)
    cert, key = scratch_ca.client(tmp_path / "client")
    scope = f"http.https://{LOOPBACK}:{mtls_process.port}/"
    git("config", "--global", f"{scope}.sslCAInfo", str(scratch_ca.ca_cert))
    theirs = push_commit(work, bare, "b.txt", "theirs\n")
    before = refs(mine)
    assert sync(capsys)["result"] == "error" and refs(mine) == before  # no certificate: refused
    git("config", "--global", f"{scope}.sslCert", str(cert))
    git("config", "--global", f"{scope}.sslKey", str(key))
    git("ls-remote", "origin", cwd=mine)  # the referee: git signs in with them
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert git("merge-base", "--is-ancestor", theirs, "HEAD", cwd=mine) == ""
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "HEAD", cwd=mine)

    encrypted = tmp_path / "client" / "encrypted.key"
    subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-aes256", "-passout", "pass:pw", "-out", str(encrypted)],
        check=True,
        timeout=60,
    )
    git("config", "--global", f"{scope}.sslKey", str(encrypted))
    git("pull", "-q", str(bare), "main", cwd=work)
    push_commit(work, bare, "d.txt", "theirs again\n")
    before = refs(mine)
    report = sync(capsys)  # OpenSSL's own prompt would read the terminal (or hang a daemon)
    assert (report["exit"], report["result"]) == (1, "error"), report
    message = str(report["message"])
    assert "git config http.sslKey" in message and "encrypted" in message and "\n" not in message, message
    assert refs(mine) == before


def test_a_remotes_own_proxy_setting_wins_over_http_proxy_as_in_git(
    http_server: HttpRemote, proxy: ForwardProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, work, mine = registered_clone(http_server, tmp_path, capsys)
    git("config", "--global", "http.proxy", f"http://{LOOPBACK}:9")  # discard: nothing answers
    git("config", "remote.origin.proxy", proxy.url, cwd=mine)
    git("fetch", "-q", "origin", cwd=mine)  # the referee: through remote.origin.proxy
    assert proxy.log, "git fetch went around remote.origin.proxy"
    proxy.log.clear()
    push_commit(work, bare, "b.txt", "theirs\n")
    commit_file(mine, "c.txt", "mine\n")
    report = sync(capsys)
    assert (report["exit"], report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    origin = http_server.url("origin")
    through = [target for _method, target in proxy.log]
    assert f"{origin}/git-upload-pack" in through and f"{origin}/git-receive-pack" in through, through

    git("config", "remote.origin.proxy", "", cwd=mine)  # empty: no proxy for this remote
    git("fetch", "-q", "origin", cwd=mine)  # git goes straight to the remote
    proxy.log.clear()
    git("pull", "-q", "--no-rebase", str(bare), "main", cwd=work)
    push_commit(work, bare, "d.txt", "more\n")
    assert sync(capsys)["result"] == "ok" and proxy.log == []
