"""Parse a pack as it streams in: object boundaries, CRCs, and ids of whole objects.

This is the first half of what `git index-pack` does, done while the bytes
arrive so that parsing overlaps the network. Each object is inflated exactly
once here; whole objects are hashed on the fly, deltas are only located (their
ids are computed when the deltas are resolved, see `pack_ingest`). Nothing
but the current object's inflater is held in memory: a 1 GB blob streams
through in window-sized pieces.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

OFS_DELTA = 6
REF_DELTA = 7
WHOLE_TYPES = {1: b"commit", 2: b"tree", 3: b"blob", 4: b"tag"}
OID_LEN = 20
_MAX_HEADER = 32  # a type/size varint and an OFS_DELTA offset varint fit easily


class PackFormatError(Exception):
    """The bytes received are not a well-formed pack."""


@dataclass
class ScannedObjects:
    """Per-object facts, as parallel lists indexed by position in the pack."""

    offsets: list[int] = field(default_factory=list)
    data_starts: list[int] = field(default_factory=list)
    types: list[int] = field(default_factory=list)
    crcs: list[int] = field(default_factory=list)
    ids: list[bytes | None] = field(default_factory=list)
    # base offset -> positions of the OFS_DELTAs on it; base id -> REF_DELTAs on it
    ofs_children: dict[int, list[int]] = field(default_factory=dict)
    ref_children: dict[bytes, list[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.offsets)


def object_header(type_num: int, size: int) -> bytes:
    return WHOLE_TYPES[type_num] + b" " + str(size).encode("ascii") + b"\0"


def _parse_object_header(buf: bytes, pos: int) -> tuple[int, int, int | bytes | None, int] | None:
    """(type, size, delta base, header length) at `pos`, or None if `buf` ends too soon."""
    end = len(buf)
    i = pos
    if i >= end:
        return None
    c = buf[i]
    i += 1
    type_num = (c >> 4) & 7
    size = c & 15
    shift = 4
    while c & 0x80:
        if i >= end:
            return None
        c = buf[i]
        i += 1
        size |= (c & 0x7F) << shift
        shift += 7
    base: int | bytes | None = None
    if type_num == OFS_DELTA:
        if i >= end:
            return None
        c = buf[i]
        i += 1
        rel = c & 0x7F
        while c & 0x80:
            if i >= end:
                return None
            c = buf[i]
            i += 1
            rel = ((rel + 1) << 7) | (c & 0x7F)
        base = rel
    elif type_num == REF_DELTA:
        if i + OID_LEN > end:
            return None
        base = bytes(buf[i : i + OID_LEN])
        i += OID_LEN
    elif type_num not in WHOLE_TYPES:
        raise PackFormatError(f"unknown object type {type_num} at offset {pos}")
    return type_num, size, base, i - pos


class PackScanner:
    """Consumes pack bytes chunk by chunk (`feed`) and records every object.

    `feed` neither writes nor keeps the data: the caller stores the bytes. The
    pack's trailing checksum is checked by `finish`.
    """

    def __init__(self) -> None:
        self.objects = ScannedObjects()
        self.total: int | None = None
        self.bytes_seen = 0
        self._pack_hash = hashlib.sha1()
        self._unhashed = b""  # the last 20 bytes seen: maybe the trailer
        self._pending = b""  # bytes received but not parsed yet
        self._base = 0  # absolute offset of _pending[0]
        self._inflater: Any = None  # zlib decompress object of the current object
        # offset, data start, inflated size, delta base, type of the object being parsed
        self._current: tuple[int, int, int, int | bytes | None, int] | None = None
        self._crc = 0
        self._hash: Any = None
        self._inflated = 0

    @property
    def count(self) -> int:
        return len(self.objects)

    @property
    def done(self) -> bool:
        return self.total is not None and self.count == self.total

    def feed(self, data: bytes) -> None:
        self.bytes_seen += len(data)
        self._hash_all_but_trailer(data)
        buf = self._pending + data if self._pending else data
        if self.total is None:
            if len(buf) < 12:
                self._pending = buf
                return
            self._read_pack_header(buf)
            buf = buf[12:]
            self._base = 12
        try:
            used = self._parse(buf)
        except zlib.error as exc:
            raise PackFormatError(f"corrupt object data: {exc}") from exc
        self._pending = buf[used:]
        self._base += used

    def finish(self) -> bytes:
        """Check that the pack is complete; return its checksum (the trailer)."""
        if not self.done:
            got = self.count
            raise PackFormatError(f"pack ended after {got} of {self.total or '?'} objects")
        trailer = self._pending
        if len(trailer) != OID_LEN:
            raise PackFormatError(f"pack trailer is {len(trailer)} bytes, expected {OID_LEN}")
        if trailer != self._pack_hash.digest() or self._unhashed != trailer:
            raise PackFormatError("pack checksum mismatch")
        return trailer

    @property
    def trailer_offset(self) -> int:
        return self._base

    def _hash_all_but_trailer(self, data: bytes) -> None:
        joined = self._unhashed + data if self._unhashed else data
        if len(joined) <= OID_LEN:
            self._unhashed = joined
            return
        view = memoryview(joined)
        self._pack_hash.update(view[:-OID_LEN])
        self._unhashed = bytes(view[-OID_LEN:])

    def _read_pack_header(self, buf: bytes) -> None:
        magic, version, total = struct.unpack(">4sLL", buf[:12])
        if magic != b"PACK" or version not in (2, 3):
            raise PackFormatError("not a pack (bad header)")
        self.total = total

    def _parse(self, buf: bytes) -> int:
        """Parse as many objects as `buf` completes; return the bytes used."""
        assert self.total is not None
        view = memoryview(buf)
        pos = 0
        end = len(buf)
        while self.count < self.total:
            if self._inflater is None:
                if end - pos < _MAX_HEADER and not self._header_fits(buf, pos):
                    break
                self._start_object(buf, view, pos)
                assert self._current is not None
                pos = self._current[1] - self._base
            size = self._current[2]  # type: ignore[index]
            window = view[pos : pos + size + (size >> 10) + 64]
            out = self._inflater.decompress(window)
            self._inflated += len(out)
            if self._hash is not None:
                self._hash.update(out)
            if not self._inflater.eof:
                self._crc = zlib.crc32(window, self._crc)
                pos += len(window)
                if pos >= end:
                    break
                continue
            used = len(window) - len(self._inflater.unused_data)
            self._crc = zlib.crc32(window[:used], self._crc)
            pos += used
            self._end_object()
        return pos

    def _header_fits(self, buf: bytes, pos: int) -> bool:
        return _parse_object_header(buf, pos) is not None

    def _start_object(self, buf: bytes, view: memoryview, pos: int) -> None:
        parsed = _parse_object_header(buf, pos)
        assert parsed is not None
        type_num, size, base, header_len = parsed
        offset = self._base + pos
        if type_num == OFS_DELTA:
            assert isinstance(base, int)
            if base <= 0 or base > offset:
                raise PackFormatError(f"bad delta base offset at {offset}")
            base = offset - base
        self._current = (offset, offset + header_len, size, base, type_num)
        self._crc = zlib.crc32(view[pos : pos + header_len])
        self._inflater = zlib.decompressobj()
        self._inflated = 0
        self._hash = hashlib.sha1(object_header(type_num, size)) if type_num in WHOLE_TYPES else None

    def _end_object(self) -> None:
        assert self._current is not None
        offset, data_start, size, base, type_num = self._current
        if self._inflated != size:
            raise PackFormatError(f"object at {offset} inflates to {self._inflated}, not {size}")
        index = len(self.objects.offsets)
        objects = self.objects
        objects.offsets.append(offset)
        objects.data_starts.append(data_start)
        objects.types.append(type_num)
        objects.crcs.append(self._crc)
        objects.ids.append(self._hash.digest() if self._hash is not None else None)
        if isinstance(base, int):
            objects.ofs_children.setdefault(base, []).append(index)
        elif isinstance(base, bytes):
            objects.ref_children.setdefault(base, []).append(index)
        self._inflater = None
        self._current = None
        self._hash = None
