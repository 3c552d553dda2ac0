"""The index, read and rewritten under git's own `index.lock`.

Like `git checkout`, a switch takes `index.lock` before it reads the index
and holds it until the new index is renamed into place, so a `git add` run
meanwhile fails at once instead of being silently overwritten. dulwich's
`Index.write` takes the lock itself, at the very end; here the lock is taken
first and the index is serialised into it.
"""

from __future__ import annotations

import io
from types import TracebackType

from dulwich.errors import NoIndexPresent
from dulwich.file import FileLocked, GitFile, _GitFile
from dulwich.index import Index, write_index_dict
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.index.read import open_index
from core.git.locks.git_locks import IndexLocked

# Extensions that record byte offsets into the old file: stale after a rewrite.
_POSITIONAL_EXTENSIONS = (b"EOIE", b"IEOT")
# Index layouts whose entries dulwich does not see in full.
_UNSUPPORTED_EXTENSIONS = {b"link": "a split index", b"sdir": "a sparse index"}


class UnsupportedIndex(GitferryError):
    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path}: the index is {what} (core.splitIndex / sparse-checkout), not supported")
        self.path = path


class LockedIndex:
    """`with LockedIndex(repo) as locked:` ... `locked.commit()`; leaving unlocks otherwise."""

    def __init__(self, repo: Repo) -> None:
        self._repo = repo
        try:
            shared_perm = repo._get_shared_repository_permissions()  # core.sharedRepository
            self._lock: _GitFile = GitFile(repo.index_path(), "wb", shared_perm=shared_perm)
        except FileLocked:
            raise IndexLocked(repo.path) from None
        try:
            self.index = _read_index(repo)
        except BaseException:
            self._lock.abort()
            raise

    def commit(self) -> None:
        """Write the index into the lock file and rename it into place.

        The index is serialised into memory and hashed once: dulwich's checksum
        writer hashes and writes each of the ~5 fields of every entry separately.
        """
        index = self.index
        extensions = [
            ext for ext in index._extensions if ext.to_bytes() and ext.signature not in _POSITIONAL_EXTENSIONS
        ]
        fmt = index.object_format
        buffer = io.BytesIO()
        write_index_dict(
            buffer, dict(index.items()), version=index._version, extensions=extensions, object_format=fmt
        )
        data = buffer.getvalue()
        if index._skip_hash:
            trailer = b"\x00" * fmt.oid_length
        else:
            digest = fmt.new_hash()
            digest.update(data)
            trailer = digest.digest()
        self._lock.write(data + trailer)
        self._lock.close()

    def release(self) -> None:
        self._lock.abort()

    def __enter__(self) -> LockedIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_index(repo: Repo) -> Index:
    try:
        index = open_index(repo)
    except NoIndexPresent:
        return Index(repo.index_path(), read=False, object_format=repo.object_format)
    for ext in index._extensions:
        if ext.signature in _UNSUPPORTED_EXTENSIONS:
            raise UnsupportedIndex(repo.path, _UNSUPPORTED_EXTENSIONS[ext.signature])
    return index
