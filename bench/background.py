"""Background-engine benchmarks, side by side with the git CLI (issue 4; targets: README.md).

1. Light cycle: 50 small repositories of 20 tracked branches each, served by one
   loopback `git daemon`, registered in a fresh GITFERRY_HOME and fetched by
   `gitferry daemon`'s engine and scheduler running in this process (a cycle = a
   background fetch of every repository, max_concurrent at a time). Each
   round: a first cycle (nothing moved); 5 branches of every server moved by one
   commit and a cycle that fetches them; a cycle with nothing moved (its CPU,
   by thread, without probes); once, the CPU of ~10 s idle; then the branches
   moved again and a cycle while a stand-in status window reads the store
   (`store.all_branches()`) every 20 ms. A probe coroutine on the engine's loop
   records its lag during every probed cycle; a thread samples RSS. The git CLI
   runs the moved and no-change cycles: `git fetch` per repository, then
   `git rev-list --left-right --count` per branch.
2. Heavy cycle (`bench/background_heavy.py`): 4 repositories of about 80,000
   objects fetched from empty through the engine, against `git fetch` of the
   same four at once.

Every cycle is checked: each repository's tracking refs equal its server's
branches, the daemon was asked once per repository, the scheduler's outcomes
succeeded, gitferry's recorded reports are ok (the 5 moved refs) or up_to_date,
and its stored ahead/behind counts are the ones git's rev-list gives.

    .venv/bin/python -m bench.background [--rounds N] [--repos N] [--idle S]
                                         [--heavy-runs N] [--concurrency N] [--only light heavy]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from bench import repos
from bench.background_heavy import bench_heavy
from bench.contenders import BackgroundEngine, run_git, set_origin
from bench.gitenv import git, isolate, scratch
from bench.probes import (
    CpuClock,
    LoopLag,
    ReadLatency,
    RssSampler,
    Samples,
    cpu_split,
    rss_mib,
    thread_cpu,
    timed,
)
from bench.servers import GitDaemon, git_daemon
from bench.stats import Table, add_phase_rows, ms, percentile, ratio, yes_no

OURS = "gitferry engine"
GIT = "git CLI"
GIT_V0 = "git CLI -c protocol.version=0"
FIRST, MOVED, NO_CHANGE = "first, nothing moved", "5 branches moved", "no change"
READING = "moved again, store read"
CYCLES = (FIRST, MOVED, NO_CHANGE, READING)
IDLE = "engine idle"
MOVED_BRANCHES = ["main", "topic-04", "topic-08", "topic-12", "topic-16"]
MOVE_NUMBER = 100_000  # commit number (and date) of the moves: the same commits on every server
HEAVY_REPOS = 4
Counts = dict[str, tuple[int, int]]  # branch -> (ahead, behind)


def default_concurrency() -> int:
    """The scheduler's bound on background jobs (`min(cpu_count - 1, 4)`, at least 1)."""
    return max(1, min((os.cpu_count() or 2) - 1, 4))


def expected_counts(moves: int) -> Counts:
    """Local branches never move (fetch only): moved ones fall one commit behind per move."""
    return {b: (0, moves if b in MOVED_BRANCHES else 0) for b in repos.FLEET_BRANCHES}


class Fleet:
    """`count` servers under one daemon and their clones; fresh hard-linked twins per round."""

    def __init__(self, work: Path, daemon: GitDaemon, count: int) -> None:
        self.template = repos.fleet_template()
        self.daemon = daemon
        self.servers = [daemon.root / f"r{i:02d}.git" for i in range(count)]
        self.locals = [work / f"r{i:02d}" for i in range(count)]
        self._asked = 0
        self.moves = 0

    def reset(self) -> None:
        self.moves = 0
        for server, local in zip(self.servers, self.locals, strict=True):
            shutil.rmtree(server, ignore_errors=True)
            shutil.rmtree(local, ignore_errors=True)
            repos.twin(self.template.server, server)
            repos.twin(self.template.local, local)
            set_origin(local, self.daemon.url(server.name))

    def move(self) -> None:
        for server in self.servers:
            repos.move_branches(server, MOVED_BRANCHES, MOVE_NUMBER + self.moves)
        self.moves += 1

    def mark(self) -> None:
        self._asked = self.daemon.requests()

    def check(self, name: str) -> None:
        """Every clone's tracking refs are its server's branches; every server was asked."""
        asked = self.daemon.requests() - self._asked
        if asked < len(self.servers):
            raise RuntimeError(f"{name}: {asked} requests to the daemon for {len(self.servers)} repositories")
        for server, local in zip(self.servers, self.locals, strict=True):
            if repos.refs(local, "refs/remotes/origin/") != repos.refs(server, "refs/heads/"):
                raise RuntimeError(f"{name}: {local.name}'s tracking refs are not {server.name}'s branches")


