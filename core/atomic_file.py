"""Replacing a small file atomically: a reader (or a crash) sees the old bytes or the new ones."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomically(
    path: str | Path, data: bytes, *, mode: int | None = None, durable_dir: bool = False
) -> None:
    """Write `data` to a temporary file beside `path` (named `.<name>.*.tmp`, so no glob for
    `path`'s suffix matches it), fsync it and rename it over `path`. `durable_dir` also
    fsyncs the directory, so the rename itself survives a power cut. Blocking."""
    import tempfile  # with `random`, `bisect`, `hashlib`'s SHA-512: not for a command that only reads

    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if durable_dir:
        fsync_dir(path.parent)


def fsync_dir(directory: str | Path) -> None:
    """Make a rename or unlink durable (POSIX; Windows cannot open a directory)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
