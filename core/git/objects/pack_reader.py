"""Objects read straight from a repository's packs, through a delta base cache as git's.

A tree of a real project is stored as a delta, often fifteen deep (git's
`pack.depth` is 50); reading one through dulwich's `get_raw` costs a Python
call stack per link of its chain (`unpack_object_at`, `read_zlib_chunks_at`,
`resolve_object`, the LRU's bookkeeping): about 0.4 ms a tree. A fast-forward
over 300 commits of real shape walks about 2,500 trees on both sides, so most
of its time went there (`bench.real_fetch --profile`). Here one pack entry is
one header parse, one `zlib.decompress` of its mapped bytes and dulwich's
compiled `apply_delta`, and every object a chain passes through is kept (up to
`CACHE_BYTES`), so the next tree of the same directory starts from its base.
The pages of a pack and its index read through their mappings are handed back
every `RELEASE_EVERY` bytes of pages read (`madvise(MADV_DONTNEED)`), so a
checkout's resident set does not grow with the part of the pack it read.

Loose objects, and anything not in a pack when the reader was made, are read
through the store as before. Reads are for one thread (one `PackReader` per
walk; the packs' mappings are dulwich's own).
"""

from __future__ import annotations

import mmap
import zlib
from collections import OrderedDict
from typing import NamedTuple

from dulwich.object_store import BaseObjectStore, PackBasedObjectStore
from dulwich.objects import ObjectID, RawObjectID
from dulwich.pack import OFS_DELTA, REF_DELTA, Pack, apply_delta

__all__ = ["PackEntry", "PackReader", "entry_header", "offset_varint"]

CACHE_BYTES = 32 << 20
RELEASE_EVERY = 4 << 20  # bytes of pages read through the packs' mappings between two releases
_PAGE = mmap.PAGESIZE
_MAX_CHAIN = 10_000  # git's own packs stop at 4,095; a longer chain is a broken pack


class PackEntry(NamedTuple):
    """An object's place in one of a `PackReader`'s packs."""

    pack: Pack
    offset: int
    number: int  # the pack's place in the reader's list


