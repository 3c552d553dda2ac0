"""The core never imports Qt (docs/ARCHITECTURE.md, "Layers")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import core

SCRIPT = """
import importlib, pkgutil, sys
import core
names = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "qasync"))
print(len(names), ",".join(qt))
"""


def test_importing_every_core_module_loads_no_qt() -> None:
    root = Path(core.__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )
    count, qt = done.stdout.split()[0], done.stdout.strip().partition(" ")[2]
    assert int(count) > 50  # every module was imported, not just the package
    assert qt == "", f"core pulled in {qt}"
