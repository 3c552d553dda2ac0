"""Where the LFS server is: `git lfs env`'s `Endpoint=` line is the referee of every
download endpoint; upload endpoints (which git-lfs 3.3's `env` does not print) follow
lfsapi/endpoint_finder.go's order and are checked against it by hand."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.transfer.lfs_endpoint import lfs_endpoint
from tests.gitcli import git

pytestmark = pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")

CASES: dict[str, list[tuple[str, ...]]] = {
    "https without .git": [("remote.origin.url", "https://example.com/foo/bar")],
    "https with .git": [("remote.origin.url", "https://example.com/foo/bar.git")],
    "trailing slash": [("remote.origin.url", "https://example.com/foo/bar/")],
    "ssh URL": [("remote.origin.url", "ssh://git@example.com:2222/foo/bar.git")],
    "scp-like ssh": [("remote.origin.url", "git@example.com:foo/bar.git")],
    "git protocol": [("remote.origin.url", "git://example.com/foo/bar.git")],
    "git protocol, lfs.gitprotocol http": [
        ("remote.origin.url", "git://example.com/foo/bar.git"),
        ("lfs.gitprotocol", "http"),
    ],
    "lfs.url": [
        ("remote.origin.url", "https://example.com/foo/bar"),
        ("lfs.url", "https://lfs.example.com/r"),
    ],
    "remote lfsurl": [
        ("remote.origin.url", "https://example.com/foo/bar"),
        ("remote.origin.lfsurl", "https://lfs.example.com/o"),
    ],
    "insteadOf": [
        ("remote.origin.url", "gh:foo/bar"),
        ("url.https://example.com/.insteadOf", "gh:"),
    ],
}


def _repo(tmp_path: Path, settings: list[tuple[str, ...]]) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    for key, value in settings:
        git("config", key, value, cwd=path)
    return path


def _git_lfs_endpoint(path: Path) -> str:
    env = git("lfs", "env", cwd=path)
    match = re.search(r"^Endpoint=(\S+)", env, re.MULTILINE)
    assert match is not None, env
    return match.group(1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_download_endpoint_is_git_lfs_s(tmp_path: Path, name: str) -> None:
    path = _repo(tmp_path, CASES[name])
    with Repo(str(path)) as repo:
        found = lfs_endpoint(repo, "origin")
    assert found is not None
    assert found.url == _git_lfs_endpoint(path)


def test_lfsconfig_gives_lfs_url_and_git_config_wins(tmp_path: Path) -> None:
    path = _repo(tmp_path, [("remote.origin.url", "https://example.com/foo/bar")])
    (path / ".lfsconfig").write_text(
        "[lfs]\n\turl = https://lfs.example.com/from-file\n[core]\n\tsshCommand = evil\n"
    )
    with Repo(str(path)) as repo:
        found = lfs_endpoint(repo, "origin")
    assert found is not None and found.url == _git_lfs_endpoint(path) == "https://lfs.example.com/from-file"
    git("add", ".lfsconfig", cwd=path)
    git("commit", "-q", "-m", "lfsconfig", cwd=path)
    (path / ".lfsconfig").unlink()  # read from the index (then HEAD) once the file is gone
    with Repo(str(path)) as repo:
        found = lfs_endpoint(repo, "origin")
    assert found is not None and found.url == _git_lfs_endpoint(path) == "https://lfs.example.com/from-file"
    git("config", "lfs.url", "https://lfs.example.com/from-config", cwd=path)
    with Repo(str(path)) as repo:
        found = lfs_endpoint(repo, "origin")
    assert found is not None and found.url == _git_lfs_endpoint(path) == "https://lfs.example.com/from-config"


def test_uploads_take_the_push_keys_first(tmp_path: Path) -> None:
    path = _repo(
        tmp_path,
        [
            ("remote.origin.url", "https://example.com/foo/bar"),
            ("remote.origin.pushurl", "https://push.example.com/foo/bar.git"),
        ],
    )
    with Repo(str(path)) as repo:
        assert (
            lfs_endpoint(repo, "origin", upload=True).url == "https://push.example.com/foo/bar.git/info/lfs"
        )  # type: ignore[union-attr]
        git("config", "remote.origin.lfspushurl", "https://lfs.example.com/push", cwd=path)
        assert lfs_endpoint(repo, "origin", upload=True).url == "https://lfs.example.com/push"  # type: ignore[union-attr]
        git("config", "lfs.pushurl", "https://lfs.example.com/all-pushes", cwd=path)
        assert lfs_endpoint(repo, "origin", upload=True).url == "https://lfs.example.com/all-pushes"  # type: ignore[union-attr]
        assert lfs_endpoint(repo, "origin").url == _git_lfs_endpoint(path)  # type: ignore[union-attr]


def test_another_remote_falls_back_to_origin_and_none_is_none(tmp_path: Path) -> None:
    path = _repo(tmp_path, [("remote.origin.url", "https://example.com/foo/bar")])
    with Repo(str(path)) as repo:
        found = lfs_endpoint(repo, "upstream")
        assert found is not None and found.url == "https://example.com/foo/bar.git/info/lfs"
    bare = tmp_path / "none"
    git("init", "-q", str(bare))
    with Repo(str(bare)) as repo:
        assert lfs_endpoint(repo, "origin") is None
