"""The `TREE` extension (git's cache-tree): the tree id of every directory whose index
entries are unchanged since it was computed, so `git commit` and `git status` need not
hash them again.

A node is its name, the number of index entries below it (-1: invalid, no tree id),
its tree id when valid, and its subtrees in git's order. Entries changed under a
directory make its node and every ancestor invalid, and a path that names a subtree
drops that subtree: git's `cache_tree_invalidate_path` (cache-tree.c). Nodes that
stay valid keep their ids: their entries did not change. dulwich 1.2.21 parses the
extension into nothing (`TreeExtension.from_bytes` returns no entries), so it is
read and written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SIGNATURE = b"TREE"
_COUNTS = re.compile(rb"(-?[0-9]+) ([0-9]+)\n")


class CacheTreeError(ValueError):
    pass


@dataclass
class CacheTree:
    name: bytes
    entry_count: int
    oid: bytes | None
    subtrees: list[CacheTree] = field(default_factory=list)

    def invalidate(self, paths: Iterable[bytes]) -> None:
        """Entries at `paths` changed (added, removed or rewritten): the nodes above each
        made invalid (those of a directory the paths share once), and a subtree a path
        names dropped."""
        above: dict[bytes, CacheTree | None] = {}  # by directory: its node, made invalid
        for path in paths:
            directory, _slash, name = path.rpartition(b"/")
            node = self._invalid_at(directory, above)
            if node is not None:
                sub = next((s for s in node.subtrees if s.name == name), None)
                if sub is not None:
                    node.subtrees.remove(sub)  # a directory replaced by (or removed as) this path

    def _invalid_at(self, directory: bytes, above: dict[bytes, CacheTree | None]) -> CacheTree | None:
        """The node at `directory` (None: there is none), it and those above it made invalid."""
        if directory in above:
            return above[directory]
        node: CacheTree | None = self
        if directory:
            parent_path, _slash, name = directory.rpartition(b"/")
            parent = self._invalid_at(parent_path, above)
            node = None if parent is None else next((s for s in parent.subtrees if s.name == name), None)
        if node is not None:
            node.entry_count, node.oid = -1, None
        above[directory] = node
        return node


def parse_cache_tree(data: bytes, oid_length: int) -> CacheTree:
    """The tree of a `TREE` extension's data (preorder: a node, then its subtrees)."""
    root, count, pos = _node(data, 0, oid_length)
    pending = [(root, count)]  # nodes whose subtrees are still to come, and how many
    while pending:
        parent, remaining = pending.pop()
        if remaining == 0:
            continue
        pending.append((parent, remaining - 1))
        child, count, pos = _node(data, pos, oid_length)
        parent.subtrees.append(child)
        pending.append((child, count))
    if pos != len(data):
        raise CacheTreeError("trailing bytes after the cache tree")
    return root


def cache_tree_root(data: bytes, oid_length: int) -> CacheTree:
    """The root node of a `TREE` extension's data alone (its subtrees not read)."""
    return _node(data, 0, oid_length)[0]


def _node(data: bytes, pos: int, oid_length: int) -> tuple[CacheTree, int, int]:
    """The node at `pos` (its subtrees not yet read), how many subtrees follow it, and the
    offset just past it."""
    end = data.find(b"\x00", pos)
    if end < 0:
        raise CacheTreeError("a cache-tree name without its end")
    counts = _COUNTS.match(data, end + 1)
    if counts is None:
        raise CacheTreeError("a cache-tree node without its counts")
    entry_count, subtrees = int(counts[1]), int(counts[2])
    after = counts.end()
    oid = None
    if entry_count >= 0:
        oid = data[after : after + oid_length]
        if len(oid) != oid_length:
            raise CacheTreeError("a cache-tree node cut short")
        after += oid_length
    return CacheTree(data[pos:end], entry_count, oid), subtrees, after


def cache_tree_bytes(root: CacheTree) -> bytes:
    """The extension's data, as git's `cache_tree_write` lays it out."""
    out: list[bytes] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(b"%s\x00%d %d\n" % (node.name, node.entry_count, len(node.subtrees)))
        if node.entry_count >= 0 and node.oid is not None:
            out.append(node.oid)
        stack.extend(reversed(node.subtrees))
    return b"".join(out)


def invalidated(
    data: bytes,
    paths: Iterable[bytes],
    oid_length: int,
    parsed: CacheTree | None = None,
    then: Callable[[CacheTree], None] | None = None,
) -> bytes:
    """`data` with every node above `paths` invalidated (`parsed`: `data` already parsed,
    invalidated in place), and `then` run on the result (a repair, cache_tree_repair.py)."""
    root = parsed if parsed is not None else parse_cache_tree(data, oid_length)
    root.invalidate(paths)
    if then is not None:
        then(root)
    return cache_tree_bytes(root)
