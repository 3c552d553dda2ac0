"""Facts about running processes, through psutil (Linux, macOS and Windows alike).

No module of the project reads `/proc` or asks the operating system about a
process by any other way than these functions.

`process_started` on Linux reads `/proc/PID/stat` itself, exactly as psutil's
`Process(pid).create_time()` does there (the start in clock ticks since boot,
over `SC_CLK_TCK`, plus `/proc/stat`'s `btime`: the same float, which
`tests/core/test_processes.py` checks against psutil), because every sync
records its own start time in the sync lock and importing psutil was 4 to 6 ms
of a cold `gitferry sync` (issue 19). Everything else imports psutil when
called.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Set


def process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None when it is gone or hidden.

    A pid with a different start time is another process that reused the number.
    """
    if sys.platform == "linux":
        return _linux_started(pid)
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except _gone():
        return None


def _linux_started(pid: int) -> float | None:
    if pid <= 0:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
        boot = _boot_time()
    except OSError:  # gone (no such file, or ESRCH while reading) or hidden
        return None
    fields = data[data.rfind(b")") + 2 :].split()  # after the command name, which may hold anything
    return float(fields[19]) / os.sysconf("SC_CLK_TCK") + boot


def _boot_time() -> float:
    with open("/proc/stat", "rb") as stat:
        for line in stat:
            if line.startswith(b"btime"):
                return float(line.strip().split()[1])
    raise OSError("no btime in /proc/stat")


def held_open(paths: Set[str]) -> set[str]:
    """Which of `paths` some process we may inspect has open right now."""
    import psutil

    held: set[str] = set()
    for process in psutil.process_iter():
        try:
            for opened in process.open_files():
                if opened.path in paths:
                    held.add(opened.path)
        except _gone():
            continue
    return held


def git_commands_in(worktree: str) -> list[list[str]]:
    """The command lines of the running `git` processes working in `worktree` or below it
    (git moves to the top of the worktree before it runs a command)."""
    import psutil

    top = os.path.realpath(worktree)
    found: list[list[str]] = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] not in ("git", "git.exe"):
            continue
        try:
            cwd = process.cwd()
            if cwd == top or cwd.startswith(top + os.sep):
                found.append(process.cmdline())
        except _gone():
            continue
    return found


def own_rss_bytes() -> int:
    """This process's resident memory."""
    import psutil

    return int(psutil.Process().memory_info().rss)


def _gone() -> tuple[type[Exception], ...]:
    """psutil's errors for a process that is gone or hidden."""
    import psutil

    return (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)
