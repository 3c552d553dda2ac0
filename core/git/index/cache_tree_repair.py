"""A switch's cache-tree made valid again for the directories it checked out.

Rewriting an index invalidates the cache-tree above every changed path
(cache_tree.py). git's checkout does more: `unpack_trees` ends with
`cache_tree_update(WRITE_TREE_REPAIR)`, which computes the tree of every invalid
directory from its index entries and keeps the node valid when that tree exists.
Without it, the next fast-forward finds the checked-out side's changed
directories unvouched for and reads them from the pack (indexed_trees.py), and
`git commit` computes them again.

Here the directories are those the switch's tree walk visited on the new side,
with their tree ids: deepest first, a directory's tree is computed from its own
index entries and its subdirectories' nodes, as git's `update_one` writes it, and
the node is made valid only if that tree is the one the walk read there. Anything
that does not add up leaves the node invalid, as before: a conflicted or
intent-to-add entry, a subdirectory whose node is invalid (a kept staged change
below it) or whose entry count is not the index's. The ids are computed, never
assumed, so a node made valid is exactly what `git write-tree` would compute.
"""

from __future__ import annotations

import binascii
import bisect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dulwich.index import EXTENDED_FLAG_INTEND_TO_ADD, ConflictedIndexEntry, IndexEntry
from dulwich.objects import ObjectID

from core.git.index.cache_tree import CacheTree

__all__ = ["repair_cache_tree"]

_TREE_MODE = 0o40000
_FORMAT = 0o170000  # a mode's file-type bits (`stat.S_IFMT`): a directory's are _TREE_MODE


def repair_cache_tree(
    root: CacheTree,
    names: Sequence[bytes],
    entries: Mapping[bytes, IndexEntry | ConflictedIndexEntry],
    trees: Mapping[bytes, ObjectID],
    new_hash: Callable[[], Any],
) -> None:
    """In place: each directory of `trees` (path, b"" the root, -> the tree it should
    hold) whose node is invalid gets its tree id and entry count from the index's
    `entries` (`names`: their paths, sorted, an unmerged one once per stage) if they make
    exactly that tree."""
    nodes: dict[bytes, CacheTree] = {b"": root}
    for prefix in sorted(trees, key=_depth):  # parents first: each node found (or made) once
        _node(nodes, prefix)
    for prefix in sorted(trees, key=_depth, reverse=True):  # children first: their ids are needed
        node = nodes[prefix]
        if node.entry_count >= 0 and node.oid is not None:
            continue
        _recompute(node, prefix, names, entries, trees[prefix], new_hash)


def _depth(prefix: bytes) -> int:
    return prefix.count(b"/") + 1 if prefix else 0


def _node(nodes: dict[bytes, CacheTree], prefix: bytes) -> CacheTree:
    """The node at `prefix` (its parent's already in `nodes`), made (invalid, in git's order)
    where missing."""
    node = nodes.get(prefix)
    if node is not None:
        return node
    parent_path, _slash, name = prefix.rpartition(b"/")
    parent = _node(nodes, parent_path)
    node = next((s for s in parent.subtrees if s.name == name), None)
    if node is None:
        node = CacheTree(name, -1, None)
        parent.subtrees.append(node)
        parent.subtrees.sort(key=_git_order)
    nodes[prefix] = node
    return node


def _git_order(node: CacheTree) -> tuple[int, bytes]:
    """git keeps a node's subtrees by name length, then bytes (`subtree_name_cmp`)."""
    return len(node.name), node.name


def _recompute(
    node: CacheTree,
    prefix: bytes,
    names: Sequence[bytes],
    entries: Mapping[bytes, IndexEntry | ConflictedIndexEntry],
    want: ObjectID,
    new_hash: Callable[[], Any],
) -> None:
    """`node` valid with the tree of the index entries under `prefix`, if that tree is `want`;
    its subtrees become those the entries name (git drops the unused ones)."""
    lead = prefix + b"/" if prefix else b""
    pos = bisect.bisect_left(names, lead) if prefix else 0
    end = bisect.bisect_left(names, prefix + b"0") if prefix else len(names)  # "0" follows "/"
    children = {sub.name: sub for sub in node.subtrees}
    kept: list[CacheTree] = []
    items: list[tuple[bytes, bytes, int, bytes]] = []  # (sort key, name, mode, raw id)
    count, valid = 0, True
    skip = len(lead)
    unhexlify, append = binascii.unhexlify, items.append  # the loop runs once an entry: names looked up once
    while pos < end:
        name = names[pos]
        slash = name.find(b"/", skip)
        if slash < 0:
            entry = entries[name]
            if (
                not isinstance(entry, IndexEntry)
                or entry.extended_flags & EXTENDED_FLAG_INTEND_TO_ADD
                or entry.mode & _FORMAT == _TREE_MODE
            ):
                valid = False
            else:
                base = name[skip:]
                append((base, base, entry.mode, unhexlify(entry.sha)))
                count += 1
            pos += 1
            continue
        base = name[skip:slash]
        after = bisect.bisect_left(names, name[:slash] + b"0", pos, end)
        sub = children.get(base)
        if sub is None:
            valid = False
        else:
            kept.append(sub)
            if sub.entry_count != after - pos or sub.oid is None:
                valid = False
            else:
                items.append((base + b"/", base, _TREE_MODE, sub.oid))
                count += sub.entry_count
        pos = after
    kept.sort(key=_git_order)
    node.subtrees = kept
    node.entry_count, node.oid = -1, None
    if not valid:
        return
    items.sort()
    body = b"".join(b"%o %s\x00%s" % (mode, base, raw) for _key, base, mode, raw in items)
    digest = new_hash()
    digest.update(b"tree %d\x00" % len(body))
    digest.update(body)
    oid = digest.digest()
    if binascii.hexlify(oid) == want:
        node.entry_count, node.oid = count, oid
