"""The fast-forward's switch alone, on the real history, side by side with git's.

The clone of `bench.real_history` with the 384 commits of `server-ahead.git` already
fetched (untimed, once): every run starts from a fresh copy of it (the working tree
copied, not linked: a switch replaces files in place) and moves `main` to the fetched
tip. git = `git merge --ff-only -q TIP`; gitferry = `switch_branch` in a fresh Python
process (`SWITCH`: its imports and the repository opened first, untimed inside it, the
collector set as the CLI sets it), whose own wall and CPU around the call are reported
too. Every run is checked afterwards (HEAD at the tip, `git status` clean) and the
copy of each contender's last run by `git fsck`.

    .venv/bin/python -m bench.real_switch [--runs N] [--before DIR]

`--before DIR` runs another checkout's `switch_branch` (`git worktree add --detach DIR
<commit>`) turn by turn with this one, on the same fresh copies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench import real_history
from bench.cold_start import with_cpu
from bench.contenders import GIT_TIMEOUT
from bench.gitenv import git, isolate, rev_parse, scratch
from bench.repos import twin
from bench.stats import Table, against_git, interleaved, median_after_warmup, ms, print_with_load

GIT = "git merge --ff-only"
OURS = "gitferry switch_branch (fresh process)"
BEFORE = f"{OURS}, before"
SWITCH = """
import resource, sys, time
from core.git.repository import open_worktree_repo
from core.git.worktree.checkout import switch_branch
from core.platform.collector import collect_rarely
collect_rarely()
repo = open_worktree_repo(sys.argv[1])
before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
switch_branch(repo, b"refs/heads/main", sys.argv[2].encode(), sys.argv[3].encode())
wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
print(wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)
"""
ROOT = Path(__file__).resolve().parents[1]
INSIDE: dict[str, list[tuple[float, float, float]]] = {}


class Fetched:
    """The clone with the server's 384 new commits fetched, copied afresh for every run."""

    def __init__(self, tmp: Path) -> None:
        cached = real_history.build()
        self.base, self.work = tmp / "base", tmp / "work"
        twin(cached / "local", self.base, link_worktree=True)
        git("fetch", "-q", str(cached / "server-ahead.git"), "main:refs/remotes/origin/main", cwd=self.base)
        self.old = rev_parse(self.base, "HEAD")
        self.tip = rev_parse(self.base, "refs/remotes/origin/main")
        self.new = int(git("rev-list", "--count", f"{self.old}..{self.tip}", cwd=self.base))

    def setup(self, _name: str = "") -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        twin(self.base, self.work, link_worktree=False)
        git("update-index", "-q", "--refresh", cwd=self.work)

    def check(self, name: str) -> None:
        if rev_parse(self.work, "HEAD") != self.tip:
            raise RuntimeError(f"{name}: HEAD is not the fetched tip after the switch")
        if git("status", "--porcelain", cwd=self.work):
            raise RuntimeError(f"{name}: the working tree is not clean after the switch")

    def git_merge(self) -> None:
        subprocess.run(
            ["git", "merge", "--ff-only", "-q", self.tip], cwd=self.work, check=True, timeout=GIT_TIMEOUT
        )

    def ours(self, source: Path, name: str) -> Callable[[], None]:
        def run() -> None:
            proc = subprocess.run(
                [sys.executable, "-c", SWITCH, str(self.work), self.old, self.tip],
                cwd=source,
                env={**os.environ, "PYTHONPATH": str(source)},
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
            if proc.returncode:
                raise RuntimeError(f"{name}: {proc.stderr[-2000:]}")
            wall, user, system = (float(v) for v in proc.stdout.split())
            INSIDE.setdefault(name, []).append((wall, user, system))

        return run


def bench(runs: int, before: Path | None) -> Table:
    with scratch("real-switch") as tmp:
        run = Fetched(tmp)
        contenders = {GIT: run.git_merge, OURS: run.ours(ROOT, OURS)}
        if before is not None:
            contenders[BEFORE] = run.ours(before, BEFORE)
        cpu: dict[str, list[float]] = {name: [] for name in contenders}
        measured = {name: with_cpu(fn, cpu[name]) for name, fn in contenders.items()}
        results = interleaved(measured, runs, warmup=1, setup=run.setup, check=run.check)
        fsck = {}
        for name, last in contenders.items():
            run.setup(name)
            last()
            run.check(name)
            fsck[name] = git("fsck", "--no-progress", "--no-dangling", cwd=run.work) or "no errors"
    table = Table(
        f"The switch of a fast-forward over {run.new} commits of real shape "
        f"({real_history.SHAPE.commits:,} on main), alone",
        ["contender", "process median", "p95", "p99", "vs git", "CPU median", "CPU vs git", "switch_branch"],
    )
    for name, summary in results.items():
        inside = INSIDE.get(name, [])[1 : runs + 1]  # the warm-up left out, the fsck run too
        shown = "-"
        if inside:
            wall, user, system = (statistics.median(v[i] for v in inside) for i in range(3))
            p95 = statistics.quantiles([v[0] for v in inside], n=20)[-1] if len(inside) > 2 else wall
            shown = f"wall {ms(wall)} (p95 {ms(p95)}), user {ms(user)}, sys {ms(system)}"
        cpu_median, git_cpu = median_after_warmup(cpu[name]), median_after_warmup(cpu[GIT])
        table.add(name, *against_git(summary, results[GIT], cpu_median, git_cpu), shown)
    if before is not None:
        table.note(f"before: the checkout at {before}")
    table.note("checked after every run: HEAD = the fetched tip, git status clean")
    for name, found in fsck.items():
        table.note(f"git fsck --no-dangling of the copy after one more run of {name}: {found}")
    table.note("gitferry's process figures include starting Python and its imports")
    table.note("switch_branch: the call's own wall and CPU, measured inside its process")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--before", type=Path, help="another checkout (an older commit) run turn by turn")
    args = parser.parse_args(argv)
    isolate()
    print_with_load(lambda: bench(args.runs, args.before))


if __name__ == "__main__":
    main()
