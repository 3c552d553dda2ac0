"""Where Gitferry keeps its data: `$GITFERRY_HOME`, or the platform's user data directory."""

from __future__ import annotations

import os
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
    """The platform's user data directory for Gitferry: platformdirs is imported only then
    (with `tempfile` and `random`: about 8 million instructions of a cold command)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("gitferry", appauthor=False))
