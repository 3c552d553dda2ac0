"""A sparse index (`index.sparse` with a cone-mode sparse checkout): a directory
wholly outside the checkout is one entry `dir/` (mode 040000, skip-worktree, the
directory's tree id) instead of one entry per file.

Expanded as git's `ensure_full_index` (sparse-index.c) expands it: every file of
the tree becomes an entry with a zeroed stat and the skip-worktree bit. dulwich's
`Index.ensure_full_index` clears that bit on the files it adds (and copies the
directory entry's stat), which would make git see every file outside the checkout
as deleted; it is not used. Gitferry writes the expanded index, which git reads as
any full index and makes sparse again on its next write.
"""

from __future__ import annotations

import stat

from dulwich.index import EXTENDED_FLAG_SKIP_WORKTREE, ConflictedIndexEntry, IndexEntry
from dulwich.object_store import BaseObjectStore
from dulwich.objects import ObjectID

from core.git.index.serialize import Entries
from core.git.objects.tree_delta import tree_delta

SPARSE_DIRECTORIES = b"sdir"


def expand_sparse_directories(byname: Entries, store: BaseObjectStore) -> Entries:
    """`byname` with each sparse directory entry replaced by its files."""
    expanded: Entries = {}
    for name, entry in byname.items():
        if not _is_sparse_directory(name, entry):
            expanded[name] = entry
            continue
        assert isinstance(entry, IndexEntry)
        for change in tree_delta(store, None, ObjectID(entry.sha)):
            assert change.new is not None
            expanded[name + change.path] = IndexEntry(
                ctime=0,
                mtime=0,
                dev=0,
                ino=0,
                mode=change.new.mode,
                uid=0,
                gid=0,
                size=0,
                sha=change.new.sha,
                extended_flags=EXTENDED_FLAG_SKIP_WORKTREE,
            )
    return expanded


def _is_sparse_directory(name: bytes, entry: IndexEntry | ConflictedIndexEntry) -> bool:
    return isinstance(entry, IndexEntry) and name.endswith(b"/") and stat.S_ISDIR(entry.mode)
