"""Trees the index already holds: a directory's entries from the index, where its cache-tree vouches.

A fast-forward's tree walk reads every changed directory on both sides. The old
side is the checked-out commit, whose trees sit deep in the repository's pack:
on `bench.real_history` each one is a delta chain about twenty links long, three
quarters of the walk's inflating (25,310 of 27,872 pack entries). git's
`unpack_trees` takes what the index's cache-tree vouches for from the index
instead of the tree (`traverse_by_cache_tree`, unpack-trees.c); so does this.

A cache-tree node that is valid and whose tree id is the one asked for says that
the index entries under its directory are exactly that tree (git computed the id
from them): the directory's files are its index entries, its subdirectories the
node's subtrees with their ids. Anything that does not add up is answered with
None and the caller reads the tree object as before: a node missing or invalid,
a subtree invalid under a valid node, a conflicted, intent-to-add or sparse
directory entry, or entry counts that do not match the node's. An index whose
cache-tree was dropped (an expanded sparse index) vouches for nothing.
"""

from __future__ import annotations

import binascii
import stat

from dulwich.index import EXTENDED_FLAG_INTEND_TO_ADD, ConflictedIndexEntry, Index, IndexEntry
from dulwich.objects import ObjectID

from core.git.index.cache_tree import SIGNATURE, CacheTree, CacheTreeError, parse_cache_tree
from core.git.index.read import IndexFile

__all__ = ["IndexedTrees"]

_DIR = stat.S_IFDIR
RawEntry = tuple[bytes, int, ObjectID]  # (name, mode, id) as a tree stores it


class IndexedTrees:
    """`entries(prefix, tree_id)`: the tree's raw entries from the index, or None."""

    def __init__(self, index: Index, root: CacheTree | None) -> None:
        self._index = index  # read before anything changes it: the walk comes first
        self._root = root
        self._files: dict[bytes, list[tuple[bytes, IndexEntry | ConflictedIndexEntry]]] | None = None
        self._subtrees: dict[int, dict[bytes, CacheTree]] = {}  # by id() of a node of `root`, kept alive
        self._nodes: dict[bytes, CacheTree | None] = {}  # by directory path

    @property
    def cache_tree(self) -> CacheTree | None:
        """The cache-tree as parsed (never changed here)."""
        return self._root

    @classmethod
    def of(cls, read: IndexFile) -> IndexedTrees:
        """The trees the index read as `read` vouches for (none without a usable cache-tree)."""
        root = None
        if not read.expanded:
            oid_length = read.index.object_format.oid_length
            for signature, data in read.extensions:
                if signature == SIGNATURE:
                    try:
                        root = parse_cache_tree(data, oid_length)
                    except CacheTreeError:
                        root = None
        return cls(read.index, root)

    def entries(self, prefix: bytes, tree_id: ObjectID) -> list[RawEntry] | None:
        """Tree `tree_id` at directory `prefix` (b"" the root), if the index holds exactly it."""
        node = self._node(prefix)
        if node is None or node.entry_count < 0 or node.oid is None:
            return None
        if binascii.hexlify(node.oid) != tree_id:
            return None
        out: list[RawEntry] = []
        count = 0
        for sub in node.subtrees:
            if sub.entry_count < 0 or sub.oid is None:
                return None
            out.append((sub.name, _DIR, ObjectID(binascii.hexlify(sub.oid))))
            count += sub.entry_count
        for name, entry in self._files_in(prefix):
            if not isinstance(entry, IndexEntry):
                return None  # a conflict: no tree stands for it
            if entry.extended_flags & EXTENDED_FLAG_INTEND_TO_ADD or stat.S_ISDIR(entry.mode):
                return None
            out.append((name, entry.mode, ObjectID(entry.sha)))
            count += 1
        if count != node.entry_count:
            return None
        return out

    def _node(self, prefix: bytes) -> CacheTree | None:
        """The node at `prefix`, found from its parent's (each looked up once)."""
        node = self._root
        if node is None or not prefix:
            return node
        if prefix in self._nodes:
            return self._nodes[prefix]
        parent_path, _slash, name = prefix.rpartition(b"/")
        parent = self._node(parent_path)
        found = None
        if parent is not None:
            subtrees = self._subtrees.get(id(parent))
            if subtrees is None:
                subtrees = self._subtrees[id(parent)] = {sub.name: sub for sub in parent.subtrees}
            found = subtrees.get(name)
        self._nodes[prefix] = found
        return found

    def _files_in(self, prefix: bytes) -> list[tuple[bytes, IndexEntry | ConflictedIndexEntry]]:
        """The index entries directly in directory `prefix`, by name (one pass, on first use)."""
        if self._files is None:
            files: dict[bytes, list[tuple[bytes, IndexEntry | ConflictedIndexEntry]]] = {}
            for path, entry in self._index.items():
                directory, _slash, name = path.rpartition(b"/")
                files.setdefault(directory, []).append((name, entry))
            self._files = files
        return self._files.get(prefix, [])
