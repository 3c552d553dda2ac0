"""Parse a pack as it streams in: object boundaries, CRCs, and ids of whole objects.

This is the first half of what `git index-pack` does, done while the bytes
arrive so that parsing overlaps the network. Each object is inflated exactly
once here; whole objects are hashed on the fly, deltas are only located (their
ids are computed when the deltas are resolved, see `pack_ingest`). Nothing
but the current object's inflater is held in memory: a 1 GB blob streams
through in pieces of at most `OUT_CAP` inflated bytes.

The pack's declared sizes are checked against its `PackLimits` before
anything is inflated: each object's size, each delta's result size (read from
the first bytes of the delta), and their sum. Inflation never goes past the
declared size either (zlib is asked for at most one byte more), so a zlib
bomb that lies about its size stops at that byte. Trees and commits sent
whole are checked (`object_checks`) as they inflate.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.git.objects.object_checks import CHECKED_TYPES, ObjectCheck, ObjectChecks
from core.git.objects.pack_limits import InflatedTooLarge, ObjectTooLarge, PackLimits

OFS_DELTA = 6
REF_DELTA = 7
WHOLE_TYPES = {1: b"commit", 2: b"tree", 3: b"blob", 4: b"tag"}
OID_LEN = 20
_MAX_HEADER = 32  # a type/size varint and an OFS_DELTA offset varint fit easily
OUT_CAP = 1 << 20  # inflated bytes asked of zlib at a time
_DELTA_HEADER = 20  # a delta's base and result sizes: two varints of up to 64 bits
_HOLD_TO_CHECK = 1 << 20  # a tree or commit up to this size is checked whole, larger ones as they inflate


class PackFormatError(Exception):
    """The bytes received are not a well-formed pack."""


def delta_sizes(head: bytes) -> tuple[int, int, int] | None:
    """(base size, result size, header length) from a delta's first bytes; None if they
    end before both sizes do."""
    try:
        byte = head[0]
        base = byte & 0x7F
        pos, shift = 1, 7
        while byte & 0x80:
            byte = head[pos]
            base |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
        byte = head[pos]
        result = byte & 0x7F
        pos, shift = pos + 1, 7
        while byte & 0x80:
            byte = head[pos]
            result |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
    except IndexError:
        return None
    return base, result, pos


def _numbers(code: str) -> Callable[[], array[int]]:
    return lambda: array(code)


@dataclass
class ScannedObjects:
    """Per-object facts, as parallel sequences indexed by position in the pack. The numbers
    are machine arrays, not lists of Python ints: for the 251,539 objects of
    `bench.real_history` that is 8 MiB where the lists held 50 MiB, most of what a
    clone's peak RSS grew by."""

    offsets: array[int] = field(default_factory=_numbers("Q"))
    data_starts: array[int] = field(default_factory=_numbers("Q"))
    types: array[int] = field(default_factory=_numbers("B"))
    sizes: array[int] = field(default_factory=_numbers("Q"))  # inflated size of each entry (a delta's own)
    result_sizes: array[int] = field(default_factory=_numbers("Q"))  # what each delta declares (0: whole)
    crcs: array[int] = field(default_factory=_numbers("L"))
    ids: list[bytes | None] = field(default_factory=list)
    # Each OFS_DELTA's position and its base's, in two columns (a dict of lists keyed by
    # the base's offset held 36 MiB of a 251,539-object clone's peak; these 2); an offset
    # where no object starts is left out, its delta then has no base. REF_DELTAs (a thin
    # pack's, mostly): base id -> their positions.
    ofs_deltas: array[int] = field(default_factory=_numbers("I"))
    ofs_bases: array[int] = field(default_factory=_numbers("I"))
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

    def __init__(self, limits: PackLimits | None = None, checks: ObjectChecks | None = None) -> None:
        self.limits = limits or PackLimits()
        self.checks = checks
        self.inflated_total = 0  # declared: every entry's size, and every delta's result size
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
        self._check: ObjectCheck | None = None  # a large tree or commit's check, fed as it inflates
        self._held: list[bytes] | None = None  # a small tree or commit, checked once whole
        self._result_size = 0
        self._delta_head: bytes | None = None  # a delta's first bytes, until its sizes are read

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
        total = self.total
        offsets = self.objects.offsets
        while len(offsets) < total:
            if self._inflater is None:
                if end - pos < _MAX_HEADER and not self._header_fits(buf, pos):
                    break
                after = self._whole_here(buf, view, pos)
                if after is not None:
                    pos = after
                    continue
                self._start_object(buf, view, pos)
                assert self._current is not None
                pos = self._current[1] - self._base
            size = self._current[2]  # type: ignore[index]
            window = view[pos : pos + size + (size >> 10) + 64]
            used, finished = self._inflate(window)
            self._crc = zlib.crc32(window[:used], self._crc)
            pos += used
            if finished:
                self._end_object()
            elif pos >= end:
                break
        return pos

    def _inflate(self, window: memoryview) -> tuple[int, bool]:
        """Inflate what `window` holds of the current object, never past its declared size
        and at most `OUT_CAP` bytes at a time; (bytes of `window` used, object complete)."""
        assert self._current is not None
        inflater = self._inflater
        declared = self._current[2]
        data: bytes | memoryview = window
        while True:
            left = declared - self._inflated
            cap = min(left + 1, OUT_CAP)
            out = inflater.decompress(data, cap)
            if len(out) > left:
                where = self._current[0]
                raise PackFormatError(f"object at {where} inflates past its declared {declared} bytes")
            if out:
                self._inflated += len(out)
                if self._hash is not None:
                    self._hash.update(out)
                    if self._held is not None:
                        self._held.append(out)
                    elif self._check is not None:
                        assert self.checks is not None
                        self.checks.feed(self._check, out, self._current[4], self._where())
                elif self._delta_head is not None:
                    self._read_delta_sizes(self._delta_head + out[:_DELTA_HEADER])
            if inflater.eof:
                return len(window) - len(inflater.unused_data), True
            data = inflater.unconsumed_tail
            if not data and len(out) < cap:
                return len(window), False

    def _read_delta_sizes(self, head: bytes) -> None:
        sizes = delta_sizes(head)
        if sizes is None:
            if len(head) >= _DELTA_HEADER:
                raise PackFormatError(f"delta at {self._where()} has no valid header")
            self._delta_head = head
            return
        self._delta_head = None
        self._result_size = sizes[1]
        self._count_inflated(sizes[1], delta=True)

    def _count_inflated(self, size: int, *, delta: bool = False) -> None:
        """Refuse an object (or delta result) of `size` past the limits, before it is made."""
        limits = self.limits
        if size > limits.max_object_size:
            raise ObjectTooLarge(size, limits.max_object_size, delta=delta)
        self.inflated_total += size
        if self.inflated_total > limits.max_inflated_size:
            raise InflatedTooLarge(limits.max_inflated_size)

    def _where(self) -> str:
        assert self._current is not None
        return f"at offset {self._current[0]} of the pack"

    def _header_fits(self, buf: bytes, pos: int) -> bool:
        return _parse_object_header(buf, pos) is not None

    def _whole_here(self, buf: bytes, view: memoryview, pos: int) -> int | None:
        """Record the object at `pos` in one step when `buf` holds all of it and nothing about
        it needs the general path (`_start_object`, `_inflate`, `_end_object`: a large object,
        one past a limit or malformed, a tree or commit checked as it inflates); where it
        ends, else None with nothing recorded. Most objects of a pack are small and whole in
        the chunk that brings them: a call for each was most of the scan's CPU."""
        parsed = _parse_object_header(buf, pos)
        if parsed is None:
            return None
        type_num, size, base, header_len = parsed
        offset = self._base + pos
        limits = self.limits
        room = limits.max_inflated_size - self.inflated_total
        if size > min(OUT_CAP, limits.max_object_size, room):
            return None
        if type_num == OFS_DELTA:
            assert isinstance(base, int)
            if base <= 0 or base > offset:
                return None
            base = offset - base
        start = pos + header_len
        window = view[start : start + size + (size >> 10) + 64]
        inflater = zlib.decompressobj()
        out = inflater.decompress(window, size + 1)
        if not inflater.eof or len(out) != size:
            return None  # the object goes on in the next chunk, or is malformed: the general path says how
        used = len(window) - len(inflater.unused_data)
        result_size = 0
        oid = None
        if type_num in WHOLE_TYPES:
            oid = hashlib.sha1(object_header(type_num, size) + out).digest()
            if self.checks is not None and type_num in CHECKED_TYPES:
                self.checks.check_whole(type_num, out, oid.hex())
        else:
            sizes = delta_sizes(out[:_DELTA_HEADER])
            if sizes is None:
                return None
            result_size = sizes[1]
        self.inflated_total += size
        if result_size:
            self._count_inflated(result_size, delta=True)
        crc = zlib.crc32(window[:used], zlib.crc32(view[pos:start]))
        self._record(offset, offset + header_len, type_num, size, result_size, crc, oid, base)
        return start + used

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
        if size > self.limits.max_object_size or self.inflated_total + size > self.limits.max_inflated_size:
            self._count_inflated(size)
        self.inflated_total += size
        self._current = (offset, offset + header_len, size, base, type_num)
        self._crc = zlib.crc32(view[pos : pos + header_len])
        self._inflater = zlib.decompressobj()
        self._inflated = 0
        whole = type_num in WHOLE_TYPES
        self._hash = hashlib.sha1(object_header(type_num, size)) if whole else None
        self._delta_head = None if whole else b""
        self._result_size = 0
        self._check = self._held = None
        if whole and self.checks is not None and type_num in CHECKED_TYPES:
            if size <= _HOLD_TO_CHECK:
                self._held = []
            else:
                self._check = self.checks.start(type_num)

    def _end_object(self) -> None:
        assert self._current is not None
        offset, data_start, size, base, type_num = self._current
        if self._inflated != size:
            raise PackFormatError(f"object at {offset} inflates to {self._inflated}, not {size}")
        if self._delta_head is not None:
            raise PackFormatError(f"delta {self._where()} ends before its header does")
        oid = self._hash.digest() if self._hash is not None else None
        if self._held is not None:
            assert self.checks is not None and oid is not None
            data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
            self.checks.check_whole(type_num, data, oid.hex())
            self._held = None
        elif self._check is not None:
            assert self.checks is not None and oid is not None
            self.checks.verify(self._check, type_num, oid.hex())
            self._check = None
        self._record(offset, data_start, type_num, size, self._result_size, self._crc, oid, base)
        self._inflater = None
        self._current = None
        self._hash = None

    def _record(
        self,
        offset: int,
        data_start: int,
        type_num: int,
        size: int,
        result_size: int,
        crc: int,
        oid: bytes | None,
        base: int | bytes | None,
    ) -> None:
        """Append a complete object's facts (`base`: an OFS_DELTA's base offset, a REF_DELTA's id)."""
        objects = self.objects
        index = len(objects.offsets)
        objects.offsets.append(offset)
        objects.data_starts.append(data_start)
        objects.types.append(type_num)
        objects.sizes.append(size)
        objects.result_sizes.append(result_size)
        objects.crcs.append(crc)
        objects.ids.append(oid)
        if isinstance(base, int):
            offsets = objects.offsets
            at = bisect_left(offsets, base, 0, index)  # the offsets ascend: objects in pack order
            if at < index and offsets[at] == base:
                objects.ofs_deltas.append(index)
                objects.ofs_bases.append(at)
        elif isinstance(base, bytes):
            objects.ref_children.setdefault(base, []).append(index)
