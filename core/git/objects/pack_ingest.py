"""Receive a pack into the object store the way `git index-pack` does.

The bytes go straight to `objects/pack/tmp_pack_*` (no spooling in memory)
while `PackScanner` parses them. `commit` then resolves the deltas (each
delta inflated once, each base once per chain), completes a thin pack with
the local bases it refers to, writes the `.idx` and renames both into place,
pack first and index last, so a reader never sees a pack without its index.
`abort` (or any failure in `commit`) removes every temporary file.

Unlike dulwich's `add_thin_pack`, this does not parse every object a third
time after indexing: like git (`transfer.fsckObjects` off by default) it
trusts object contents once ids, sizes and the pack checksum are verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from dulwich.object_store import DiskObjectStore
from dulwich.objects import sha_to_hex
from dulwich.pack import apply_delta, extend_pack

from core.git.objects.pack_scan import (
    WHOLE_TYPES,
    PackFormatError,
    PackScanner,
    ScannedObjects,
    object_header,
)
from core.git.progress import Phase, ProgressSink, TransferProgress

TMP_PREFIX = "tmp_pack_"
STALE_TMP_SECONDS = 3600.0
_BLOB = 3
_PROGRESS_EVERY = 1024

GetRaw = Callable[[bytes], tuple[int, bytes]]


@dataclass(frozen=True)
class ReceivedPack:
    name: str  # pack-<checksum>, as in objects/pack/<name>.pack
    objects: int  # objects sent by the remote (before completing a thin pack)
    bytes: int


class PackTooLarge(Exception):
    """The remote sent more than `limit` bytes of pack; what came is discarded."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the pack is larger than the limit of {size_text(limit)} (setting max_pack_size)")
        self.limit = limit


