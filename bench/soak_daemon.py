"""`gitferry daemon` under the soak's harness: signals that ask where its memory is.

Each handler prints one line `soak: <what> key=value ...` to stderr, for `bench.soak`:

- SIGUSR1 `soak: memory`: CPython's small-object allocator (its 1 MiB arenas and the
  bytes in live blocks, from `sys._debugmallocstats`), glibc's malloc (`mallinfo2`: bytes
  taken from the system by its arenas and by mmap, in use, free inside), SQLite's share of
  those (`sqlite3_status64`: its page caches, schemas and statements), the objects the
  cyclic collector tracks and its collections per generation. Under tracemalloc CPython's
  allocator has no statistics to give (-1).
- SIGHUP `soak: collect`: a full `gc.collect()`, what it freed and its CPU seconds.
- SIGUSR2 `soak: trim`: glibc's `malloc_trim(0)` and its CPU seconds.
- SIGWINCH `soak: traced`: the first counts the objects the collector tracks by type (and,
  with tracemalloc running, PYTHONTRACEMALLOC=frames, takes a snapshot); each later one
  prints the types whose count grew most since then (and the allocation sites).

The handlers run on the main thread (the event loop's) between two bytecodes.

    python -m bench.soak_daemon   (the environment's GITFERRY_HOME, as `gitferry daemon`)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import re
import signal
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from types import FrameType

_libc = ctypes.CDLL(None)
_first: list[tracemalloc.Snapshot] = []
_first_types: list[Counter[str]] = []


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in [
            *("arena", "ordblks", "smblks", "hblks", "hblkhd"),
            *("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"),
        ]
    ]


_libc.mallinfo2.restype = _Mallinfo2
_sqlite = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")  # the one _sqlite3 uses


def _sqlite_memory() -> int:
    """Bytes SQLite has allocated in this process (SQLITE_STATUS_MEMORY_USED)."""
    current, highest = ctypes.c_int64(), ctypes.c_int64()
    _sqlite.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(highest), 0)
    return current.value


def _python_allocator() -> dict[str, int]:
    """CPython's arenas and live bytes: `sys._debugmallocstats` writes them to fd 2."""
    with tempfile.TemporaryFile("w+") as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()

    def number(label: str) -> int:
        found = re.search(re.escape(label) + r"\s*=\s*([\d,]+)", text)
        return int(found.group(1).replace(",", "")) if found else -1

    return {
        "python-arenas": number("# arenas allocated current"),
        "python-live": number("# bytes in allocated blocks"),
        "python-free": number("# bytes in available blocks"),
    }


def _say(what: str, values: dict[str, object]) -> None:
    print(f"soak: {what} " + " ".join(f"{k}={v}" for k, v in values.items()), file=sys.stderr, flush=True)


def _types() -> Counter[str]:
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def _traced(_signum: int, _frame: FrameType | None, top: int = 12) -> None:
    tracing = tracemalloc.is_tracing()
    if not _first_types:
        _first_types.append(_types())
        if tracing:
            _first.append(tracemalloc.take_snapshot())
        return _say("traced", {"tracing": int(tracing)})
    grown = (_types() - _first_types[0]).most_common(top)
    print("types: the tracked objects grown most since the first", file=sys.stderr)
    print("\n".join(f"  {count:+d} {name}" for name, count in grown), file=sys.stderr)
    if tracing:
        print(f"tracemalloc: the {top} allocation sites grown most since the first", file=sys.stderr)
        for stat in tracemalloc.take_snapshot().compare_to(_first[0], "traceback")[:top]:
            print(f"  {stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks", file=sys.stderr)
            for line in stat.traceback.format(most_recent_first=True):
                print("    " + line, file=sys.stderr)
    return _say("traced", {"tracing": int(tracing)})


def _memory(_signum: int, _frame: FrameType | None) -> None:
    info = _libc.mallinfo2()
    _say(
        "memory",
        {
            **_python_allocator(),
            "glibc-arenas": info.arena,
            "glibc-mmap": info.hblkhd,
            "glibc-in-use": info.uordblks,
            "glibc-free": info.fordblks,
            "sqlite": _sqlite_memory(),
            "gc-objects": len(gc.get_objects()),
            "gc-collections": ",".join(str(s["collections"]) for s in gc.get_stats()),
        },
    )


def _collect(_signum: int, _frame: FrameType | None) -> None:
    started = time.thread_time()
    freed = gc.collect()
    _say("collect", {"freed": freed, "cpu": f"{time.thread_time() - started:.6f}"})


def _trim(_signum: int, _frame: FrameType | None) -> None:
    started = time.thread_time()
    _libc.malloc_trim(0)
    _say("trim", {"cpu": f"{time.thread_time() - started:.6f}"})


def main() -> int:
    signal.signal(signal.SIGUSR1, _memory)
    signal.signal(signal.SIGHUP, _collect)
    signal.signal(signal.SIGUSR2, _trim)
    signal.signal(signal.SIGWINCH, _traced)
    from core.cli import main as gitferry

    return gitferry(["daemon"], one_shot=True)  # the console script's collector settings


if __name__ == "__main__":
    sys.exit(main())
