"""Where Gitferry keeps its data: `$GITFERRY_HOME`, or the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    home = os.environ.get("GITFERRY_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir("gitferry", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_file(home: Path) -> Path:
    """The status store in the data directory `home`."""
    return home / "status.sqlite3"
