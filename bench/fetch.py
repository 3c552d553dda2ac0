"""Fetch benchmarks, side by side with the git CLI (targets: README.md, Performance).

1. No-change sync of repository A (10,000 files, 20,000 commits) over git://.
2. One new server commit while local `main` is 2,000 commits behind `origin/main`.
3. Initial fetch of repository B (about 80,000 objects) over git://.
4. The same fetch with the checks on the way in switched off, on (the default) and
   strict (`fetch.fsckObjects=true`), beside git with and without
   `transfer.fsckObjects=true`: what checking trees and commits and bounding the
   inflation costs.

Every contender runs against the same loopback `git daemon`, interleaved run by
run, and each run is checked afterwards (the tracking ref must land on the
server's tip), so a side that silently did nothing cannot look fast.

    .venv/bin/python -m bench.fetch [--runs N] [--behind-runs N] [--initial-runs N]
                                    [--checks-runs N] [--profile] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from dulwich.repo import Repo

from bench import repos
from bench.contenders import (
    ColdCli,
    Ours,
    git_no_change_sync,
    run_git,
    set_origin,
    stock_fetch,
    stock_no_change_sync,
)
from bench.gitenv import git, isolate, object_count, rev_parse, scratch
from bench.profiling import profile
from bench.servers import GitDaemon, git_daemon
from bench.stats import VERSUS_GIT, Summary, Table, counted, interleaved, ms, timing_table, versus_git

GIT = "git"
STOCK = "stock dulwich"
OURS = "gitferry"


# 1. no-change sync ---------------------------------------------------------


GIT_SYNC = f"{GIT}: fetch + status + rev-list"
GIT_SYNC_V0 = f"{GIT} -c protocol.version=0: same"
OURS_SYNC = f"{OURS}: fetch + ahead/behind, repo open"
CLI_IMPORTS = f"{OURS}: CLI's imports alone, cold"


def bench_no_change(ours: Ours, runs: int, profiled: bool = False) -> Table:
    pair = repos.repo_a()
    with git_daemon(pair.server.parent) as daemon:
        set_origin(pair.local, daemon.url("server.git"))
        git("status", "--porcelain", cwd=pair.local)  # refresh the index's stat data once
        tip = rev_parse(pair.server, "refs/heads/main")
        v0 = ("-c", "protocol.version=0")
        contenders: dict[str, Callable[[], object]] = {
            GIT_SYNC: lambda: git_no_change_sync(pair.local),
            GIT_SYNC_V0: lambda: git_no_change_sync(pair.local, *v0),
            f"{GIT}: fetch alone": lambda: run_git(pair.local, "fetch", "-q"),
        }
        opened: list[Repo] = []
        if ours.can_sync:
            repo = Repo(str(pair.local))
            opened.append(repo)
            contenders[OURS_SYNC] = ours.no_change_sync(repo)
        cli = ColdCli.start(pair.local, "A")
        if cli is not None:
            contenders[f"{OURS}: CLI sync --fetch-only, cold"] = cli.sync_fetch_only
            contenders[CLI_IMPORTS] = ColdCli.imports_alone
        stock_repo = Repo(str(pair.local))
        opened.append(stock_repo)
        contenders[f"{STOCK}: porcelain.fetch + 2 Walkers"] = lambda: stock_no_change_sync(stock_repo)
        served = [daemon.requests()]

        def check(name: str) -> None:
            if rev_parse(pair.local, "refs/remotes/origin/main") != tip:
                raise RuntimeError(f"{name}: a no-change sync moved refs/remotes/origin/main")
            served.append(daemon.requests())
            if served[-1] == served[-2] and name != CLI_IMPORTS:
                raise RuntimeError(f"{name}: finished without asking the server")

        try:
            results = interleaved(contenders, runs, warmup=2, check=check)
            if profiled and OURS_SYNC in contenders:
                print(profile("gitferry no-change sync", contenders[OURS_SYNC], calls=20))
        finally:
            for repo in opened:
                repo.close()
            if cli is not None:
                cli.close()
    table = timing_table(
        f"1. No-change sync, repository A ({repos.describe(pair.server)}), git://",
        results,
        baselines={"git": GIT_SYNC, "git v0": GIT_SYNC_V0},
    )
    table.note("target: gitferry's sync at most 1.0x git's fetch + status + rev-list")
    table.note(
        "git's default protocol v2 over git:// stalls about 40 ms on loopback in the ref "
        "advertisement (v0 does not); the 'git v0' column is the stricter reference"
    )
    if not ours.can_sync:
        table.note(f"gitferry rows missing: {'; '.join(ours.missing)}")
    return table


# 2. one new commit, local main 2,000 behind --------------------------------


GIT_V0 = f"{GIT} -c protocol.version=0"


class FetchRun:
    """A fresh copy of a local repository for every timed fetch, and what each side got.

    `source=None` starts every run from an empty `git init` instead."""

    def __init__(self, source: Path | None, work: Path, daemon: GitDaemon, tip: str) -> None:
        self.source, self.work, self.daemon, self.tip = source, work, daemon, tip
        self.url = daemon.url("server.git")
        self._objects_before = 0
        self._packs_before = 0
        self.sent: dict[str, set[int]] = {}
        self.added: dict[str, set[int]] = {}
        self.reported: dict[str, set[int]] = {}

    def setup(self, _name: str) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        if self.source is None:
            git("init", "-q", str(self.work))
            git("remote", "add", "origin", self.url, cwd=self.work)
        else:
            shutil.copytree(self.source, self.work, symlinks=True)
            set_origin(self.work, self.url)
        self._objects_before = object_count(self.work)
        self._packs_before = len(self.daemon.packs_sent())

    def check(self, name: str) -> None:
        if rev_parse(self.work, "refs/remotes/origin/main") != self.tip:
            raise RuntimeError(f"{name}: refs/remotes/origin/main is not the server's tip")
        git("fsck", "--connectivity-only", "--no-progress", cwd=self.work)
        packs = self.daemon.packs_sent()[self._packs_before :]
        self.sent.setdefault(name, set()).add(sum(packs))
        self.added.setdefault(name, set()).add(object_count(self.work) - self._objects_before)

    def contenders(self, ours: Ours) -> dict[str, Callable[[], object]]:
        def with_ours() -> None:
            repo = Repo(str(self.work))
            try:
                result = ours.fetch_remote(repo, "origin")
            finally:
                repo.close()
            self.reported.setdefault(OURS, set()).add(result.objects_received)

        out: dict[str, Callable[[], object]] = {
            GIT: lambda: run_git(self.work, "fetch", "-q", "origin"),
            GIT_V0: lambda: run_git(self.work, "-c", "protocol.version=0", "fetch", "-q", "origin"),
        }
        if ours.can_fetch:
            out[OURS] = with_ours
        out[STOCK] = lambda: stock_fetch(self.work)
        return out

    def profile_ours(self, ours: Ours, title: str, calls: int = 1) -> None:
        if ours.can_fetch:
            fetch = self.contenders(ours)[OURS]
            print(profile(title, fetch, setup=lambda: self.setup(OURS), calls=calls))

    def table(self, title: str, results: dict[str, Summary]) -> Table:
        table = Table(title, [*VERSUS_GIT, "server sent", "objects added"])
        for name in results:
            table.add(
                *versus_git(name, results, GIT, GIT_V0),
                counted(self.sent.get(name, set())),
                counted(self.added.get(name, set())),
            )
        if OURS in self.reported:
            table.note(f"gitferry's FetchResult.objects_received: {counted(self.reported[OURS])}")
        table.note(
            "server sent = objects in the packs the server wrote (its own trace2 count); "
            "objects added = `git count-objects` delta (dulwich also stores the bases of a "
            "thin pack); every run is checked: origin/main at the server's tip, fsck clean"
        )
        return table


def bench_behind(ours: Ours, runs: int, profiled: bool = False) -> Table:
    pair = repos.scenario_c()
    with scratch("behind") as tmp:
        server = tmp / "srv" / "server.git"
        shutil.copytree(pair.server, server, symlinks=True)
        tip = repos.add_commit(server, "f00000.txt", "one new line\n", number=10_000)
        with git_daemon(server.parent, count_objects=True) as daemon:
            run = FetchRun(pair.local, tmp / "work", daemon, tip)
            results = interleaved(run.contenders(ours), runs, setup=run.setup, check=run.check)
            if profiled:
                run.profile_ours(ours, "gitferry fetch, 2,000 behind", calls=5)
    behind = git("rev-list", "--count", "main..origin/main", cwd=pair.local)
    table = run.table(
        f"2. One new commit, local main {behind} behind origin/main "
        f"(server: {repos.describe(pair.server)}), git://",
        results,
    )
    table.note("target: gitferry's objects received equal to git's")
    return table


# 3. initial fetch -----------------------------------------------------------


def bench_initial(ours: Ours, runs: int, profiled: bool = False) -> Table:
    server = repos.repo_b()
    tip = rev_parse(server, "refs/heads/main")
    with scratch("initial") as tmp, git_daemon(server.parent, count_objects=True) as daemon:
        run = FetchRun(None, tmp / "work", daemon, tip)
        results = interleaved(run.contenders(ours), runs, setup=run.setup, check=run.check)
        if profiled:
            run.profile_ours(ours, "gitferry initial fetch")
    table = run.table(
        f"3. Initial fetch into an empty repository, B ({repos.describe(server)}), git://",
        results,
    )
    table.note("target: gitferry within 3x of git fetch")
    return table


# 4. the checks on the way in -----------------------------------------------


GIT_FSCK = f"{GIT} -c transfer.fsckObjects=true"
OURS_UNCHECKED = f"{OURS}, fetch.fsckObjects=false"
OURS_STRICT = f"{OURS}, fetch.fsckObjects=true"
OURS_CONFIG = {OURS_UNCHECKED: "false", OURS_STRICT: "true"}  # OURS itself: unset, the default


class ChecksRun(FetchRun):
    """The initial fetch, each gitferry contender with its own `fetch.fsckObjects`."""

    def setup(self, name: str) -> None:
        super().setup(name)
        if name in OURS_CONFIG:
            git("config", "fetch.fsckObjects", OURS_CONFIG[name], cwd=self.work)

    def contenders(self, ours: Ours) -> dict[str, Callable[[], object]]:
        out: dict[str, Callable[[], object]] = {
            GIT: lambda: run_git(self.work, "fetch", "-q", "origin"),
            GIT_FSCK: lambda: run_git(self.work, "-c", "transfer.fsckObjects=true", "fetch", "-q", "origin"),
        }
        if ours.can_fetch:
            for name in (OURS_UNCHECKED, OURS, OURS_STRICT):
                out[name] = lambda: self._ours(ours)
        return out

    def _ours(self, ours: Ours) -> None:
        repo = Repo(str(self.work))
        try:
            ours.fetch_remote(repo, "origin")
        finally:
            repo.close()


def bench_checks(ours: Ours, runs: int, profiled: bool = False) -> Table:
    server = repos.repo_b()
    tip = rev_parse(server, "refs/heads/main")
    with scratch("checks") as tmp, git_daemon(server.parent, count_objects=True) as daemon:
        run = ChecksRun(None, tmp / "work", daemon, tip)
        results = interleaved(run.contenders(ours), runs, setup=run.setup, check=run.check)
    table = timing_table(
        f"4. Checks on the way in: initial fetch of B ({repos.describe(server)}), git://",
        results,
        baselines={"git": GIT, "git fsck": GIT_FSCK},
    )
    table.note(
        "all three gitferry rows bound every object's inflation (pack_limits); they differ in "
        "the checks of trees and commits (object_checks): none, the default set, git's strict set"
    )
    table.note("git checks nothing by default; with transfer.fsckObjects=true it runs index-pack --strict")
    if OURS in results and OURS_UNCHECKED in results:
        cost = results[OURS].median - results[OURS_UNCHECKED].median
        table.note(f"the default checks cost {ms(cost)} ms on this fetch (medians)")
    return table


BENCHES: dict[str, Callable[[Ours, argparse.Namespace], Table]] = {
    "no-change": lambda ours, args: bench_no_change(ours, args.runs, args.profile),
    "behind": lambda ours, args: bench_behind(ours, args.behind_runs, args.profile),
    "initial": lambda ours, args: bench_initial(ours, args.initial_runs, args.profile),
    "checks": lambda ours, args: bench_checks(ours, args.checks_runs, args.profile),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fetch", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="runs of the no-change sync")
    parser.add_argument("--behind-runs", type=int, default=10, help="runs of the 2,000-behind fetch")
    parser.add_argument("--initial-runs", type=int, default=3, help="runs of the initial fetch")
    parser.add_argument("--checks-runs", type=int, default=5, help="runs of each checks contender")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile gitferry's side of each benchmark"
    )
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    ours = Ours.load()
    for name in args.only:
        load_before = os.getloadavg()[0]
        table = BENCHES[name](ours, args)
        table.note(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
