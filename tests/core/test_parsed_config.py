"""`.git/config` parsed once per version of its bytes (core/git/parsed_config.py): what a
pooled repository reads is what git's own `git config` reads, after every kind of edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.parsed_config import ParsedConfigRepo
from core.git.repository import open_worktree_repo
from tests.gitcli import git


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    git("remote", "add", "origin", "https://example.invalid/a.git", cwd=path)
    for n in range(5):
        git("config", f"branch.b{n}.remote", "origin", cwd=path)
        git("config", f"branch.b{n}.merge", f"refs/heads/b{n}", cwd=path)
    return path


def _same(ours: Repo, path: Path) -> None:
    """Every section and value dulwich's own fresh parse gives, in order."""
    with Repo(str(path)) as fresh:
        want = fresh.get_config()
        got = ours.get_config()
        assert list(got.sections()) == list(want.sections())
        for section in want.sections():
            assert list(got.items(section)) == list(want.items(section))


def test_a_pooled_repository_parses_its_config_once(repo_path: Path) -> None:
    with open_worktree_repo(repo_path) as repo:
        assert isinstance(repo, ParsedConfigRepo)
        first = repo._parsed
        assert first is not None
        repo.get_config()
        repo.get_config_stack()
        assert repo._parsed is first  # not parsed again: the bytes are the same
        _same(repo, repo_path)


def test_every_edit_is_seen_at_the_next_read(repo_path: Path) -> None:
    with open_worktree_repo(repo_path) as repo:
        assert repo.get_config().get((b"remote", b"origin"), b"url") == b"https://example.invalid/a.git"
        git("remote", "set-url", "origin", "https://example.invalid/b.git", cwd=repo_path)  # git
        assert repo.get_config().get((b"remote", b"origin"), b"url") == b"https://example.invalid/b.git"
        config = repo.get_config()  # Gitferry's own write, through what it read
        config.set((b"remote", b"origin"), b"url", b"https://example.invalid/c.git")
        config.write_to_path()
        assert git("config", "remote.origin.url", cwd=repo_path) == "https://example.invalid/c.git"
        assert repo.get_config().get((b"remote", b"origin"), b"url") == b"https://example.invalid/c.git"
        # An edit in place of the same length, in the same instant: the bytes differ.
        text = (repo_path / ".git" / "config").read_bytes()
        (repo_path / ".git" / "config").write_bytes(text.replace(b"c.git", b"d.git"))
        assert repo.get_config().get((b"remote", b"origin"), b"url") == b"https://example.invalid/d.git"
        _same(repo, repo_path)


def test_a_change_never_written_stays_with_its_caller(repo_path: Path) -> None:
    with open_worktree_repo(repo_path) as repo:
        config = repo.get_config()
        config.set((b"branch", b"b0"), b"merge", b"refs/heads/elsewhere")
        config.set((b"branch", b"new"), b"remote", b"origin")
        del config[(b"branch", b"b1")][b"merge"]
        del config[(b"remote", b"origin")]
        again = repo.get_config()
        assert again.get((b"branch", b"b0"), b"merge") == b"refs/heads/b0"
        assert again.get((b"branch", b"b1"), b"merge") == b"refs/heads/b1"
        assert not again.has_section((b"branch", b"new"))
        assert again.get((b"remote", b"origin"), b"url") == b"https://example.invalid/a.git"
        _same(repo, repo_path)


def test_an_included_file_is_read_again_each_time(repo_path: Path, tmp_path: Path) -> None:
    included = tmp_path / "more.config"
    included.write_text("[user]\n\tname = First\n")
    git("config", "include.path", str(included), cwd=repo_path)
    with open_worktree_repo(repo_path) as repo:
        assert repo.get_config().get((b"user",), b"name") == b"First"
        included.write_text("[user]\n\tname = Second\n")  # .git/config itself unchanged
        assert repo.get_config().get((b"user",), b"name") == b"Second"
        assert git("config", "user.name", cwd=repo_path) == "Second"


def test_a_config_deleted_reads_empty_as_dulwich_does(repo_path: Path) -> None:
    with open_worktree_repo(repo_path) as repo:
        (repo_path / ".git" / "config").unlink()
        config = repo.get_config()
        assert list(config.sections()) == []
        assert config.path == str(repo_path / ".git" / "config")
