"""Child processes that can be stopped together with everything they started.

A hook or credential helper that runs past its time is killed with its whole
process group (a shell script's own children too). POSIX: a new session at
start, `killpg` to stop. A Windows port starts the child with
`CREATE_NEW_PROCESS_GROUP` inside a job object and closes the job to stop it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any

# Keyword arguments for `subprocess.Popen` that put the child in a group of its own.
OWN_GROUP: dict[str, Any] = {"start_new_session": True}
KILLED = -signal.SIGKILL  # the return code of a child stopped by `kill_group`


def kill_group(child: subprocess.Popen[bytes]) -> None:
    """Kill `child` and what it started, then reap it."""
    signal_group(child)
    child.communicate()


def signal_group(child: subprocess.Popen[bytes]) -> None:
    """Kill `child` and what it started (a `sh -c` and the program it runs, which holds
    the pipes too), without waiting: whoever reads its output sees it end."""
    with contextlib.suppress(OSError):  # gone already
        os.killpg(child.pid, signal.SIGKILL)
