"""Where the app's icons live, and which icon stands for each tray state.

The icons are kept in `resources/icons/` at the top of the source tree. A source
checkout (or an editable install) reads them there; a wheel installs them under
`<prefix>/share/gitferry/icons/` (pyproject's data-files); a PyInstaller bundle
carries them as `resources/` inside the bundle. The first of these that holds
the app icon wins. This module does not import Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

APP_ICON_NAME = "gitferry"
_SOURCE_TREE_DIR = Path(__file__).resolve().parent.parent / "resources"


class TrayState(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    WARNING = "warning"
    ATTENTION = "attention"
    PAUSED = "paused"
    OFFLINE = "offline"


TRAY_ICON_NAMES: Mapping[TrayState, str] = MappingProxyType(
    {state: f"tray-{state.value}" for state in TrayState}
)


def _candidate_dirs() -> Iterator[Path]:
    """In order; the installed data folders are asked of `sysconfig` (a few ms to import,
    on the way to the first paint) only when the bundle and the source tree have no icon."""
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str):
        yield Path(bundle) / "resources"
    yield _SOURCE_TREE_DIR
    import sysconfig

    for scheme in (sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")):
        yield Path(sysconfig.get_path("data", scheme)) / "share" / "gitferry"


def _find_resources_dir() -> Path:
    """The first candidate holding the app icon; the source-tree path if none does.

    Checking for our own icon (not just a `resources` folder) matters: an installed
    wheel's parent directory is site-packages, where another distribution may own
    a `resources` folder.
    """
    for directory in _candidate_dirs():
        if (directory / "icons" / f"{APP_ICON_NAME}.svg").is_file():
            return directory
    return _SOURCE_TREE_DIR


RESOURCES_DIR: Path = _find_resources_dir()
ICONS_DIR: Path = RESOURCES_DIR / "icons"


def icon_path(name: str) -> Path:
    """The SVG for an icon name such as "gitferry" or "tray-idle"."""
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no icon {name!r} in {ICONS_DIR}")
    return path


def tray_icon_path(state: TrayState) -> Path:
    return icon_path(TRAY_ICON_NAMES[state])
