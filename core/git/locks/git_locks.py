"""Git's own lock files: another git process is changing the index or a ref right now."""

from __future__ import annotations

import os

from dulwich.repo import Repo

from core.errors import GitferryError
from core.phrase import phrase
from core.results import ResultKind


class IndexLocked(GitferryError):
    """The index is locked by another git process; nothing was touched."""

    result = ResultKind.BUSY

    def __init__(self, path: str) -> None:
        super().__init__(
            phrase("{path}: the index is locked by another git process (.git/index.lock)", path=path)
        )
        self.path = path


def ensure_index_unlocked(repo: Repo) -> None:
    if os.path.exists(os.path.join(repo.controldir(), "index.lock")):
        raise IndexLocked(repo.path)


class RefLocked(GitferryError):
    """Another git process holds the lock of a ref (`<ref>.lock`, `packed-refs.lock`)."""

    result = ResultKind.BUSY

    def __init__(self, path: str) -> None:
        super().__init__(phrase("{path} is locked by another git process; nothing was moved", path=path))
        self.path = path
