"""Gitferry at 50, 200 and 1,000 repositories, side by side with git (issue 19, item 6).

The fleet: N hard-linked twins of the cached fleet template (`bench/.cache/fleet-v1`,
small repositories of 20 tracked branches, `bench.repos.fleet_template`) behind one
loopback `git daemon`, registered in a fresh GITFERRY_HOME. Each size runs in a
child process of its own (`--one N`), so its RSS and descriptors are its own:

1. the engine (`gitferry daemon`'s, in the child) runs a first cycle, then no-change
   background cycles (a background fetch of every repository, max_concurrent at a
   time): wall and CPU seconds; peak RSS and open descriptors sampled all along.
   Against it, git's no-change cycle: `git fetch -q` and `git for-each-ref` with
   `%(upstream:track)` per repository, max_concurrent at a time (CPU: git's children);
2. a cold `gitferry status --json` process, and the app launched to its first paint
   (`bench/gui_launch.py`), each against `git for-each-ref` with `%(upstream:track)`
   in every repository one after the other; contenders interleaved run by run.

Checked: after every cycle each clone's tracking refs are its server's branches and
the daemon was asked once per repository, every report is `up_to_date`; after the
engine's cycles `git fsck` and `git status` of every clone are clean; `status`
lists N repositories of 20 measured branches. Cost is linear or better when the
per-repository figures at 1,000 are no larger than at 50.

    .venv/bin/python -m bench.fleet_scale [--sizes 50 200 1000] [--runs N] [--cycles N] [--jobs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import repos
from bench.background import Fleet, default_concurrency
from bench.children import json_child
from bench.cold_start import Cli
from bench.contenders import BackgroundEngine, run_git
from bench.gitenv import isolate, scratch
from bench.gui_launch import FOR_EACH_REF, Launcher, git_status_window
from bench.probes import CpuClock, RssSampler, timed
from bench.servers import git_daemon
from bench.stats import Summary, Table, interleaved, ms, yes_no

ROOT = Path(__file__).resolve().parent.parent
RSS_TARGET_MIB = 300
STATUS, PAINT, GIT_REFS = "gitferry status --json", "app, launch to first paint", "git for-each-ref x N"


def git_cycle(locals_: list[Path], workers: int) -> None:
    """git's no-change cycle: fetch, then every branch against its upstream."""

    def one(repo: Path) -> None:
        run_git(repo, "fetch", "-q")
        out = run_git_out(repo, "for-each-ref", FOR_EACH_REF, "refs/heads")
        if out.count(b"\n") != len(repos.FLEET_BRANCHES):
            raise RuntimeError(f"git for-each-ref in {repo.name}: {out!r}")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, locals_))


def fsck_clean(locals_: list[Path]) -> None:
    """After the engine's cycles: `git fsck` of every clone clean, `git status` clean."""

    def one(repo: Path) -> None:
        fsck = subprocess.run(
            ["git", "fsck", "--no-progress", "--no-dangling"], cwd=repo, capture_output=True, text=True
        )
        if fsck.returncode != 0 or fsck.stderr.strip() or fsck.stdout.strip():
            raise RuntimeError(f"git fsck in {repo.name}: {(fsck.stderr or fsck.stdout).strip()}")
        if run_git_out(repo, "status", "--porcelain").strip():
            raise RuntimeError(f"git status in {repo.name}: not clean")

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, locals_))


def run_git_out(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True, timeout=120).stdout


