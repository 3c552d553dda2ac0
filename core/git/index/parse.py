"""One index file as stored: its entries in file order, its extensions as raw bytes,
its trailer checked.

Entries are parsed in bulk (serialize.py; dulwich's own entry parser, `read_index`,
for what that does not read), in file order: a
split index's replaced entries have empty names, so only their position says which
shared entry they replace. dulwich's `read_index_dict_with_version` reads extensions
only while their signatures are upper case (it stops at `link` and `sdir`) and parses
`TREE` and `REUC` into nothing; here each extension stays as its signature and bytes.
The trailer is checked with the rule of `IndexChecksumReader.check_checksum(allow_empty=True)`.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from dulwich.errors import ChecksumMismatch
from dulwich.index import (
    FLAG_STAGEMASK,
    FLAG_STAGESHIFT,
    ConflictedIndexEntry,
    IndexEntry,
    SerializedIndexEntry,
    Stage,
    UnsupportedIndexFormat,
    read_index,
)
from dulwich.object_format import ObjectFormat
from dulwich.objects import RawObjectID, sha_to_hex

from core.errors import GitferryError
from core.git.index.serialize import Entries, read_entries, read_entries_by_name

_NORMAL = Stage.NORMAL.value
_ANCESTOR = Stage.MERGE_CONFLICT_ANCESTOR.value
_THIS = Stage.MERGE_CONFLICT_THIS.value
Extension = tuple[bytes, bytes]  # (signature, data) as stored
LINK = b"link"  # a split index's extension (split_index.py): its entries' positions matter


class IndexFormatError(GitferryError, ValueError):
    """The index file is damaged: the message says where."""


@dataclass
class ParsedIndex:
    version: int
    entries: list[SerializedIndexEntry]  # in file order
    extensions: list[Extension]
    checksum: bytes  # the trailer (all zeros with index.skipHash)


def parse_index_bytes(data: bytes, fmt: ObjectFormat) -> ParsedIndex:
    """An index file's entries, extensions and trailer; the trailer is checked."""
    fast = read_entries(data, fmt.oid_length)
    if fast is not None:
        entries, pos = fast
    else:
        buffer = io.BytesIO(data)
        try:
            entries = list(read_index(buffer, fmt))
        except (AssertionError, UnsupportedIndexFormat, struct.error, ValueError) as exc:
            raise IndexFormatError(f"the index does not parse: {exc!r}") from None
        pos = buffer.tell()
    (version,) = struct.unpack_from(">I", data, 4)
    extensions, pos = read_extensions(data, pos, fmt)
    return ParsedIndex(version, entries, extensions, data[pos : pos + fmt.oid_length])


@dataclass
class MergedIndex:
    version: int
    entries: Entries  # by path
    starts: dict[bytes, int]  # where each entry starts in the file
    extensions: list[Extension]


def parse_merged_index(data: bytes, fmt: ObjectFormat) -> MergedIndex | None:
    """`parse_index_bytes` with its entries by path already (`entries_by_name`), in one pass
    (`read_entries_by_name`), the trailer checked. None for what only `parse_index_bytes`
    reads: an unmerged entry, a split index (its entries' positions matter), anything the
    bulk reader leaves to dulwich."""
    fast = read_entries_by_name(data, fmt.oid_length)
    if fast is None:
        return None
    byname, pos, starts = fast
    extensions, _end = read_extensions(data, pos, fmt)
    if any(signature == LINK for signature, _data in extensions):
        return None
    (version,) = struct.unpack_from(">I", data, 4)
    return MergedIndex(version, byname, starts, extensions)


def read_extensions(data: bytes, pos: int, fmt: ObjectFormat) -> tuple[list[Extension], int]:
    """The extensions from `pos` on and where the trailer starts; the trailer checked."""
    trailer_at = len(data) - fmt.oid_length
    extensions: list[Extension] = []
    while pos + 8 <= trailer_at:
        signature = data[pos : pos + 4]
        (size,) = struct.unpack_from(">I", data, pos + 4)
        if pos + 8 + size > trailer_at:
            raise IndexFormatError(f"the index extension {signature!r} runs past the end of the file")
        extensions.append((signature, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size
    check_trailer(data, pos, fmt)
    return extensions, pos


def check_trailer(data: bytes, end: int, fmt: ObjectFormat) -> None:
    """The checksum after the last byte parsed; all zeros (index.skipHash) or truncated pass."""
    stored = data[end : end + fmt.oid_length]
    digest = fmt.new_hash()
    digest.update(memoryview(data)[:end])
    if stored == digest.digest():
        return
    if len(stored) != fmt.oid_length or stored == b"\x00" * fmt.oid_length:
        return
    raise ChecksumMismatch(digest.hexdigest(), sha_to_hex(RawObjectID(stored)).decode("ascii"))


def entries_by_name(entries: list[SerializedIndexEntry]) -> Entries:
    """Entries by path, as dulwich's `read_index_dict` builds them (conflict stages joined);
    a later entry replaces an earlier one of the same path and stage."""
    byname: Entries = {}
    for serialized in entries:
        stage = (serialized.flags & FLAG_STAGEMASK) >> FLAG_STAGESHIFT  # `.stage()` makes an enum
        entry = IndexEntry.from_serialized(serialized)
        existing = byname.get(serialized.name)
        if stage == _NORMAL:
            if isinstance(existing, ConflictedIndexEntry):
                raise IndexFormatError(f"{serialized.name!r} is both merged and unmerged")
            byname[serialized.name] = entry
            continue
        if existing is None:
            existing = byname[serialized.name] = ConflictedIndexEntry()
        if not isinstance(existing, ConflictedIndexEntry):
            raise IndexFormatError(f"{serialized.name!r} is both merged and unmerged")
        if stage == _ANCESTOR:
            existing.ancestor = entry
        elif stage == _THIS:
            existing.this = entry
        else:
            existing.other = entry
    return byname


def index_order(byname: Entries) -> list[bytes]:
    """The entries' names by position, as git sorts and numbers them (path, then stage; an
    unmerged path once per stage)."""
    order: list[bytes] = []
    for name in sorted(byname):
        value = byname[name]
        if isinstance(value, ConflictedIndexEntry):
            order.extend(name for stage in (value.ancestor, value.this, value.other) if stage is not None)
        else:
            order.append(name)
    return order
