"""A benchmark's measuring child process: its own interpreter (its own RSS, descriptors and
imports, another checkout on its PYTHONPATH), its result the last line of its stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def json_child(command: list[str], what: str, *, cwd: Path, env: dict[str, str] | None = None) -> Any:
    """Run `command`; the JSON document it printed last. `what` names it in the error
    (with the end of its stderr) when it fails."""
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{what}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


# A small interpreter between the bench and a measured command. Linux keeps a process's
# RSS high-water mark through fork and exec, so a command forked straight from the bench
# (large once it has built a cached history) reports the bench's size, not its own, as
# `wait4`'s ru_maxrss. Forked from this wrapper, it starts from the wrapper's few MiB.
_PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(used.ru_maxrss, used.ru_utime + used.ru_stime, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def peak_measured(command: list[str]) -> list[str]:
    """`command` run under the wrapper, which prints, as its stderr's last line, the peak
    RSS in KiB of the largest process of the command's tree and the tree's CPU seconds."""
    return [sys.executable, "-I", "-S", "-c", _PEAK_WRAPPER, *command]


def peak_and_cpu(stderr: str) -> tuple[int, float]:
    """(peak RSS in KiB, CPU seconds) from the stderr of a `peak_measured` command."""
    peak, cpu = stderr.strip().splitlines()[-1].split()
    return int(peak), float(cpu)
