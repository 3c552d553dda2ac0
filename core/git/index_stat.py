"""The index's stat data only, read for a working-tree scan.

A scan compares every tracked file's lstat with its index entry and needs
nothing else: not the object ids, not `IndexEntry` objects. dulwich parses an
entry into a dataclass (about 7 microseconds each; 69 ms for 10,000 entries
even through `index_read.open_index`); here one `struct` call per entry reads
only the fields the comparison uses, about ten times faster. Versions 2, 3
and 4 (path prefix compression) are read; a split or sparse index is refused
as `LockedIndex` refuses it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from dulwich.errors import ChecksumMismatch
from dulwich.index import FLAG_EXTENDED, Index, IndexEntry
from dulwich.object_format import ObjectFormat

from core.git.locked_index import UnsupportedIndex

# ctime s, ns, mtime s, ns, (dev skipped), ino, mode, uid, gid, size; then the flags after the object id.
_STAT = struct.Struct(">4I4x5I")
_FLAGS = struct.Struct(">H")
_HEADER = struct.Struct(">4sII")
_FLAG_VALID = 0x8000
_FLAG_STAGE = 0x3000
_NAME_MASK = 0x0FFF
_EXT_SKIP_WORKTREE = 0x4000
_UNSUPPORTED = {b"link": "a split index", b"sdir": "a sparse index"}

# One tracked path: (ctime_s, ctime_ns, mtime_s, mtime_ns, ino, mode, uid, gid, size), as stored (32 bits).
StatEntry = tuple[int, int, int, int, int, int, int, int, int]


@dataclass
class IndexStat:
    """Stat data per path, plus what the scan must treat specially."""

    entries: dict[bytes, StatEntry]
    mtime_ns: int  # of the index file: entries not older than this are racy
    trusted: set[bytes]  # assume-unchanged or skip-worktree: git does not look at them
    unmerged: set[bytes]  # paths with conflict stages

    def tracked_dirs(self) -> set[bytes]:
        """Every directory that holds a tracked path, with a trailing slash ("" for the root)."""
        parents = {path[: path.rfind(b"/") + 1] for path in self.entries}
        parents.update(path[: path.rfind(b"/") + 1] for path in self.unmerged)
        dirs: set[bytes] = set()
        for parent in parents:
            while parent not in dirs:
                dirs.add(parent)
                parent = parent[: parent.rfind(b"/", 0, -1) + 1]
        return dirs


class IndexFormatError(ValueError):
    pass


def read_index_stat(path: str, object_format: ObjectFormat) -> IndexStat:
    """The stat view of the index file at `path`; an absent index is an empty one."""
    try:
        with open(path, "rb") as file:
            mtime_ns = os.fstat(file.fileno()).st_mtime_ns
            data = file.read()
    except FileNotFoundError:
        return IndexStat({}, 0, set(), set())
    view = IndexStat({}, mtime_ns, set(), set())
    end = _parse_entries(data, object_format.oid_length, view)
    _check_extensions(path, data, end, object_format)
    return view


def index_stat_of(index: Index, index_path: str) -> IndexStat:
    """The same view of a dulwich `Index` already in memory (e.g. `LockedIndex.index`)."""
    try:
        mtime_ns = os.stat(index_path).st_mtime_ns
    except FileNotFoundError:
        mtime_ns = 0
    view = IndexStat({}, mtime_ns, set(), set())
    for path, entry in index.items():
        if not isinstance(entry, IndexEntry):
            view.unmerged.add(path)
            continue
        if entry.flags & _FLAG_VALID or entry.extended_flags & _EXT_SKIP_WORKTREE:
            view.trusted.add(path)
        ctime_s, ctime_ns = _split(entry.ctime)
        mtime_s, mtime_ns = _split(entry.mtime)
        stat_fields = (ctime_s, ctime_ns, mtime_s, mtime_ns, entry.ino, entry.mode, entry.uid, entry.gid)
        view.entries[path] = (*stat_fields, entry.size)
    return view


def _split(value: int | float | tuple[int, int]) -> tuple[int, int]:
    if isinstance(value, tuple):
        return value
    ns = int(value * 1_000_000_000)
    return ns // 1_000_000_000, ns % 1_000_000_000


def _parse_entries(data: bytes, oid_length: int, view: IndexStat) -> int:
    """Fill `view` from the entries; return the offset just past the last entry."""
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise IndexFormatError(f"not an index file (signature {signature!r}, version {version})")
    unpack_stat = _STAT.unpack_from
    unpack_flags = _FLAGS.unpack_from
    flags_at = 40 + oid_length
    entries = view.entries
    find = data.find
    pos = 12
    name = b""
    for _ in range(count):
        stat_fields = unpack_stat(data, pos)
        (flags,) = unpack_flags(data, pos + flags_at)
        start = pos + flags_at + 2
        extended = 0
        if flags & FLAG_EXTENDED:
            (extended,) = unpack_flags(data, start)
            start += 2
        if version == 4:
            name, pos = _v4_name(data, start, name)
        else:
            length = flags & _NAME_MASK
            end = start + length if length < _NAME_MASK else find(b"\x00", start)
            name = data[start:end]
            pos += (end - pos + 8) & ~7
        if flags & _FLAG_STAGE:
            view.unmerged.add(name)
            continue
        if flags & _FLAG_VALID or extended & _EXT_SKIP_WORKTREE:
            view.trusted.add(name)
        entries[name] = stat_fields
    for path in view.unmerged:
        entries.pop(path, None)
    return pos


def _v4_name(data: bytes, pos: int, previous: bytes) -> tuple[bytes, int]:
    """Version 4 names: a varint of bytes to drop from the previous name, then a NUL-terminated suffix."""
    byte = data[pos]
    drop = byte & 0x7F
    pos += 1
    while byte & 0x80:
        byte = data[pos]
        drop = ((drop + 1) << 7) | (byte & 0x7F)
        pos += 1
    end = data.index(b"\x00", pos)
    keep = previous[: len(previous) - drop]
    return keep + data[pos:end], end + 1


def _check_extensions(path: str, data: bytes, pos: int, fmt: ObjectFormat) -> None:
    """Refuse split and sparse indexes, and check the trailer like `index_read` does."""
    trailer_at = len(data) - fmt.oid_length
    while pos + 8 <= trailer_at:
        signature = data[pos : pos + 4]
        if signature in _UNSUPPORTED:
            raise UnsupportedIndex(path, _UNSUPPORTED[signature])
        (size,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8 + size
    stored = data[trailer_at:]
    if stored == b"\x00" * fmt.oid_length:
        return
    digest = fmt.new_hash()
    digest.update(memoryview(data)[:trailer_at])
    if digest.digest() != stored:
        raise ChecksumMismatch(digest.hexdigest(), stored.hex())
