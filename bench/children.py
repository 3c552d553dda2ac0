"""A benchmark's measuring child process: its own interpreter (its own RSS, descriptors and
imports, another checkout on its PYTHONPATH), its result the last line of its stdout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def json_child(command: list[str], what: str, *, cwd: Path, env: dict[str, str] | None = None) -> Any:
    """Run `command`; the JSON document it printed last. `what` names it in the error
    (with the end of its stderr) when it fails."""
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{what}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])
