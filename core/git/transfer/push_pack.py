"""The pack a push sends: only the objects the remote lacks, counted as they go out.

The haves are what the remote advertised (where the object is local) plus the
tips of this remote's tracking refs: after someone else pushed, the remote's
new tip is unknown here, but the tracking ref still names a commit the remote
has, so the pack leaves out everything below it.

Each entry is compressed here, one at a time, as the transport asks for it,
and handed on ready-made (dulwich writes an entry's `comp_chunks` verbatim).
That is how the bytes that go out are counted exactly on every transport, the
in-process local one included. Deltas reused from local packs go out as
REF_DELTA (a few bytes more than OFS_DELTA; never a different object count).

A blob above `blob_read.LARGE` never passes through dulwich whole: its entry
is compressed from `blob_content`'s pieces as the transport reads it (a
200 MiB file pushed adds a few MiB of memory, where dulwich's
`full_unpacked_object` held the content and its compressed copy).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Set

from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.object_store import PackBasedObjectStore
from dulwich.objects import Blob, ObjectID, hex_to_sha
from dulwich.pack import (
    REF_DELTA,
    PackHint,
    UnpackedObject,
    generate_unpacked_objects,
    pack_object_chunks,
    pack_object_header,
)
from dulwich.repo import Repo

from core.git.objects.blob_read import LARGE, StreamedBlob, blob_content, blob_size, packs_hold_large
from core.git.progress import Phase, TransferProgress
from core.git.transfer.push_objects import ObjectsToSend

PACK_HEADER_BYTES = 12
PACK_TRAILER_BYTES = 20
REUSE_DELTAS_SHARE = 20  # reuse stored deltas when sending at least 1/20 of the packed objects


class OutgoingPack:
    """Dulwich's `generate_pack_data` for one push, counting what it hands out.

    `objects_sent` and `bytes_sent` count the entries the transport actually
    took (a transport that fails half-way reports the half), `pack_ms` the time
    spent finding the missing objects and compressing them.
    """

    def __init__(self, repo: Repo, report: Callable[[TransferProgress], None]) -> None:
        self._repo = repo
        self._extra_haves: set[ObjectID] = set()
        self._found: tuple[frozenset[ObjectID], frozenset[ObjectID], ObjectsToSend] | None = None
        self._report = report
        self.total = 0
        self.objects_sent = 0
        self.bytes_sent = 0
        self.pack_ms = 0.0

    def offer(self, haves: Iterable[ObjectID]) -> None:
        """Commits the remote has besides those it advertises (this remote's tracking refs)."""
        self._extra_haves.update(haves)

    @property
    def sends_shallow(self) -> bool:
        """Whether the last pack made holds a commit of this shallow clone's boundary."""
        return self._found is not None and self._found[2].sends_shallow

    def objects(self, have: Set[ObjectID], want: Set[ObjectID]) -> ObjectsToSend:
        """The objects the pack for `have` and `want` holds; the walk is made once per pair
        (the LFS upload before the pack looks at the same set)."""
        key_have, key_want = frozenset(have) | self._extra_haves, frozenset(want)
        if self._found is None or self._found[:2] != (key_have, key_want):
            store = self._repo.object_store
            if not isinstance(store, PackBasedObjectStore):
                raise TypeError("push needs an on-disk repository")
            found = ObjectsToSend(store, key_want, key_have, self._repo.get_shallow())
            self._found = (key_have, key_want, found)
        return self._found[2]

    def __call__(
        self,
        have: Set[ObjectID],
        want: Set[ObjectID],
        *,
        ofs_delta: bool = False,
        progress: Callable[[bytes], None] | None = None,
    ) -> tuple[int, Iterator[UnpackedObject]]:
        self._report(TransferProgress(Phase.COUNTING))
        started = time.perf_counter()
        store = self._repo.object_store
        if not isinstance(store, PackBasedObjectStore):
            raise TypeError("push needs an on-disk repository")
        found = self.objects(have, want)
        records = _records(store, found)
        self.pack_ms += (time.perf_counter() - started) * 1000.0
        self.total = len(found.ids)
        self._report(TransferProgress(Phase.PUSHING, 0, self.total, 0))
        return self.total, self._entries(records)

    def _entries(self, records: Iterator[UnpackedObject]) -> Iterator[UnpackedObject]:
        self.bytes_sent += PACK_HEADER_BYTES
        while True:
            started = time.perf_counter()
            unpacked = next(records, None)
            if unpacked is not None and unpacked.comp_chunks is not None:  # a large blob, streamed
                unpacked.comp_chunks = self._counted(unpacked.comp_chunks)  # type: ignore[assignment]
                chunks: list[bytes] = []
            else:
                chunks = _entry_chunks(unpacked) if unpacked is not None else []
                if unpacked is not None:
                    unpacked.comp_chunks = chunks
            self.pack_ms += (time.perf_counter() - started) * 1000.0
            if unpacked is None:
                break
            yield unpacked
            # The transport asks for the next entry only once this one is written.
            self.objects_sent += 1
            self.bytes_sent += sum(len(chunk) for chunk in chunks)
            self._report(TransferProgress(Phase.PUSHING, self.objects_sent, self.total, self.bytes_sent))
        self.bytes_sent += PACK_TRAILER_BYTES
        self._report(TransferProgress(Phase.PUSHING, self.objects_sent, self.total, self.bytes_sent))

    def _counted(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.bytes_sent += len(chunk)
            yield chunk


def _records(store: PackBasedObjectStore, found: ObjectsToSend) -> Iterator[UnpackedObject]:
    """The large blobs streamed first, then the rest as dulwich makes them."""
    large = {oid for oid in found.ids if (blob_size(store, oid) or 0) > LARGE}
    rest = [oid for oid in found.ids if oid not in large]
    yield from (_streamed_entry(store, oid) for oid in large)
    yield from _dulwich_records(store, rest, found)


def _streamed_entry(store: PackBasedObjectStore, oid: ObjectID) -> UnpackedObject:
    """A whole-blob entry whose compressed bytes are made as they are read."""
    blob = blob_content(store, oid)
    size = blob.raw_length()
    entry = UnpackedObject(Blob.type_num, sha=hex_to_sha(oid), decomp_len=size)
    entry.comp_chunks = _compressed(blob, size)  # type: ignore[assignment]
    return entry


def _compressed(blob: Blob | StreamedBlob, size: int) -> Iterator[bytes]:
    yield bytes(pack_object_header(Blob.type_num, None, size, DEFAULT_OBJECT_FORMAT))
    deflate = zlib.compressobj()
    for piece in blob.as_raw_chunks():
        out = deflate.compress(piece)
        if out:
            yield out
    yield deflate.flush()


def _dulwich_records(
    store: PackBasedObjectStore, oids: list[ObjectID], found: ObjectsToSend
) -> Iterator[UnpackedObject]:
    """The objects as pack records, reusing stored deltas only when that pays.

    Dulwich finds reusable deltas by reading every object of every pack (an
    80,000-object repository: 1.5 s; each object inflated whole, so a 200 MiB
    file anywhere in a pack costs 200 MiB), so a push that sends a small share
    of them, or a repository whose packs hold a large blob, sends whole objects
    instead. Nothing is lost for the usual push: new commits are loose
    objects, which have no stored delta to reuse.
    """
    ids: list[tuple[ObjectID, PackHint | None]] = [(oid, None) for oid in oids]
    packed = sum(len(pack) for pack in store.packs)
    reuse = packed > 0 and len(ids) * REUSE_DELTAS_SHARE >= packed and not packs_hold_large(store)
    return generate_unpacked_objects(
        store, ids, reuse_deltas=reuse, ofs_delta=False, other_haves=found.remote_has
    )


def _entry_chunks(unpacked: UnpackedObject) -> list[bytes]:
    """One pack entry, header included, as `PackChunkGenerator` would write it."""
    if unpacked.delta_base is not None:
        base = unpacked.delta_base
        assert isinstance(base, bytes) and len(base) == DEFAULT_OBJECT_FORMAT.oid_length
        raw: list[bytes] | tuple[bytes, list[bytes]] = (base, unpacked.decomp_chunks)
        type_num = REF_DELTA
    else:
        raw = unpacked.decomp_chunks
        type_num = unpacked.pack_type_num
    return list(pack_object_chunks(type_num, raw, DEFAULT_OBJECT_FORMAT))
