"""The files of a clone's first checkout created and written by one thread while the caller
reads the next blobs from the pack.

A first checkout spends its time in two places of about the same size: reading
each blob (its delta chain applied, in Python holding the GIL) and creating
its file (`mkdir`, `open(O_CREAT|O_EXCL)`, `write`, `fstat`: system calls,
which release the GIL, about 80 µs each on this machine). This thread takes
the second part, so the two overlap when a core is free for it; on a busy
machine it costs a handoff per file. What it is handed is whole in memory and
bounded (`QUEUE_BYTES`), written exactly as the caller would have (same flags,
modes, parent directories never through a symlink). The caller `drain()`s it
before doing anything else to the working tree itself (a symlink, a gitlink,
a converted or streamed file), so every file-system step happens in the order
it did before. An error in the thread is raised from the caller's next call;
`close()` always stops and joins it, so nothing is written after the checkout
returned or raised (a Cancel removes what the clone made only then).
"""

from __future__ import annotations

import os
import queue
import stat
import threading
from collections.abc import Callable, Sequence

__all__ = ["FileWriter", "create_file", "make_parents"]

QUEUE_BYTES = 8 << 20  # content handed over and not written yet, at most (one larger file passes alone)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
CREATE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC

Done = Callable[[bytes, int, os.stat_result], None]
_Job = tuple[bytes, bytes, int, Sequence[bytes]] | None


def make_parents(root: bytes, path: bytes, made: set[bytes]) -> None:
    """Create the leading directories of `path`, never through a symlink."""
    slash = path.find(b"/")
    while slash != -1:
        parent = path[:slash]
        if parent not in made:
            full = os.path.join(root, parent)
            try:
                os.mkdir(full, 0o777)
            except FileExistsError:  # only then can it be something else (made is a directory)
                if not stat.S_ISDIR(os.lstat(full).st_mode):
                    raise NotADirectoryError(f"{os.fsdecode(parent)} is not a directory") from None
            made.add(parent)
        slash = path.find(b"/", slash + 1)


def create_file(full: bytes, mode: int) -> int:
    """A new file at `full` (never an existing one, never through a symlink), open for writing."""
    return os.open(full, CREATE_FLAGS, 0o777 if mode & 0o100 else 0o666)


class FileWriter:
    """`write(path, mode, chunks)` queues a regular file; `done(path, mode, stat)` is called
    (from the caller's thread, at its next `write` or `drain`) for each one written."""

    def __init__(self, root: bytes, made: set[bytes], done: Done) -> None:
        self._root = root
        self._made = made
        self._done = done
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._written: list[tuple[bytes, int, os.stat_result]] = []
        self._pending = 0  # bytes queued, not written yet
        self._room = threading.Condition()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gitferry-checkout-writer", daemon=True)
        self._thread.start()

    def write(self, path: bytes, mode: int, chunks: Sequence[bytes]) -> None:
        size = sum(map(len, chunks))
        with self._room:
            while self._pending and self._pending + size > QUEUE_BYTES and self._error is None:
                self._room.wait()
            self._raise_error()
            self._pending += size
        self._jobs.put((path, os.path.join(self._root, path), mode, chunks))
        self._report()

    def drain(self) -> None:
        """Wait until everything queued is written (raising what went wrong), and report it."""
        self._jobs.join()
        with self._room:
            self._raise_error()
        self._report()

    def close(self) -> None:
        """Stop the thread once what is queued is written or refused; always joins it."""
        self._jobs.put(None)
        self._thread.join()

    def _report(self) -> None:
        while self._written:
            self._done(*self._written.pop())

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                path, full, mode, chunks = job
                if self._error is None:
                    try:
                        self._written.append((path, mode, self._create(path, full, mode, chunks)))
                    except BaseException as exc:  # handed to the caller's next call
                        self._error = exc
                with self._room:
                    self._pending -= sum(map(len, chunks))
                    self._room.notify()
            finally:
                self._jobs.task_done()

    def _create(self, path: bytes, full: bytes, mode: int, chunks: Sequence[bytes]) -> os.stat_result:
        make_parents(self._root, path, self._made)
        fd = create_file(full, mode)
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            return os.fstat(fd)
        finally:
            os.close(fd)
