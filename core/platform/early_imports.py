"""Modules a command will need, imported in a thread while it waits on the network.

A `gitferry sync` in its own process imported the integration (`core.engine.integrate_phase`,
and with it the switch's machinery, and `core.engine.lfs_phase`) once its fetch was done:
about 18 ms of CPU on the way from the fetch to the switch (`bench.real_fetch`'s cold
fast-forward, a timeline of its process), while during the fetch the process was idle about
60 of its ~210 ms (connecting, then waiting for the server to count and send the pack: 150
ms of CPU). So a full sync, which always integrates, has its integration's modules imported
here as its fetch starts (`core.engine.sync`), and a fetch whose wants are known has the
pack's machinery imported while the server prepares the pack (`core.git.transfer.fetch`).
The sync's own `import` later finds them loaded, or waits for the one the thread is loading
(Python's per-module import lock); the set of modules a command loads is the same.

What makes two threads importing at once safe here: Gitferry's modules have no import cycle
among them at module level (`tests/core/test_early_imports.py` checks the graph), so a
thread that needs a module the other is loading waits for it whole and never sees it half
made. A module that fails to import in the thread is left to the command's own import, which
raises (and reports) the same error.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)


def load_during(modules: Sequence[str]) -> threading.Thread | None:
    """Import `modules` in a daemon thread, started now; None when all are loaded already
    (a running engine's second sync)."""
    missing = [name for name in modules if name not in sys.modules]
    if not missing:
        return None
    thread = threading.Thread(target=_load, args=(missing,), name="early-imports", daemon=True)
    thread.start()
    return thread


def _load(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the sync's own import raises it again, where it is reported
            log.debug("importing %s early failed: %s", name, exc)
            return
