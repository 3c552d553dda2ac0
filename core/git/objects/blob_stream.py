"""Blob objects written from working-tree files with bounded memory.

A file up to `WHOLE_FILE_LIMIT` (1 MiB) is read whole, hashed, and written
only if the repository lacks the object. A larger one is read, hashed and
zlib-compressed chunk by chunk into a temporary file in the object
directory, then renamed into place as a loose object (or dropped if the
object is already there). Memory stays under 1 MiB plus a chunk whatever the
file's size; dulwich's `Blob.from_path` holds the whole file, and its object
store about three times that while it writes. Data that does not deflate
(media, archives) is stored in the zlib stream uncompressed.

The caller passes the stat it decided on (from a scan). The file is read
only if it still has that stat, and kept only if it still has it after the
last byte: a file being written meanwhile raises `FileChanged`, to be
retried later, rather than being committed torn. (A writer that keeps the
size and lands within the file system's timestamp granularity, a few
milliseconds, cannot be seen here, nor by git.)
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dulwich.object_format import ObjectFormat
from dulwich.repo import Repo

from core.errors import GitferryError

CHUNK = 65536
# Up to this size a file is read whole (memory stays bounded by it), hashed, and written only
# if the object is new; larger files stream through a compressor into a temporary file.
WHOLE_FILE_LIMIT = 1 << 20
LOOSE_COMPRESSION = 1  # git's core.looseCompression default: best speed
_SAMPLE = 65536
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_SYMLINK = 0o120000


@dataclass(frozen=True)
class StreamedBlob:
    sha: bytes  # hex object id
    size: int
    mode: int  # git mode: 0o100644, 0o100755 or 0o120000


class FileChanged(GitferryError):
    """The file changed while it was read (or since it was scanned): try again later."""

    def __init__(self, path: bytes, why: str) -> None:
        super().__init__(f"{os.fsdecode(path)} changed while it was read ({why})")
        self.path = path
        self.why = why


def write_blob(repo: Repo, path: bytes, st: os.stat_result, *, chunk: int = CHUNK) -> StreamedBlob:
    """Store the file or symlink at absolute `path`, whose lstat was `st`, as a loose blob.

    Raises FileChanged, or the OSError of a file that cannot be read (PermissionError,
    FileNotFoundError...): the caller decides what to skip.
    """
    objects = objects_dir(repo)
    if stat.S_ISLNK(st.st_mode):
        target = _read_link(path, st)
        return StreamedBlob(store_whole(repo, objects, target), len(target), _SYMLINK)
    mode = 0o100755 if st.st_mode & 0o100 else 0o100644
    with open_unchanged(path, st) as fd:
        if st.st_size <= WHOLE_FILE_LIMIT:
            parts: list[bytes] = []
            read_exactly(fd, path, st, chunk, parts.append)
            return StreamedBlob(store_whole(repo, objects, b"".join(parts)), st.st_size, mode)
        with LooseWriter(objects, repo.object_format, st.st_size) as writer:
            read_exactly(fd, path, st, chunk, writer.update)
            return StreamedBlob(writer.finish(repo), st.st_size, mode)


def objects_dir(repo: Repo) -> bytes:
    return os.fsencode(repo.object_store.path)


def hash_file(path: bytes, st: os.stat_result, *, object_format: ObjectFormat, chunk: int = CHUNK) -> bytes:
    """The blob id (hex) of the file or symlink at `path` with lstat `st`, without writing anything."""
    if stat.S_ISLNK(st.st_mode):
        return blob_id(_read_link(path, st), object_format)
    digest = object_format.new_hash()
    digest.update(b"blob %d\x00" % st.st_size)
    with open_unchanged(path, st) as fd:
        read_exactly(fd, path, st, chunk, digest.update)
    return digest.hexdigest().encode("ascii")


def _read_link(path: bytes, st: os.stat_result) -> bytes:
    target = os.readlink(path)
    check_same(path, st, os.lstat(path))
    return target


@contextlib.contextmanager
def open_unchanged(path: bytes, st: os.stat_result) -> Iterator[int]:
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        check_same(path, st, os.fstat(fd))
        yield fd
    finally:
        os.close(fd)


def read_exactly(
    fd: int, path: bytes, st: os.stat_result, chunk: int, sink: Callable[[bytes], object]
) -> None:
    """Feed exactly st.st_size bytes to `sink`; FileChanged if the file is longer, shorter or touched."""
    remaining = st.st_size
    while remaining > 0:
        data = os.read(fd, min(chunk, remaining))
        if not data:
            raise FileChanged(path, "it became shorter")
        sink(data)
        remaining -= len(data)
    if os.read(fd, 1):
        raise FileChanged(path, "it grew")
    check_same(path, st, os.fstat(fd))


def check_same(path: bytes, before: os.stat_result, now: os.stat_result) -> None:
    if stat.S_IFMT(before.st_mode) != stat.S_IFMT(now.st_mode) or before.st_ino != now.st_ino:
        raise FileChanged(path, "it was replaced")
    if before.st_size != now.st_size:
        raise FileChanged(path, f"size {before.st_size} became {now.st_size}")
    if before.st_mtime_ns != now.st_mtime_ns or before.st_ctime_ns != now.st_ctime_ns:
        raise FileChanged(path, "its modification or change time moved")


def store_whole(repo: Repo, objects_dir: bytes, data: bytes) -> bytes:
    """A small blob: hashed first, written only if the repository lacks it."""
    sha = blob_id(data, repo.object_format)
    if not _has_object(repo, objects_dir, sha):
        fd, tmp = _temp_object(os.path.join(objects_dir, sha[:2]))
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(zlib.compress(b"blob %d\x00" % len(data) + data, compression_level(data)))
            _install(tmp, os.path.join(objects_dir, sha[:2], sha[2:]))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    return sha


def blob_id(data: bytes, fmt: ObjectFormat) -> bytes:
    """The hex id of a blob holding `data`."""
    digest = fmt.new_hash()
    digest.update(b"blob %d\x00" % len(data))
    digest.update(data)
    return digest.hexdigest().encode("ascii")


def compression_level(sample: bytes) -> int:
    """git's loose-object level, or none at all for data that does not compress (media,
    archives): deflate gains nothing there and runs at ~50 MB/s where storing runs at ~850.
    The stream is valid zlib either way, and `git gc` compresses objects again when it packs."""
    if len(sample) < _SAMPLE:
        return LOOSE_COMPRESSION
    head = sample[:_SAMPLE]
    return LOOSE_COMPRESSION if len(zlib.compress(head, LOOSE_COMPRESSION)) < 0.97 * len(head) else 0


def _has_object(repo: Repo, objects_dir: bytes, sha: bytes) -> bool:
    if os.path.exists(os.path.join(objects_dir, sha[:2], sha[2:])):
        return True
    return bool(repo.object_store.contains_packed(sha))  # type: ignore[arg-type]


def _temp_object(directory: bytes) -> tuple[int, bytes]:
    """A temporary file in `directory` (created if needed), named as git names its own."""
    try:
        return tempfile.mkstemp(prefix=b"tmp_obj_", dir=directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return tempfile.mkstemp(prefix=b"tmp_obj_", dir=directory)


def _install(tmp: bytes, final: bytes) -> None:
    os.chmod(tmp, 0o444)
    os.replace(tmp, final)


class LooseWriter:
    """One loose object, hashed and compressed as its bytes arrive, in a temporary file."""

    def __init__(self, objects_dir: bytes, fmt: ObjectFormat, size: int) -> None:
        self._objects_dir = objects_dir
        self._header = b"blob %d\x00" % size
        self._size = size
        self._fed = 0
        self._digest = fmt.new_hash()
        self._digest.update(self._header)
        self._zlib: zlib._Compress | None = None  # made for the first chunk, at the level it calls for
        self._fd, self._tmp = tempfile.mkstemp(prefix=b"tmp_obj_", dir=objects_dir)
        self._done = False

    def update(self, data: bytes) -> None:
        self._fed += len(data)
        self._digest.update(data)
        if self._zlib is None:
            self._zlib = zlib.compressobj(compression_level(data))
            data = self._header + data
        self._write(self._zlib.compress(data))

    def finish(self, repo: Repo) -> bytes:
        """Rename the object into place unless the repository has it already; return its id."""
        if self._fed != self._size:  # never an object whose header lies about its size
            raise ValueError(f"blob of {self._size} bytes given {self._fed}")
        compressor = self._zlib
        if compressor is None:  # not one byte arrived: the header alone
            compressor = self._zlib = zlib.compressobj(LOOSE_COMPRESSION)
            self._write(compressor.compress(self._header))
        self._write(compressor.flush())
        os.close(self._fd)
        self._fd = -1
        sha = self._digest.hexdigest().encode("ascii")
        if _has_object(repo, self._objects_dir, sha):
            return sha
        os.makedirs(os.path.join(self._objects_dir, sha[:2]), exist_ok=True)
        _install(self._tmp, os.path.join(self._objects_dir, sha[:2], sha[2:]))
        self._done = True
        return sha

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def __enter__(self) -> LooseWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        if not self._done:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)
