"""An index file's entries packed and unpacked in bulk, byte for byte as dulwich does it.

dulwich reads an entry with about ten `read` calls and writes one with about a dozen
`write` calls and a `SerializedIndexEntry` made on the way: for the 12,662 entries of
`bench.real_history`, 50 ms of CPU to read the index and 61 ms to write it in every
fast-forward. Here an entry is one `struct.unpack_from` of the file's bytes, and one
`struct.pack` into a list joined once. Versions 2 and 3 only, names shorter than
4,095 bytes and ids of the index's own length: anything else (a version 4 index with
its compressed names, say) goes through dulwich's own code, so the result is always
exactly dulwich's (`tests/core/test_index_serialize.py` compares the two).
"""

from __future__ import annotations

import binascii
import gc
import io
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from dulwich.index import (
    DEFAULT_VERSION,
    FLAG_EXTENDED,
    FLAG_NAMEMASK,
    FLAG_STAGEMASK,
    FLAG_STAGESHIFT,
    ConflictedIndexEntry,
    IndexEntry,
    IndexExtension,
    SerializedIndexEntry,
    write_index_dict,
)
from dulwich.object_format import ObjectFormat
from dulwich.objects import ObjectID

__all__ = ["Entries", "StoredEntries", "index_bytes", "no_gc", "read_entries", "read_entries_by_name"]

Entries = dict[bytes, IndexEntry | ConflictedIndexEntry]  # by path, as dulwich's Index holds them
_U32 = 0xFFFFFFFF
_EXTENDED = struct.Struct(">H")
_HEADER = struct.Struct(">4sLL")


@dataclass(frozen=True)
class StoredEntries:
    """An index file's bytes, where each merged entry starts in them, and the entry objects
    read from them: an entry that is still that very object is written back as its bytes."""

    data: bytes
    starts: Mapping[bytes, int]
    entries: Mapping[bytes, IndexEntry | ConflictedIndexEntry]


def index_bytes(
    entries: Entries,
    *,
    version: int | None,
    extensions: Sequence[IndexExtension],
    object_format: ObjectFormat,
    stored: StoredEntries | None = None,
) -> bytes:
    """What `write_index_dict(f, entries, version, extensions, object_format)` writes
    (without the trailer): path order, then stage; the version raised to 3 when an entry
    has extended flags. `stored`: the file the entries were read from; those unchanged
    since are copied from it, not packed again (a switch changes a few hundred of 12,661)."""
    rows: list[tuple[bytes, IndexEntry, int]] = []
    for name in sorted(entries):
        value = entries[name]
        if isinstance(value, ConflictedIndexEntry):
            for stage, entry in enumerate((value.ancestor, value.this, value.other), start=1):
                if entry is not None:
                    rows.append((name, entry, stage))
        else:
            rows.append((name, value, 0))
    version = DEFAULT_VERSION if version is None else version
    if version < 3 and any(entry.extended_flags for _name, entry, _stage in rows):
        version = 3
    packed = _packed(rows, version, object_format, stored)
    if packed is None:  # what only dulwich's own writer does (or refuses)
        return _dulwich_bytes(entries, version, extensions, object_format)
    out = [_HEADER.pack(b"DIRC", version, len(rows)), *packed]
    for extension in extensions:
        data = extension.to_bytes()
        out += [extension.signature, struct.pack(">I", len(data)), data]
    return b"".join(out)


def _packed(
    rows: list[tuple[bytes, IndexEntry, int]], version: int, fmt: ObjectFormat, stored: StoredEntries | None
) -> list[bytes] | None:
    if version not in (2, 3):
        return None
    pack = struct.Struct(f">10L{fmt.oid_length}sH").pack
    hex_length = fmt.hex_length
    head = 42 + fmt.oid_length
    unhexlify = binascii.unhexlify
    out: list[bytes] = []
    append = out.append
    data, starts, read = (stored.data, stored.starts, stored.entries) if stored else (b"", {}, {})
    run_start = run_end = 0  # the stored entries next to each other in `data` not yet copied
    for name, entry, stage in rows:
        length = len(name)
        start = starts.get(name) if stage == 0 else None
        if start is not None and read.get(name) is entry:  # as read: its bytes as stored
            extended = entry.flags & FLAG_EXTENDED
            if not extended or version >= 3:
                size = head + (2 if extended else 0) + length
                if start != run_end:  # copied a run at a time: a switch leaves long runs
                    if run_end > run_start:
                        append(data[run_start:run_end])
                    run_start = start
                run_end = start + ((size + 8) & ~7)
                continue
        if run_end > run_start:
            append(data[run_start:run_end])
            run_start = run_end = 0
        sha = entry.sha
        if length >= FLAG_NAMEMASK or len(sha) != hex_length:
            return None
        ctime, mtime = entry.ctime, entry.mtime
        if not (isinstance(ctime, tuple) and isinstance(mtime, tuple)):
            ctime, mtime = _time(ctime), _time(mtime)
        flags = length | (entry.flags & ~FLAG_STAGEMASK & ~FLAG_NAMEMASK) | (stage << FLAG_STAGESHIFT)
        extended = entry.extended_flags
        if extended:
            flags |= FLAG_EXTENDED
        fixed = pack(
            ctime[0],
            ctime[1],
            mtime[0],
            mtime[1],
            entry.dev & _U32,
            entry.ino & _U32,
            entry.mode,
            entry.uid,
            entry.gid,
            entry.size,
            unhexlify(sha),
            flags,
        )
        if flags & FLAG_EXTENDED:
            if version < 3:
                return None  # dulwich refuses it
            fixed += _EXTENDED.pack(extended)
        size = len(fixed) + length
        append(fixed + name + b"\x00" * (((size + 8) & ~7) - size))
    if run_end > run_start:
        append(data[run_start:run_end])
    return out


