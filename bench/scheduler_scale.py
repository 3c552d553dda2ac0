"""The fetch scheduler's own cost per background job at 50, 200 and 1,000 repositories.

`bench.fleet_scale` runs the engine's cycle straight through the workers; this times
what the daemon adds in front of it: `core.engine.scheduler.FetchScheduler` with N
repositories (one-hour interval, `max_concurrent` 1 as on two cores), its trigger a
fetch that returns at once, so only the scheduler's work is left. A cycle: the clock
jumps two hours (the scheduler sees a machine that slept), every repository is
overdue and caught up at once (`catch_up_window` 0, no spacing between starts), and
the cycle ends when each has been fetched. CPU of the process per job, median of the
cycles; each cycle checked: every repository fetched exactly once.

Each size and checkout runs in a child process of its own, the checkouts turn by
turn (`--before DIR`: another checkout's scheduler, e.g. a `git worktree add --detach`
of an older commit); the child's code is the same for both, only its PYTHONPATH differs.

    .venv/bin/python -m bench.scheduler_scale [--sizes 50 200 1000] [--cycles N] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.children import json_child
from bench.stats import Summary, Table, yes_no

ROOT = Path(__file__).resolve().parent.parent

# Run with `python -c` in a child whose PYTHONPATH is the checkout measured; argv: N, cycles.
CHILD = r"""
import asyncio, json, sys, time
from core.engine.fetch_outcome import FetchOutcome
from core.engine.scheduler import Cadence, FetchScheduler
from core.engine.slots import SlotPolicy

N, CYCLES = int(sys.argv[1]), int(sys.argv[2])
INTERVAL = 3600.0


class JumpClock:
    '''The system's clocks, moved forward by hand: a jump looks like a machine that slept.'''

    def __init__(self):
        self.shift = 0.0

    def monotonic(self):
        return time.monotonic() + self.shift

    def wall(self):
        return time.time() + self.shift

    async def sleep(self, seconds):
        await asyncio.sleep(max(0.0, seconds))


async def main():
    clock = JumpClock()
    fetched, done = [], asyncio.Event()

    async def trigger(repo_id, job):
        fetched.append(repo_id)
        if len(fetched) == N:
            done.set()
        return FetchOutcome.ok()

    scheduler = FetchScheduler(
        clock, trigger=trigger, max_concurrent=1,
        slots=SlotPolicy(catch_up_window=0.0), cadence=Cadence(start_spacing=0.0),
    )
    for repo_id in range(1, N + 1):
        scheduler.add(repo_id, f"/fleet/r{repo_id:04d}", INTERVAL)
    run = asyncio.ensure_future(scheduler.run())
    await asyncio.sleep(0.05)
    per_job = []
    for _ in range(CYCLES):
        fetched.clear()
        done.clear()
        started = time.process_time()
        clock.shift += 2 * INTERVAL
        scheduler.set_max_concurrent(1)  # wakes its loop (asleep for up to its 30 s tick)
        await asyncio.wait_for(done.wait(), 600)
        await asyncio.sleep(0)  # the last job's own end
        per_job.append((time.process_time() - started) / N)
        if sorted(fetched) != list(range(1, N + 1)):
            raise SystemExit(f"a cycle fetched {len(fetched)} times, {len(set(fetched))} repositories")
    scheduler.stop()
    await run
    print(json.dumps(per_job))


asyncio.run(main())
"""


def child(checkout: Path, count: int, cycles: int) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, "-c", CHILD, str(count), str(cycles)]
    values: list[float] = json_child(command, f"{checkout}, {count} repositories", cwd=checkout, env=env)
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler_scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000], help="repositories")
    parser.add_argument("--cycles", type=int, default=5, help="cycles per size and checkout")
    parser.add_argument("--rounds", type=int, default=3, help="children per size and checkout, interleaved")
    parser.add_argument("--before", type=Path, help="another checkout (an older commit) measured beside it")
    args = parser.parse_args(argv)
    checkouts = {"now": ROOT}
    if args.before is not None:
        checkouts["before"] = args.before.resolve()
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f}", flush=True)
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for count in args.sizes:
            for name, checkout in checkouts.items():
                samples.setdefault((name, count), []).extend(child(checkout, count, args.cycles))
    table = Table(
        "The fetch scheduler's own CPU per background job (µs; trigger returns at once, max_concurrent 1)",
        ["checkout", "repos", "median", "p95", "p99", "per job vs at the first size"],
    )
    for name in checkouts:
        base = Summary(tuple(samples[(name, args.sizes[0])])).median
        for count in args.sizes:
            s = Summary(tuple(samples[(name, count)]))
            table.add(
                name,
                count,
                f"{s.median * 1e6:,.1f}",
                f"{s.p(95) * 1e6:,.1f}",
                f"{s.p(99) * 1e6:,.1f}",
                f"{s.median / base:.2f}x",
            )
    last = args.sizes[-1]
    for name in checkouts:
        grow = (
            Summary(tuple(samples[(name, last)])).median
            / Summary(tuple(samples[(name, args.sizes[0])])).median
        )
        table.note(
            f"{name}: per job at {last} / at {args.sizes[0]}: {grow:.2f} (linear or better, 10% allowed: "
            f"{yes_no(grow <= 1.1)})"
        )
    table.note(
        f"{args.rounds} children x {args.cycles} cycles per size and checkout, interleaved; "
        "checked: every repository fetched exactly once per cycle"
    )
    print(table.render(), flush=True)


if __name__ == "__main__":
    main()
