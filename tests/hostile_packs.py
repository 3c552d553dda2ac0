"""Packs built byte by byte: what no git would send on its own.

`PackWriter` writes a pack object by object to a file (its checksum kept as it
goes), so a pack whose objects inflate to gigabytes is a few MiB on disk and
never whole in memory. `zeros_stream` is the zlib stream of any number of zero
bytes, made from one compressed megabyte repeated: 4 GiB of zeros is 4 MiB of
stream, built in a moment. `delta` spells delta instructions; `tree_bytes` and
`commit_bytes` write objects exactly as given, malformed if asked.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

COMMIT, TREE, BLOB = 1, 2, 3
OFS_DELTA, REF_DELTA = 6, 7
TYPE_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
MIB = 1 << 20
GIB = 1 << 30
AUTHOR = b"Mallory <m@example.invalid> 1700000000 +0000"


def object_id(type_num: int, data: bytes) -> str:
    return hashlib.sha1(b"%s %d\0%s" % (TYPE_NAMES[type_num], len(data), data)).hexdigest()


def zero_blob_id(size: int) -> str:
    digest = hashlib.sha1(b"blob %d\0" % size)
    block = bytes(MIB)
    for start in range(0, size, MIB):
        digest.update(block[: min(MIB, size - start)])
    return digest.hexdigest()


def _raw_zeros(size: int) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(bytes(size)) + deflate.flush(zlib.Z_FULL_FLUSH)


def zeros_stream(size: int) -> Iterator[bytes]:
    """A zlib stream that inflates to `size` zero bytes. Each megabyte is deflated on its
    own (a full flush: it refers to nothing before it), so one compressed megabyte repeats;
    an empty final block and the Adler-32 of the zeros (A = 1, B = size) end it."""
    yield b"\x78\xda"
    whole, rest = divmod(size, MIB)
    if whole:
        block = _raw_zeros(MIB)
        for _ in range(whole):
            yield block
    if rest:
        yield _raw_zeros(rest)
    yield b"\x03\x00"
    yield struct.pack(">I", ((size % 65521) << 16) | 1)


def entry_header(type_num: int, size: int) -> bytes:
    byte = (type_num << 4) | (size & 15)
    size >>= 4
    out = bytearray()
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


def _offset_varint(distance: int) -> bytes:
    out = [distance & 0x7F]
    distance >>= 7
    while distance:
        distance -= 1
        out.insert(0, 0x80 | (distance & 0x7F))
        distance >>= 7
    return bytes(out)


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def copy(offset: int, size: int) -> bytes:
    """A copy instruction: `size` bytes (1 to 16 MiB - 1, or 64 KiB as 0) from `offset` of the base."""
    op, args = 0x80, bytearray()
    for i in range(4):
        if (offset >> (8 * i)) & 0xFF:
            op |= 1 << i
            args.append((offset >> (8 * i)) & 0xFF)
    encoded = 0 if size == 0x10000 else size
    for i in range(3):
        if (encoded >> (8 * i)) & 0xFF:
            op |= 1 << (4 + i)
            args.append((encoded >> (8 * i)) & 0xFF)
    return bytes([op]) + bytes(args)


def insert(data: bytes) -> bytes:
    return b"".join(bytes([len(data[i : i + 127])]) + data[i : i + 127] for i in range(0, len(data), 127))


def delta(base_size: int, result_size: int, ops: Iterable[bytes]) -> bytes:
    return varint(base_size) + varint(result_size) + b"".join(ops)


def tree_bytes(entries: Iterable[tuple[bytes, bytes, str]]) -> bytes:
    """Entries (mode text, name, hex id) exactly in the order given, unchecked."""
    return b"".join(b"%s %s\0%s" % (mode, name, bytes.fromhex(oid)) for mode, name, oid in entries)


def commit_bytes(tree: str, parents: Iterable[str] = (), message: bytes = b"hostile\n") -> bytes:
    lines = [b"tree " + tree.encode()] + [b"parent " + p.encode() for p in parents]
    lines += [b"author " + AUTHOR, b"committer " + AUTHOR]
    return b"\n".join(lines) + b"\n\n" + message


class PackWriter:
    """A pack of `count` objects written to `path` as they are added; `close` adds the trailer."""

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self._file = path.open("wb")
        self._sha = hashlib.sha1()
        self.offset = 0
        self._write(b"PACK" + struct.pack(">LL", 2, count))

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._sha.update(data)
        self.offset += len(data)

    def raw(self, type_num: int, size: int, stream: Iterable[bytes], base: bytes = b"") -> int:
        """An entry declaring `size`, with `base` after its header and `stream` as its data."""
        at = self.offset
        self._write(entry_header(type_num, size) + base)
        for piece in stream:
            self._write(piece)
        return at

    def whole(self, type_num: int, data: bytes) -> int:
        return self.raw(type_num, len(data), [zlib.compress(data)])

    def ofs_delta(self, base_offset: int, instructions: bytes) -> int:
        distance = self.offset - base_offset
        return self.raw(OFS_DELTA, len(instructions), [zlib.compress(instructions)], _offset_varint(distance))

    def ref_delta(self, base_id: str, instructions: bytes) -> int:
        return self.raw(REF_DELTA, len(instructions), [zlib.compress(instructions)], bytes.fromhex(base_id))

    def close(self) -> Path:
        self._file.write(self._sha.digest())
        self._file.close()
        return self.path
