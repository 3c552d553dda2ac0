"""`gitferry sync NAME` in a process of its own, its memory measured: `python -m tests.lfs_child
NAME URL USER PASSWORD OUT.json`.

The remote's credentials go into an in-memory keyring first (the child has no desktop
keyring). Everything a sync imports is imported before the peak is reset
(`5 > /proc/self/clear_refs`), so `peak_kib - rss_kib_before` is what the sync itself
grew by: the Git LFS transfers of tests/integration/test_lfs.py and bench/lfs.py.
"""

from __future__ import annotations

import json
import sys
import time

import keyring

import core.engine.sync  # noqa: F401 - imported before the measure
from core.cli import main
from core.remote_url import credential_key
from tests.memory_keyring import MemoryKeyring


def _kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def run(name: str, url: str, user: str, password: str) -> dict[str, object]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    backend.set_password(
        "gitferry", credential_key(url), json.dumps({"username": user, "password": password})
    )
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _kib("VmRSS")
    started = time.perf_counter()
    code = main(["sync", name, "--json"])
    seconds = time.perf_counter() - started
    return {"code": code, "rss_kib_before": before, "peak_kib": _kib("VmHWM"), "seconds": seconds}


if __name__ == "__main__":
    name, url, user, password, out = sys.argv[1:6]
    result = run(name, url, user, password)
    with open(out, "w") as f:
        json.dump(result, f)
    sys.exit(0)
