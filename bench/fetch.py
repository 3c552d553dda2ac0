"""Fetch benchmarks, side by side with the git CLI (SPEC.md section 9).

1. No-change sync of repository A (10,000 files, 20,000 commits) over git://.
2. One new server commit while local `main` is 2,000 commits behind `origin/main`.
3. Initial fetch of repository B (about 80,000 objects) over git://.

Every contender runs against the same loopback `git daemon`, interleaved run by
run, and each run is checked afterwards (the tracking ref must land on the
server's tip), so a side that silently did nothing cannot look fast.

    .venv/bin/python -m bench.fetch [--runs N] [--initial-runs N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dulwich.repo import Repo

from bench import repos
from bench.contenders import (
    ColdCli,
    Ours,
    git_no_change_sync,
    run_git,
    server_total,
    set_origin,
    stock_fetch,
    stock_no_change_sync,
)
from bench.gitenv import CACHE, git, isolate, object_count
from bench.servers import git_daemon
from bench.stats import Summary, Table, interleaved, ms, ratio, timing_table

GIT = "git"
STOCK = "stock dulwich"
OURS = "gitferry"


@contextmanager
def scratch(name: str) -> Iterator[Path]:
    """A scratch directory beside the cache (same disk as the repositories), removed after."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=CACHE))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _tip(repo: Path, ref: str) -> str:
    return git("rev-parse", ref, cwd=repo)


# 1. no-change sync ---------------------------------------------------------


GIT_SYNC = f"{GIT}: fetch + status + rev-list"
GIT_SYNC_V0 = f"{GIT} -c protocol.version=0: same"


def bench_no_change(ours: Ours, runs: int) -> Table:
    pair = repos.repo_a()
    with git_daemon(pair.server.parent) as daemon:
        set_origin(pair.local, daemon.url("server.git"))
        git("status", "--porcelain", cwd=pair.local)  # refresh the index's stat data once
        tip = _tip(pair.server, "refs/heads/main")
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
            contenders[f"{OURS}: fetch + ahead/behind, repo open"] = ours.no_change_sync(repo)
        cli = ColdCli.start(pair.local, "A")
        if cli is not None:
            contenders[f"{OURS}: CLI sync --fetch-only, cold"] = cli.sync_fetch_only
        stock_repo = Repo(str(pair.local))
        opened.append(stock_repo)
        contenders[f"{STOCK}: porcelain.fetch + 2 Walkers"] = lambda: stock_no_change_sync(stock_repo)
        served = [daemon.requests()]

        def check(name: str) -> None:
            if _tip(pair.local, "refs/remotes/origin/main") != tip:
                raise RuntimeError(f"{name}: a no-change sync moved refs/remotes/origin/main")
            served.append(daemon.requests())
            if served[-1] == served[-2]:
                raise RuntimeError(f"{name}: finished without asking the server")

        try:
            results = interleaved(contenders, runs, warmup=2, check=check)
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
    table.note("SPEC target: gitferry's sync at most 1.0x git's fetch + status + rev-list")
    table.note(
        "git's default protocol v2 over git:// stalls about 40 ms on loopback in the ref "
        "advertisement (v0 does not); the 'git v0' column is the stricter reference"
    )
    if not ours.can_sync:
        table.note(f"gitferry rows missing: {'; '.join(ours.missing)}")
    return table


# 2. one new commit, local main 2,000 behind --------------------------------


