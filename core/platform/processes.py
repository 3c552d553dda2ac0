"""Facts about running processes, through psutil (Linux, macOS and Windows alike).

No module of the project reads `/proc` or asks the operating system about a
process by any other way than these functions.
"""

from __future__ import annotations

from collections.abc import Set

import psutil

_GONE = (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)


def process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None when it is gone or hidden.

    A pid with a different start time is another process that reused the number.
    """
    try:
        return psutil.Process(pid).create_time()
    except _GONE:
        return None


def held_open(paths: Set[str]) -> set[str]:
    """Which of `paths` some process we may inspect has open right now."""
    held: set[str] = set()
    for process in psutil.process_iter():
        try:
            for opened in process.open_files():
                if opened.path in paths:
                    held.add(opened.path)
        except _GONE:
            continue
    return held


def own_rss_bytes() -> int:
    """This process's resident memory."""
    return int(psutil.Process().memory_info().rss)
