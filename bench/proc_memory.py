"""Where a process's resident memory is, from /proc (Linux): the tool for an RSS that grows.

`breakdown(pid)` splits RSS the way the kernel counts it (/proc/PID/status: RssAnon,
RssFile, RssShmem) and by what the mappings in /proc/PID/smaps are: the brk heap,
glibc's per-thread malloc arenas (anonymous mappings at a 64 MiB boundary), thread
stacks, other anonymous memory (Python's arenas, large allocations), mapped `.pack`
and `.idx` files (and how many), SQLite's `-shm`, shared libraries, other files.
`mappings(pid)` is each mapping's RSS, for `grown` to name the ones that grew.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

KIB = 1024
ARENA_ALIGN = 64 * 1024 * 1024  # glibc's HEAP_MAX_SIZE on 64-bit: a thread arena starts on it
STACK_SIZE = 8 * 1024 * 1024  # the default pthread stack (ulimit -s)
_HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
Mapping = tuple[int, int, str, str]  # start, end, permissions, path


def _smaps(pid: int) -> list[tuple[Mapping, int]]:
    """Each mapping of `pid` and its RSS in bytes."""
    found: list[tuple[Mapping, int]] = []
    current: Mapping | None = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        header = _HEADER.match(line)
        if header:
            start, end, perms, path = header.groups()
            current = (int(start, 16), int(end, 16), perms, path.strip())
        elif line.startswith("Rss:") and current is not None:
            found.append((current, int(line.split()[1]) * KIB))
    return found


def kind(mapping: Mapping) -> str:
    start, end, _perms, path = mapping
    if path == "[heap]":
        return "heap (brk)"
    if path.startswith("[stack"):
        return "main stack"
    if not path:
        if start % ARENA_ALIGN == 0:
            return "malloc thread arenas"
        if end - start == STACK_SIZE:
            return "thread stacks"
        return "other anonymous"
    if path.startswith("["):
        return "other anonymous"
    if path.endswith(".pack"):
        return "mapped .pack"
    if path.endswith(".idx"):
        return "mapped .idx"
    if path.endswith("-shm"):
        return "SQLite -shm"
    if ".so" in os.path.basename(path):
        return "libraries"
    return "other files"


KINDS = (
    "heap (brk)",
    "malloc thread arenas",
    "thread stacks",
    "other anonymous",
    "main stack",
    "mapped .pack",
    "mapped .idx",
    "SQLite -shm",
    "libraries",
    "other files",
)


def breakdown(pid: int) -> dict[str, float]:
    """RSS by the kernel's three counts and by kind of mapping (MiB), and the mapped packs."""
    mib = 1024 * KIB
    sample: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "RssShmem"):
            sample[f"{name} MiB"] = int(value.split()[0]) * KIB / mib
    rss = dict.fromkeys(KINDS, 0)
    counts = {"mapped .pack": 0, "mapped .idx": 0}
    arenas = 0
    for mapping, resident in _smaps(pid):
        what = kind(mapping)
        rss[what] += resident
        if what in counts:
            counts[what] += 1
        arenas += what == "malloc thread arenas"
    for what in KINDS:
        sample[f"map: {what} MiB"] = rss[what] / mib
    sample["malloc thread arenas"] = arenas
    for what, count in counts.items():
        sample[f"{what} files"] = count
    return sample


def open_files(pid: int, suffix: str) -> int:
    """Descriptors of `pid` open on a file whose name ends with `suffix` (a store's
    connections: each holds the database file open)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        count += target.endswith(suffix)
    return count


def mappings(pid: int) -> dict[str, int]:
    """Each mapping's RSS in bytes, keyed by its start address (an arena or a heap keeps it
    as it grows), kind and path."""
    return {
        f"{start:x} {kind((start, end, perms, path))} {os.path.basename(path)}".rstrip(): resident
        for (start, end, perms, path), resident in _smaps(pid)
    }


def grown(before: dict[str, int], after: dict[str, int], top: int = 10) -> list[str]:
    """The `top` mappings whose RSS grew most from `before` to `after`, one line each."""
    growth = sorted(
        ((after[key] - before.get(key, 0), key) for key in after), key=lambda item: item[0], reverse=True
    )
    return [
        f"{delta / 1024 / KIB:+8.2f} MiB  {key}{'' if key in before else ' (new)'}"
        for delta, key in growth[:top]
        if delta > 0
    ]
