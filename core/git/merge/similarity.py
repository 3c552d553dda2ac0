"""How similar two blobs are, scored the way git's rename detection scores them.

git (diffcore-delta.c) cuts each blob into chunks that end at a newline or
after 64 bytes, whichever comes first (bytes after the last full chunk are
not counted; in a text blob a CR before an LF is skipped), hashes every chunk
into one of 107,927 buckets and counts the bytes per bucket. The bytes "copied"
from the source are, bucket by bucket, the smaller of the two counts; the
score is those bytes over the larger blob's size, out of 60,000 (`MAX_SCORE`:
50% is 30,000, git's default threshold). A pair whose sizes differ more than
the threshold allows is scored 0 without reading the chunks, and only regular
files are scored (a symlink is renamed only when it is identical).

The chunk hash is git's, bit for bit (two 32-bit accumulators, which together
rotate as one 64-bit value), so equal buckets mean what they mean to git; the
per-blob counts are kept, since one blob is compared against many.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from dulwich.objects import ObjectID

MAX_SCORE: Final = 60000
DEFAULT_SCORE: Final = 30000  # 50%
_HASHBASE: Final = 107927
_CHUNK: Final = 64
_BINARY_PROBE: Final = 8000
_M64: Final = (1 << 64) - 1
_M32: Final = (1 << 32) - 1

Entry = tuple[int, ObjectID]  # (mode, id)


@dataclass(frozen=True, slots=True)
class Signature:
    size: int
    buckets: dict[int, int]  # bucket -> bytes in chunks hashed there


def signature(data: bytes, memo: dict[bytes, int] | None = None) -> Signature:
    """`data`'s chunk counts (`memo`: chunk -> bucket, shared between blobs)."""
    memo = {} if memo is None else memo
    text = b"\0" not in data[:_BINARY_PROBE]
    body = data.replace(b"\r\n", b"\n") if text and b"\r\n" in data else data
    buckets: dict[int, int] = {}
    for line in body.split(b"\n")[:-1]:
        _count(line + b"\n", buckets, memo)
    tail = body[body.rfind(b"\n") + 1 :]
    whole = len(tail) - len(tail) % _CHUNK
    if whole:
        _count(tail[:whole], buckets, memo)
    return Signature(len(data), buckets)


def _count(line: bytes, buckets: dict[int, int], memo: dict[bytes, int]) -> None:
    """Add `line` (ending in a newline, or a multiple of 64 bytes) cut into chunks."""
    for start in range(0, len(line), _CHUNK):
        chunk = line[start : start + _CHUNK]
        bucket = memo.get(chunk)
        if bucket is None:
            bucket = memo[chunk] = _bucket(chunk)
        buckets[bucket] = buckets.get(bucket, 0) + len(chunk)


def _bucket(chunk: bytes) -> int:
    accum = 0  # accum1 in the high 32 bits, accum2 in the low ones
    for byte in chunk:
        accum = ((((accum << 7) | (accum >> 57)) & _M64) + (byte << 32)) & _M64
    high, low = accum >> 32, accum & _M32
    return ((high + low * 0x61) & _M32) % _HASHBASE


def copied(source: Signature, destination: Signature) -> int:
    """Bytes of `destination` that `source` accounts for (git's `src_copied`)."""
    small, large = (
        (source.buckets, destination.buckets)
        if len(source.buckets) <= len(destination.buckets)
        else (destination.buckets, source.buckets)
    )
    return sum(min(count, large[bucket]) for bucket, count in small.items() if bucket in large)


class Similarity:
    """Scores blob pairs, reading each blob's size once and hashing it at most once:
    a pair the size check rejects costs no hashing."""

    def __init__(self, read: Callable[[ObjectID], bytes]) -> None:
        self._read = read
        self._sizes: dict[ObjectID, int] = {}
        self._signatures: dict[ObjectID, Signature] = {}
        self._memo: dict[bytes, int] = {}

    def size(self, blob: ObjectID) -> int:
        found = self._sizes.get(blob)
        if found is None:
            found = self._sizes[blob] = len(self._read(blob))
        return found

    def signature(self, blob: ObjectID) -> Signature:
        found = self._signatures.get(blob)
        if found is None:
            found = self._signatures[blob] = signature(self._read(blob), self._memo)
            self._sizes[blob] = found.size
        return found

    def score(self, source: Entry, destination: Entry, minimum: int) -> int:
        """git's `estimate_similarity`: 0 to `MAX_SCORE`."""
        if not (stat.S_ISREG(source[0]) and stat.S_ISREG(destination[0])):
            return 0
        src_size, dst_size = self.size(source[1]), self.size(destination[1])
        larger, smaller = max(src_size, dst_size), min(src_size, dst_size)
        if larger * float(MAX_SCORE - minimum) < (larger - smaller) * float(MAX_SCORE):
            return 0
        if not dst_size:
            return 0
        both = copied(self.signature(source[1]), self.signature(destination[1]))
        return int(both * float(MAX_SCORE) / larger)
