"""Where Gitferry keeps its data: `$GITFERRY_HOME`, or the platform's user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.errors import GitferryError


class DataDirUnusable(GitferryError):
    """The data directory cannot be made or used (a file in its place, no permission)."""


def data_dir() -> Path:
    home = os.environ.get("GITFERRY_HOME")
    path = Path(home) if home else _platform_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = "GITFERRY_HOME" if home else "the platform's user data directory"
        in_the_way = isinstance(exc, FileExistsError | NotADirectoryError)
        why = "a file is in the way" if in_the_way else exc.strerror or str(exc)
        raise DataDirUnusable(f"cannot use {path} ({where}) as Gitferry's data directory: {why}") from exc
    return path


def store_file(home: Path) -> Path:
    """The status store in the data directory `home`."""
    return home / "status.sqlite3"


def _platform_data_dir() -> Path:
    """The platform's user data directory for Gitferry: platformdirs is imported only when
    `_linux_data_dir` does not know it."""
    known = _linux_data_dir()
    if known is not None:
        return known
    import platformdirs

    return Path(platformdirs.user_data_dir("gitferry", appauthor=False))


def _linux_data_dir() -> Path | None:
    """On Linux, what platformdirs' `user_data_dir` answers there, without importing it
    (with `typing`, `tempfile` and `random`: 22 million instructions, 8% of a cold
    `gitferry status --json` of 50 repositories): `$XDG_DATA_HOME/gitferry` when that is
    an absolute path, else `~/.local/share/gitferry` when `HOME` is one
    (`tests/core/test_paths.py` compares them). None elsewhere, on Android, and with a
    relative or no `HOME`: platformdirs answers."""
    environ = os.environ
    android = environ.get("ANDROID_DATA") == "/data" and environ.get("ANDROID_ROOT") == "/system"
    if sys.platform != "linux" or android or hasattr(sys, "getandroidapilevel"):
        return None
    xdg = environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg, "gitferry")
    if os.path.isabs(environ.get("HOME", "")):
        return Path(os.path.expanduser("~/.local/share"), "gitferry")
    return None
