"""The index, read and rewritten under git's own `index.lock`.

Like `git checkout`, a switch takes `index.lock` before it reads the index
and holds it until the new index is renamed into place, so a `git add` run
meanwhile fails at once instead of being silently overwritten. dulwich's
`Index.write` takes the lock itself, at the very end; here the lock is taken
first and the index is serialised into it.

The rewrite keeps each extension valid for the new entries or drops it, as git
does (index_extensions.py): the entries as read are remembered, and every path
whose entry is no longer the very object read counts as changed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType

from dulwich.errors import NoIndexPresent
from dulwich.file import FileLocked, GitFile, _GitFile
from dulwich.index import Index
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.index.cache_tree import CacheTree
from core.git.index.cache_tree_repair import repair_cache_tree
from core.git.index.index_extensions import carried_extensions
from core.git.index.indexed_trees import IndexedTrees
from core.git.index.parse import index_order
from core.git.index.read import IndexFile, UnsupportedIndex, read_index_file
from core.git.index.serialize import Entries, StoredEntries, index_bytes
from core.git.locks.git_locks import IndexLocked, index_lock_path

__all__ = ["LockedIndex", "UnsupportedIndex"]


class LockedIndex:
    """`with LockedIndex(repo) as locked:` ... `locked.commit()`; leaving unlocks otherwise."""

    def __init__(self, repo: Repo) -> None:
        self._repo = repo
        try:
            shared_perm = repo._get_shared_repository_permissions()  # core.sharedRepository
            self._lock: _GitFile = GitFile(repo.index_path(), "wb", shared_perm=shared_perm)
        except FileLocked:
            raise IndexLocked(index_lock_path(repo)) from None
        try:
            # The file system's clock as the lock was taken, before anything was read or checked
            # under it: a working-tree file whose ctime is not older may change again unseen by stat.
            self.taken_ns = os.stat(repo.index_path() + ".lock").st_ctime_ns
            self._read = _read_index(repo)
        except BaseException:
            self._lock.abort()
            raise
        self.index = self._read.index
        self._before = dict(self.index.items())
        self._parsed_tree: CacheTree | None = None  # the TREE extension, once parsed

    def commit(
        self, *, keep_resolve_undo: bool = True, trees: Mapping[bytes, ObjectID] | None = None
    ) -> None:
        """Write the index into the lock file and rename it into place.

        `keep_resolve_undo=False` for a checkout: git's ends without the resolve-undo
        record. `trees`: a checkout's directories (by path, b"" the root) and the trees
        they now hold: their cache-tree nodes are made valid where the index entries
        make exactly those trees (cache_tree_repair.py), as git's checkout leaves them.
        The index is serialised into memory in bulk (serialize.py) and hashed once:
        dulwich's checksum writer hashes and writes each of the ~5 fields of every entry
        separately.
        """
        index = self.index
        entries = dict(index.items())
        order = index_order(entries)
        fmt = index.object_format

        def repair(root: CacheTree) -> None:
            assert trees is not None
            repair_cache_tree(root, order, entries, trees, fmt.new_hash)

        extensions = carried_extensions(
            self._read,
            order,
            _changed(self._before, entries),
            keep_resolve_undo=keep_resolve_undo,
            oid_length=fmt.oid_length,
            parsed_tree=self._parsed_tree,
            repair=repair if trees else None,
        )
        self._parsed_tree = None  # invalidated in place: not the file's any more
        read = self._read
        stored = StoredEntries(read.data, read.starts, self._before) if read.starts else None
        data = index_bytes(
            entries, version=index._version, extensions=extensions, object_format=fmt, stored=stored
        )
        if index._skip_hash:
            trailer = b"\x00" * fmt.oid_length
        else:
            digest = fmt.new_hash()
            digest.update(data)
            trailer = digest.digest()
        self._lock.write(data + trailer)
        self._lock.close()

    def indexed_trees(self) -> IndexedTrees:
        """The trees the index as read vouches for (its cache-tree), for a tree walk."""
        trees = IndexedTrees.of(self._read)
        self._parsed_tree = trees.cache_tree  # the rewrite invalidates it rather than parse it again
        return trees

    def release(self) -> None:
        self._lock.abort()

    def __enter__(self) -> LockedIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _changed(before: Entries, after: Entries) -> set[bytes]:
    """Paths added, removed, or whose entry was replaced (entries are never edited in place)."""
    changed = {path for path, entry in after.items() if before.get(path) is not entry}
    changed.update(before.keys() - after.keys())
    return changed


def _read_index(repo: Repo) -> IndexFile:
    try:
        return read_index_file(repo)
    except NoIndexPresent:
        return IndexFile(Index(repo.index_path(), read=False, object_format=repo.object_format))
