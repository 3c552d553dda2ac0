"""Git's own lock files: another git process is changing the index or a ref right now."""

from __future__ import annotations

import os

from dulwich.repo import Repo

from core.errors import GitferryError
from core.phrase import phrase
from core.results import ResultKind


class GitLocked(GitferryError):
    """Another git process holds `path` (a lock file, or a ref whose lock it holds); raised
    before anything was changed, or after rolling back: one wording for every git lock."""

    result = ResultKind.BUSY

    def __init__(self, path: str) -> None:
        super().__init__(phrase("{path} is locked by another git process; nothing was changed", path=path))
        self.path = path


class IndexLocked(GitLocked):
    """The index is locked by another git process (`path` is its `index.lock`)."""


def index_lock_path(repo: Repo) -> str:
    """Where git locks this worktree's index (its own git dir, not the common one)."""
    return repo.index_path() + ".lock"


def ensure_index_unlocked(repo: Repo) -> None:
    path = index_lock_path(repo)
    if os.path.exists(path):
        raise IndexLocked(path)


class RefLocked(GitLocked):
    """Another git process holds the lock of a ref (`<ref>.lock`, `packed-refs.lock`)."""
