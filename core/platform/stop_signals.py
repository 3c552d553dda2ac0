"""Stopping a headless process politely: SIGINT and SIGTERM call back on the loop.

POSIX: `loop.add_signal_handler`. A Windows port has no such handler on its
event loops: it fills in `on_stop_signals` with `signal.signal(SIGINT/SIGBREAK)`
handing over through `loop.call_soon_threadsafe`, as the desktop app already does.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> Callable[[], None]:
    """Call `stop` on the loop when the process is asked to stop; returns the undo."""
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop)

    def undo() -> None:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)

    return undo
