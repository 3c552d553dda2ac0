"""What the desktop app remembers for the user between runs that is no setting of the
core: the status window's geometry, the split between its list and detail pane, the
selected repository and the open tab, and the folder clones last went into.

One `QSettings` INI file in Gitferry's data folder (`$GITFERRY_HOME`, else the
platform's), `desktop.ini`: the look of the app is no business of the status store,
and Qt reads and writes these values (geometry as Qt encodes it) itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

FILE_NAME = "desktop.ini"
CLONE_PARENT = "clone/parent_folder"


class Remembered:
    def __init__(self, folder: Path) -> None:
        self._settings = QSettings(str(folder / FILE_NAME), QSettings.Format.IniFormat)

    def save(self, key: str, value: str | int | QByteArray) -> None:
        self._settings.setValue(key, value)

    def text(self, key: str) -> str | None:
        value = self._settings.value(key)
        return value if isinstance(value, str) else None

    def number(self, key: str) -> int | None:
        value = self._settings.value(key)
        try:
            return int(value) if value is not None else None  # INI files keep numbers as text
        except (TypeError, ValueError):
            return None

    def data(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else None

    def sync(self) -> None:
        self._settings.sync()