def _time(value: int | float | tuple[int, int]) -> tuple[int, int]:
    """A timestamp as dulwich's `write_cache_time` stores it: (seconds, nanoseconds)."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, int):
        return value, 0
    seconds, fraction = divmod(value, 1.0)
    return int(seconds), int(fraction * 1_000_000_000)


def _dulwich_bytes(
    entries: Entries, version: int, extensions: Sequence[IndexExtension], fmt: ObjectFormat
) -> bytes:
    buffer = io.BytesIO()
    write_index_dict(buffer, entries, version=version, extensions=extensions, object_format=fmt)
    return buffer.getvalue()


def read_entries(data: bytes, oid_length: int) -> tuple[list[SerializedIndexEntry], int] | None:
    """The entries of the index file `data` in file order, as dulwich's `read_index` yields
    them, and the offset just past them; None where only dulwich's reader reads them (a
    version other than 2 or 3, a name of 4,095 bytes or more, a file cut short: its
    error is dulwich's)."""
    rows: list[SerializedIndexEntry] = []
    pos = _scan(data, oid_length, rows, None, {})
    return None if pos is None else (rows, pos)


def read_entries_by_name(data: bytes, oid_length: int) -> tuple[Entries, int, dict[bytes, int]] | None:
    """`entries_by_name(read_entries(...))` in one pass, each `IndexEntry` made directly (no
    `SerializedIndexEntry` on the way: a third of a 12,661-entry read) and put straight into
    the dictionary (no list of pairs), for the usual index of merged entries, with where each
    entry starts in `data` (for `StoredEntries`); None where `read_entries` is None, and for
    an unmerged entry or a name given twice, which `entries_by_name` sorts out."""
    byname: Entries = {}
    starts: dict[bytes, int] = {}
    pos = _scan(data, oid_length, None, byname, starts)
    if pos is None or len(byname) != _HEADER.unpack_from(data, 0)[2]:
        return None  # a name given twice
    return byname, pos, starts


def _scan(
    data: bytes,
    oid_length: int,
    rows: list[SerializedIndexEntry] | None,
    byname: Entries | None,
    starts: dict[bytes, int],
) -> int | None:
    """Every entry, in file order: appended to `rows` (SerializedIndexEntry's fields) or put
    into `byname` (an `IndexEntry` by path, where it starts in `starts`; None at an unmerged
    entry); the offset past them. One loop for both, without a call an entry: about 2 of the
    18 ms of CPU that 12,661 entries take."""
    if len(data) < _HEADER.size:
        return None
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3):
        return None
    unpack = struct.Struct(f">10L{oid_length}sH").unpack_from
    head = 42 + oid_length
    hexlify = binascii.hexlify
    entry_of = IndexEntry
    pos = 12
    for _ in range(count):
        try:
            cs, cns, ms, mns, dev, ino, mode, uid, gid, size, sha, flags = unpack(data, pos)
        except struct.error:
            return None  # cut short: dulwich's reader says how
        start = pos + head
        extended = 0
        if flags & FLAG_EXTENDED:
            if version < 3:
                return None  # dulwich refuses it
            (extended,) = _EXTENDED.unpack_from(data, start)
            start += 2
        length = flags & FLAG_NAMEMASK
        name = data[start : start + length]
        if length == FLAG_NAMEMASK or len(name) != length:
            return None
        fields = (cs, cns), (ms, mns), dev, ino, mode, uid, gid, size, ObjectID(hexlify(sha))
        if byname is None:
            assert rows is not None
            rows.append(SerializedIndexEntry(name, *fields, flags & ~FLAG_NAMEMASK, extended))
        elif flags & FLAG_STAGEMASK:
            return None  # unmerged: entries_by_name joins the stages
        else:
            byname[name] = entry_of(*fields, flags & ~FLAG_NAMEMASK, extended)
            starts[name] = pos
        pos += (start - pos + length + 8) & ~7
    return pos


@contextmanager
def no_gc() -> Iterator[None]:
    """Thousands of new objects would trigger the cyclic collector over and over (doubling a
    parse's time); none of those an index parse makes can be in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
