"""Applying a received delta without holding what it expands to.

dulwich's `apply_delta` (C) takes the whole base and the whole delta and
returns the whole result: right for the small objects most deltas make, but
its memory is the result's size, and a pack decides that size. Here a delta is
read as a stream of instructions and its result handed on in pieces (at most
`PIECE` bytes), so memory stays at one piece whatever the result's size; a
base too large to hold is kept in a temporary file (`SpilledBase`, deleted
when closed, and never visible on POSIX) and its copy instructions read it by
range. Every instruction is checked against the sizes the delta declares:
copying past the end of the base, or producing a byte past the declared
result size, ends it with `DeltaError` at once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from typing import BinaryIO, Protocol

PIECE = 1 << 20  # bytes of result handed on at a time
_COPY_ZERO = 0x10000  # a copy instruction of size 0 copies 64 KiB

Sink = Callable[[bytes], object]


class DeltaError(Exception):
    """The delta does not apply: the message says where it goes wrong."""


class Base(Protocol):
    size: int

    def read(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


class HeldBase:
    """A base held in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]

    def close(self) -> None:
        self.data = b""


class SpilledBase:
    """A base written to an anonymous temporary file in `directory`, read back by range."""

    def __init__(self, directory: str) -> None:
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory, prefix="tmp_pack_base_")  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    def done(self) -> SpilledBase:
        self._file.flush()
        return self

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self._file.fileno(), length, offset)

    def close(self) -> None:
        self._file.close()


def spill(directory: str, pieces: Iterable[bytes]) -> SpilledBase:
    base = SpilledBase(directory)
    try:
        for piece in pieces:
            base.write(piece)
    except BaseException:
        base.close()
        raise
    return base.done()


class DeltaStream:
    """One delta's instructions (the bytes after its two size varints), fed in any pieces;
    the result goes to `sink`. `finish` checks that exactly `result_size` bytes came."""

    def __init__(self, base: Base, result_size: int, sink: Sink) -> None:
        self._base = base
        self._result_size = result_size
        self._sink = sink
        self.produced = 0
        self._out = bytearray()  # small pieces (inserts, short copies) gathered up to PIECE
        self._pending = b""  # an instruction split between two pieces
        self._insert_left = 0  # literal bytes still due to the current insert instruction

    def feed(self, data: bytes) -> None:
        if self._pending:
            data = self._pending + data
            self._pending = b""
        pos, end = 0, len(data)
        while pos < end:
            if self._insert_left:
                take = min(self._insert_left, end - pos)
                self._emit(data[pos : pos + take])
                self._insert_left -= take
                pos += take
                continue
            op = data[pos]
            if op & 0x80:
                length = 1 + bin(op & 0x7F).count("1")
                if end - pos < length:
                    self._pending = data[pos:]
                    return
                self._copy(op, data[pos + 1 : pos + length])
                pos += length
            elif op:
                self._insert_left = op
                pos += 1
            else:
                raise DeltaError("the delta holds an invalid instruction (0)")

    def finish(self) -> None:
        self._flush()
        if self._pending or self._insert_left:
            raise DeltaError("the delta ends inside an instruction")
        if self.produced != self._result_size:
            raise DeltaError(
                f"the delta makes {self.produced} bytes, not the {self._result_size} it declares"
            )

    def _copy(self, op: int, args: bytes) -> None:
        offset = size = 0
        i = 0
        for bit in range(4):
            if op & (1 << bit):
                offset |= args[i] << (8 * bit)
                i += 1
        for bit in range(3):
            if op & (1 << (4 + bit)):
                size |= args[i] << (8 * bit)
                i += 1
        size = size or _COPY_ZERO
        if offset + size > self._base.size:
            raise DeltaError(f"the delta copies past the end of its {self._base.size}-byte base")
        while size:
            piece = min(size, PIECE)
            self._emit(self._base.read(offset, piece))
            offset += piece
            size -= piece

    def _emit(self, data: bytes) -> None:
        self.produced += len(data)
        if self.produced > self._result_size:
            raise DeltaError(f"the delta expands past the {self._result_size} bytes it declares")
        self._out += data
        if len(self._out) >= PIECE:
            self._flush()

    def _flush(self) -> None:
        if self._out:
            self._sink(bytes(self._out))
            self._out = bytearray()
