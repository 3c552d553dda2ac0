"""What a lease of a pooled repository costs at 1,000 open repositories (issue 19 and the
pool's identity check).

The pool hands a job the `Repo` it keeps open; since it checks that the repository at
the path is still the one it opened (`core.git.repository.repository_identity`: the
birth time, device and inode of `.git` and of `objects/`), each lease pays a few stats.
This times it: N hard-linked twins of the cached fleet template (`bench.repos.fleet_template`,
20 branches, packed) in one `RepoPool` (budgets large enough to keep all of them open),
a first round opening each, then rounds leasing each in turn and reading its HEAD
commit (from the mapped pack): wall time per lease (median, p95, p99) and CPU per
lease. Beside it, git doing the least it can in a repository, `git rev-parse HEAD^{commit}`
(a process per repository, so a floor for anything git does per repository, not a
like-for-like contender).

Each checkout runs in a child process of its own, the checkouts and git turn by turn
(`--before DIR`: another checkout, e.g. a `git worktree add --detach` of an older
commit; the child's code is the same for both, only its PYTHONPATH differs). Checked in
every child: no lease of an unchanged repository opened it again (the pool kept every
one), and whether one repository deleted and made again at its path (another history)
was opened afresh at its next lease (`replaced -> reopened`).

    .venv/bin/python -m bench.pool_lease [--repos N] [--rounds N] [--turns N] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import repos
from bench.children import json_child
from bench.gitenv import isolate, scratch
from bench.stats import Summary, Table, yes_no

ROOT = Path(__file__).resolve().parent.parent
GIT_SAMPLE = 100  # repositories git looks at per turn: its cost per repository is flat

# Run with `python -c` in a child whose PYTHONPATH is the checkout measured; argv: fleet, N, rounds, other.
CHILD = r"""
import asyncio, json, os, shutil, sys, time
from pathlib import Path
from core.offload import Offload
from core.platform.fd_limit import raise_soft_limit
from core.pool import RepoPool
from bench.repos import twin

FLEET, N, ROUNDS, OTHER = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


async def main():
    raise_soft_limit()
    offload = Offload(io_workers=2, cpu_workers=1)
    pool = RepoPool(offload, budget=2**40, descriptor_budget=10**6)
    paths = [f"{FLEET}/r{i:04d}" for i in range(N)]
    opened = {}
    for i, path in enumerate(paths):
        async with pool.lease(i, path) as repo:
            repo[repo.head()]
            opened[i] = repo
    laps, cpu, reopened = [], [], 0
    for _ in range(ROUNDS):
        started = time.process_time()
        for i, path in enumerate(paths):
            t = time.perf_counter()
            async with pool.lease(i, path) as repo:
                repo[repo.head()]
            laps.append(time.perf_counter() - t)
            reopened += repo is not opened[i]
        cpu.append((time.process_time() - started) / N)
    # One repository deleted and another history made at its path: opened afresh?
    shutil.rmtree(paths[0])
    twin(Path(OTHER), Path(paths[0]))
    async with pool.lease(0, paths[0]) as repo:
        fresh = repo is not opened[0]
        with open(f"{paths[0]}/.git/HEAD") as f:
            ref = f.read().split()[-1]
        with open(f"{paths[0]}/.git/{ref}") as f:
            head_right = repo.head().decode() == f.read().strip()
    await pool.close_all()
    offload.shutdown()
    found = {"laps": laps, "cpu": cpu, "reopened": reopened, "fresh": fresh, "head_right": head_right}
    print(json.dumps(found))


asyncio.run(main())
sys.stdout.flush()
os._exit(0)  # dulwich's finalizers of the repositories the pool closed complain at shutdown
"""


def child(checkout: Path, fleet: Path, count: int, rounds: int, other: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=f"{checkout}{os.pathsep}{ROOT}")  # bench.repos from this one
    command = [sys.executable, "-c", CHILD, str(fleet), str(count), str(rounds), str(other)]
    result: dict[str, Any] = json_child(command, str(checkout), cwd=checkout, env=env)
    return result


def git_laps(fleet: Path, count: int) -> list[float]:
    laps = []
    for i in range(0, count, max(1, count // GIT_SAMPLE)):
        started = time.perf_counter()
        subprocess.run(
            ["git", "rev-parse", "HEAD^{commit}"], cwd=fleet / f"r{i:04d}", check=True, capture_output=True
        )
        laps.append(time.perf_counter() - started)
    return laps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pool_lease", description=__doc__)
    parser.add_argument("--repos", type=int, default=1000, help="repositories open in the pool")
    parser.add_argument("--rounds", type=int, default=5, help="leases of every repository per child")
    parser.add_argument("--turns", type=int, default=3, help="children per checkout, interleaved")
    parser.add_argument("--before", type=Path, help="another checkout (an older commit) measured beside it")
    args = parser.parse_args(argv)
    isolate()
    checkouts = {"now": ROOT}
    if args.before is not None:
        checkouts["before"] = args.before.resolve()
    template = repos.fleet_template().local
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f}", flush=True)
    laps: dict[str, list[float]] = {name: [] for name in [*checkouts, "git"]}
    cpu: dict[str, list[float]] = {name: [] for name in checkouts}
    checks: dict[str, list[bool]] = {name: [] for name in checkouts}
    replaced: dict[str, list[bool]] = {name: [] for name in checkouts}
    with scratch("pool-lease") as root:
        other = root / "other"
        repos.build_bare(root / "other.git", repos.Shape(files=10, dirs=0, commits=5, seed=9))
        repos.git("clone", "-q", str(root / "other.git"), str(other))
        for turn in range(args.turns):
            for name, checkout in checkouts.items():
                fleet = root / f"fleet-{name}-{turn}"
                fleet.mkdir()
                for i in range(args.repos):
                    repos.twin(template, fleet / f"r{i:04d}")
                result = child(checkout, fleet, args.repos, args.rounds, other)
                laps[name] += result["laps"]
                cpu[name] += result["cpu"]
                checks[name].append(result["reopened"] == 0)
                replaced[name].append(bool(result["fresh"]) and bool(result["head_right"]))
                laps["git"] += git_laps(fleet, args.repos)
    git_median = Summary(tuple(laps["git"])).median
    table = Table(
        f"A lease of a pooled repository and a read of its HEAD commit, {args.repos:,} open (µs)",
        ["", "leases", "median", "p95", "p99", "CPU/lease", "vs git", "kept", "replaced -> reopened"],
    )
    for name in [*checkouts, "git"]:
        s = Summary(tuple(laps[name]))
        table.add(
            f"Gitferry ({name})" if name != "git" else "git rev-parse HEAD^{commit} (a process)",
            s.n,
            f"{s.median * 1e6:,.1f}",
            f"{s.p(95) * 1e6:,.1f}",
            f"{s.p(99) * 1e6:,.1f}",
            f"{Summary(tuple(cpu[name])).median * 1e6:,.1f}" if name in cpu else "",
            f"{s.median / git_median:.3f}x",
            yes_no(all(checks[name])) if name in checks else "",
            yes_no(all(replaced[name])) if name in replaced else "",
        )
    if "before" in checkouts:
        extra = Summary(tuple(laps["now"])).median - Summary(tuple(laps["before"])).median
        table.note(f"now - before, median per lease: {extra * 1e6:+,.1f} µs")
    table.note(
        f"{args.turns} children per checkout x {args.rounds} rounds of {args.repos:,} leases, interleaved "
        f"with git in {GIT_SAMPLE} of the repositories per turn"
    )
    print(table.render(), flush=True)
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f} at the end", flush=True)


if __name__ == "__main__":
    main()
