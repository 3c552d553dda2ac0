"""Which registered repositories share a remote (`remote_identity`, `sharing_a_remote`):
real repositories whose remotes name one remote in different ways, and some that do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.engine import shared_remotes
from core.engine.shared_remotes import sharing_a_remote
from core.git.config.remote_identity import remote_identity
from tests.gitcli import git


def _clone_naming(tmp_path: Path, name: str, url: str, *config: tuple[str, str]) -> str:
    path = tmp_path / name
    git("init", "-q", str(path))
    for key, value in config:
        git("config", key, value, cwd=path)
    git("remote", "add", "origin", url, cwd=path)
    return str(path)


def test_one_remote_named_in_different_ways_is_one_remote(tmp_path: Path) -> None:
    bare = tmp_path / "srv" / "notes.git"
    git("init", "-q", "--bare", str(bare))
    worktree = tmp_path / "srv" / "work"
    git("init", "-q", str(worktree))
    (tmp_path / "link").symlink_to(tmp_path / "srv")
    pusher = _clone_naming(tmp_path, "pusher", "https://git.example.org/team/notes.git")
    same = {
        1: _clone_naming(tmp_path, "caps", "HTTPS://Git.Example.org:443/team/notes.git/"),
        2: _clone_naming(tmp_path, "user", "https://ada@git.example.org/team/notes"),
        3: _clone_naming(
            tmp_path, "alias", "gf:team/notes.git", ("url.https://git.example.org/.insteadOf", "gf:")
        ),
    }
    other = {
        4: _clone_naming(tmp_path, "path", "https://git.example.org/team/other.git"),
        5: _clone_naming(tmp_path, "port", "https://git.example.org:8443/team/notes.git"),
        6: _clone_naming(tmp_path, "http", "http://git.example.org/team/notes.git"),
        7: _clone_naming(tmp_path, "nothing", "not a url at all"),
        8: str(tmp_path / "gone"),  # no repository there now
    }
    assert sorted(sharing_a_remote(pusher, ["origin"], {**same, **other})) == sorted(same)
    assert sharing_a_remote(pusher, ["upstream"], same) == []  # a remote it does not have

    local = _clone_naming(tmp_path, "local", str(bare))
    local_same = {
        11: _clone_naming(tmp_path, "file", f"file://{bare}"),
        12: _clone_naming(tmp_path, "linked", str(tmp_path / "link" / "notes.git")),
        13: _clone_naming(tmp_path, "relative", "../srv/notes.git/"),
    }
    local_other = {14: _clone_naming(tmp_path, "sibling", str(worktree))}
    assert sorted(sharing_a_remote(local, ["origin"], {**local_same, **local_other})) == sorted(local_same)
    with Repo(str(tmp_path / "local")) as repo:
        config = repo.get_config_stack()
        # a working tree and its .git folder are one repository
        assert remote_identity(config, str(worktree), local) == remote_identity(
            config, str(worktree / ".git"), local
        )


def test_a_remote_changed_since_the_last_look_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identities are kept between pushes while the config files stay as they were
    (here trusted at once: no racy wait): a `git remote set-url` since is seen."""
    monkeypatch.setattr(shared_remotes, "RACY_SECONDS", 0.0)
    pusher = _clone_naming(tmp_path, "pusher", "https://git.example.org/team/notes.git")
    other = _clone_naming(tmp_path, "other", "https://git.example.org/team/notes.git")
    assert sharing_a_remote(pusher, ["origin"], {1: other}) == [1]
    assert sharing_a_remote(pusher, ["origin"], {1: other}) == [1]  # kept
    git("remote", "set-url", "origin", "https://git.example.org/team/elsewhere.git", cwd=other)
    assert sharing_a_remote(pusher, ["origin"], {1: other}) == []
