"""The Git LFS filter (`filter=lfs`), run by Gitferry itself on the local store.

Smudge (to the working tree): a pointer becomes its object's content, streamed
from `.git/lfs/objects`; a blob that is not a pointer is written as it is, as
`git-lfs smudge` passes it through. The objects a switch needs are downloaded
before it starts (`core/git/transfer/lfs_fetch.py`), so the smudge never waits on
the network under `index.lock`: an object that is still not here raises
`ContentSkipped` with the reason `lfs_missing` and `write_blob`, so the pointer
itself is written, never part of a file. A pointer with extensions (content other
programs must make) is left as a pointer too (`unsupported_filter`).

Clean (to the index): the content's sha256 and size make the pointer, hashed as
the file streams by; an auto-commit also keeps the content as an object (temporary
file under `lfs/tmp`, renamed in once hashed). A file that already is a pointer is
committed as it is, as git-lfs does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from dulwich.repo import Repo

from core.git.content.filters import UNSUPPORTED_FILTER, ContentSkipped, register_driver
from core.git.objects.lfs_pointer import MAX_POINTER_SIZE, parse_pointer
from core.git.objects.lfs_store import CHUNK, LfsStore

LFS_MISSING = "lfs_missing"


class LfsDriver:
    def __init__(self, store: LfsStore) -> None:
        self.store = store

    def to_worktree(self, path: bytes, content: Iterable[bytes], out: BinaryIO) -> None:
        chunks = iter(content)
        head = b""
        for chunk in chunks:
            head += chunk
            if len(head) >= MAX_POINTER_SIZE:
                break
        pointer = parse_pointer(head) if len(head) < MAX_POINTER_SIZE else None
        if pointer is None:  # not a pointer: written as it is
            out.write(head)
            for chunk in chunks:
                out.write(chunk)
            return
        if pointer.extensions:
            raise ContentSkipped(
                path,
                UNSUPPORTED_FILTER,
                "a Git LFS pointer with extensions (left as a pointer)",
                write_blob=True,
            )
        try:
            with self.store.open(pointer) as f:
                while data := f.read(CHUNK):
                    out.write(data)
        except KeyError:
            raise ContentSkipped(
                path,
                LFS_MISSING,
                f"Git LFS object {pointer.oid[:12]} ({pointer.size} bytes) is not in .git/lfs/objects",
                write_blob=True,
            ) from None

    def to_index(self, path: bytes, file: BinaryIO, size: int, *, for_commit: bool) -> bytes:
        return self.store.clean(file, size, path, keep=for_commit)


def lfs_driver(repo: Repo) -> LfsDriver:
    return LfsDriver(LfsStore.of(repo))


register_driver(b"lfs", lfs_driver)
