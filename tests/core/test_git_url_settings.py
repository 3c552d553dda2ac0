"""git's URL-scoped settings read as git reads them, git itself the referee.

`http.<url>.*` against `git config --get-urlmatch`, `url.<base>.insteadOf` and
`pushInsteadOf` against `git remote get-url [--push]`, the credential helpers
a URL gets against the helpers `git credential fill` runs, in their order.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.config.credential_config import credential_query
from core.git.config.http_config import BadHttpSetting, bypasses, choose_proxy, http_settings
from core.git.config.url_rewrite import remote_rewrite
from core.git.config.urlmatch import normalize, scoped
from core.git.transfer.sign_in import memory_key, remote_memory_key, remote_memory_keys
from tests.gitcli import git

HOSTS = [
    "example.com",
    "git.example.com",
    "EXAMPLE.com",
    "*.example.com",
    "127.0.0.1:8080",
    "example.com:443",
]
PATHS = ["", "/", "/org", "/org/", "/org/repo.git", "/Org", "/org/./repo.git", "/a%2fb", "/or"]
USERS = ["", "alice@", "bob@"]


def _config_url(rng: random.Random) -> str:
    return f"{rng.choice(['https', 'http', 'HTTPS'])}://{rng.choice(USERS)}{rng.choice(HOSTS)}{rng.choice(PATHS)}"


def _request_url(rng: random.Random) -> str:
    host = rng.choice(["example.com", "git.example.com", "127.0.0.1:8080", "other.org"])
    path = rng.choice(["/org/repo.git", "/org", "/", "/org/sub/x.git", "/orgx/y.git", "/a%2Fb/c"])
    return f"{rng.choice(['https', 'http'])}://{rng.choice(USERS)}{host}{path}"


@pytest.mark.parametrize("seed", range(12))
def test_http_url_precedence_is_gits(seed: int, tmp_path: Path) -> None:
    """Random `http.<url>.userAgent` entries: the value that applies to each of a few URLs
    is the one `git config --get-urlmatch` gives."""
    rng = random.Random(seed)
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    for n in range(rng.randint(1, 9)):
        section = _config_url(rng) if rng.random() < 0.85 else None
        key = f"http.{section}.userAgent" if section else "http.userAgent"
        git("config", "--add", key, f"agent-{n}", cwd=repo)
    with Repo(str(repo)) as dulwich_repo:
        config = dulwich_repo.get_config_stack()
        for _ in range(8):
            url = _request_url(rng)
            ours = http_settings(config, url).user_agent
            theirs = subprocess.run(
                ["git", "config", "--get-urlmatch", "http.useragent", url],
                cwd=repo,
                capture_output=True,
                text=True,
            ).stdout.strip()
            assert (ours or "") == theirs, (url, (repo / ".git" / "config").read_text())


def test_normalisation_matches_case_ports_dots_and_escapes() -> None:
    a = normalize("HTTPS://Example.COM:0443/org/./x/../repo%2egit")
    assert a is not None and (a.host, a.port, a.path) == ("example.com", "", "/org/repo.git")
    assert normalize("https://h:99999/") is None and normalize("example.com/x") is None
    assert normalize("https://h/%zz") is None


def test_extra_headers_collect_and_an_empty_value_resets(tmp_path: Path) -> None:
    """In file order, each entry at least as specific as the best one before it adds its
    header (git's urlmatch hands it over); a worse one after a better one is skipped."""
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            "[http]\n\textraHeader = X-A: 1\n"
            '[http "https://example.com/org"]\n\textraHeader = X-B: 2\n'
            '[http "https://example.com"]\n\textraHeader = X-D: 4\n'
            '[http "https://example.com/org/repo.git"]\n\textraHeader = X-E: 5\n'
        )
    with Repo(str(repo)) as r:
        headers = http_settings(r.get_config_stack(), "https://example.com/org/repo.git").extra_headers
        assert headers == (("X-A", "1"), ("X-B", "2"), ("X-E", "5"))
        assert http_settings(r.get_config_stack(), "https://example.com/x").extra_headers == (
            ("X-A", "1"),
            ("X-D", "4"),
        )
        assert http_settings(r.get_config_stack(), "https://other.org/x").extra_headers == (("X-A", "1"),)
    git("config", "--add", "http.https://example.com/org/repo.git.extraHeader", "", cwd=repo)
    with Repo(str(repo)) as r:
        assert http_settings(r.get_config_stack(), "https://example.com/org/repo.git").extra_headers == ()


