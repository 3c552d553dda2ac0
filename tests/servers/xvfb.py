"""An X server of the test's own: Xvfb under the servers' keeper (`host.start_process`), on
the first display it finds free (`-displayfd`: two runs side by side never pick the same)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.servers.host import start_process, stop_process, wait_until


def start_xvfb(
    env: dict[str, str], log: Path, screen: str = "800x600x24"
) -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb, started and listening, and its display (`:N`); stop it with `stop_process`."""
    proc = start_process(["Xvfb", "-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"], env, log)
    try:
        wait_until(lambda: _display(log) is not None or proc.poll() is not None, "Xvfb listens")
        display = _display(log)
        if display is None:
            raise RuntimeError(f"Xvfb exited with {proc.returncode}: {log.read_text(errors='replace')}")
    except BaseException:
        stop_process(proc)
        raise
    return proc, display


def _display(log: Path) -> str | None:
    """The display Xvfb chose, once it listens: `-displayfd 1` writes its number, alone on a
    line, to the log."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    numbers = [line.strip() for line in lines if line.strip().isdigit()]
    return f":{numbers[0]}" if numbers else None
