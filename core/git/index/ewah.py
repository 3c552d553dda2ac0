"""git's EWAH bitmaps, as index extensions store them (`FSMN`'s dirty bits, `link`'s
delete and replace bits).

Serialised as git's `ewah/ewah_io.c` does: the bit count, the number of 64-bit
words, the words (each run-length word says how many all-zero or all-one
words it stands for and how many literal words follow it), then the index of
the last run-length word. Decoding is dulwich's `EWAHBitmap`, which reads the
same layout and iterates the bits as git's `ewah_each_bit` does; encoding is
here because dulwich writes 0 for the last run-length word's index.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from dulwich.bitmap import EWAHBitmap

_HEADER = struct.Struct(">II")
_ALL = (1 << 64) - 1
_MAX_RUN = (1 << 32) - 1
_MAX_LITERALS = (1 << 31) - 1


class EwahError(ValueError):
    pass


def read_ewah(data: bytes, offset: int = 0) -> tuple[frozenset[int], int]:
    """The set bits of the bitmap at `offset`, and the offset just past it."""
    if len(data) - offset < _HEADER.size:
        raise EwahError("bitmap cut short before its header")
    _bits, words = _HEADER.unpack_from(data, offset)
    end = offset + _HEADER.size + 8 * words + 4
    if end > len(data):
        raise EwahError("bitmap cut short")
    try:
        bitmap = EWAHBitmap(data[offset:end])
    except ValueError as exc:
        raise EwahError(str(exc)) from None
    return frozenset(bitmap.bits), end


def ewah_bytes(positions: Iterable[int]) -> bytes:
    """The bitmap with exactly `positions` set; its bit count is the last one plus one, as
    git's `ewah_set` leaves it."""
    bits = sorted(set(positions))
    size = bits[-1] + 1 if bits else 0
    words = [0] * ((size + 63) // 64)
    for bit in bits:
        words[bit >> 6] |= 1 << (bit & 63)
    out: list[int] = []
    last_rlw = 0
    i = 0
    while i < len(words) or not out:
        fill = _ALL if i < len(words) and words[i] == _ALL else 0
        run = 0
        while i < len(words) and words[i] == fill and run < _MAX_RUN:
            run += 1
            i += 1
        start = i
        while i < len(words) and words[i] not in (0, _ALL) and i - start < _MAX_LITERALS:
            i += 1
        last_rlw = len(out)
        out.append((fill & 1) | run << 1 | (i - start) << 33)
        out.extend(words[start:i])
    return _HEADER.pack(size, len(out)) + struct.pack(f">{len(out)}Q", *out) + struct.pack(">I", last_rlw)
