"""A split index (`core.splitIndex`): `.git/index` holds only what changed since the
shared index `sharedindex.<id>` it links to.

The `link` extension names the shared index (by its trailer) and carries two
bitmaps over the shared index's positions: entries to delete, and entries to
replace by this file's first entries in order (those keep the shared entry's name,
their own being stored empty). This file's remaining entries are added. That is
git's `merge_base_index` (split-index.c); the shared index is looked for in the git
directory, then beside the index file, as `read_index_from` (read-cache.c) does.

Gitferry rewrites a split index as a plain one, with every entry: git reads it as
any index and, with `core.splitIndex` set, splits it again on its next write; the
shared index left behind expires as git's own do (`splitIndex.sharedIndexExpire`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from dulwich.index import SerializedIndexEntry
from dulwich.object_format import ObjectFormat

from core.git.index.ewah import EwahError, read_ewah
from core.git.index.parse import LINK, IndexFormatError, parse_index_bytes

__all__ = ["LINK", "merge_shared_index"]


def merge_shared_index(
    link: bytes, entries: list[SerializedIndexEntry], dirs: Sequence[str], fmt: ObjectFormat
) -> list[SerializedIndexEntry]:
    """Every entry of the split index whose own entries are `entries` (unsorted: the
    caller sorts by name)."""
    base, delete, replace = _read_link(link, fmt.oid_length)
    if base == b"\x00" * fmt.oid_length:
        return entries  # linked to nothing: the entries are all there is
    shared = _read_shared(base, dirs, fmt)
    if replace & delete:
        raise IndexFormatError("a split index entry both replaced and deleted")
    if any(pos >= len(shared) for pos in replace | delete):
        raise IndexFormatError("a split index bitmap runs past its shared index")
    if len(replace) > len(entries):
        raise IndexFormatError("a split index replaces more entries than it holds")
    merged = list(shared)
    for source, pos in zip(entries, sorted(replace), strict=False):
        if source.name:
            raise IndexFormatError("a split index replacement entry has a name")
        merged[pos] = dataclasses.replace(source, name=shared[pos].name)
    added = entries[len(replace) :]
    if any(not entry.name for entry in added):
        raise IndexFormatError("a split index entry without a name")
    return [entry for pos, entry in enumerate(merged) if pos not in delete] + added


def _read_link(data: bytes, oid_length: int) -> tuple[bytes, frozenset[int], frozenset[int]]:
    if len(data) < oid_length:
        raise IndexFormatError("link extension too short")
    base = data[:oid_length]
    if len(data) == oid_length:
        return base, frozenset(), frozenset()
    try:
        delete, pos = read_ewah(data, oid_length)
        replace, pos = read_ewah(data, pos)
    except EwahError as exc:
        raise IndexFormatError(f"link extension: {exc}") from None
    if pos != len(data):
        raise IndexFormatError("garbage at the end of the link extension")
    return base, delete, replace


def _read_shared(base: bytes, dirs: Sequence[str], fmt: ObjectFormat) -> list[SerializedIndexEntry]:
    name = "sharedindex." + base.hex()
    for directory in dirs:
        try:
            with open(os.path.join(directory, name), "rb") as file:
                data = file.read()
        except FileNotFoundError:
            continue
        parsed = parse_index_bytes(data, fmt)
        if parsed.checksum != base:
            raise IndexFormatError(f"broken split index: {name} has checksum {parsed.checksum.hex()}")
        return parsed.entries
    raise IndexFormatError(f"the split index's shared index {name} is missing")
