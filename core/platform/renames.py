"""The two renames a plain `rename` cannot do: swap two paths, and move without replacing.

Replacing a working-tree file only while it still holds what was checked needs
them: a check followed by `rename` loses a save that lands between the two, but
after a swap the file that was at the path is in hand and can be looked at (and
swapped back), and a move that refuses to replace cannot bury a file someone
created meanwhile.

Linux: `renameat2` with RENAME_EXCHANGE and RENAME_NOREPLACE (glibc 2.28 and later),
through ctypes, which releases the GIL for the call. Each function returns False
where the OS or the file system cannot do it (no `renameat2`, or EINVAL from a file
system without the flag), and the caller falls back to a check and a `rename`.
A port fills in its own: macOS has `renamex_np` with RENAME_SWAP and RENAME_EXCL;
Windows has neither.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Callable
from functools import cache

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})

_Renameat2 = Callable[[int, bytes, int, bytes, int], int]


@cache
def _renameat2() -> _Renameat2 | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    result: _Renameat2 = function
    return result


def _rename(source: bytes, target: bytes, flags: int) -> bool:
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, source, _AT_FDCWD, target, flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(source), None, os.fsdecode(target))


def exchange(a: bytes, b: bytes) -> bool:
    """Swap the entries at `a` and `b` atomically; both must exist (FileNotFoundError otherwise).
    False, with nothing done, where this system cannot."""
    return _rename(a, b, _RENAME_EXCHANGE)


def rename_no_replace(source: bytes, target: bytes) -> bool:
    """Move `source` to `target` unless `target` exists (FileExistsError then).
    False, with nothing done, where this system cannot."""
    return _rename(source, target, _RENAME_NOREPLACE)
