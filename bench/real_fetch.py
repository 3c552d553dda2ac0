"""Fetch and fast-forward ~300 new commits of real shape, side by side with git.

The repositories come from `bench.real_history` (about 250,000 objects, a tree
five levels deep, renames, merges, 300 release branches, binary files): the
clone is the user, the server `server-ahead.git` holds 300 more commits on
`main` (a few hundred more counting the merged topic branches), served by
`git daemon` on loopback.

git = `git pull --ff-only -q`; gitferry = `gitferry sync NAME --json` as a
fresh process (cold: interpreter, imports, store, fetch, fast-forward,
measuring every branch). Every run starts from fresh hard-linked twins and is
checked afterwards: HEAD and `origin/main` at the server's `main`, the working
tree clean by `git status`; after the last run `git fsck` of Gitferry's copy.

    .venv/bin/python -m bench.real_fetch [--runs N] [--profile] [--before DIR]

`--profile` runs the same sync once more in this process under cProfile (the
engine inline, so the offloaded work shows) and prints where the time goes.
`--before DIR` runs another checkout's CLI (`git worktree add --detach DIR <commit>`)
turn by turn with this one, on the same fresh twins and checked the same way.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path

from bench import real_history
from bench.cold_start import with_cpu
from bench.contenders import ColdCli, run_git, set_origin
from bench.gitenv import git, isolate, rev_parse, scratch
from bench.repos import twin
from bench.servers import git_daemon
from bench.stats import Table, interleaved, ms, print_with_load, ratio

NAME = "real"
GIT = "git pull --ff-only"
OURS = "gitferry sync (CLI, cold)"
BEFORE = f"{OURS}, before"
PHASES: dict[str, list[dict[str, float]]] = {}


class Behind:
    """Fresh twins per run: the clone (the base history) and the server (300 commits ahead)."""

    def __init__(self, tmp: Path, served: Path, url: str) -> None:
        self.cached = real_history.build()
        self.server = served / "server.git"
        self.local_base, self.local = tmp / "base-local", tmp / "work" / "local"
        twin(self.cached / "local", self.local_base, link_worktree=True)
        set_origin(self.local_base, url)
        self.tip = rev_parse(self.cached / "server-ahead.git", "refs/heads/main")
        base = rev_parse(self.local_base, "HEAD")
        self.new = int(git("rev-list", "--count", f"{base}..main", cwd=self.cached / "server-ahead.git"))

    def setup(self, _name: str = "") -> None:
        for path in (self.local, self.server):
            shutil.rmtree(path, ignore_errors=True)
        twin(self.cached / "server-ahead.git", self.server)
        # the working tree is copied, not linked: a fast-forward replaces files in place
        twin(self.local_base, self.local, link_worktree=False)
        git("update-index", "-q", "--refresh", cwd=self.local)

    def check(self, name: str) -> None:
        for ref in ("HEAD", "refs/remotes/origin/main"):
            if rev_parse(self.local, ref) != self.tip:
                raise RuntimeError(f"{name}: {ref} is not the server's main after the sync")
        if git("status", "--porcelain", cwd=self.local):
            raise RuntimeError(f"{name}: the working tree is not clean after the sync")


def _ours(cli: ColdCli, name: str = OURS) -> None:
    report = cli.sync_json()
    if report["result"] != "ok":
        raise RuntimeError(f"gitferry: {report['result']}: {report['message']}")
    PHASES.setdefault(name, []).append(report["timings_ms"])


def bench(runs: int, profiled: bool, before: Path | None = None) -> Table:
    with scratch("real-fetch") as tmp:
        served = tmp / "srv"
        served.mkdir()
        with git_daemon(served) as daemon:
            run = Behind(tmp, served, daemon.url("server.git"))
            run.setup()
            cli = ColdCli.start(run.local, NAME)
            old = ColdCli.start(run.local, NAME, before) if before is not None else None
            if cli is None or (before is not None and old is None):
                raise SystemExit("the gitferry CLI is not installed in .venv")
            try:
                contenders = {
                    GIT: lambda: run_git(run.local, "pull", "--ff-only", "-q"),
                    OURS: lambda: _ours(cli),
                }
                if old is not None:
                    contenders[BEFORE] = lambda: _ours(old, BEFORE)
                # CPU of the processes each run started (git's children included): the load
                # of a shared machine stretches wall times far more than CPU times
                cpu: dict[str, list[float]] = {name: [] for name in contenders}
                measured = {name: with_cpu(fn, cpu[name]) for name, fn in contenders.items()}
                results = interleaved(measured, runs, warmup=1, setup=run.setup, check=run.check)
                run.setup()
                _ours(cli)
                fsck = git("fsck", "--no-progress", "--no-dangling", cwd=run.local) or "no errors"
                if profiled:
                    run.setup()
                    _profile(run)
            finally:
                cli.close()
                if old is not None:
                    old.close()
    table = Table(
        f"Fetch + fast-forward, {run.new} new commits of real shape "
        f"({real_history.SHAPE.commits:,} on main, 250,000 objects, 300 branches), git://",
        ["contender", "median", "p90", "p95", "vs git", "CPU median", "CPU vs git"],
    )
    cpu_median = {name: statistics.median(values[1:]) for name, values in cpu.items()}  # warm-up left out
    for name, summary in results.items():
        table.add(
            name,
            ms(summary.median),
            ms(summary.p(90)),
            ms(summary.p(95)),
            ratio(summary.median, results[GIT].median),
            ms(cpu_median[name]),
            ratio(cpu_median[name], cpu_median[GIT]),
        )
    for name, reports in PHASES.items():
        shown = ", ".join(f"{p} {statistics.median(t.get(p, 0.0) for t in reports):.0f}" for p in reports[0])
        table.note(f"{name}, median ms per phase (its own report): {shown}")
    if before is not None:
        table.note(f"before: the checkout at {before}")
    table.note("checked after every run: HEAD = origin/main = the server's main, git status clean")
    table.note(f"git fsck --no-dangling of gitferry's copy after its last run: {fsck}")
    table.note("target: within 1.5x of git; gitferry's rows include starting Python and importing the CLI")
    return table


def _profile(run: Behind) -> None:
    """The same sync in this process, cProfile'd, with blocking work run inline."""
    from bench.contenders import Engine
    from bench.profiling import profile

    engine, why = Engine.start(inline=True)
    if engine is None:
        raise SystemExit(why)
    try:
        engine.add(run.local, NAME)
        record = engine._runner.run(engine.core.store.repo(NAME))
        print(profile("gitferry sync, 300 new commits (engine inline)", lambda: engine.sync(record), top=40))
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one sync afterwards")
    parser.add_argument("--before", type=Path, help="another checkout (an older commit) run turn by turn")
    args = parser.parse_args(argv)
    isolate()
    print_with_load(lambda: bench(args.runs, args.profile, args.before))


if __name__ == "__main__":
    main()
