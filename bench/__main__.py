"""Run every benchmark module: `python -m bench [MODULE ...]` (`make bench`).

Each module exposes `main(argv)` and runs with its own defaults here; run one
module directly (`python -m bench.fetch --help`) to pass it options.
"""

from __future__ import annotations

import argparse
import importlib
import time

MODULES = (
    "fetch",
    "ahead_behind",
    "sync",
    "background",
    "gui",
    "scan",
    "events",
    "timeouts",
    "handwritten",
    "lfs",
    "auto_sync",
    "auto_watch",
    "real_fetch",
    "clone",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"any of {MODULES}")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}")
    for name in args.modules or MODULES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"== bench.{name}: not written yet, skipped\n", flush=True)
            continue
        print(f"== bench.{name}", flush=True)
        started = time.perf_counter()
        module.main([])
        print(f"== bench.{name} done in {time.perf_counter() - started:.0f} s\n", flush=True)


if __name__ == "__main__":
    main()
