"""What the desktop app remembers for the user between runs that is no setting of the
core (the folder clones last went into): an INI file in Gitferry's data directory."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from core.paths import data_dir

CLONE_PARENT = "clone/parent_folder"


def preferences() -> QSettings:
    return QSettings(str(data_dir() / "desktop.ini"), QSettings.Format.IniFormat)


def remembered(key: str) -> str:
    value = preferences().value(key, "")
    return value if isinstance(value, str) else ""


def remember(key: str, value: str) -> None:
    settings = preferences()
    settings.setValue(key, value)
    settings.sync()
