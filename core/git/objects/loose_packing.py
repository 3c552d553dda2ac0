"""Pack a repository's loose objects once there are many, as `git gc --auto` decides it
(gc.auto), so that commits saved all day do not pile up as files without bound.

git runs `gc --auto` after every `git commit`; Gitferry's own commits (and merges)
write loose objects, about three per save. The estimate is git's
`too_many_loose_objects`: the loose objects in the one fan-out directory `objects/17`,
times 256, against `gc.auto` (6700 by default; 0 or less turns it off). Below it the
cost is one `listdir` and a config read.

Above it every loose object is copied, inflated and hashed (a corrupt one is left as
it is), into one new pack written under a `tmp_pack_*` name, fsynced, and moved in
with its index (`install_pack`). Every entry is then read back from the installed pack
and hashed again; only then are the loose files removed. At no moment is an object
missing: a concurrent `git` finds each one loose, or in the pack, or both. Objects
no branch reaches are packed too (git leaves those loose until `git prune` expires
them): nothing is ever deleted, only moved. Run it under the sync lock, in a thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dulwich.object_format import SHA1
from dulwich.object_store import DiskObjectStore
from dulwich.pack import pack_object_header
from dulwich.repo import Repo

from core.atomic_file import fsync_dir
from core.git.config.values import config_text, git_int

GC_AUTO = 6700
"""git's default gc.auto: loose objects tolerated before they are packed."""

_HEX38 = re.compile(r"[0-9a-f]{38}")
_TYPES = {b"commit": 1, b"tree": 2, b"blob": 3, b"tag": 4}
_NAMES = {number: name for name, number in _TYPES.items()}
_CHUNK = 1 << 16
_HEADER_MAX = 64  # "<type> <size>\0"

log = logging.getLogger(__name__)

Entry = tuple[bytes | None, int, int]  # (object id, offset, crc32), as `pack_index_v2` takes


@dataclass(frozen=True)
class LoosePacked:
    name: str  # pack-<checksum> of the new pack
    objects: int  # loose objects moved into it
    skipped: int  # loose files left as they were (unreadable, or gone meanwhile)


def gc_auto_limit(repo: Repo) -> int:
    """The repository's gc.auto (its whole config stack, as git reads it); the default
    when unset or not a number."""
    text = config_text(repo.get_config_stack(), (b"gc",), b"auto")
    value = None if text is None else git_int(text)
    return GC_AUTO if value is None else value


