"""The background engine's heavy cycle (issue 4): 4 repositories of
about 80,000 objects (repository B) fetched from empty through `gitferry daemon`'s
engine and scheduler in this process, against `git fetch` of the same four at once.

Every run starts from fresh `git init`s and is checked: origin/main at the server's
main, `git fsck --connectivity-only` clean, gitferry's recorded reports ok. A probe
coroutine on the engine's loop records its lag; a thread samples RSS. Run through
`python -m bench.background --only heavy`.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from bench import repos
from bench.contenders import BackgroundEngine, run_git
from bench.gitenv import git, scratch
from bench.probes import CpuClock, LoopLag, RssSampler, Samples, cpu_split, rss_mib, thread_cpu, timed
from bench.servers import GitDaemon, git_daemon
from bench.stats import Table, ms, ratio

OURS = "gitferry engine"
GIT = "git CLI"
HEAVY_REPOS = 4


@dataclass
class HeavyRun:
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    lag: Samples = field(default_factory=Samples)
    peak_mib: float | None = None  # of this process: gitferry's runs only
    split: dict[str, float] = field(default_factory=dict)  # CPU by thread group, summed over runs


class Heavy:
    """`HEAVY_REPOS` twins of repository B under one daemon, fetched into fresh `git init`s."""

    def __init__(self, tmp: Path, daemon: GitDaemon, source: Path) -> None:
        self.tip = git("rev-parse", "refs/heads/main", cwd=source)
        self.daemon = daemon
        self.locals = [tmp / "work" / f"h{i}" for i in range(HEAVY_REPOS)]
        for i in range(HEAVY_REPOS):
            repos.twin(source, daemon.root / f"h{i}.git")

    def setup(self) -> None:
        for i, local in enumerate(self.locals):
            shutil.rmtree(local, ignore_errors=True)
            git("init", "-q", str(local))
            git("remote", "add", "origin", self.daemon.url(f"h{i}.git"), cwd=local)

    def check(self, name: str) -> None:
        for local in self.locals:
            if repos.refs(local, "refs/remotes/origin/") != {"main": self.tip}:
                raise RuntimeError(f"{name}: {local.name}'s origin/main is not the server's main")
            git("fsck", "--connectivity-only", "--no-progress", cwd=local)


async def ferry_heavy(heavy: Heavy, concurrency: int, run: HeavyRun) -> None:
    engine = await BackgroundEngine.open(heavy.locals, concurrency)
    try:
        lag = LoopLag()
        threads = thread_cpu()
        async with lag.running():
            wall, cpu, _outcomes = await timed(engine.cycle)
        for group, seconds in cpu_split(threads, thread_cpu()).items():
            run.split[group] = run.split.get(group, 0.0) + seconds
        for report in await engine.last_reports():
            if report["result"] != "ok" or report["fetched_refs"] != ["origin/main"]:
                raise RuntimeError(f"{OURS}: {report['name']}: {report['result']} ({report['message']})")
        run.walls.append(wall)
        run.cpus.append(cpu)
        run.lag.values.extend(lag.samples.values)
    finally:
        await engine.close()


def git_heavy(heavy: Heavy, run: HeavyRun) -> None:
    cpu = CpuClock().start()
    started = time.perf_counter()
    with ThreadPoolExecutor(HEAVY_REPOS) as pool:
        list(pool.map(lambda local: run_git(local, "fetch", "-q", "origin"), heavy.locals))
    run.walls.append(time.perf_counter() - started)
    run.cpus.append(cpu.children + cpu.own)


def _through_engine(bound: int) -> Callable[[Heavy, HeavyRun], None]:
    def run(heavy: Heavy, into: HeavyRun) -> None:
        sampler = RssSampler()
        with sampler.running():
            asyncio.run(ferry_heavy(heavy, bound, into))
        into.peak_mib = max(into.peak_mib or 0.0, sampler.peak_mib)

    return run


def bench_heavy(runs_each: int, concurrency: int) -> list[Table]:
    """`runs_each` interleaved runs of git and of gitferry at `concurrency` and at 4 jobs at a time."""
    source = repos.repo_b()
    bounds = sorted({concurrency, HEAVY_REPOS})
    contenders: dict[str, Callable[[Heavy, HeavyRun], None]] = {f"{GIT}, {HEAVY_REPOS} at once": git_heavy}
    for bound in bounds:
        contenders[f"{OURS}, {bound} at a time"] = _through_engine(bound)
    runs = {name: HeavyRun() for name in contenders}
    start_mib = rss_mib()
    missing = ""
    with scratch("background-heavy") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv") as daemon:
            heavy = Heavy(tmp, daemon, source)
            for _round in range(runs_each):
                for name, contend in contenders.items():
                    heavy.setup()
                    try:
                        contend(heavy, runs[name])
                    except ImportError as exc:
                        missing = f"{exc.__class__.__name__}: {exc}"
                        continue
                    heavy.check(name)
    return [heavy_table(runs, source, missing, start_mib)]


def heavy_table(runs: dict[str, HeavyRun], source: Path, missing: str, start_mib: float) -> Table:
    table = Table(
        f"2. Heavy cycle: {HEAVY_REPOS} repositories like B ({repos.describe(source)}) fetched from empty, git://",
        [
            "contender",
            "runs",
            "median ms",
            "min",
            "max",
            "CPU s",
            "vs git",
            "lag p99 ms",
            "lag max",
            "peak RSS MiB",
        ],
    )
    git_median = median(next(iter(runs.values())).walls)
    for name, run in runs.items():
        if not run.walls:
            continue
        table.add(
            name,
            len(run.walls),
            ms(median(run.walls)),
            ms(min(run.walls)),
            ms(max(run.walls)),
            f"{median(run.cpus):.2f}",
            ratio(median(run.walls), git_median),
            run.lag.ms(99),
            run.lag.max_ms(),
            "-" if run.peak_mib is None else f"{run.peak_mib:.0f}",
        )
    for name, run in runs.items():
        if run.split:
            split = ", ".join(
                f"{group} {seconds / len(run.walls):.2f}" for group, seconds in run.split.items()
            )
            table.note(f"{name}: CPU s by thread, mean per run: {split}")
    table.note("targets: loop lag p99 < 50 ms; initial fetch within 3x of git fetch")
    table.note("checked after every run: origin/main of each repository at the server's main, fsck clean")
    table.note(
        f"peak RSS: of this process, {start_mib:.0f} MiB when the heavy cycle began (what earlier benchmarks "
        "left included, and what the engine's earlier runs left: Python keeps freed memory)"
    )
    if missing:
        table.note(f"gitferry rows missing: {missing}")
    return table
