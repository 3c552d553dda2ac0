"""Merge the small packs a long-lived repository accumulates, the way `git gc --auto`
bounds them (gc.autoPackLimit).

Every fetch lands a pack, and an open dulwich `Repo` keeps every pack it has
read mapped, with four descriptors each (the `.pack` and `.idx` files, and the
duplicate of each that `mmap` keeps). Once a repository holds more than
`PACK_LIMIT` packs, the small ones are copied into one new pack and removed:
geometrically, as `git repack --geometric=2` chooses, so a pack is copied
again only when the packs smaller than it add up to half its size or more
(each byte is copied a logarithmic number of times, and the clone's pack,
normally the largest, stays as it is).

The copy reuses each object's compressed bytes and deltas as they are, as
`git repack` does with delta reuse: nothing is inflated or recompressed, so
the cost is a read and a write of the small packs' bytes, and memory holds only
their object ids. An offset delta becomes a ref delta (its base's offset
changes; its base is in the new pack, since every source pack is complete).
The new pack and its index are written under `tmp_pack_*` names and moved in,
pack first and index last, before any old pack is removed, index first: at no
moment is an object missing, and a process killed mid-way leaves duplicates
(merged by the next run) or temporaries (removed by `remove_stale_temporaries`).
Run it under the repository's sync lock, in a thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from dulwich.object_format import SHA1
from dulwich.object_store import DiskObjectStore
from dulwich.pack import OFS_DELTA, REF_DELTA, load_pack_index
from dulwich.repo import Repo

PACK_LIMIT = 5
"""Packs a repository may hold before the small ones are merged. git's gc.autoPackLimit
is 50, made for short-lived processes; a repository kept open pays 4 descriptors and a
lookup per pack, and merging only small packs is cheap enough to do often."""

GEOMETRIC_FACTOR = 2

log = logging.getLogger(__name__)

_SIDECARS = (".idx", ".pack", ".rev", ".bitmap", ".mtimes", ".promisor")
"""Index first: without it neither git nor dulwich sees the pack."""

_TRAILER = 20

Entry = tuple[bytes | None, int, int]  # (object id, offset, crc32), as `pack_index_v2` takes


@dataclass(frozen=True)
class Consolidation:
    name: str  # pack-<checksum> of the merged pack
    merged: int  # packs merged into it
    objects: int


def pack_names(pack_dir: str) -> list[str]:
    """Basenames of the complete packs (`.pack` and `.idx`) not marked `.keep`."""
    try:
        files = set(os.listdir(pack_dir))
    except FileNotFoundError:
        return []
    return sorted(
        name[: -len(".pack")]
        for name in files
        if name.endswith(".pack")
        and name[: -len(".pack")] + ".idx" in files
        and name[: -len(".pack")] + ".keep" not in files
    )


def consolidate_packs(repo: Repo, limit: int = PACK_LIMIT) -> Consolidation | None:
    """Merge every pack but the largest once there are more than `limit`; None if not needed."""
    store = repo.object_store
    if not isinstance(store, DiskObjectStore) or store.object_format is not SHA1:
        return None  # the index writer knows SHA-1 only
    pack_dir = str(store.pack_dir)
    names = pack_names(pack_dir)
    if len(names) <= max(limit, 1):
        return None
    merged = packs_to_merge({name: os.path.getsize(os.path.join(pack_dir, name + ".pack")) for name in names})
    result = merge_packs(pack_dir, merged)
    store.close()  # unmaps the old packs (Windows cannot delete mapped files); reopened lazily
    removed = [name for name in merged if name != result.name]
    if removed:
        remove_multi_pack_index(pack_dir)
    for name in removed:
        remove_pack(pack_dir, name)
    return result


def consolidate_after_fetch(repo: Repo, limit: int = PACK_LIMIT) -> Consolidation | None:
    """`consolidate_packs`, whose failure (a full disk, a pack another process removed)
    does not fail the fetch that came before it: every pack it read is still in place."""
    try:
        return consolidate_packs(repo, limit)
    except OSError as exc:
        log.warning("pack consolidation in %s failed: %s", repo.path, exc)
        return None


def packs_to_merge(sizes: Mapping[str, int]) -> list[str]:
    """The smallest packs up to the last one smaller than `GEOMETRIC_FACTOR` times all
    smaller packs together (at least the two smallest): what is left is a geometric
    progression, each pack at least twice the size of all those below it."""
    ordered = sorted(sizes, key=lambda name: (sizes[name], name))
    split, below = 2, 0
    for i, name in enumerate(ordered):
        if i and sizes[name] < GEOMETRIC_FACTOR * below:
            split = max(split, i + 1)
        below += sizes[name]
    return ordered[:split]


def merge_packs(pack_dir: str, names: list[str]) -> Consolidation:
    """Write one pack holding every object of the packs `names` (which stay in place)."""
    # A sync that merges no packs never loads the ingest machinery.
    from core.git.objects.pack_ingest import TMP_PREFIX, install_pack

    ids: set[bytes] = set()
    for name in names:
        with contextlib.closing(load_pack_index(os.path.join(pack_dir, name + ".idx"), SHA1)) as index:
            ids.update(oid for oid, _offset, _crc in index.iterentries())
    fd, tmp = tempfile.mkstemp(dir=pack_dir, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "w+b") as out:
            writer = _PackWriter(out, len(ids))
            for name in names:
                writer.copy_pack(os.path.join(pack_dir, name))
            checksum = writer.finish()
        if len(writer.entries) != len(ids):
            raise RuntimeError(f"merged {len(writer.entries)} objects, expected {len(ids)}")
        name = install_pack(pack_dir, tmp, writer.entries, checksum)
    except BaseException:
        for path in (tmp, tmp + ".idx"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        raise
    return Consolidation(name, len(names), len(ids))


def remove_multi_pack_index(pack_dir: str) -> None:
    """Remove the multi-pack-index (`git multi-pack-index write`, `git maintenance`'s
    incremental-repack) and its bitmap and reverse index, as `git repack -d` does before
    it deletes packs: left in place it names packs that are gone, and `git fsck` fails
    ("failed to load pack in position 0"). git writes it again at its next maintenance;
    until then git and dulwich read every pack's own index, as without one."""
    for directory in (pack_dir, os.path.join(pack_dir, "multi-pack-index.d")):
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            continue
        for name in sorted(names):  # `multi-pack-index` before its `-<hash>.bitmap`/`.rev`
            if name.startswith("multi-pack-index"):
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    os.unlink(os.path.join(directory, name))


