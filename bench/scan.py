"""Working-tree scan and first auto-commit, side by side with the git CLI (issue 6).

1. Unchanged tree: 10,000 files in 500 directories, nothing changed.
   `git status --porcelain` against `scan_worktree`, interleaved run by run:
   - warm: one `Repo` kept open (the engine's case): the index's stat view is
     reused while the index file keeps its stamp, so each scan is the walk;
   - cold: a fresh `Repo` per scan: the index file is parsed again too.
   Every scan is checked: no candidate, no file opened. Target: within 2x.
2. First auto-commit: 2,600 untracked files, 31 of them binaries of 2 to
   16 MiB (80 MiB binary in all). `git add -A && git commit` against
   `auto_commit`, each in its own process on a fresh copy of the tree; wall
   time and peak RSS (GNU time's %M, the command and the processes it waited
   for). Our peak includes the interpreter and its imports (shown alone as a
   third row). Both commits must record the same tree. Target: peak RSS
   under 200 MiB.
3. Staged changes, first look: 100,000 files in 2,000 directories, committed, nothing
   staged. `git diff --cached --quiet` against `staged_changes` (auto mode's question
   before a sync its watcher triggered: "did the user stage something with git?"), each
   run a first look at the index (nothing kept from the run before). Each answer checked:
   nothing staged.

    .venv/bin/python -m bench.scan [--runs N] [--commit-runs N] [--only unchanged first-commit staged]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dulwich import porcelain
from dulwich.repo import Repo

from bench.gitenv import git, isolate
from bench.repos import cached
from bench.stats import Table, interleaved, timing_table
from core.git.worktree import pending
from core.git.worktree.scan import WorktreeScan, scan_worktree

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
GNU_TIME = "/usr/bin/time"
GIT = "git status --porcelain"
GIT_COMMIT = "git add -A && git commit"
WARM = "scan_worktree, Repo open (warm)"
COLD = "scan_worktree, fresh Repo (cold)"
DULWICH = "dulwich porcelain.status"
DULWICH_RUNS = 3
BINARY_MIB = (16, 6, *([2] * 29))  # 31 files, 80 MiB
SMALL_FILES = 2_600 - len(BINARY_MIB)


def build_unchanged(root: Path) -> None:
    """10,000 files of a few lines, 20 per directory, in 25 x 20 directories."""
    git("init", "-q", str(root))
    for top in range(25):
        for sub in range(20):
            directory = root / f"t{top:02d}" / f"s{sub:02d}"
            directory.mkdir(parents=True)
            for n in range(20):
                (directory / f"f{n:02d}.txt").write_text(f"{top} {sub} {n}\n" * (1 + n % 7))
    time.sleep(0.05)  # the index written well after the files: no racy entry
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "10,000 files", cwd=root)


def build_first_commit_source(root: Path) -> None:
    """The files of the first auto-commit (no repository: each run copies them into a fresh one)."""
    rng = random.Random(6)
    for n in range(SMALL_FILES):
        path = root / f"notes{n % 100:02d}" / f"note{n:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(" ".join(rng.choice(("alpha", "bravo", "kilo", "lima")) for _ in range(50 + n % 400)))
    for n, size in enumerate(BINARY_MIB):
        path = root / "media" / f"blob{n:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            for _ in range(size):
                f.write(rng.randbytes(MIB))


def bench_unchanged(runs: int) -> list[Table]:
    root = cached("scan-10k", build_unchanged)
    git("status", "--porcelain", cwd=root)
    warm_repo = Repo(str(root))

    def scan_cold() -> None:
        with Repo(str(root)) as repo:
            check_unchanged(scan_worktree(repo))

    contenders: dict[str, Callable[[], object]] = {
        GIT: lambda: subprocess.run(GIT.split(), cwd=root, check=True, capture_output=True),
        WARM: lambda: check_unchanged(scan_worktree(warm_repo)),
        COLD: scan_cold,
    }
    results = interleaved(contenders, runs=runs, warmup=2)
    warm_repo.close()
    reference = interleaved({DULWICH: lambda: dulwich_status(root)}, runs=DULWICH_RUNS, warmup=1)
    results.update(reference)
    table = timing_table("Unchanged tree: 10,000 files in 500 directories", results, {"git": GIT})
    table.note("every scan checked: no candidate, files_opened == 0 (git status prints nothing either)")
    table.note(f"dulwich's own status: {DULWICH_RUNS} runs after the others, for reference")
    return [table]


def dulwich_status(root: Path) -> None:
    status = porcelain.status(str(root), untracked_files="all")
    if status.unstaged or status.untracked:
        raise AssertionError("dulwich sees changes in the unchanged tree")


def check_unchanged(scan: WorktreeScan) -> None:
    if scan.candidates or scan.files_opened:
        found = f"{len(scan.candidates)} candidates, {scan.files_opened} files opened"
        raise AssertionError(f"the unchanged tree is not: {found}")


OURS_SCRIPT = """
import sys, time
from dulwich import porcelain
from dulwich.repo import Repo
from core.git.worktree.autocommit import auto_commit
repo = Repo(sys.argv[1])
started = time.perf_counter()
result = auto_commit(repo, max_file_size=50 * 1024 * 1024, host="bench")
print(time.perf_counter() - started, len(result.paths), len(result.skipped))
"""
IMPORTS_SCRIPT = "import dulwich.repo, core.git.worktree.autocommit"


def run_measured(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and stdout of one command.

    The peak is GNU time's %M: the command and every process it waited for. A child forked
    from this (large) process would inherit its high-water mark through exec, so
    `wait4`'s own ru_maxrss would report this process's size, not the child's."""
    started = time.perf_counter()
    proc = subprocess.run([GNU_TIME, "-f", "%M", *args], cwd=cwd, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {proc.stderr.strip()}")
    return elapsed, int(proc.stderr.strip().splitlines()[-1]) * 1024, proc.stdout


def bench_first_commit(runs: int) -> list[Table]:
    if not os.access(GNU_TIME, os.X_OK):
        table = Table("First auto-commit", ["", "note"])
        table.add("skipped", f"{GNU_TIME} (Debian package `time`) measures the peak RSS: not installed")
        return [table]
    source = cached("scan-first-commit", build_first_commit_source)
    scratch = source.parent / "scan-first-commit-runs"
    rows: dict[str, list[tuple[float, int]]] = {GIT_COMMIT: [], "auto_commit": [], "imports": []}
    inner: list[float] = []
    for run in range(runs):
        trees = {}
        for name in (GIT_COMMIT, "auto_commit"):
            work = fresh_copy(source, scratch / f"{run}-{len(trees)}")
            if name == "auto_commit":
                wall, peak, out = run_measured([sys.executable, "-c", OURS_SCRIPT, str(work)], ROOT)
                inner.append(float(out.split()[0]))
            else:
                script = "git add -A && git commit -q -m 'first'"
                wall, peak, _ = run_measured(["sh", "-c", script], work)
            rows[name].append((wall, peak))
            trees[name] = git("rev-parse", "HEAD^{tree}", cwd=work)
            shutil.rmtree(work)
        if len(set(trees.values())) != 1:
            raise AssertionError(f"the two commits record different trees: {trees}")
        rows["imports"].append(run_measured([sys.executable, "-c", IMPORTS_SCRIPT], ROOT)[:2])
    shutil.rmtree(scratch, ignore_errors=True)
    table = Table(
        "First auto-commit: 2,600 files, 31 binaries of 2-16 MiB (80 MiB)",
        ["", "runs", "wall median s", "min s", "peak RSS median MiB", "max MiB"],
    )
    labels = {"imports": "python + imports alone (our RSS floor)"}
    for name, samples in rows.items():
        walls, peaks = [w for w, _ in samples], [p / MIB for _, p in samples]
        table.add(
            labels.get(name, name),
            len(samples),
            f"{statistics.median(walls):.2f}",
            f"{min(walls):.2f}",
            f"{statistics.median(peaks):.0f}",
            f"{max(peaks):.0f}",
        )
    table.note(f"auto_commit call alone (inside its process): median {statistics.median(inner):.2f} s")
    table.note("each run on a fresh copy, fresh `git init`; both commits record the same tree (checked)")
    return [table]


def fresh_copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    git("init", "-q", str(target))
    return target


STAGED_FILES = 100_000
GIT_CACHED = "git diff --cached --quiet"
STAGED = "staged_changes, first look"


def build_staged(root: Path) -> None:
    """100,000 files of one line, 50 per directory, in 40 x 50 directories, committed."""
    git("init", "-q", str(root))
    for n in range(STAGED_FILES):
        directory = root / f"t{n // 2500:02d}" / f"s{n // 50 % 50:02d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"f{n % 50:02d}.txt").write_text(f"{n}\n")
    time.sleep(0.05)  # the index written well after the files: no racy entry
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "100,000 files", cwd=root)


