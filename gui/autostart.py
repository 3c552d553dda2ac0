"""Start the app at login: the command that starts it as it runs now; the entry
itself is the platform's (`core/platform/autostart.py`)."""

from __future__ import annotations

import sys

from core.platform.autostart import autostart_path, disable, enable, is_enabled

__all__ = ["autostart_path", "disable", "enable", "is_enabled", "launch_command"]


def launch_command() -> list[str]:
    """How to start the app as it is running now. `-P`: the folder the session starts it
    in (the home folder) is not put first on the import path, where a `gui` or `core`
    package of the user's own would shadow the app's."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-P", "-m", "gui"]