def test_proxy_choice_config_then_environment_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "https_proxy",
        "HTTPS_PROXY",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert choose_proxy("https://h/x", None) is None
    monkeypatch.setenv("HTTPS_PROXY", "upper:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://never:1")  # upper case for http URLs: ignored, as git and curl
    assert choose_proxy("http://h/x", None) is None
    proxy = choose_proxy("https://h/x", None)
    assert proxy is not None and (proxy.url, proxy.source) == ("http://upper:3128", "HTTPS_PROXY")
    monkeypatch.setenv("https_proxy", "http://lower:8080")
    assert (choose_proxy("https://h/x", None) or proxy).url == "http://lower:8080"
    configured = choose_proxy("https://h/x", "http://u:p%40ss@conf:9")
    assert configured is not None and (configured.url, configured.username, configured.password) == (
        "http://conf:9",
        "u",
        "p@ss",
    )
    assert choose_proxy("https://h/x", "") is None  # an empty http.proxy: no proxy at all
    monkeypatch.setenv("NO_PROXY", "h")
    assert choose_proxy("https://h/x", "conf:9") is None  # curl's noproxy applies to a configured one
    monkeypatch.delenv("NO_PROXY")
    assert bypasses("a.b.example.com", ".example.com") and not bypasses("badexample.com", "example.com")
    assert (
        bypasses("10.1.2.3", "10.0.0.0/8")
        and bypasses("anything", "*")
        and not bypasses("10.1.2.3", "10.1.2")
    )
    with pytest.raises(BadHttpSetting, match="ftp proxies are not supported"):
        choose_proxy("https://h/x", "ftp://p:1")


def test_socks_proxies_take_git_s_schemes_and_credentials() -> None:
    """git's http.c: socks5h resolves at the proxy, socks5 here, `socks://` is SOCKS4."""
    for given, taken in (
        ("socks://p", "socks4://p:1080"),
        ("socks4://p:2", "socks4://p:2"),
        ("socks4a://p:2", "socks4a://p:2"),
        ("socks5://p:2", "socks5://p:2"),
        ("socks5h://[::1]:2", "socks5h://[::1]:2"),
    ):
        proxy = choose_proxy("https://h/x", given)
        assert proxy is not None and proxy.url == taken, given
    proxy = choose_proxy("http://h/x", "socks5h://me:p%40ss@p:2")
    assert proxy is not None and (proxy.url, proxy.username, proxy.password) == (
        "socks5h://p:2",
        "me",
        "p@ss",
    )


@pytest.mark.parametrize(
    ("rules", "url", "push_url"),
    [
        ([("http://h/", "insteadOf", "gf:"), ("http://longer/", "insteadOf", "gf:re")], "gf:repo.git", None),
        ([("http://h/", "insteadOf", "gf:"), ("http://push/", "pushInsteadOf", "gf:")], "gf:repo.git", None),
        (
            [("http://h/", "insteadOf", "gf:"), ("http://push/", "pushInsteadOf", "gf:")],
            "gf:repo.git",
            "gf:p.git",
        ),
        (
            [("ssh://a/", "pushInsteadOf", "https://x/"), ("https://y/", "insteadOf", "https://x/r")],
            "https://x/r.git",
            None,
        ),
        ([("b:", "insteadOf", "a:"), ("c:", "insteadOf", "a:")], "a:z", None),
        ([], "https://plain/x.git", None),
    ],
)
def test_url_rewrites_are_gits(
    rules: list[tuple[str, str, str]], url: str, push_url: str | None, tmp_path: Path
) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    git("remote", "add", "o", url, cwd=repo)
    if push_url:
        git("config", "remote.o.pushurl", push_url, cwd=repo)
    for base, kind, prefix in rules:
        git("config", "--add", f"url.{base}.{kind}", prefix, cwd=repo)
    with Repo(str(repo)) as r:
        assert remote_rewrite(r, "o").effective == git("remote", "get-url", "o", cwd=repo)
        assert remote_rewrite(r, "o", push=True).effective == git(
            "remote", "get-url", "--push", "o", cwd=repo
        )


