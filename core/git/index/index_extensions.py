"""Which extensions a rewritten index keeps, and how each is kept valid.

git's own rewrites (`unpack_trees` for checkout, merge and reset; `git add`;
`git commit`) decide per extension; a rewrite here follows them (read-cache.c
`do_write_index`, unpack-trees.c, fsmonitor.c, cache-tree.c):

- `TREE`: the nodes above every changed path are invalidated, the others kept
  (`cache_tree_invalidate_path`); after a checkout, those the new commit's trees
  vouch for made valid again (`repair`: cache_tree_repair.py, as `unpack_trees`
  ends with `cache_tree_update`); dropped after a sparse index was expanded, whose
  counts were of directory entries (git recomputes it in `ensure_full_index`).
- `REUC` (resolve-undo): kept, except by a checkout, which git's `unpack_trees`
  ends without it (`keep_resolve_undo=False`).
- `UNTR` (untracked cache): kept while no entry changed; dropped otherwise. git
  invalidates the directories of changed paths; without it git rebuilds the cache
  on its next `git status` (with `core.untrackedCache`), which is as valid.
- `FSMN` (file-system monitor): same token, dirty bits laid out again for the new
  positions, changed paths dirty (fsmonitor.py); dropped after a sparse index was
  expanded, as `expand_index` drops it.
- `link` and `sdir`: the index is written whole and expanded (see split_index.py,
  sparse_index.py). `EOIE` and `IEOT` hold byte offsets into the old file. Unknown
  optional extensions: git skips them when reading, so never writes them back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from dulwich.index import IndexExtension

from core.git.index import cache_tree, fsmonitor
from core.git.index.read import IndexFile

RESOLVE_UNDO = b"REUC"
UNTRACKED_CACHE = b"UNTR"


def carried_extensions(
    read: IndexFile,
    order: list[bytes],
    changed: Collection[bytes],
    *,
    keep_resolve_undo: bool,
    oid_length: int,
    parsed_tree: cache_tree.CacheTree | None = None,
    repair: Callable[[cache_tree.CacheTree], None] | None = None,
) -> list[IndexExtension]:
    """The extensions of the index read as `read`, for its rewrite whose entries are
    named `order` by position, `changed` naming the paths added, removed or rewritten.
    `parsed_tree`: its `TREE` extension already parsed (and unchanged), invalidated in place;
    `repair`: run on the cache-tree once invalidated."""
    kept: list[IndexExtension] = []
    for signature, data in read.extensions:
        new = _carried(
            signature, data, read, order, changed, keep_resolve_undo, oid_length, parsed_tree, repair
        )
        if new is not None:
            kept.append(IndexExtension(signature, new))
    return kept


def _carried(
    signature: bytes,
    data: bytes,
    read: IndexFile,
    order: list[bytes],
    changed: Collection[bytes],
    keep_resolve_undo: bool,
    oid_length: int,
    parsed_tree: cache_tree.CacheTree | None,
    repair: Callable[[cache_tree.CacheTree], None] | None,
) -> bytes | None:
    if signature == cache_tree.SIGNATURE and not read.expanded:
        if not changed:
            return data
        try:
            return cache_tree.invalidated(data, changed, oid_length, parsed_tree, repair)
        except cache_tree.CacheTreeError:
            return None
    if signature == RESOLVE_UNDO:
        return data if keep_resolve_undo else None
    if signature == UNTRACKED_CACHE:
        return None if changed else data
    if signature == fsmonitor.SIGNATURE and not read.expanded:
        try:
            state = fsmonitor.parse_fsmonitor(data, read.order)
        except fsmonitor.FsmonitorError:
            return None
        return fsmonitor.rewritten(state, order, changed)
    return None