def bench_staged(runs: int) -> list[Table]:
    root = cached("staged-100k", build_staged)

    def git_cached() -> None:
        done = subprocess.run(GIT_CACHED.split(), cwd=root, check=False)
        if done.returncode != 0:
            raise AssertionError("git sees staged changes in the committed tree")

    def ours() -> None:
        pending._AGREED.clear()  # each run a first look at the index
        if pending.staged_changes(str(root)):
            raise AssertionError("staged_changes sees staged changes in the committed tree")

    results = interleaved({GIT_CACHED: git_cached, STAGED: ours}, runs=runs, warmup=1)
    table = timing_table("Staged changes, first look: 100,000 files committed", results, {"git": GIT_CACHED})
    table.note("every answer checked: nothing staged")
    return [table]


BENCHES = {"unchanged": "runs", "first-commit": "commit_runs", "staged": "runs"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__)
    parser.add_argument("--runs", type=int, default=21, help="runs of each unchanged-tree contender")
    parser.add_argument("--commit-runs", type=int, default=3, help="runs of each first-commit contender")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    for name in args.only:
        load_before = os.getloadavg()[0]
        if name == "unchanged":
            tables = bench_unchanged(args.runs)
        elif name == "staged":
            tables = bench_staged(args.runs)
        else:
            tables = bench_first_commit(args.commit_runs)
        tables[0].note(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        for table in tables:
            print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