def test_credential_helpers_are_those_git_runs_in_its_order(tmp_path: Path) -> None:
    """Each helper logs its name; `git credential fill` (prompts off) runs them all, in
    the order `credential_query` lists them, for URLs each section does or does not match."""
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    log = tmp_path / "helpers.log"
    entries = [
        ("credential.helper", "a"),
        ("credential.https://example.com.helper", "b"),
        ("credential.https://example.com/org.helper", "c"),
        ("credential.https://other.org.helper", "d"),
        ("credential.example.com.helper", "e"),  # a partial URL: matched field by field
        ("credential.https://*.example.com.helper", "f"),
        ("credential.helper", "g"),
    ]
    for key, name in entries:
        git("config", "--add", key, f"!echo {name} >>{log}; true", cwd=repo)
    git("config", "--add", "credential.https://git.example.com.helper", "", cwd=repo)  # clears the list
    git("config", "--add", "credential.https://git.example.com.helper", f"!echo h >>{log}; true", cwd=repo)
    urls = [
        "https://example.com/org/repo.git",
        "https://example.com/other.git",
        "https://git.example.com/x.git",
        "http://example.com/org",
        "https://alice@other.org/y",
    ]
    with Repo(str(repo)) as r:
        config = r.get_config_stack()
        for url in urls:
            log.write_text("")
            subprocess.run(
                ["git", "credential", "fill"],
                cwd=repo,
                input=f"url={url}\n\n",
                capture_output=True,
                text=True,
                env={**_env(), "GIT_TERMINAL_PROMPT": "0"},
            )
            ran = log.read_text().split()
            listed = [helper.split()[1] for helper in credential_query(config, url).helpers]
            assert listed == ran, url


def test_credential_fields_use_http_path_and_username(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    git("config", "credential.https://h:8443.username", "carol", cwd=repo)
    with Repo(str(repo)) as r:
        query = credential_query(r.get_config_stack(), "https://h:8443/org/repo.git/")
        assert (query.protocol, query.host, query.path, query.username) == ("https", "h:8443", None, "carol")
        git("config", "credential.useHttpPath", "true", cwd=repo)
        git("config", "credential.https://h:8443.username", "dave", cwd=repo)
    with Repo(str(repo)) as r:
        query = credential_query(r.get_config_stack(), "https://erin@h:8443/org/repo.git/")
        assert (query.path, query.username) == ("org/repo.git", "erin")


def test_scoped_keeps_every_credential_entry_in_order(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    git("config", "--add", "credential.https://h.helper", "x", cwd=repo)
    git("config", "--add", "credential.helper", "y", cwd=repo)
    with Repo(str(repo)) as r:
        assert [v for _k, v in scoped(r.get_config_stack(), "credential", "https://h/r", every=True)] == [
            b"x",
            b"y",
        ]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_a_remote_password_is_kept_under_the_url_a_fetch_connects_to(tmp_path: Path) -> None:
    """A password given for a remote is kept in memory under the URL git fetches from (its
    insteadOf applied: `git remote get-url`), with the path as `credential.useHttpPath` says."""
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    git("remote", "add", "o", "gf:team/repo.git", cwd=repo)
    git("config", "url.https://h.example/.insteadOf", "gf:", cwd=repo)
    git("config", "credential.useHttpPath", "true", cwd=repo)
    with Repo(str(repo)) as r:
        config = r.get_config_stack()
        fetched = git("remote", "get-url", "o", cwd=repo)
        key = remote_memory_key(config, "gf:team/repo.git")
        assert key == memory_key(config, fetched) == ("https", "h.example", "team/repo.git")
        assert remote_memory_keys(r) == {"o": key}
