"""The pieces of `core/git` written by hand instead of calling dulwich, each timed against
dulwich's own function and, where git has one, the git CLI (docs/ARCHITECTURE.md cites
these tables).

Every section times the three sides interleaved run by run (medians) on the same
repository and checks that they agree (same objects, same merge bases, same counts, a
clean `git status`) before printing. Sections (all by default):

    index-read scan blob pack-ingest consolidate pack-loose haves push commit-graph merge-base
    ahead-behind merge-file line-diff tree-delta checkout timed-client config defects

The sections live in `bench/handwritten_objects.py`, `bench/handwritten_history.py` and
`bench/handwritten_transfer.py`; `defects` reproduces the dulwich behaviours that are the
reason for a piece where speed is not (`bench/dulwich_defects.py`). Repositories come
from `bench/repos.py` (cached under bench/.cache/). Run:
`.venv/bin/python -m bench.handwritten [SECTION ...] [--runs N]` (also in `make bench`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench import dulwich_defects
from bench.gitenv import isolate
from bench.handwritten_history import (
    bench_ahead_behind,
    bench_commit_graph,
    bench_line_diff,
    bench_merge_base,
    bench_merge_file,
)
from bench.handwritten_objects import (
    bench_blob,
    bench_checkout,
    bench_consolidate,
    bench_index_read,
    bench_pack_ingest,
    bench_pack_loose,
    bench_scan,
    bench_tree_delta,
)
from bench.handwritten_transfer import bench_config, bench_haves, bench_push, bench_timed_client
from bench.stats import Table

# Running ---------------------------------------------------------------------------

SECTIONS: dict[str, Callable[[int], list[Table]]] = {
    "index-read": bench_index_read,
    "scan": bench_scan,
    "blob": bench_blob,
    "pack-ingest": bench_pack_ingest,
    "consolidate": bench_consolidate,
    "pack-loose": bench_pack_loose,
    "haves": bench_haves,
    "push": bench_push,
    "commit-graph": bench_commit_graph,
    "merge-base": bench_merge_base,
    "ahead-behind": bench_ahead_behind,
    "merge-file": bench_merge_file,
    "line-diff": bench_line_diff,
    "tree-delta": bench_tree_delta,
    "checkout": bench_checkout,
    "timed-client": bench_timed_client,
    "config": bench_config,
    "defects": lambda _runs: [dulwich_defects.reproduce()],
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.handwritten",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help="default: all")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contender (default 3)")
    args = parser.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    isolate()
    for name in args.sections or SECTIONS:
        started = time.perf_counter()
        for table in SECTIONS[name](args.runs):
            print(table.render(), flush=True)
        print(f"[{name}: {time.perf_counter() - started:.1f} s]\n", flush=True)


if __name__ == "__main__":
    main()