# The git CLI's cycle ----------------------------------------------------------


def git_cycle(locals_: list[Path], workers: int, *options: str) -> list[Counts]:
    """`git fetch` then `git rev-list --left-right --count` per branch, per repository."""

    def one(repo: Path) -> Counts:
        run_git(repo, *options, "fetch", "-q")
        counts: Counts = {}
        for branch in repos.FLEET_BRANCHES:
            ahead, behind = git(
                "rev-list", "--left-right", "--count", f"{branch}...{branch}@{{u}}", cwd=repo
            ).split()
            counts[branch] = (int(ahead), int(behind))
        return counts

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, locals_))


def _check_counts(name: str, got: list[Counts], moves: int) -> None:
    want = expected_counts(moves)
    for number, counts in enumerate(got):
        if counts != want:
            raise RuntimeError(f"{name}: repository {number}: ahead/behind {counts}, expected {want}")


# Results ------------------------------------------------------------------------


@dataclass
class Light:
    """What the light cycle measured, over every round."""

    walls: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpus: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    phases: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    lag: dict[str, Samples] = field(default_factory=dict)
    reads: dict[str, Samples] = field(default_factory=dict)
    idle_cpu: float | None = None
    idle_seconds: float = 0.0
    events: int = 0
    peak_concurrent: int = 0
    split: dict[str, float] = field(default_factory=dict)  # no-change CPU by thread group, summed
    split_rounds: int = 0
    missing: str = ""

    def add_split(self, split: dict[str, float]) -> None:
        for group, seconds in split.items():
            self.split[group] = self.split.get(group, 0.0) + seconds
        self.split_rounds += 1

    def keep(self, contender: str, cycle: str, wall: float, cpu: float) -> None:
        self.walls.setdefault((contender, cycle), []).append(wall)
        self.cpus.setdefault((contender, cycle), []).append(cpu)


# Gitferry's light round -----------------------------------------------------------


def _check_reports(name: str, reports: list[dict[str, Any]], moved: bool) -> None:
    want = "ok" if moved else "up_to_date"
    for report in reports:
        if report["result"] != want:
            raise RuntimeError(f"{name}: {report['name']}: {report['result']} ({report['message']})")
        if moved and sorted(report["fetched_refs"]) != [f"origin/{b}" for b in MOVED_BRANCHES]:
            raise RuntimeError(f"{name}: {report['name']} fetched {report['fetched_refs']}")


async def _check_ferry(
    fleet: Fleet, engine: BackgroundEngine, light: Light, cycle: str, outcomes: list[Any]
) -> None:
    """The refs, the scheduler's outcomes, the recorded reports and the stored ahead/behind;
    the reports' phase timings kept."""
    name = f"{OURS}, {cycle}"
    fleet.check(name)
    failed = [str(outcome) for outcome in outcomes if not outcome.succeeded]
    if failed:
        raise RuntimeError(f"{name}: the scheduler got failed outcomes: {failed[:3]}")
    reports = await engine.last_reports()
    _check_reports(name, reports, cycle in (MOVED, READING))
    light.phases.setdefault(cycle, []).extend(report["timings_ms"] for report in reports)
    stored = await engine.core.store.all_branches()
    got = [{b.name: (b.ahead, b.behind) for b in stored.get(repo_id, [])} for repo_id in engine.ids]
    _check_counts(f"{name} (status store)", got, fleet.moves)


async def _probed_cycle(
    fleet: Fleet, engine: BackgroundEngine, light: Light, cycle: str, reading: bool = False
) -> None:
    """A cycle with the loop-lag probe running beside it, and with `reading` a status
    window reading the store all along."""
    fleet.mark()
    lag = LoopLag()
    reads = ReadLatency(engine.core.store.all_branches)
    async with lag.running(), reads.running() if reading else _nothing():
        wall, cpu, outcomes = await timed(engine.cycle)
    light.lag.setdefault(cycle, Samples()).values.extend(lag.samples.values)
    if reading:
        light.reads.setdefault(cycle, Samples()).values.extend(reads.samples.values)
    await _check_ferry(fleet, engine, light, cycle, outcomes)
    light.keep(OURS, cycle, wall, cpu)


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


