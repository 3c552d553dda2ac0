"""The path-level changes between two trees, with every touched name validated.

dulwich's `tree_changes` joins names with `/` before anyone can look at them,
so a raw tree entry named `a/b` is indistinguishable from a file `b` in a
directory `a`, and it parses trees into a dict, so a duplicate name (a symlink
`link` beside a directory `link`) silently disappears. This walker reads each
changed tree's raw entries itself, so both are refused, and it descends only
into subtrees whose ids differ: unchanged parts of a large tree cost nothing.
Trees are read through a `PackReader` (its delta base cache kept for the whole
walk): deltified trees are most of what a real history's walk reads. Given an
`ObjectOverlay`, the trees it made and did not store yet are read from it first.
Given `known` (the index's cache-tree, index/indexed_trees.py), a tree it vouches
for is taken from there instead: git's unpack_trees does the same for the
checked-out side, whose trees are the deepest in the pack.
"""

from __future__ import annotations

import stat
import zlib
from dataclasses import dataclass
from typing import Protocol, cast

from dulwich.errors import ObjectFormatException
from dulwich.object_store import BaseObjectStore
from dulwich.objects import ObjectID, ShaFile, Tree, parse_tree

from core.errors import GitferryError
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.pack_reader import PackReader
from core.git.objects.path_safety import UnsafePath, check_entry_name, display

RawEntry = tuple[bytes, int, ObjectID]  # (name, mode, id) as a tree stores it


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a change: a blob, symlink or gitlink, never a tree."""

    mode: int
    sha: ObjectID

    @property
    def is_link(self) -> bool:
        return stat.S_ISLNK(self.mode)

    @property
    def is_gitlink(self) -> bool:
        return stat.S_IFMT(self.mode) == 0o160000

    @property
    def is_exec(self) -> bool:
        return bool(self.mode & 0o100)


@dataclass(frozen=True, slots=True)
class PathChange:
    """`path` goes from `old` to `new`; None means absent (or a directory) on that side."""

    path: bytes
    old: Side | None
    new: Side | None

    def reversed(self) -> PathChange:
        return PathChange(self.path, self.new, self.old)


class CorruptTree(GitferryError):
    def __init__(self, tree: ObjectID, why: str) -> None:
        super().__init__(f"tree {tree.decode()} cannot be checked out: {why}")
        self.tree = tree


class KnownTrees(Protocol):
    """Trees held elsewhere (the index): a tree's raw entries at a directory, or None."""

    def entries(self, prefix: bytes, tree_id: ObjectID, /) -> list[RawEntry] | None: ...


def tree_delta(
    store: BaseObjectStore | ObjectOverlay,
    from_tree: ObjectID | None,
    to_tree: ObjectID | None,
    *,
    known: KnownTrees | None = None,
    new_dirs: dict[bytes, ObjectID] | None = None,
) -> list[PathChange]:
    """Every non-tree path that differs between the two trees (None: the empty tree),
    sorted by path.

    `new_dirs`, given, gets every directory the walk went into that `to_tree` has, by path
    (b"" the root), with its tree id: those whose content changed.
    Raises UnsafePath for any name on either side of a change that is unsafe
    to write or delete, and CorruptTree for malformed or missing trees.
    """
    changes: list[PathChange] = []
    _walk(_RawTrees(store, known), from_tree, to_tree, b"", changes, new_dirs)
    changes.sort(key=lambda change: change.path)
    return changes


def _walk(
    store: _RawTrees,
    old_id: ObjectID | None,
    new_id: ObjectID | None,
    prefix: bytes,
    out: list[PathChange],
    new_dirs: dict[bytes, ObjectID] | None,
) -> None:
    if new_dirs is not None and new_id is not None:
        new_dirs[prefix] = new_id
    old = _entries(store, old_id, prefix)
    new = _entries(store, new_id, prefix)
    # entries compared as stored first (most are the same on both sides), Sides made for the rest
    changed = {name for name, _stored in old.items() ^ new.items()}  # one set operation
    for name in sorted(changed):
        before, after = _side(old.get(name)), _side(new.get(name))
        if before == after:
            continue
        for side in (before, after):
            if side is not None:
                check_entry_name(prefix, name, side.mode)
        path = prefix + b"/" + name if prefix else name
        old_blob = before if before is not None and not stat.S_ISDIR(before.mode) else None
        new_blob = after if after is not None and not stat.S_ISDIR(after.mode) else None
        if old_blob != new_blob:
            out.append(PathChange(path, old_blob, new_blob))
        old_sub = before.sha if before is not None and old_blob is None else None
        new_sub = after.sha if after is not None and new_blob is None else None
        if old_sub is not None or new_sub is not None:
            _walk(store, old_sub, new_sub, path, out, new_dirs)


