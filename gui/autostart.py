"""Start the app at login: the command that starts it as it runs now; the entry
itself is the platform's (`core/platform/autostart.py`)."""

from __future__ import annotations

import sys

from core.platform.autostart import autostart_path, disable, enable, is_enabled

__all__ = ["autostart_path", "disable", "enable", "is_enabled", "launch_command"]


def launch_command() -> list[str]:
    """How to start the app as it is running now."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "gui"]