async def _idle(engine: BackgroundEngine, light: Light, seconds: float) -> None:
    """CPU while the daemon waits for its next slot; then the store's read latency, idle."""
    clock = CpuClock().start()
    await asyncio.sleep(seconds)
    light.idle_cpu, light.idle_seconds = clock.own, seconds
    reads = ReadLatency(engine.core.store.all_branches)
    async with reads.running():
        await asyncio.sleep(1.0)
    light.reads.setdefault(IDLE, Samples()).values.extend(reads.samples.values)


async def ferry_round(fleet: Fleet, light: Light, args: argparse.Namespace, sampler: RssSampler) -> None:
    """First cycle, moved, no change (CPU, no probes), idle, moved again with store reads."""
    engine = await BackgroundEngine.open(fleet.locals, args.concurrency)
    try:
        await _probed_cycle(fleet, engine, light, FIRST)
        fleet.move()
        await _probed_cycle(fleet, engine, light, MOVED)
        fleet.mark()
        threads = thread_cpu()
        wall, cpu, outcomes = await timed(engine.cycle)
        light.add_split(cpu_split(threads, thread_cpu()))
        await _check_ferry(fleet, engine, light, NO_CHANGE, outcomes)
        light.keep(OURS, NO_CHANGE, wall, cpu)
        if args.idle > 0 and light.idle_cpu is None:
            with sampler.paused():
                await _idle(engine, light, args.idle)
        fleet.move()
        await _probed_cycle(fleet, engine, light, READING, reading=True)
        light.events += engine.events
        light.peak_concurrent = max(light.peak_concurrent, engine.peak_concurrent)
    finally:
        await engine.close()


def git_round(fleet: Fleet, light: Light, contender: str, workers: int, *options: str) -> None:
    fleet.reset()
    fleet.move()
    for cycle in (MOVED, NO_CHANGE):
        fleet.mark()
        cpu = CpuClock().start()
        started = time.perf_counter()
        counts = git_cycle(fleet.locals, workers, *options)
        wall = time.perf_counter() - started
        fleet.check(f"{contender}, {cycle}")
        _check_counts(f"{contender}, {cycle}", counts, fleet.moves)
        light.keep(contender, cycle, wall, cpu.children + cpu.own)


def bench_light(args: argparse.Namespace, sampler: RssSampler) -> list[Table]:
    light = Light()
    gits = {GIT: (1, ()), GIT_V0: (1, ("-c", "protocol.version=0"))}
    if args.concurrency > 1:
        gits[f"{GIT}, {args.concurrency} at a time"] = (args.concurrency, ())
    with scratch("background") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv") as daemon:
            fleet = Fleet(tmp / "work", daemon, args.repos)
            for _round in range(args.rounds):
                fleet.reset()
                try:
                    with sampler.running():
                        asyncio.run(ferry_round(fleet, light, args, sampler))
                except ImportError as exc:
                    light.missing = f"{exc.__class__.__name__}: {exc}"
                for contender, (workers, options) in gits.items():
                    git_round(fleet, light, contender, workers, *options)
    return [light_table(light, args), target_table(light, sampler), phase_table(light)]


def light_table(light: Light, args: argparse.Namespace) -> Table:
    table = Table(
        f"1. Light cycle: {args.repos} repositories x {len(repos.FLEET_BRANCHES)} tracked branches "
        f"({repos.describe(repos.fleet_template().server)} each), one git daemon, git://",
        ["cycle", "contender", "runs", "median ms", "min", "max", "CPU s", "vs git", "vs git v0"],
    )
    for cycle in CYCLES:
        for (contender, kind), walls in light.walls.items():
            if kind != cycle:
                continue
            base = {name: light.walls.get((name, cycle)) for name in (GIT, GIT_V0)}
            table.add(
                cycle,
                contender,
                len(walls),
                ms(median(walls)),
                ms(min(walls)),
                ms(max(walls)),
                f"{median(light.cpus[(contender, kind)]):.2f}",
                *(ratio(median(walls), median(b)) if b else "-" for b in base.values()),
            )
    table.note(
        f"gitferry: the daemon (engine + scheduler) in this process; a cycle = a background fetch of every "
        f"repository, max_concurrent {args.concurrency} at a time (peak seen: {light.peak_concurrent})"
    )
    table.note(
        "first = the first cycle after the engine starts (repositories opened, nothing moved); git has no "
        "such state and runs only the other two; CPU s = this process's CPU (gitferry) or git's children's"
    )
    table.note(
        "checked after every cycle: tracking refs = the server's branches, the daemon asked once per "
        "repository, reports ok with the 5 moved refs / up_to_date, ahead/behind (store or rev-list) = "
        "0/1 on moved branches and 0/0 elsewhere"
    )
    if light.missing:
        table.note(f"gitferry rows missing: {light.missing}")
    return table