async def engine_cycles(fleet: Fleet, args: argparse.Namespace, out: dict[str, Any]) -> Path:
    """Register, a first cycle, then `engine_cycles_of(args)` no-change cycles; the GITFERRY_HOME."""
    sampler = RssSampler()
    with sampler.running():
        started = time.perf_counter()
        engine = await BackgroundEngine.open(fleet.locals, args.concurrency)
        out["register_s"] = time.perf_counter() - started
        try:
            walls, cpus = [], []
            for cycle in range(engine_cycles_of(args) + 1):
                fleet.mark()
                wall, cpu, outcomes = await timed(engine.cycle)
                fleet.check(f"engine cycle {cycle}")
                if not all(outcome.succeeded for outcome in outcomes):
                    raise RuntimeError(f"cycle {cycle}: failed outcomes")
                reports = await engine.last_reports()
                if any(report["result"] != "up_to_date" for report in reports):
                    raise RuntimeError(f"cycle {cycle}: {[r['result'] for r in reports][:5]}")
                if cycle == 0:
                    out["first_cycle_s"] = wall
                else:
                    walls.append(wall)
                    cpus.append(cpu)
            out["cycle_wall"], out["cycle_cpu"] = walls, cpus
        finally:
            await engine.close(keep_home=True)
    out["peak_rss_mib"], out["peak_fds"] = sampler.peak_mib, sampler.peak_fds
    return engine.home


def engine_cycles_of(args: argparse.Namespace) -> int:
    """No-change cycles at this size: `--cycles`, more at small sizes so that each size's
    median covers about `--jobs` fetches (a 50-repository cycle lasts under a second: a
    few of them sample the machine's load at one moment, one 1,000-repository cycle
    over twenty seconds)."""
    cycles: int = max(args.cycles, math.ceil(args.jobs / args.one))
    return cycles


def one_size(args: argparse.Namespace) -> dict[str, Any]:
    """Everything for `args.one` repositories, in this (child) process."""
    count = args.one
    out: dict[str, Any] = {"repos": count}
    with scratch(f"scale-{count}") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv") as daemon:
            fleet = Fleet(tmp / "work", daemon, count)
            fleet.reset()
            home = asyncio.run(engine_cycles(fleet, args, out))
            fsck_clean(fleet.locals)
            git_walls, git_cpus = [], []
            for _ in range(engine_cycles_of(args)):  # as many as the engine's
                fleet.mark()
                cpu = CpuClock().start()
                started = time.perf_counter()
                git_cycle(fleet.locals, args.concurrency)
                git_walls.append(time.perf_counter() - started)
                git_cpus.append(cpu.children + cpu.own)
                fleet.check("git cycle")
            out["git_cycle_wall"], out["git_cycle_cpu"] = git_walls, git_cpus
            cli, launcher = Cli(ROOT, home), Launcher(home, shows=(count, len(repos.FLEET_BRANCHES)))
            paint_times: list[float] = []

            def check(name: str) -> None:
                if name == STATUS:
                    listed = json.loads(cli.last)["repos"]
                    branches = sum(len(r["branches"]) for r in listed)
                    if (len(listed), branches) != (count, count * len(repos.FLEET_BRANCHES)):
                        raise RuntimeError(f"status: {len(listed)} repositories, {branches} branches")

            contenders: dict[str, Callable[[], object]] = {
                STATUS: cli("status", "--json"),
                PAINT: lambda: paint_times.append(launcher.first_paint()),
                GIT_REFS: git_status_window(fleet.locals),
            }
            runs = interleaved(contenders, args.runs, check=check)
            samples = {name: list(summary.samples) for name, summary in runs.items()}
            samples[PAINT] = paint_times[1:]  # launch to paint, as the app reports it (not its exit)
            shutil.rmtree(home, ignore_errors=True)
            out["samples"] = samples
    return out


def run_child(count: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.fleet_scale",
        "--one",
        str(count),
        "--runs",
        str(args.runs),
        "--cycles",
        str(args.cycles),
        "--concurrency",
        str(args.concurrency),
        "--jobs",
        str(args.jobs),
    ]
    result: dict[str, Any] = json_child(command, f"{count} repositories", cwd=ROOT)
    return result


def median(values: list[float]) -> float:
    return Summary(tuple(values)).median