def remove_pack(pack_dir: str, name: str) -> None:
    for suffix in _SIDECARS:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(pack_dir, name + suffix))


class _PackWriter:
    """Streams raw pack entries into `out`, each object once, hashing as it goes."""

    def __init__(self, out: BinaryIO, count: int) -> None:
        self._out = out
        self._digest = hashlib.sha1()
        self._offset = 0
        self.entries: list[Entry] = []
        self._written: set[bytes] = set()
        self._write(b"PACK" + struct.pack(">LL", 2, count))

    def copy_pack(self, base: str) -> None:
        with contextlib.closing(load_pack_index(base + ".idx", SHA1)) as index:
            by_offset = sorted((offset, oid) for oid, offset, _crc in index.iterentries())
        ids_at = dict(by_offset)
        with open(base + ".pack", "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            ends = [offset for offset, _ in by_offset[1:]] + [len(data) - _TRAILER]
            for (offset, oid), end in zip(by_offset, ends, strict=True):
                if oid not in self._written:
                    self._copy_entry(oid, data[offset:end], offset, ids_at)

    def _copy_entry(self, oid: bytes, raw: bytes, offset: int, ids_at: Mapping[int, bytes]) -> None:
        type_num = (raw[0] >> 4) & 7
        if type_num == OFS_DELTA:
            raw = _as_ref_delta(raw, offset, ids_at)
        self.entries.append((oid, self._offset, zlib.crc32(raw)))
        self._written.add(oid)
        self._write(raw)

    def finish(self) -> bytes:
        checksum = self._digest.digest()
        self._out.write(checksum)
        self._out.flush()
        os.fsync(self._out.fileno())
        return checksum

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._digest.update(data)
        self._offset += len(data)


def _as_ref_delta(raw: bytes, offset: int, ids_at: Mapping[int, bytes]) -> bytes:
    """An offset-delta entry rewritten to name its base by id: the type bits of the
    first byte change, the size stays, the base offset becomes the base's id."""
    i = 1
    while raw[i - 1] & 0x80:
        i += 1
    header_end = i
    c = raw[i]
    i += 1
    rel = c & 0x7F
    while c & 0x80:
        c = raw[i]
        i += 1
        rel = ((rel + 1) << 7) | (c & 0x7F)
    first = (raw[0] & 0x8F) | (REF_DELTA << 4)
    return bytes([first]) + raw[1:header_end] + ids_at[offset - rel] + raw[i:]