def _entries(store: _RawTrees, tree_id: ObjectID | None, prefix: bytes) -> dict[bytes, tuple[int, ObjectID]]:
    """A tree's entries by name, (mode, id) as stored."""
    if tree_id is None:
        return {}
    entries = store.known.entries(prefix, tree_id) if store.known is not None else None
    if entries is None:
        entries = checked_entries(store, tree_id, prefix, check_names=False)
    return {name: (mode, sha) for name, mode, sha in entries}


def _side(stored: tuple[int, ObjectID] | None) -> Side | None:
    return None if stored is None else Side(_normalised_mode(stored[0]), stored[1])


class ObjectSource(Protocol):
    """An object store, or an overlay over one."""

    def __getitem__(self, sha: ObjectID, /) -> ShaFile: ...


class _RawTrees:
    """A store (or an overlay over one) whose trees are read raw through a `PackReader`
    (`raw_tree`)."""

    def __init__(self, store: BaseObjectStore | ObjectOverlay, known: KnownTrees | None = None) -> None:
        self._store = store
        self.known = known
        self._overlay = store if isinstance(store, ObjectOverlay) else None
        self._reader = PackReader(store.store if isinstance(store, ObjectOverlay) else store)

    def __getitem__(self, sha: ObjectID, /) -> ShaFile:
        return self._store[sha]

    def raw_tree(self, tree_id: ObjectID) -> bytes | None:
        """The tree's raw content; None when the object is not a tree."""
        made = self._overlay.made(tree_id) if self._overlay is not None else None
        if made is not None:
            return made.as_raw_string() if isinstance(made, Tree) else None
        type_num, data = self._reader.raw(tree_id)
        return data if type_num == Tree.type_num else None


def checked_entries(
    objects: ObjectSource, tree_id: ObjectID, prefix: bytes, *, check_names: bool = True
) -> list[RawEntry]:
    """The tree's entries as stored (name, mode, id), in order, every name checked
    (without `check_names`, only for duplicates: the caller checks the names it uses).

    Raises UnsafePath for an unsafe or duplicate name, CorruptTree for a
    tree that is missing, not a tree, or does not parse (a NUL inside a name
    leaves bytes that are not a valid entry).
    """
    raw = _raw_tree(objects, tree_id, prefix)
    try:
        parsed = list(parse_tree(raw, len(tree_id) // 2))
    except (ObjectFormatException, ValueError) as exc:
        raise CorruptTree(tree_id, str(exc)) from None
    if not check_names and len({name for name, _mode, _sha in parsed}) == len(parsed):
        return cast(list[RawEntry], parsed)  # no duplicate, nothing more to look at (an id is bytes)
    seen: set[bytes] = set()
    entries: list[RawEntry] = []
    for name, mode, sha in parsed:
        if check_names:
            check_entry_name(prefix, name, mode)
        if name in seen:
            raise UnsafePath(display(prefix + b"/" + name if prefix else name), "a duplicate tree entry")
        seen.add(name)
        entries.append((name, mode, ObjectID(sha)))
    return entries


def _raw_tree(objects: ObjectSource, tree_id: ObjectID, prefix: bytes) -> bytes:
    try:
        if isinstance(objects, _RawTrees):
            raw = objects.raw_tree(tree_id)
        else:
            tree = objects[tree_id]
            raw = tree.as_raw_string() if isinstance(tree, Tree) else None
    except KeyError:
        raise CorruptTree(tree_id, "the tree object is missing") from None
    except (ObjectFormatException, zlib.error) as exc:
        raise CorruptTree(tree_id, str(exc)) from None
    if raw is None:
        raise CorruptTree(tree_id, f"{display(prefix) or 'the root'} is not a tree object")
    return raw


def _normalised_mode(mode: int) -> int:
    """Tree modes as git writes them (old trees may carry 100664 and the like)."""
    if stat.S_ISDIR(mode):
        return stat.S_IFDIR
    if stat.S_ISLNK(mode):
        return stat.S_IFLNK
    if stat.S_IFMT(mode) == 0o160000:
        return 0o160000
    return 0o100755 if mode & 0o100 else 0o100644