class PackReader:
    """`raw(sha)` as `(type_num, content)`, like `BaseObjectStore.get_raw`."""

    def __init__(self, store: BaseObjectStore, cache_bytes: int = CACHE_BYTES) -> None:
        self._store = store
        self._packs: list[Pack] = list(store.packs) if isinstance(store, PackBasedObjectStore) else []
        self._cache: OrderedDict[tuple[int, int], tuple[int, bytes]] = OrderedDict()
        self._cached = 0
        self._limit = cache_bytes
        self._last = 0  # the pack the last object was found in: asked first, as git's `last_found_pack`
        self._mapped_read = 0  # bytes read through the packs' mappings since they were last released

    def raw(self, sha: ObjectID) -> tuple[int, bytes]:
        located = self._locate(sha)
        if located is None:
            return self._store.get_raw(sha)
        return self._resolve(*located)

    def entry(self, sha: ObjectID) -> PackEntry | None:
        """Where `sha` is in this reader's packs; None: in none of them (loose, or in a pack
        newer than the reader). Read it with `raw_at`, without looking it up again."""
        located = self._locate(sha)
        return None if located is None else PackEntry(self._packs[located[0]], located[1], located[0])

    def raw_at(self, entry: PackEntry) -> tuple[int, bytes]:
        """`raw` of the object at `entry` (from `entry`)."""
        return self._resolve(entry.number, entry.offset)

    def _resolve(self, number: int, offset: int) -> tuple[int, bytes]:
        """The object at `offset` of pack `number`: its chain walked down to something
        whole or cached, then the deltas applied back up, each result kept."""
        chain: list[tuple[int, int, bytes]] = []  # (pack, offset, delta) from the top down
        where = (number, offset)
        while True:
            found = self._cache.get(where)
            if found is not None:
                self._cache.move_to_end(where)
                type_num, data = found
                break
            pack_number, at = where
            kind, payload, base = self._entry(pack_number, at)
            if kind not in (OFS_DELTA, REF_DELTA):
                type_num, data = kind, payload
                self._keep(where, type_num, data)
                break
            chain.append((pack_number, at, payload))
            if len(chain) > _MAX_CHAIN:
                raise KeyError(f"a delta chain longer than {_MAX_CHAIN} at offset {offset}")
            if isinstance(base, int):
                where = (pack_number, base)
            else:
                assert base is not None
                located = self._locate(RawObjectID(base))
                if located is None:  # a base outside the packs: whole from the store
                    type_num, data = self._store.get_raw(RawObjectID(base))
                    break
                where = located
        for pack_number, at, delta in reversed(chain):
            data = b"".join(apply_delta(data, delta))
            self._keep((pack_number, at), type_num, data)
        return type_num, data

    def _locate(self, sha: ObjectID | RawObjectID) -> tuple[int, int] | None:
        """(pack number, offset) of `sha`, hex or raw; None: in none of the packs. The pack
        of the last hit is asked first: the objects of one walk or one checkout (a fetch's
        new trees and blobs) mostly sit in the same pack, so the others' indexes are not
        searched (and missed) for each."""
        packs = self._packs
        if not packs:
            return None
        last = self._last
        try:
            return last, packs[last].index.object_offset(sha)
        except KeyError:
            pass
        for number, pack in enumerate(packs):
            if number == last:
                continue
            try:
                offset = pack.index.object_offset(sha)
            except KeyError:
                continue
            self._last = number
            return number, offset
        return None

    def _entry(self, number: int, offset: int) -> tuple[int, bytes, int | bytes | None]:
        """(type, inflated payload, delta base: an offset, a raw id or None) at `offset`."""
        pack = self._packs[number]
        kind, size, pos, base = entry_header(pack, offset)
        buf = pack.data._buffer()
        inflater = zlib.decompressobj()
        pieces, window = [], max(size + 64, 4096)
        while not inflater.eof:
            piece = buf[pos : pos + window]
            if not piece:
                break
            pos += len(piece)
            pieces.append(inflater.decompress(piece))
        data = b"".join(pieces)
        if len(data) != size:
            raise KeyError(f"pack entry at offset {offset} does not inflate to its {size} bytes")
        self._mapped_read += (pos // _PAGE - offset // _PAGE + 1) * _PAGE  # the pages it touched
        if self._mapped_read > RELEASE_EVERY:
            self._release_pages()
        return kind, data, base

    def _release_pages(self) -> None:
        """Drop the pages of the packs' mappings from this process's resident set: every page
        read counts in it until then (47 MiB of a 251,539-object clone's 121 MiB when its
        checkout began). They stay in the page cache; reading one again maps it back."""
        self._mapped_read = 0
        if not hasattr(mmap, "MADV_DONTNEED"):
            return
        for pack in self._packs:
            for mapped in (pack.data._buffer(), getattr(pack.index, "_contents", None)):
                if isinstance(mapped, mmap.mmap):
                    mapped.madvise(mmap.MADV_DONTNEED)

    def _keep(self, where: tuple[int, int], type_num: int, data: bytes) -> None:
        if len(data) > self._limit // 4:
            return
        self._cache[where] = (type_num, data)
        self._cached += len(data)
        while self._cached > self._limit:
            _, (_, dropped) = self._cache.popitem(last=False)
            self._cached -= len(dropped)


def entry_header(pack: Pack, offset: int) -> tuple[int, int, int, int | bytes | None]:
    """The pack entry at `offset`: (type, size, where its zlib data starts, its delta base:
    an offset for OFS_DELTA, a raw id for REF_DELTA, else None)."""
    buf = pack.data._buffer()
    byte = buf[offset]
    kind, size, shift, pos = (byte >> 4) & 7, byte & 0x0F, 4, offset + 1
    while byte & 0x80:
        byte = buf[pos]
        size |= (byte & 0x7F) << shift
        shift += 7
        pos += 1
    base: int | bytes | None = None
    if kind == OFS_DELTA:
        back, pos = offset_varint(buf, pos)
        base = offset - back
    elif kind == REF_DELTA:
        base = bytes(buf[pos : pos + 20])
        pos += 20
    return kind, size, pos, base


def offset_varint(data: bytes | mmap.mmap, pos: int) -> tuple[int, int]:
    """Git's offset varint (an OFS_DELTA's distance back, an index v4 name's bytes to drop),
    where each continuation adds one before shifting; (value, position after it)."""
    byte = data[pos]
    value = byte & 0x7F
    pos += 1
    while byte & 0x80:
        byte = data[pos]
        value = ((value + 1) << 7) | (byte & 0x7F)
        pos += 1
    return value, pos
