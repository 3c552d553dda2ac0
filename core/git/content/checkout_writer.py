"""Working-tree files written by one thread while the caller reads the next blobs from the pack.

A checkout spends its time in two places of about the same size: reading
each blob (its delta chain applied, in Python holding the GIL) and creating
its file (`mkdir`, `open(O_CREAT|O_EXCL)`, `write`, `fstat`, and for a switch
the checked `renameat2` exchange and `unlink`: system calls, which release the
GIL, about 80 to 170 µs a file on this machine). `Handoff` runs the second
part on one thread, job after job in the order handed, so the two overlap when
a core is free for it; on a busy machine it costs a handoff per file. What a
job is given is whole in memory and bounded (`QUEUE_BYTES`). The caller
`drain()`s it before doing anything else to the working tree itself, so every
file-system step happens in the order it did before. An error in the thread is
raised from the caller's next call (what was done before it reported first),
and no job handed after it runs; `close()` always stops and joins the thread,
so nothing is written after the checkout returned or raised.

Two users: a clone's first checkout (`FileWriter`: a new file a job) and a
switch (`core/git/worktree/write.py`: a job is a file's whole checked replace).
"""

from __future__ import annotations

import collections
import functools
import os
import queue
import stat
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["FileWriter", "Handoff", "create_file", "make_parents"]

QUEUE_BYTES = 8 << 20  # content handed over and not written yet, at most (one larger file passes alone)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
CREATE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC

R = TypeVar("R")
Written = tuple[bytes, int, os.stat_result]
Done = Callable[[bytes, int, os.stat_result], None]


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


class Handoff(Generic[R]):
    """`submit(job, size)` runs `job()` on one thread, after the jobs handed before it;
    `done(result)` is called from the caller's thread (at its next `submit` or `drain`)
    for each job that returned. `size`: the bytes the job holds, counted against
    `QUEUE_BYTES` until it ran."""

    def __init__(self, done: Callable[[R], None]) -> None:
        self._done = done
        self._jobs: queue.Queue[tuple[Callable[[], R], int] | None] = queue.Queue()
        self._results: collections.deque[R] = collections.deque()
        self._pending = 0  # bytes handed over, not written yet
        self._room = threading.Condition()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gitferry-checkout-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], R], size: int = 0) -> None:
        with self._room:
            while self._pending and self._pending + size > QUEUE_BYTES and self._error is None:
                self._room.wait()
            self._pending += size
        self._report()
        self._jobs.put((job, size))

    def drain(self) -> None:
        """Wait until every job handed has run; report them, then raise what went wrong."""
        self._jobs.join()
        self._report()

    def close(self) -> None:
        """Stop the thread once what is queued has run or been refused; always joins it."""
        self._jobs.put(None)
        self._thread.join()

    def _report(self) -> None:
        error = self._error  # every result of a job before it is in `_results` already
        while self._results:
            self._done(self._results.popleft())
        if error is not None:
            raise error

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            try:
                if item is None:
                    return
                job, size = item
                if self._error is None:
                    try:
                        self._results.append(job())
                    except BaseException as exc:  # handed to the caller's next call
                        self._error = exc
                with self._room:
                    self._pending -= size
                    self._room.notify()
            finally:
                self._jobs.task_done()


class FileWriter(Handoff[Written]):
    """`write(path, mode, chunks)` queues a regular file; `done(path, mode, stat)` is called
    (from the caller's thread, at its next `write` or `drain`) for each one written."""

    def __init__(self, root: bytes, made: set[bytes], done: Done) -> None:
        super().__init__(lambda written: done(*written))
        self._root = root
        self._made = made

    def write(self, path: bytes, mode: int, chunks: Sequence[bytes]) -> None:
        full = os.path.join(self._root, path)
        self.submit(functools.partial(self._create, path, full, mode, chunks), sum(map(len, chunks)))

    def _create(self, path: bytes, full: bytes, mode: int, chunks: Sequence[bytes]) -> Written:
        make_parents(self._root, path, self._made)
        fd = create_file(full, mode)
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            return path, mode, os.fstat(fd)
        finally:
            os.close(fd)