def too_many_loose_objects(objects_dir: str, limit: int) -> bool:
    """git's estimate: more than ceil(`limit` / 256) loose objects in `objects/17`."""
    if limit <= 0:
        return False
    try:
        names = os.listdir(os.path.join(objects_dir, "17"))
    except (FileNotFoundError, NotADirectoryError):
        return False
    return sum(1 for name in names if _HEX38.fullmatch(name)) > -(-limit // 256)


def pack_loose_if_many(repo: Repo) -> LoosePacked | None:
    """Pack every loose object when gc.auto says there are too many; None otherwise."""
    store = repo.object_store
    if not isinstance(store, DiskObjectStore) or store.object_format is not SHA1:
        return None  # the index writer knows SHA-1 only
    if not too_many_loose_objects(str(store.path), gc_auto_limit(repo)):
        return None
    return pack_loose_objects(store)


def gc_auto_after_sync(repo: Repo) -> LoosePacked | None:
    """`pack_loose_if_many`, whose failure (a full disk) does not fail the sync before
    it: every loose object it read is still in place."""
    try:
        return pack_loose_if_many(repo)
    except OSError as exc:
        log.warning("packing the loose objects of %s failed: %s", repo.path, exc)
        return None


def pack_loose_objects(store: DiskObjectStore) -> LoosePacked | None:
    """Move every readable loose object into one new pack; None if there is none."""
    from core.git.objects.pack_ingest import TMP_PREFIX, install_pack

    objects_dir, pack_dir = str(store.path), str(store.pack_dir)
    os.makedirs(pack_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=pack_dir, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "w+b") as out:
            out.write(b"PACK" + struct.pack(">LL", 2, 0))  # the count is set once known
            entries: list[Entry] = []
            skipped = 0
            for hexid in sorted(_loose_ids(objects_dir)):
                entry = _copy_loose(out, _loose_path(objects_dir, hexid), bytes.fromhex(hexid))
                if entry is None:
                    skipped += 1
                else:
                    entries.append(entry)
            if not entries:
                raise _Nothing
            checksum = _finish(out, len(entries))
        name = install_pack(pack_dir, tmp, entries, checksum)
    except BaseException as exc:
        for path in (tmp, tmp + ".idx"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        if isinstance(exc, _Nothing):
            return None
        raise
    _verify(os.path.join(pack_dir, name + ".pack"), entries)
    fsync_dir(pack_dir)
    store.close()  # the next read lists the packs again, the new one among them
    for oid, _offset, _crc in entries:
        assert oid is not None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_loose_path(objects_dir, oid.hex()))
    return LoosePacked(name, len(entries), skipped)


class _Nothing(Exception):
    """No loose object could be read: no pack is written."""


def _loose_ids(objects_dir: str) -> Iterator[str]:
    for fanout in os.listdir(objects_dir):
        if len(fanout) == 2 and all(c in "0123456789abcdef" for c in fanout):
            with contextlib.suppress(NotADirectoryError, FileNotFoundError):
                for rest in os.listdir(os.path.join(objects_dir, fanout)):
                    if _HEX38.fullmatch(rest):
                        yield fanout + rest


def _loose_path(objects_dir: str, hexid: str) -> str:
    return os.path.join(objects_dir, hexid[:2], hexid[2:])


def _copy_loose(out: BinaryIO, path: str, oid: bytes) -> Entry | None:
    """Append the loose object at `path` as a whole pack entry, streamed; None (and
    nothing appended) when it is gone or does not hash to `oid`."""
    start = out.tell()
    try:
        with open(path, "rb") as f:
            copied = _copy_stream(out, _inflate(f), oid)
    except (FileNotFoundError, zlib.error, ValueError) as exc:
        log.warning("loose object %s left as it is: %s", oid.hex(), exc)
        copied = None
    if copied is None:
        out.seek(start)
        out.truncate()
        return None
    return (oid, start, copied)


def _copy_stream(out: BinaryIO, chunks: Iterator[bytes], oid: bytes) -> int | None:
    """Write the object `chunks` hold (its "<type> <size>\\0" header first) as a pack
    entry; its crc32, or None when it is not the object `oid` names."""
    digest = hashlib.sha1()
    head = b""
    for chunk in chunks:
        head += chunk
        if b"\0" in head or len(head) > _HEADER_MAX:
            break
    kind, _, size_text = head.partition(b"\0")[0].partition(b" ")
    if b"\0" not in head or kind not in _TYPES or not size_text.isdigit():
        raise ValueError("not a loose object header")
    size = int(size_text)
    header_len = head.index(b"\0") + 1
    digest.update(head[:header_len])
    entry_header = bytes(pack_object_header(_TYPES[kind], None, size, SHA1))
    out.write(entry_header)
    crc = zlib.crc32(entry_header)
    deflate = zlib.compressobj()
    seen = 0

    def put(data: bytes) -> None:
        nonlocal crc, seen
        seen += len(data)
        digest.update(data)
        packed = deflate.compress(data)
        crc = zlib.crc32(packed, crc)
        out.write(packed)

    put(head[header_len:])
    for chunk in chunks:
        put(chunk)
    tail = deflate.flush()
    crc = zlib.crc32(tail, crc)
    out.write(tail)
    if seen != size or digest.digest() != oid:
        return None
    return crc


def _inflate(f: BinaryIO) -> Iterator[bytes]:
    """The inflated bytes of `f`, at most `_CHUNK` at a time."""
    inflater = zlib.decompressobj()
    while block := f.read(_CHUNK):
        data = inflater.decompress(block, _CHUNK)
        while data:
            yield data
            data = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
    if rest := inflater.flush():
        yield rest
    if not inflater.eof:
        raise ValueError("truncated loose object")


def _finish(out: BinaryIO, count: int) -> bytes:
    """Set the object count, append the checksum of everything before it, fsync."""
    out.seek(8)
    out.write(struct.pack(">L", count))
    out.flush()
    out.seek(0)
    digest = hashlib.sha1()
    while block := out.read(_CHUNK):
        digest.update(block)
    checksum = digest.digest()
    out.write(checksum)
    out.flush()
    os.fsync(out.fileno())
    return checksum


def _verify(pack_path: str, entries: list[Entry]) -> None:
    """Read every entry back from the installed pack and hash it: OSError if any is
    not the object its index names (the loose files then stay)."""
    with open(pack_path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for oid, offset, _crc in entries:
            if _entry_id(data, offset) != oid:
                raise OSError(f"{pack_path}: object at {offset} does not read back")


def _entry_id(data: mmap.mmap, offset: int) -> bytes:
    c = data[offset]
    type_num, size, shift, i = (c >> 4) & 7, c & 15, 4, offset + 1
    while c & 0x80:
        c = data[i]
        size |= (c & 0x7F) << shift
        shift, i = shift + 7, i + 1
    kind = _NAMES.get(type_num)
    if kind is None:
        raise OSError(f"object at {offset} is not a whole object")
    digest = hashlib.sha1(kind + b" " + str(size).encode() + b"\0")
    inflater = zlib.decompressobj()
    while not inflater.eof and i < len(data):
        digest.update(inflater.decompress(data[i : i + _CHUNK]))
        i += _CHUNK
    return digest.digest()
