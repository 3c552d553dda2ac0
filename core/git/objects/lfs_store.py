"""The local Git LFS object store, laid out as git-lfs lays it out, so the two share it.

Objects live at `<common git dir>/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>` (or under
`lfs.storage`, relative to the common git dir, as git-lfs's fs.New resolves it); a
linked worktree uses its repository's. Nothing is ever half there: an object is
written to a temporary file under `lfs/tmp` (the clean) or `lfs/incomplete` (a
download), hashed as its bytes go by, and renamed into place only once its sha256
and size are the ones expected. Every copy streams in `CHUNK` pieces, so a file of
any size costs a few MiB of memory.

dulwich's `LFSStore` has the same layout but `write_object` keeps every chunk of the
content in a list before writing it (the whole file in memory) and checks no size,
so it is not used here.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.objects.blob_stream import FileChanged
from core.git.objects.lfs_pointer import EMPTY_OID, MAX_POINTER_SIZE, LfsPointer, parse_pointer

CHUNK = 1024 * 1024
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class LfsObjectCorrupt(GitferryError):
    """Bytes that were to become an LFS object are not the object they claim to be."""

    def __init__(self, oid: str, why: str) -> None:
        super().__init__(f"LFS object {oid[:12]}: {why}; not stored")
        self.oid = oid
        self.why = why


@dataclass(frozen=True)
class LfsStore:
    root: str  # the LFS storage directory (`.git/lfs` by default)

    @classmethod
    def of(cls, repo: Repo) -> LfsStore:
        """The store of `repo` (its common git dir's, or `lfs.storage`)."""
        common = repo.commondir()
        try:
            configured = os.fsdecode(repo.get_config_stack().get((b"lfs",), b"storage"))
        except KeyError:
            configured = ""
        return cls(os.path.join(common, configured or "lfs"))

    def path_of(self, oid: str) -> str:
        return os.path.join(self.root, "objects", oid[0:2], oid[2:4], oid)

    def has(self, pointer: LfsPointer) -> bool:
        """The object is here, at its size (git-lfs drops one of another size as invalid)."""
        if pointer.size == 0:
            return True
        try:
            return os.stat(self.path_of(pointer.oid)).st_size == pointer.size
        except OSError:
            return False

    def used(self) -> bool:
        """git-lfs or Gitferry has kept objects here: the repository uses LFS."""
        return os.path.isdir(os.path.join(self.root, "objects"))

    @contextlib.contextmanager
    def open(self, pointer: LfsPointer) -> Iterator[BinaryIO]:
        """The object's content; KeyError when it is not here (or not at its size)."""
        if pointer.size == 0:
            yield open(os.devnull, "rb")  # noqa: SIM115 - closed by the with below
            return
        try:
            f = open(self.path_of(pointer.oid), "rb")  # noqa: SIM115 - closed by the with below
        except FileNotFoundError:
            raise KeyError(pointer.oid) from None
        with f:
            if os.fstat(f.fileno()).st_size != pointer.size:
                raise KeyError(pointer.oid)
            yield f

    def incoming(self, pointer: LfsPointer) -> IncomingObject:
        """A temporary file for a download of `pointer`'s object, checked before it is moved in."""
        return IncomingObject(self, pointer, self._temp("incomplete"))

    def _temp(self, kind: str) -> tuple[str, BinaryIO]:
        folder = os.path.join(self.root, kind)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "gitferry-" + secrets.token_hex(8))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o666)
        return path, os.fdopen(fd, "wb")

    def _move_in(self, temp: str, oid: str) -> None:
        final = self.path_of(oid)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(temp, final)  # an object of this oid is these bytes, whoever wrote it

    def store_file(self, full: bytes | str, st: os.stat_result) -> bytes:
        """The clean filter: the pointer for the file at `full`, its content kept as an object.

        A file that already is a pointer is committed as it is (git-lfs does the same).
        Raises FileChanged when the file moves while it is read (nothing is stored)."""
        return self._clean(full, st, keep=True)

    def pointer_of_file(self, full: bytes | str, st: os.stat_result) -> bytes:
        """What `store_file` would commit for the file, without storing anything."""
        return self._clean(full, st, keep=False)

    def _clean(self, full: bytes | str, st: os.stat_result, *, keep: bool) -> bytes:
        path = os.fsencode(full)
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            _check_same(path, st, os.fstat(fd))
            blob = self.clean(f, st.st_size, path, keep=keep)
            _check_same(path, st, os.fstat(fd))
        return blob

    def clean(self, f: BinaryIO, size: int, path: bytes, *, keep: bool) -> bytes:
        """The blob committed for the content `f` holds (`size` bytes, read to the end):
        the content itself when it already is a pointer (or empty), else its pointer,
        the content kept as an object when `keep`. FileChanged if `f` does not hold
        exactly `size` bytes."""
        head = f.read(MAX_POINTER_SIZE)
        if len(head) < MAX_POINTER_SIZE and parse_pointer(head) is not None:
            if len(head) != size or f.read(1):
                raise FileChanged(path, f"size {size} became another")
            return head  # already a pointer (or empty): kept as it is
        temp, out = self._temp("tmp") if keep else ("", None)
        try:
            digest, read = _copy_hashing(head, f, out)
            if read != size:
                raise FileChanged(path, f"size {size} became {read}")
            if out is not None:
                out.close()
                self._move_in(temp, digest.hexdigest())
                temp = ""
        finally:
            if out is not None:
                out.close()
            if temp:
                _unlink_quietly(temp)
        return LfsPointer(digest.hexdigest(), read).encode()


class IncomingObject:
    """One object arriving (a download): `write` the bytes in order, then `commit`;
    leaving the `with` without a commit removes the temporary file."""

    def __init__(self, store: LfsStore, pointer: LfsPointer, temp: tuple[str, BinaryIO]) -> None:
        self._store = store
        self.pointer = pointer
        self._path, self._file = temp
        self._hash = hashlib.sha256()
        self.received = 0

    def __enter__(self) -> IncomingObject:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()
        if self._path:
            _unlink_quietly(self._path)

    def write(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > self.pointer.size:
            raise LfsObjectCorrupt(self.pointer.oid, f"more than the {self.pointer.size} bytes announced")
        self._hash.update(chunk)
        self._file.write(chunk)

    def commit(self) -> None:
        """Move the object in, if its size and sha256 are the pointer's."""
        if self.received != self.pointer.size:
            raise LfsObjectCorrupt(
                self.pointer.oid, f"{self.received} bytes received, {self.pointer.size} announced"
            )
        if self._hash.hexdigest() != self.pointer.oid:
            raise LfsObjectCorrupt(self.pointer.oid, f"the content's sha256 is {self._hash.hexdigest()[:12]}")
        self._file.close()
        self._store._move_in(self._path, self.pointer.oid)
        self._path = ""


def _copy_hashing(head: bytes, f: BinaryIO, out: BinaryIO | None) -> tuple[hashlib._Hash, int]:
    digest = hashlib.sha256(head)
    size = len(head)
    if out is not None:
        out.write(head)
    while chunk := f.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return digest, size


def _check_same(path: bytes, before: os.stat_result, now: os.stat_result) -> None:
    if not stat.S_ISREG(now.st_mode) or before.st_ino != now.st_ino:
        raise FileChanged(path, "it was replaced")
    if (before.st_size, before.st_mtime_ns) != (now.st_size, now.st_mtime_ns):
        raise FileChanged(path, "its size or modification time moved")


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise


__all__ = ["CHUNK", "EMPTY_OID", "IncomingObject", "LfsObjectCorrupt", "LfsStore"]