def size_text(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"


class IncomingPack:
    """A pack being received. Use `write` as the pack-data callback, then `commit` or `abort`.

    More than `max_bytes` is refused before it reaches the disk."""

    def __init__(
        self, store: DiskObjectStore, progress: ProgressSink | None = None, *, max_bytes: int | None = None
    ) -> None:
        self._store = store
        self._progress = progress
        self._max_bytes = max_bytes
        remove_stale_temporaries(str(store.pack_dir))
        fd, self._path = tempfile.mkstemp(dir=store.pack_dir, prefix=TMP_PREFIX)
        self._file: BinaryIO = os.fdopen(fd, "w+b")
        self._scanner = PackScanner()
        self._closed = False

    @property
    def objects_received(self) -> int:
        return self._scanner.count

    @property
    def bytes_received(self) -> int:
        return self._scanner.bytes_seen

    @property
    def started(self) -> bool:
        return self._scanner.bytes_seen > 0

    def write(self, data: bytes) -> int:
        try:
            if self._max_bytes is not None and self._scanner.bytes_seen + len(data) > self._max_bytes:
                raise PackTooLarge(self._max_bytes)
            self._file.write(data)
            self._scanner.feed(data)
        except BaseException:
            self.abort()
            raise
        if self._progress is not None:
            scanner = self._scanner
            self._progress(
                TransferProgress(Phase.RECEIVING, scanner.count, scanner.total, scanner.bytes_seen)
            )
        return len(data)

    def commit(self) -> ReceivedPack | None:
        """Index the received pack and move it into the store; None if nothing came."""
        try:
            if not self.started:
                self.abort()
                return None
            return self._commit()
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if not self._closed:
            self._closed = True
            self._file.close()
        for path in (self._path, self._path + ".idx"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def _commit(self) -> ReceivedPack:
        trailer = self._scanner.finish()
        objects = self._scanner.objects
        self._file.flush()
        with mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            resolver = DeltaResolver(memoryview(mapped), objects, self._scanner.trailer_offset, self._get_raw)
            try:
                external = resolver.run(self._progress)
            finally:
                resolver.release()
        entries = list(zip(objects.ids, objects.offsets, objects.crcs, strict=True))
        checksum = trailer
        if external:
            checksum, extra = extend_pack(
                self._file,
                external,  # type: ignore[arg-type]
                get_raw=self._store.get_raw,
                object_format=self._store.object_format,
            )
            entries.extend(extra)
        if self._progress is not None:
            self._progress(TransferProgress(Phase.INDEXING, len(objects), len(objects)))
        name = self._move_in(entries, checksum)
        return ReceivedPack(name, len(objects), self._scanner.bytes_seen)

    def _get_raw(self, oid: bytes) -> tuple[int, bytes]:
        return self._store.get_raw(sha_to_hex(oid))  # type: ignore[arg-type]

    def _move_in(self, entries: list[tuple[bytes | None, int, int]], checksum: bytes) -> str:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._closed = True
        return install_pack(str(self._store.pack_dir), self._path, entries, checksum)


def install_pack(
    pack_dir: str,
    tmp_pack: str,
    entries: list[tuple[bytes | None, int, int]],
    checksum: bytes,
) -> str:
    """Move the complete, synced pack at `tmp_pack` in as `pack-<checksum>`, its index written
    beside it first; pack first and index last, so no reader finds an index without its pack.
    When that very pack is already there, the temporaries are removed instead. Its name."""
    name = "pack-" + checksum.hex()
    base = os.path.join(pack_dir, name)
    tmp_idx = tmp_pack + ".idx"
    with open(tmp_idx, "wb") as f:
        f.write(pack_index_v2(entries, checksum))
        f.flush()
        os.fsync(f.fileno())
    for path in (tmp_pack, tmp_idx):
        os.chmod(path, 0o444)
    if os.path.exists(base + ".pack") and os.path.exists(base + ".idx"):
        for path in (tmp_pack, tmp_idx):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        return name
    os.replace(tmp_pack, base + ".pack")
    os.replace(tmp_idx, base + ".idx")
    return name


class DeltaResolver:
    """Computes the id of every delta in a scanned pack, base before delta."""

    def __init__(self, data: memoryview, objects: ScannedObjects, end: int, get_raw: GetRaw) -> None:
        self._data = data
        self._objects = objects
        self._end = end
        self._get_raw = get_raw
        self._resolved = 0
        self._deltas = sum(1 for oid in objects.ids if oid is None)

    def release(self) -> None:
        self._data.release()

    def run(self, progress: ProgressSink | None) -> set[bytes]:
        """Resolve all deltas; return the ids of local objects a thin pack deltas against."""
        self._progress = progress
        objects = self._objects
        for index, type_num in enumerate(objects.types):
            if type_num in WHOLE_TYPES:
                children = self._take_children(index)
                if children:
                    self._resolve_chains(children, type_num, self._inflate(index))
        external = self._resolve_thin()
        if objects.ofs_children or objects.ref_children:
            raise PackFormatError(f"{self._deltas - self._resolved} deltas have no base")
        if progress is not None:
            progress(TransferProgress(Phase.RESOLVING, self._resolved, self._deltas))
        return external

    def _resolve_thin(self) -> set[bytes]:
        external = set()
        ref_children = self._objects.ref_children
        for base_id in list(ref_children):
            if base_id not in ref_children:
                continue  # became resolvable inside the pack meanwhile
            try:
                type_num, data = self._get_raw(base_id)
            except KeyError:
                continue
            external.add(base_id)
            self._resolve_chains(ref_children.pop(base_id), type_num, data)
        return external

    def _take_children(self, index: int) -> list[int]:
        objects = self._objects
        children = objects.ofs_children.pop(objects.offsets[index], [])
        oid = objects.ids[index]
        if objects.ref_children and oid in objects.ref_children:
            children = children + objects.ref_children.pop(oid)
        return children

    def _inflate(self, index: int) -> bytes:
        objects = self._objects
        nxt = index + 1
        end = objects.offsets[nxt] if nxt < len(objects.offsets) else self._end
        return zlib.decompress(self._data[objects.data_starts[index] : end])

    def _resolve_chains(self, children: list[int], type_num: int, base: bytes) -> None:
        ids = self._objects.ids
        stack = [(child, base) for child in children]
        while stack:
            index, base_data = stack.pop()
            chunks = apply_delta(base_data, self._inflate(index))
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            if not data and type_num != _BLOB:
                raise PackFormatError(f"delta at {self._objects.offsets[index]} is empty")
            digest = hashlib.sha1(object_header(type_num, len(data)))
            digest.update(data)
            ids[index] = digest.digest()
            stack.extend((child, data) for child in self._take_children(index))
            self._resolved += 1
            if self._progress is not None and self._resolved % _PROGRESS_EVERY == 0:
                self._progress(TransferProgress(Phase.RESOLVING, self._resolved, self._deltas))


def pack_index_v2(entries: list[tuple[bytes | None, int, int]], checksum: bytes) -> bytes:
    """The bytes of a version 2 `.idx` for (id, offset, crc32) entries."""
    entries = sorted(entries, key=lambda entry: entry[0] or b"")
    ids = [oid for oid, _, _ in entries]
    if None in ids:
        raise PackFormatError("unresolved object in pack")
    fanout = [0] * 256
    for oid in ids:
        fanout[oid[0]] += 1  # type: ignore[index]
    running = 0
    for i, count in enumerate(fanout):
        running += count
        fanout[i] = running
    small: list[int] = []
    large: list[int] = []
    for _, offset, _ in entries:
        if offset < 0x80000000:
            small.append(offset)
        else:
            small.append(0x80000000 | len(large))
            large.append(offset)
    count = len(entries)
    body = b"".join(
        [
            b"\377tOc\0\0\0\2",
            struct.pack(">256L", *fanout),
            b"".join(ids),  # type: ignore[arg-type]
            struct.pack(f">{count}L", *(crc for _, _, crc in entries)),
            struct.pack(f">{count}L", *small),
            struct.pack(f">{len(large)}Q", *large),
            checksum,
        ]
    )
    return body + hashlib.sha1(body).digest()


def remove_stale_temporaries(pack_dir: str, max_age: float = STALE_TMP_SECONDS) -> None:
    """Remove `tmp_pack_*` files left by an interrupted fetch (ours or git's) long ago."""
    cutoff = time.time() - max_age
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(pack_dir):
            if entry.name.startswith(TMP_PREFIX) and entry.stat().st_mtime < cutoff:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
