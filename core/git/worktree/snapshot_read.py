"""Read a file that never stops changing as one state it really had.

Auto mode commits a file still being written once it has kept changing for
`settle_max` (`core.engine.auto_sync`): instead of waiting for it to settle, its
content is taken from a *verified snapshot*. The read counts only when the file's
lstat (type, inode, size, mtime_ns, ctime_ns) is the same before and after it and
its mtime is at least `still` seconds old when the read starts: no write touched
the file during the read, and the state read had stood unchanged for `still`
(so a writer's truncate-then-write is not caught half-way, and a write during the
read cannot hide behind a file system timestamp's coarse tick, as git's "racy"
check reasons). An atomic rename-save is then exactly one whole version; never half
of one write and half of the next. A read the file changed under is tried again a
few times, then given up (None): the next round tries again. The stat returned is
the one taken BEFORE the read: the index entry made from it shows the file as
modified again if it changed since.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

from core.git.objects.blob_stream import FileChanged
from core.git.worktree.state import fingerprint

T = TypeVar("T")

ATTEMPTS = 5
STILL = 0.03  # seconds the state read must have stood unchanged (several timestamp ticks)


def read_snapshot(
    full: bytes,
    read: Callable[[os.stat_result], T],
    *,
    attempts: int = ATTEMPTS,
    still: float = STILL,
    lstat: Callable[[bytes], os.stat_result] = os.lstat,
) -> tuple[os.stat_result, T] | None:
    """`read(st)` of the file at `full` (lstat `st`, taken before) with no change during
    it, and the stat it was read under; None when every attempt saw it change. `read`
    may raise FileChanged (it changed under it: another attempt); any other OSError
    goes to the caller."""
    for _attempt in range(attempts):
        st = _still(full, still, lstat)
        if st is None:
            continue
        try:
            result = read(st)
        except FileChanged:
            continue
        if fingerprint(lstat(full)) == fingerprint(st):
            return st, result
    return None


def _still(full: bytes, still: float, lstat: Callable[[bytes], os.stat_result]) -> os.stat_result | None:
    """The file's lstat once its mtime is `still` seconds old (waiting up to that long);
    None if it changed meanwhile or its mtime is in the future."""
    st = lstat(full)
    wait = st.st_mtime_ns + int(still * 1e9) - time.time_ns()
    if wait <= 0:
        return st
    if wait > still * 1e9:  # an mtime in the future: never old enough to trust
        return None
    time.sleep(wait / 1e9)
    again = lstat(full)
    return again if fingerprint(again) == fingerprint(st) else None
