"""`gitferry sync NAME` in a process of its own, its memory measured: `python -m tests.lfs_child
NAME URL USER PASSWORD OUT.json`.

The remote's credentials go into an in-memory keyring first (the child has no desktop
keyring). Everything a sync imports is imported before the peak is reset
(`5 > /proc/self/clear_refs`), so `peak_kib - rss_kib_before` is what the sync itself
grew by: the Git LFS transfers of tests/integration/test_lfs.py and bench/lfs.py.
A sync imports its transfer's modules (urllib3, truststore, the LFS client, the pack
machinery) only once it needs them, to start fast, so every module of `core` is
imported here first: without that, about 9 MiB of imports counted as the 64 MiB
download's growth.
"""

from __future__ import annotations

import encodings.idna  # noqa: F401 - a connection to a host by name loads it
import importlib
import json
import pkgutil
import sys
import time

import keyring

import core
from core.cli import main
from core.remote_url import credential_key
from tests.memory_keyring import MemoryKeyring


def _kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def import_what_a_sync_may() -> None:
    for module in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(module.name)


def run(name: str, url: str, user: str, password: str) -> dict[str, object]:
    import_what_a_sync_may()
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
