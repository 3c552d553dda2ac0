"""The `FSMN` extension: the file-system monitor's token and which entries git had not
vouched for then.

Each bit of its bitmap is one index entry by position; an entry whose bit is clear is
one git will not even lstat until the monitor names it as changed since the token.
A rewritten index whose entries moved must not carry the old bitmap: a clear bit
would then vouch for some other path (a file inserted before `a.txt` made git take an
edited `a.txt` as clean, and the next `git checkout` overwrote it). git's
`unpack_trees` keeps the token and each kept entry's own validity, and a new or
rewritten entry is not valid (fsmonitor.c `fill_fsmonitor_bitmap` then lays the bits
out in the new order); that is what `rewritten` does, by path.
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.git.index.ewah import EwahError, ewah_bytes, read_ewah

SIGNATURE = b"FSMN"
_VERSION_1 = 1  # the token is a 64-bit time in nanoseconds
_VERSION_2 = 2  # the token is an opaque NUL-terminated string


class FsmonitorError(ValueError):
    pass


@dataclass(frozen=True)
class Fsmonitor:
    token: bytes
    dirty: frozenset[bytes]  # paths whose entries were not valid when git wrote the index


def parse_fsmonitor(data: bytes, order: Sequence[bytes]) -> Fsmonitor:
    """The extension of an index whose entries, in file order, have the names `order`."""
    if len(data) < 9:
        raise FsmonitorError("fsmonitor extension too short")
    (version,) = struct.unpack_from(">I", data, 0)
    if version == _VERSION_1:
        token, pos = b"%d" % struct.unpack_from(">Q", data, 4)[0], 12
    elif version == _VERSION_2:
        end = data.find(b"\x00", 4)
        if end < 0:
            raise FsmonitorError("fsmonitor token without its end")
        token, pos = data[4:end], end + 1
    else:
        raise FsmonitorError(f"fsmonitor extension version {version}")
    if len(data) < pos + 4:
        raise FsmonitorError("fsmonitor extension too short")
    (size,) = struct.unpack_from(">I", data, pos)
    try:
        bits, end = read_ewah(data, pos + 4)
    except EwahError as exc:
        raise FsmonitorError(str(exc)) from None
    if end != pos + 4 + size:
        raise FsmonitorError("fsmonitor bitmap size does not match")
    return Fsmonitor(token, frozenset(order[bit] for bit in bits if bit < len(order)))


def rewritten(fsmonitor: Fsmonitor, order: Sequence[bytes], changed: Collection[bytes]) -> bytes:
    """The extension for an index whose entries are now `order`: same token; an entry is
    dirty if it was, or if its path was added, removed or rewritten (`changed`)."""
    dirty = fsmonitor.dirty
    bits = ewah_bytes(i for i, name in enumerate(order) if name in dirty or name in changed)
    head = struct.pack(">I", _VERSION_2) + fsmonitor.token + b"\x00"
    return head + struct.pack(">I", len(bits)) + bits
