"""Remote URLs, the clients built for them, and how transport failures are reported."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import urllib3
from dulwich.client import HTTPUnauthorized, LocalGitClient, SSHGitClient, Urllib3HttpGitClient
from dulwich.errors import HangupException, NotGitRepository

from core.errors import BadInput
from core.git.transfer.errors import AuthFailed, RemoteUnreachable, TransferFailed
from core.git.transfer.timed_clients import TimedTCPGitClient
from core.git.transfer.timed_ssh import bounded_options
from core.git.transfer.transport import (
    Kind,
    check_url,
    open_client,
    parse_remote_url,
    ssh_program_for,
    translate_error,
)
from core.remote_url import BadRemoteUrl, HttpAuth, credential_key, split_url_secret
from core.results import ResultKind

SECRET = "s3cret:p@ss"


@pytest.mark.parametrize(
    ("url", "kind", "host", "port", "user", "path"),
    [
        ("/srv/git/repo.git", Kind.PATH, None, None, None, "/srv/git/repo.git"),
        ("file:///srv/git/repo.git", Kind.FILE, None, None, None, "/srv/git/repo.git"),
        ("file://localhost/srv/a%20b.git", Kind.FILE, None, None, None, "/srv/a b.git"),
        ("git://127.0.0.1:9418/repo.git", Kind.GIT, "127.0.0.1", 9418, None, "/repo.git"),
        ("git://example.org/repo.git", Kind.GIT, "example.org", None, None, "/repo.git"),
        ("http://127.0.0.1:8080/r.git", Kind.HTTP, "127.0.0.1", 8080, None, "/r.git"),
        ("https://alice@example.org/r.git", Kind.HTTPS, "example.org", None, "alice", "/r.git"),
        ("ssh://git@[::1]:2222/srv/r.git", Kind.SSH, "::1", 2222, "git", "/srv/r.git"),
        ("git+ssh://host/~/r.git", Kind.SSH, "host", None, None, "/~/r.git"),
        ("git@github.com:owner/repo.git", Kind.SSH, "github.com", None, "git", "owner/repo.git"),
        ("host:repo.git", Kind.SSH, "host", None, None, "repo.git"),
        ("[::1]:srv/r.git", Kind.SSH, "::1", None, None, "srv/r.git"),
    ],
)
def test_parses_every_transport(
    url: str, kind: Kind, host: str | None, port: int | None, user: str | None, path: str
) -> None:
    parsed = parse_remote_url(url)
    assert (parsed.kind, parsed.host, parsed.port, parsed.user, parsed.path) == (
        kind,
        host,
        port,
        user,
        path,
    )


def test_relative_and_colon_paths_are_local(tmp_path: Path) -> None:
    assert parse_remote_url("../up/repo", base=tmp_path / "w").path == str(tmp_path / "up" / "repo")
    assert parse_remote_url("./a:b", base=tmp_path).kind is Kind.PATH
    assert parse_remote_url("/x/y:z").kind is Kind.PATH


@pytest.mark.parametrize(
    "url",
    [
        "",
        " /leading/space",
        "ftp://example.org/repo.git",
        "rsync://host/repo",
        "http://",
        "https:///no-host",
        "git://host",
        "git://host/",
        "http://host:notaport/r.git",
        "ssh://-oProxyCommand=evil/x",
        "-oProxyCommand=evil:repo",
        "host:",
        "file://otherhost/repo.git",
        "git://host/repo\n.git",
        "ssh://user:pw@host/r.git",
        "1nvalid scheme://x/y",
        "http://[::1/x",
        "https://[fe80::1%eth0/r.git",
        "ssh://[::1/x",
        "git://host:99999/r.git",
    ],
)
def test_malformed_urls_are_bad_input_with_a_one_line_message(url: str) -> None:
    with pytest.raises(BadRemoteUrl) as caught:
        check_url(url)
    if url.startswith("http") and ("[" in url or "notaport" in url):  # urllib refuses these: so do
        # the helpers the CLI and the GUI call before parsing, with the same one line
        with pytest.raises(BadRemoteUrl):
            split_url_secret(url)
        with pytest.raises(BadRemoteUrl):
            credential_key(url)
    assert isinstance(caught.value, BadInput)
    assert caught.value.result is ResultKind.ERROR and caught.value.bad_input
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("htps:/example.org/x", "https://example.org/x"),
        ("https:/example.org/x", "https://example.org/x"),
        ("https//example.org/x", "https://example.org/x"),
        ("htps//example.org/x", "https://example.org/x"),
        ("http:example.org/x.git", "http://example.org/x.git"),
        ("hhtps:/example.org/x", "https://example.org/x"),
        ("file:/srv/repo.git", "file:///srv/repo.git"),
        ("htps://example.org/x", "https://"),
    ],
)
def test_a_mistyped_scheme_is_refused_with_what_was_meant(typo: str, meant: str) -> None:
    """Before: `htps:/example.org/x` was an ssh host named `htps`, `https//example.org/x` a
    relative folder; the clone then failed far from the typo (or cloned a local path)."""
    with pytest.raises(BadRemoteUrl) as caught:
        check_url(typo)
    message = str(caught.value)
    assert "\n" not in message and f"did you mean {meant}" in message


@pytest.mark.parametrize("url", ["server:/srv/x.git", "htpc:/srv/x", "git:repo.git", "files/x", "httpdocs/x"])
def test_hosts_and_folders_that_only_look_like_a_scheme_stay_valid(url: str) -> None:
    assert parse_remote_url(url).kind in (Kind.SSH, Kind.PATH)


def test_a_password_in_a_url_is_never_shown() -> None:
    url = f"https://alice:{SECRET}@example.org/r.git"
    parsed = parse_remote_url(url.replace(SECRET, "s3cret"))
    assert parsed.password == "s3cret"
    assert "s3cret" not in parsed.text and "s3cret" not in repr(parsed)
    with pytest.raises(BadRemoteUrl) as caught:
        check_url("https://alice:s3cret@example.org:badport/r.git")
    assert "s3cret" not in str(caught.value)


def test_http_client_has_explicit_timeouts_and_header_only_credentials() -> None:
    url = parse_remote_url("http://127.0.0.1:8080/r.git")
    client, path = open_client(url, auth=HttpAuth("alice", SECRET), timeout=7.0)
    assert isinstance(client, Urllib3HttpGitClient) and path == "/r.git"
    pool = client.pool_manager
    assert isinstance(pool, urllib3.PoolManager)
    timeout = pool.connection_pool_kw["timeout"]
    assert isinstance(timeout, urllib3.Timeout)
    assert (timeout.connect_timeout, timeout.read_timeout) == (7.0, 7.0)
    assert pool.connection_pool_kw["retries"].read == 0
    assert SECRET not in client.get_url(path) and "alice" not in client.get_url(path)


def test_ssh_bounds_every_wait_after_the_users_options(monkeypatch: pytest.MonkeyPatch) -> None:
    words = bounded_options(9.5, batch=True)
    assert {"BatchMode=yes", "ConnectTimeout=10", "ServerAliveCountMax=3", "ServerAliveInterval=4"} <= set(
        words
    )
    assert "BatchMode=yes" not in bounded_options(9.5, batch=False)  # the askpass answers instead
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -p 2")
    program = ssh_program_for(None, None)
    assert (program.command, program.source) == ("ssh -p 2", "GIT_SSH_COMMAND")
    assert program.argv(["-o", "X=1", "host"]) == [
        "sh",
        "-c",
        'ssh -p 2 "$@"',
        "ssh -p 2",
        "-o",
        "X=1",
        "host",
    ]
    assert ssh_program_for("ssh -F /dev/null", None).source == "given"
    client, path = open_client(parse_remote_url("me@h:r.git"), auth=None, timeout=5)
    assert isinstance(client, SSHGitClient) and path == "r.git" and client.username == "me"


def test_local_and_git_clients() -> None:
    assert isinstance(open_client(parse_remote_url("/r.git"), auth=None, timeout=1)[0], LocalGitClient)
    client, _ = open_client(parse_remote_url("git://127.0.0.1:1/r.git"), auth=None, timeout=1)
    assert isinstance(client, TimedTCPGitClient)


def refused_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def test_refused_connection_is_offline() -> None:
    sock, port = refused_port()
    url = parse_remote_url(f"git://127.0.0.1:{port}/r.git")
    client, path = open_client(url, auth=None, timeout=2)
    with sock, pytest.raises(OSError) as caught:
        client.get_refs(path.encode())
    error = translate_error(caught.value, "origin", url)
    assert isinstance(error, RemoteUnreachable) and error.result is ResultKind.OFFLINE
    assert (error.remote, error.reason) == ("origin", "connection refused")


def test_http_refused_is_offline_and_401_is_auth_failed_without_the_secret() -> None:
    sock, port = refused_port()
    url = parse_remote_url(f"http://127.0.0.1:{port}/r.git")
    client, path = open_client(url, auth=HttpAuth("alice", SECRET), timeout=2)
    with sock, pytest.raises(Exception) as caught:
        client.get_refs(path.encode())
    refused = translate_error(caught.value, "origin", url)
    assert isinstance(refused, RemoteUnreachable)
    assert refused.reason == "connection refused"  # not "timed out": nothing waited
    unauthorized = HTTPUnauthorized('Basic realm="git"', f"http://127.0.0.1:{port}/r.git")
    error = translate_error(unauthorized, "origin", url, HttpAuth("alice", SECRET))
    assert isinstance(error, AuthFailed) and error.result is ResultKind.AUTH_FAILED
    assert SECRET not in str(error) and "refused the credentials" in str(error)


def test_other_failures_are_transfer_errors_with_secrets_scrubbed() -> None:
    url = parse_remote_url("https://example.org/r.git")
    auth = HttpAuth("alice", SECRET)
    error = translate_error(RuntimeError(f"boom {SECRET}\nsecond line"), "origin", url, auth)
    assert isinstance(error, TransferFailed) and error.result is ResultKind.ERROR
    assert SECRET not in str(error) and "\n" not in str(error) and "***" in str(error)
    hangup = translate_error(HangupException(), "origin", url)
    assert isinstance(hangup, TransferFailed) and "closed the connection" in hangup.reason
    missing = translate_error(NotGitRepository(), "origin", url)
    assert isinstance(missing, TransferFailed) and "no git repository" in missing.reason


def test_ssh_stderr_is_classified() -> None:
    url = parse_remote_url("ssh://h/r.git")
    refused = HangupException([b"ssh: connect to host h port 22: Connection refused"])
    assert isinstance(translate_error(refused, "o", url), RemoteUnreachable)
    denied = HangupException([b"git@h: Permission denied (publickey)."])
    assert isinstance(translate_error(denied, "o", url), AuthFailed)
    other = HangupException([b"fatal: '/r.git' does not appear to be a git repository"])
    assert isinstance(translate_error(other, "o", url), TransferFailed)