def tables(results: list[dict[str, Any]], args: argparse.Namespace) -> list[Table]:
    base = results[0]
    lat = Table(
        "Cold status and first paint by fleet size (ms; git = for-each-ref with upstream:track in each)",
        [
            "repos",
            "status median",
            "p95",
            "p99",
            "paint median",
            "p95",
            "p99",
            "git median",
            "status/git",
            "paint/git",
            "status per repo",
            "paint per repo",
        ],
    )
    cyc = Table(
        f"No-change background cycle by fleet size (max_concurrent {args.concurrency})",
        [
            "repos",
            "wall s",
            "CPU s",
            "git wall s",
            "git CPU s",
            "wall/git",
            "ms per repo",
            "CPU ms per repo",
            "peak RSS MiB",
            "peak fds",
            f"RSS < {RSS_TARGET_MIB}",
        ],
    )
    for r in results:
        n, s = r["repos"], {k: Summary(tuple(v)) for k, v in r["samples"].items()}
        st, pa, git = s[STATUS], s[PAINT], s[GIT_REFS]
        lat.add(
            n,
            ms(st.median),
            ms(st.p(95)),
            ms(st.p(99)),
            ms(pa.median),
            ms(pa.p(95)),
            ms(pa.p(99)),
            ms(git.median),
            f"{st.median / git.median:.2f}x",
            f"{pa.median / git.median:.2f}x",
            f"{st.median * 1000 / n:.2f}",
            f"{pa.median * 1000 / n:.2f}",
        )
        wall, cpu = median(r["cycle_wall"]), median(r["cycle_cpu"])
        gwall, gcpu = median(r["git_cycle_wall"]), median(r["git_cycle_cpu"])
        cyc.add(
            n,
            f"{wall:.2f}",
            f"{cpu:.2f}",
            f"{gwall:.2f}",
            f"{gcpu:.2f}",
            f"{wall / gwall:.2f}x",
            f"{wall * 1000 / n:.1f}",
            f"{cpu * 1000 / n:.1f}",
            f"{r['peak_rss_mib']:.0f}",
            r["peak_fds"],
            yes_no(r["peak_rss_mib"] < RSS_TARGET_MIB),
        )
    last = results[-1]
    for label, key in (("status", STATUS), ("first paint", PAINT)):
        grow = median(last["samples"][key]) / last["repos"] / (median(base["samples"][key]) / base["repos"])
        lat.note(
            f"{label}: per-repository cost at {last['repos']} / at {base['repos']}: {grow:.2f} "
            f"(linear or better, 10% noise allowed: {yes_no(grow <= 1.1)})"
        )
    for label, key in (("cycle wall", "cycle_wall"), ("cycle CPU", "cycle_cpu")):
        grow = median(last[key]) / last["repos"] / (median(base[key]) / base["repos"])
        cyc.note(
            f"{label}: per-repository cost at {last['repos']} / at {base['repos']}: {grow:.2f} "
            f"(linear or better, 10% noise allowed: {yes_no(grow <= 1.1)})"
        )
    lat.note(f"{args.runs} runs each, interleaved; paint = launch to the status window's first paint")
    cyc.note(
        f"median of the cycles after a first one (at least {args.cycles}, and at least {args.jobs} "
        "fetches per size); RSS and descriptors: the engine's process, "
        "sampled every 20 ms from registration to the last cycle"
    )
    cyc.note(
        "checked: tracking refs = the servers' branches, the daemon asked once per repository, "
        "every report up_to_date; after the engine's cycles git fsck and git status of every clone clean"
    )
    return [lat, cyc]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet_scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000], help="fleet sizes")
    parser.add_argument("--runs", type=int, default=7, help="cold status runs and app launches per size")
    parser.add_argument("--cycles", type=int, default=2, help="no-change cycles per size, each contender")
    parser.add_argument(
        "--jobs", type=int, default=1000, help="at least this many fetches per size in its engine cycles"
    )
    parser.add_argument("--concurrency", type=int, default=default_concurrency(), help="max_concurrent")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size, JSON on stdout
    args = parser.parse_args(argv)
    isolate()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.one is not None:
        print(json.dumps(one_size(args)), flush=True)
        return
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f}", flush=True)
    results = []
    for count in args.sizes:
        started = time.perf_counter()
        results.append(run_child(count, args))
        print(
            f"[bench] {count} repositories: {time.perf_counter() - started:.0f} s "
            f"(registering {results[-1]['register_s']:.1f} s), load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    for table in tables(results, args):
        print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
