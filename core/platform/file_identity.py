"""Which file or directory is at a path: its device, inode and birth time.

Device and inode alone do not tell a directory from the one that replaced it: ext4
hands a freed inode to the next file made in the same group, so `rm -rf repo && git
clone url repo` gives the new `repo/.git` and `repo/.git/objects` the very inode
numbers the old ones had (measured on this project's ext4 machine: all five of
`.git`, `objects`, `objects/pack`, `refs`, `HEAD` came back with the same number).
The birth time tells them apart: it is set when the inode is made and never changes.
It is read from the kernel's coarse clock (a tick of 1 to 10 ms): a directory deleted
and made again within the tick the deleted one was made in could look the same; a
repository the engine has opened and synced is older than that.
Modification and change times cannot stand in for it: git changes them in `.git` at
every lock file it takes.

Linux's `os.stat` has no birth time before Python 3.15's `os.statx`, so this calls
glibc's `statx(2)` through ctypes (a few lines, one call, about 2 us; no library on
PyPI wraps it for Python 3.11), imported at the first call: a CLI sync asks for no
identity, and ctypes is about 2 ms of its start. macOS and the BSDs have `st_birthtime`, Windows
`st_birthtime_ns` (Python 3.12). Where there is none (a file system that keeps no
birth time, another libc), the birth is None and the identity is the device and
inode only.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import sys
import threading
from typing import Any, NamedTuple

_AT_FDCWD = -100
_STATX_TYPE = 0x1
_STATX_INO = 0x100
_STATX_BTIME = 0x800
_STATX_SIZE = 256  # sizeof(struct statx)
# struct statx (linux/stat.h), what is read of it: stx_mask (at 0), stx_mode (28),
# stx_ino (32), stx_btime's seconds and nanoseconds (80), stx_dev_major and minor (136).
_FIELDS = struct.Struct("=I24xH2xQ40xqI44xII")
_NOTHING_THERE = (errno.ENOENT, errno.ENOTDIR)
_buffers = threading.local()  # one buffer a thread: file_identity runs in the I/O pool's threads


class FileIdentity(NamedTuple):
    device: int
    inode: int
    birth_ns: int | None
    """None where the system or the file system keeps no birth time."""
    directory: bool


def _glibc_statx() -> Any:
    """glibc's `statx`, or None; ctypes is imported here, at the first identity asked for
    (about 2 ms: a CLI sync, which opens its repository afresh, never asks)."""
    if sys.platform != "linux":
        return None
    import ctypes

    try:
        # CDLL: the GIL is let go for the call, as os.stat does. A statx of a path on a
        # hung mount (an NFS server gone, a stalled FUSE file system) sleeps in the kernel
        # for as long as the mount hangs: holding the GIL (PyDLL) would stop every thread
        # with it, the event loop and, in the app, the window (about 1.0 us a call either
        # way here, 1.8 against 3.7 us beside a busy thread).
        func = ctypes.CDLL(None, use_errno=True).statx
    except (OSError, AttributeError):  # musl before 1.2.5, glibc before 2.28
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    func.restype = ctypes.c_int
    return func


_UNSET: Any = object()
_statx: Any = _UNSET
"""`_glibc_statx()`, looked up at the first call of `file_identity`."""


def file_identity(path: str) -> FileIdentity | None:
    """The identity of what is at `path` (links followed); None when nothing is."""
    global _statx
    if _statx is _UNSET:
        _statx = _glibc_statx()  # two threads racing here find the same function
    if _statx is not None:
        import ctypes  # already imported by `_glibc_statx`

        buf = getattr(_buffers, "buf", None)
        if buf is None:
            buf = _buffers.buf = ctypes.create_string_buffer(_STATX_SIZE)
        if _statx(_AT_FDCWD, os.fsencode(path), 0, _STATX_TYPE | _STATX_INO | _STATX_BTIME, buf) == 0:
            mask, mode, inode, seconds, nanoseconds, major, minor = _FIELDS.unpack_from(buf)
            born = seconds * 10**9 + nanoseconds if mask & _STATX_BTIME else None
            return FileIdentity(os.makedev(major, minor), inode, born, stat.S_ISDIR(mode))
        if ctypes.get_errno() in _NOTHING_THERE:
            return None
        # Anything else, os.stat decides: a kernel before 4.11 (ENOSYS), a seccomp filter
        # that forbids statx (EPERM: older container runtimes' default profiles). Were it
        # None, every pool lease would find "another repository" and open it again.
    try:
        st = os.stat(path)
    except OSError:
        return None
    birth_ns: int | None = getattr(st, "st_birthtime_ns", None)
    birth: float | None = getattr(st, "st_birthtime", None)  # macOS, the BSDs
    if birth_ns is None and birth is not None:
        birth_ns = int(birth * 10**9)
    return FileIdentity(st.st_dev, st.st_ino, birth_ns, stat.S_ISDIR(st.st_mode))
