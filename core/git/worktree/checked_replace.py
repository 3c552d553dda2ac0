"""Replacing or removing a working-tree file only if it still holds what was checked.

A switch checks every path before it touches any, then writes them one by one:
an editor can save a file between its check and its replacement. A second look
just before `rename` narrows that window to the gap between two system calls; it
is closed here where the system allows:

- replacing: the new content, already in a temporary file beside the path, is
  swapped with the path in one step (`exchange`). What comes out is the file that
  was there at that instant: if it is still what was checked it is removed, and
  if not (a save landed in between) it is swapped back, so the path holds the
  save again. A save that lands after the swap replaces or rewrites the new file,
  and stays: nothing is ever renamed over the path after that.
- creating where nothing was: a move that refuses to replace
  (`rename_no_replace`), so a file someone created meanwhile is never buried.
- removing: the file is moved aside first, looked at there, and removed only if
  unchanged; otherwise it is moved back, unless a newer file took the path.

A save through a file descriptor opened before the swap and written after the
file moved aside was looked at (an editor holding the old file open while it is
replaced) is the one case no file system call can see. Where the system lacks the
two renames, a last look and a plain `rename` are used instead.

Moving a file sets its ctime, so a file moved aside is compared by type, inode,
size and mtime (`Unchanged`); the caller compares the full stat (ctime too)
just before.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable

from core.platform.renames import exchange, rename_no_replace

Unchanged = Callable[[bytes], bool]
"""Is the entry at this path (the file moved aside) still what was checked?"""


def swap_in(temp: bytes, full: bytes, unchanged: Unchanged | None, ours: os.stat_result) -> bool:
    """Put the new file `temp` (whose stat was `ours` when written) at `full` if `full`
    is still what was checked (`unchanged`; None: nothing was there). True if it was;
    False if someone's work is there: it stays, and `temp` is removed."""
    replaced = False
    try:
        replaced = _create(temp, full) if unchanged is None else _replace(temp, full, unchanged, ours)
    finally:
        # replaced: `temp` was moved in (and what came out of `full` removed), nothing is left
        if not replaced and still_ours(temp, ours) is not None:
            os.unlink(temp)
    return replaced


def take_away(full: bytes, aside: bytes, unchanged: Unchanged) -> bool:
    """Remove `full` if it is still what was checked (moved to `aside` first, in its directory).
    True if it is gone (or was already); False if someone's work is there: it stays."""
    try:
        os.rename(full, aside)
    except FileNotFoundError:
        return True
    try:
        gone = unchanged(aside)
    except BaseException:
        _put_back(aside, full)
        raise
    if gone:
        os.unlink(aside)
        return True
    _put_back(aside, full)
    return False


def still_ours(full: bytes, ours: os.stat_result) -> os.stat_result | None:
    """The lstat of `full` if it is still the file written as `ours`, untouched since; None if
    someone saved over it or into it (its index entry must then not vouch for it)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        st = os.lstat(full)
        if (
            st.st_ino == ours.st_ino
            and st.st_size == ours.st_size
            and st.st_mtime_ns == ours.st_mtime_ns
            and stat.S_IFMT(st.st_mode) == stat.S_IFMT(ours.st_mode)
        ):
            return st
    return None


def _create(temp: bytes, full: bytes) -> bool:
    try:
        if rename_no_replace(temp, full):
            return True
    except FileExistsError:
        return False
    if os.path.lexists(full):
        return False
    os.rename(temp, full)
    return True


def _replace(temp: bytes, full: bytes, unchanged: Unchanged, ours: os.stat_result) -> bool:
    try:
        swapped = exchange(temp, full)
    except FileNotFoundError:
        return False  # removed (or moved away to be saved anew) since the check
    if not swapped:
        if not unchanged(full):
            return False
        os.rename(temp, full)
        return True
    try:
        changed = not unchanged(temp)  # `temp` now names the file that was at `full`
    except BaseException:
        _swap_back(temp, full, ours)
        raise
    if changed:
        _swap_back(temp, full, ours)
        return False
    os.unlink(temp)
    return True


def _swap_back(temp: bytes, full: bytes, ours: os.stat_result) -> None:
    """A save landed between the check and the swap: it goes back to `full`. Whatever comes
    out is the new file, or a save made in the instant between the two swaps, newer than
    the one now at `full`: that one takes the path."""
    try:
        exchange(temp, full)
    except FileNotFoundError:
        os.rename(temp, full)  # the path was removed meanwhile: the save is all there is
        return
    if still_ours(temp, ours) is None:
        os.rename(temp, full)


def _put_back(aside: bytes, full: bytes) -> None:
    """A changed file moved aside goes back, unless a newer one took its path meanwhile."""
    try:
        if rename_no_replace(aside, full):
            return
    except FileExistsError:
        os.unlink(aside)
        return
    if os.path.lexists(full):
        os.unlink(aside)
    else:
        os.rename(aside, full)
