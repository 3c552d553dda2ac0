"""Opening a registered repository, with the errors a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError, NotARepository


class RepositoryMissing(GitferryError):
    """A registered repository whose folder was deleted or moved."""

    def __init__(self, path: str) -> None:
        super().__init__(f"repository not found at {path} (moved or deleted?)")
        self.path = path


class UnreadableConfig(GitferryError):
    """The repository's `.git/config` cannot be parsed; nothing was touched."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: .git/config cannot be read ({why}); fix it with a text editor")
        self.path = path


def open_worktree_repo(path: str | Path) -> Repo:
    """Open a non-bare repository at exactly `path` (not a parent of it)."""
    path = Path(path)
    if not path.exists():
        raise RepositoryMissing(str(path))
    if not path.is_dir():
        raise NotARepository(str(path), "is not a directory")
    try:
        repo = Repo(str(path))
    except NotGitRepository:
        raise NotARepository(str(path)) from None
    except ValueError as exc:  # dulwich's config parser: a hand-edited or damaged .git/config
        raise UnreadableConfig(str(path), str(exc)) from None
    if repo.bare:
        repo.close()
        raise NotARepository(str(path), "is a bare repository (Gitferry syncs working trees)")
    return repo


def canonical_path(path: str | Path) -> str:
    return os.path.realpath(os.path.expanduser(str(path)))


def ref_value(repo: Repo, ref: Ref) -> ObjectID | None:
    """The id `ref` points at (symbolic refs followed); None when it does not exist."""
    try:
        return repo.refs[ref]
    except KeyError:
        return None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch's short name, or None for a detached HEAD."""
    chain, _sha = repo.refs.follow(Ref(b"HEAD"))
    if len(chain) < 2 or not chain[-1].startswith(b"refs/heads/"):
        return None
    return chain[-1][len(b"refs/heads/") :].decode()
