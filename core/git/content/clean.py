"""A working-tree file on its way to the index: the blob git would make of it.

`clean_file` hashes (a status check) or stores (an auto-commit) the blob of one
file after its conversion (filters.py): a path without one is streamed as it is
(blob_stream.py). A line-ending conversion needs the statistics of the whole file
before its first byte can be written (the blob's header holds its size, and
`text=auto` decides on the whole content): a file up to `WHOLE_FILE_LIMIT` is read
once, whole; a larger one is read twice, statistics then conversion, in chunks, so
memory stays bounded whatever its size. Every read checks that the file still has
the stat it was decided on (`FileChanged` otherwise), as blob_stream does.

A driver's clean (Git LFS) reads the file itself and returns a small blob, which
line endings are then applied to, as in git's convert_to_git.

With `core.safecrlf=true` a store refuses, as `git add` does, a content a checkout
would not give back (`ContentSkipped`, reason `safecrlf`); a hash never checks, as
git's status does not.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from dulwich.line_ending import CRLFAction
from dulwich.repo import Repo

from core.git.content.eol import CrlfToLf, converts_to_git, roundtrip_loss
from core.git.content.filters import ContentFilters, ContentSkipped, PathConversion
from core.git.content.text_stats import StatsGatherer, TextStats, gather
from core.git.objects.blob_stream import (
    CHUNK,
    WHOLE_FILE_LIMIT,
    FileChanged,
    LooseWriter,
    StreamedBlob,
    blob_id,
    check_same,
    hash_file,
    objects_dir,
    open_unchanged,
    read_exactly,
    store_whole,
    write_blob,
)

SAFECRLF = "safecrlf"


def clean_file(
    repo: Repo,
    path: bytes,
    full: bytes,
    st: os.stat_result,
    filters: ContentFilters,
    *,
    store: bool,
    conversion: PathConversion | None = None,
    chunk: int = CHUNK,
) -> StreamedBlob:
    """The blob of the file at `full` (the path `path` of the working tree, lstat `st`):
    stored in `repo` when `store`, else only hashed.

    Raises ContentSkipped (a conversion Gitferry cannot run, a driver's refusal, safecrlf),
    FileChanged, or the OSError of a file that cannot be read."""
    mode = 0o100755 if st.st_mode & 0o100 else 0o100644
    if stat.S_ISLNK(st.st_mode):
        return _plain(repo, full, st, store, chunk)
    conversion = conversion or filters.to_index(path)
    if conversion.unsupported is not None:
        raise conversion.skipped()
    if conversion.identity:
        return _plain(repo, full, st, store, chunk)
    if conversion.driver is not None:
        with open_unchanged(full, st) as fd, os.fdopen(os.dup(fd), "rb") as file:
            data = conversion.driver.to_index(path, file, st.st_size, for_commit=store)
            check_same(full, st, os.fstat(fd))
        data = _eol_whole(path, data, conversion.eol, filters, store)
        return StreamedBlob(_put(repo, data, store), len(data), mode)
    if st.st_size <= WHOLE_FILE_LIMIT:
        parts: list[bytes] = []
        with open_unchanged(full, st) as fd:
            read_exactly(fd, full, st, chunk, parts.append)
        data = _eol_whole(path, b"".join(parts), conversion.eol, filters, store)
        return StreamedBlob(_put(repo, data, store), len(data), mode)
    return _eol_streamed(repo, path, full, st, conversion.eol, filters, store, chunk, mode)


def _plain(repo: Repo, full: bytes, st: os.stat_result, store: bool, chunk: int) -> StreamedBlob:
    if store:
        return write_blob(repo, full, st, chunk=chunk)
    mode = 0o120000 if stat.S_ISLNK(st.st_mode) else 0o100755 if st.st_mode & 0o100 else 0o100644
    return StreamedBlob(hash_file(full, st, object_format=repo.object_format, chunk=chunk), st.st_size, mode)


def _put(repo: Repo, data: bytes, store: bool) -> bytes:
    if store:
        return store_whole(repo, objects_dir(repo), data)
    return blob_id(data, repo.object_format)


def _decide(path: bytes, action: CRLFAction, stats: TextStats, filters: ContentFilters, store: bool) -> bool:
    """Whether CRLFs go; ContentSkipped where core.safecrlf=true makes git add refuse."""
    converts = converts_to_git(action, stats, lambda: filters.index_has_crlf(path))
    if store and filters.eol.safecrlf == "true":
        loss = roundtrip_loss(action, stats, converts)
        if loss is not None:
            raise ContentSkipped(path, SAFECRLF, f"{loss} (core.safecrlf)")
    return converts


def _eol_whole(path: bytes, data: bytes, action: CRLFAction, filters: ContentFilters, store: bool) -> bytes:
    if action == CRLFAction.BINARY:
        return data
    if not _decide(path, action, gather([data]), filters, store):
        return data
    converter = CrlfToLf()
    return converter.feed(data) + converter.flush()


def _eol_streamed(
    repo: Repo,
    path: bytes,
    full: bytes,
    st: os.stat_result,
    action: CRLFAction,
    filters: ContentFilters,
    store: bool,
    chunk: int,
    mode: int,
) -> StreamedBlob:
    """A large file: statistics first, then (when CRLFs go) the conversion, both streamed."""
    gatherer = StatsGatherer()
    with open_unchanged(full, st) as fd:
        read_exactly(fd, full, st, chunk, gatherer.update)
    stats = gatherer.finish()
    if not _decide(path, action, stats, filters, store):
        return _plain(repo, full, st, store, chunk)
    size = st.st_size - stats.crlf
    if store:
        with LooseWriter(objects_dir(repo), repo.object_format, size) as writer:
            _convert_into(full, st, chunk, size, writer.update)
            return StreamedBlob(writer.finish(repo), size, mode)
    digest = repo.object_format.new_hash()
    digest.update(b"blob %d\x00" % size)
    _convert_into(full, st, chunk, size, digest.update)
    return StreamedBlob(digest.hexdigest().encode("ascii"), size, mode)


def _convert_into(
    full: bytes, st: os.stat_result, chunk: int, size: int, sink: Callable[[bytes], object]
) -> None:
    """The second read, converted into `sink`: exactly `size` bytes, or FileChanged (a write
    the stat could not show landed between the two reads)."""
    converter = CrlfToLf()
    given = 0

    def feed(data: bytes) -> None:
        nonlocal given
        converted = converter.feed(data)
        given += len(converted)
        if converted and given <= size:
            sink(converted)

    with open_unchanged(full, st) as fd:
        read_exactly(fd, full, st, chunk, feed)
    tail = converter.flush()
    given += len(tail)
    if given != size:
        raise FileChanged(full, "its content changed between two reads")
    if tail:
        sink(tail)