class FetchRun:
    """A fresh copy of a local repository for every timed fetch, and what each side got."""

    def __init__(self, source: Path | None, work: Path, url: str, tip: str) -> None:
        self.source, self.work, self.url, self.tip = source, work, url, tip
        self.before = 0
        self.sent: dict[str, set[int | None]] = {}
        self.added: dict[str, set[int]] = {}
        self.reported: dict[str, set[int]] = {}
        self._progress: dict[str, bytes] = {}

    def setup(self, _name: str) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        if self.source is None:
            git("init", "-q", str(self.work))
            git("remote", "add", "origin", self.url, cwd=self.work)
        else:
            shutil.copytree(self.source, self.work, symlinks=True)
            set_origin(self.work, self.url)
        self.before = object_count(self.work)

    def check(self, name: str) -> None:
        if _tip(self.work, "refs/remotes/origin/main") != self.tip:
            raise RuntimeError(f"{name}: refs/remotes/origin/main is not the server's tip")
        self.added.setdefault(name, set()).add(object_count(self.work) - self.before)
        self.sent.setdefault(name, set()).add(server_total(self._progress.pop(name, b"")))

    def progress_of(self, name: str, text: bytes) -> None:
        self._progress[name] = self._progress.get(name, b"") + text

    def contenders(self, ours: Ours) -> dict[str, Callable[[], object]]:
        def with_git() -> None:
            self.progress_of(GIT, run_git(self.work, "fetch", "--progress", "origin"))

        def with_stock() -> None:
            self.progress_of(STOCK, stock_fetch(self.work))

        def with_ours() -> None:
            repo = Repo(str(self.work))
            try:
                result = ours.fetch_remote(repo, "origin", progress=lambda data: self.progress_of(OURS, data))
            finally:
                repo.close()
            self.reported.setdefault(OURS, set()).add(result.objects_received)

        out: dict[str, Callable[[], object]] = {GIT: with_git}
        if ours.can_fetch:
            out[OURS] = with_ours
        out[STOCK] = with_stock
        return out

    def table(self, title: str, results: dict[str, Summary]) -> Table:
        table = Table(title, ["", "runs", "median ms", "p95 ms", "vs git", "server sent", "objects added"])
        base = results[GIT].median
        for name, summary in results.items():
            table.add(
                name,
                summary.n,
                ms(summary.median),
                ms(summary.p(95)),
                ratio(summary.median, base),
                _one(self.sent.get(name, set())),
                _one(self.added.get(name, set())),
            )
        if OURS in self.reported:
            table.note(f"gitferry FetchResult.objects_received: {_one(self.reported[OURS])}")
        table.note(
            "server sent = the server's own 'Total N' progress line; objects added = "
            "git count-objects delta (dulwich also stores thin-pack bases it completes)"
        )
        return table


def _one(values: set[int] | set[int | None]) -> str:
    shown = sorted(str(v) if v is not None else "?" for v in values)
    return "/".join(shown) if shown else "-"


def bench_behind(ours: Ours, runs: int) -> Table:
    pair = repos.scenario_c()
    with scratch("behind") as tmp:
        server = tmp / "srv" / "server.git"
        shutil.copytree(pair.server, server, symlinks=True)
        tip = repos.add_commit(server, "f00000.txt", "one new line\n", number=10_000)
        with git_daemon(server.parent) as daemon:
            run = FetchRun(pair.local, tmp / "work", daemon.url("server.git"), tip)
            results = interleaved(run.contenders(ours), runs, setup=run.setup, check=run.check)
    behind = git("rev-list", "--count", "main..origin/main", cwd=pair.local)
    table = run.table(
        f"2. One new commit, local main {behind} behind origin/main "
        f"(server: {repos.describe(pair.server)}), git://",
        results,
    )
    table.note("SPEC target: gitferry's objects received equal to git's")
    return table


# 3. initial fetch -----------------------------------------------------------


def bench_initial(ours: Ours, runs: int) -> Table:
    server = repos.repo_b()
    tip = _tip(server, "refs/heads/main")
    with scratch("initial") as tmp, git_daemon(server.parent) as daemon:
        run = FetchRun(None, tmp / "work", daemon.url("server.git"), tip)
        results = interleaved(run.contenders(ours), runs, setup=run.setup, check=run.check)
    table = run.table(
        f"3. Initial fetch into an empty repository, B ({repos.describe(server)}), git://",
        results,
    )
    table.note("SPEC target: gitferry within 3x of git fetch")
    return table


BENCHES: dict[str, Callable[[Ours, argparse.Namespace], Table]] = {
    "no-change": lambda ours, args: bench_no_change(ours, args.runs),
    "behind": lambda ours, args: bench_behind(ours, args.runs),
    "initial": lambda ours, args: bench_initial(ours, args.initial_runs),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fetch", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per contender")
    parser.add_argument("--initial-runs", type=int, default=3, help="runs of the initial fetch")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    ours = Ours.load()
    for name in args.only:
        print(BENCHES[name](ours, args).render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
