"""Finding Git LFS pointers among a repository's blobs, as git-lfs's scanner does.

git-lfs reads every blob under 1,024 bytes as a possible pointer, whatever its
path's attributes (lfs/scanner.go): a pointer committed where no `filter=lfs`
applies still names an object `git lfs fetch` and `git lfs push` move. A loose
object's size is read from its header first, so a large blob is never inflated
to be looked at.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable

from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, ObjectID

from core.git.objects.blob_read import blob_size
from core.git.objects.lfs_pointer import MAX_POINTER_SIZE, LfsPointer, parse_pointer
from core.git.objects.tree_delta import tree_delta


def pointer_of_blob(store: BaseObjectStore, oid: ObjectID) -> LfsPointer | None:
    """The pointer blob `oid` holds; None for any other object, the empty blob included
    (an empty file is committed as it is) and a pointer with extensions (content that
    other programs must make, which Gitferry cannot)."""
    data = small_blob(store, oid)
    if data is None:
        return None
    pointer = parse_pointer(data)
    if pointer is None or pointer.size == 0 or pointer.extensions:
        return None
    return pointer


def pointers_among(store: BaseObjectStore, object_ids: Iterable[ObjectID]) -> list[LfsPointer]:
    """The distinct pointers among `object_ids` (non-blobs and other blobs skipped)."""
    found: dict[str, LfsPointer] = {}
    for oid in object_ids:
        pointer = pointer_of_blob(store, oid)
        if pointer is not None:
            found.setdefault(pointer.oid, pointer)
    return list(found.values())


def pointers_between(
    store: BaseObjectStore, from_tree: ObjectID | None, to_tree: ObjectID
) -> dict[bytes, LfsPointer]:
    """The pointers at the paths whose file changes from `from_tree` to `to_tree`
    (what a switch between them would write), by path."""
    found: dict[bytes, LfsPointer] = {}
    for change in tree_delta(store, from_tree, to_tree):
        new = change.new
        if new is None or not stat.S_ISREG(new.mode):
            continue
        pointer = pointer_of_blob(store, new.sha)
        if pointer is not None:
            found[change.path] = pointer
    return found


def small_blob(store: BaseObjectStore, oid: ObjectID) -> bytes | None:
    """The blob's bytes when it is a blob under `MAX_POINTER_SIZE`, else None."""
    size = blob_size(store, oid)  # a loose or packed blob's size, read from its header
    if size is not None and size >= MAX_POINTER_SIZE:
        return None
    try:
        obj = store[oid]
    except KeyError:
        return None
    if not isinstance(obj, Blob):
        return None
    data = obj.as_raw_string()
    return data if len(data) < MAX_POINTER_SIZE else None