def target_table(light: Light, sampler: RssSampler) -> Table:
    table = Table(
        "1b. Light cycle: gitferry's engine against its targets",
        ["measure", "during", "samples", "p50", "p95", "p99", "max", "target", "met"],
    )
    for label, samples, target in (
        ("event-loop lag ms", light.lag, 0.050),
        ("store.all_branches() ms", light.reads, 0.010),
    ):
        for cycle, s in samples.items():
            met = yes_no(bool(s.values) and percentile(s.values, 99) < target)
            row = (s.ms(50), s.ms(95), s.ms(99), s.max_ms())
            table.add(label, cycle, len(s.values), *row, f"p99 < {target * 1000:g}", met)
    no_change = light.cpus.get((OURS, NO_CHANGE), [])
    if no_change:
        cpu = median(no_change)
        _single(table, "CPU s, whole cycle", NO_CHANGE, f"{cpu:.2f}", "< 1", cpu < 1, len(no_change))
    if light.idle_cpu is not None:
        share = light.idle_cpu / light.idle_seconds * 100
        _single(
            table, "CPU % of a core", f"idle {light.idle_seconds:g} s", f"{share:.3f}", "< 0.1", share < 0.1
        )
    peak = sampler.peak_mib
    _single(table, "peak RSS MiB", "all rounds", f"{peak:.0f}", "< 200", peak < 200)
    table.note(
        "lag: overshoot of a 5 ms asyncio.sleep on the engine's loop; store reads: every 20 ms on the same "
        f"loop during '{READING}' (their own work on the loop counts in that cycle's lag), and for 1 s idle"
    )
    if light.split_rounds:
        split = ", ".join(
            f"{group} {seconds / light.split_rounds:.2f}" for group, seconds in light.split.items()
        )
        table.note(f"no-change cycle CPU s by thread (mean of {light.split_rounds} rounds): {split}")
    table.note(f"{light.events} engine events drained by a subscriber standing in for the GUI")
    return table


def _single(table: Table, measure: str, during: str, value: str, target: str, ok: bool, n: int = 1) -> None:
    table.add(measure, during, n, value, "", "", "", target, yes_no(ok))


def phase_table(light: Light) -> Table:
    """Median ms per phase of one repository's fetch, from the reports' `timings_ms`."""
    table = Table("1c. Light cycle: gitferry's phases per repository", ["phase", *light.phases])
    add_phase_rows(table, light.phases)
    table.add("cycle wall / repositories", *(f"{_wall_per_repo(light, c):.1f}" for c in light.phases))
    table.note("median ms over every repository and round (timings_ms of the recorded reports)")
    return table


def _wall_per_repo(light: Light, cycle: str) -> float:
    walls = light.walls[(OURS, cycle)]
    repositories = len(light.phases[cycle]) / len(walls)
    return median(walls) * 1000 / repositories


BENCHES: dict[str, Callable[[argparse.Namespace, RssSampler], list[Table]]] = {
    "light": bench_light,
    "heavy": lambda args, _sampler: bench_heavy(args.heavy_runs, args.concurrency),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.background", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the light cycles, each contender")
    parser.add_argument("--repos", type=int, default=50, help="repositories in the light cycle")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured (0: skip)")
    parser.add_argument("--heavy-runs", type=int, default=2, help="runs of the heavy cycle, each contender")
    parser.add_argument(
        "--concurrency", type=int, default=default_concurrency(), help="background jobs at once"
    )
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    print(f"[bench] RSS before the engine is imported: {rss_mib():.0f} MiB", flush=True)
    sampler = RssSampler()
    for name in args.only:
        load_before = os.getloadavg()[0]
        tables = BENCHES[name](args, sampler)
        tables[0].note(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        for table in tables:
            print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
