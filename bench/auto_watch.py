"""Auto mode's cost of watching, idle: a real `gitferry daemon` watching many repositories.

50 repositories holding 100,000 files in all, every one in auto mode (their interval
an hour, so only the watch runs), idle for 60 s once their start-up syncs are done:
the daemon's CPU (share of one core), its RSS growth over the idle minute, and the
inotify watches it holds (from /proc/PID/fdinfo). Then the fallback scan's cost (what
runs every 10 s for a tree that cannot be watched): one round over every repository.

`--compare` also measures watchdog (Gitferry's choice) against watchfiles' `awatch`
on the same trees, in this process, when watchfiles is importable (it is not a
dependency: install it in a scratch environment to run the comparison).

    python -m bench.auto_watch [--repos 50] [--files 100000] [--idle 60] [--compare]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.gitenv import git, isolate, scratch

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
MIB = 1024 * 1024


def make_repos(root: Path, repos: int, files: int) -> list[Path]:
    per_repo = files // repos
    made = []
    for r in range(repos):
        tree = root / f"repo{r:02d}"
        for f in range(per_repo):
            folder = tree / f"dir{f // 100:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"file{f}.txt").write_text(f"repository {r} file {f}\n")
        git("init", "-q", "-b", "main", str(tree))
        git("add", "-A", cwd=tree)
        git("commit", "-q", "-m", "files", cwd=tree)
        made.append(tree)
    return made


def inotify_watches(pid: int) -> int:
    count = 0
    fdinfo = Path(f"/proc/{pid}/fdinfo")
    for entry in fdinfo.iterdir():
        try:
            count += sum(1 for line in entry.read_text().splitlines() if line.startswith("inotify wd:"))
        except OSError:
            continue
    return count


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def daemon_idle(root: Path, trees: list[Path], idle: float) -> None:
    home = root / "home"
    env = {**os.environ, "GITFERRY_HOME": str(home), "PYTHONPATH": str(ROOT)}

    from core.cli import main as cli_main

    os.environ["GITFERRY_HOME"] = str(home)  # registering in this process: no cold start each

    def cli(*args: str) -> None:
        if cli_main(list(args)) != 0:
            raise RuntimeError(f"gitferry {' '.join(args)} failed")

    for tree in trees:
        cli("add", str(tree), "--auto-commit")
        cli("set", tree.name, "fetch_interval", "3600")
    daemon = subprocess.Popen([*CLI, "daemon"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert daemon.stderr is not None
        daemon.stderr.readline()
        proc = psutil.Process(daemon.pid)
        started = time.perf_counter()
        journal = home / "activity.jsonl"
        while time.perf_counter() - started < 600:  # every start-up sync written
            done = journal.exists() and len(journal.read_text().splitlines()) >= len(trees)
            if done and inotify_watches(daemon.pid) > 0:
                break
            time.sleep(0.5)
        settled_after = time.perf_counter() - started
        time.sleep(5.0)
        rss0, cpu0, t0 = proc.memory_info().rss, cpu_seconds(proc), time.perf_counter()
        time.sleep(idle)
        rss1, cpu1, t1 = proc.memory_info().rss, cpu_seconds(proc), time.perf_counter()
        watches = inotify_watches(daemon.pid)
        threads = proc.num_threads()
    finally:
        daemon.terminate()
        daemon.communicate(timeout=120)
    share = 100.0 * (cpu1 - cpu0) / (t1 - t0)
    print(f"gitferry daemon, {len(trees)} repositories in auto mode, idle {t1 - t0:.0f} s")
    print(f"  start-up (watches set, start-up syncs done): {settled_after:.1f} s")
    print(f"  CPU: {cpu1 - cpu0:.3f} s = {share:.3f}% of a core")
    print(f"  RSS: {rss0 / MIB:.1f} MiB, growth over the idle time {(rss1 - rss0) / MIB:+.2f} MiB")
    print(f"  inotify watches: {watches} (fs.inotify.max_user_watches: {_sysctl('max_user_watches')})")
    print(f"  threads: {threads}")


def _sysctl(name: str) -> str:
    try:
        return Path(f"/proc/sys/fs/inotify/{name}").read_text().strip()
    except OSError:
        return "?"


def fallback_scan(trees: list[Path], rounds: int = 5) -> None:
    from core.git.worktree.pending import pending_changes

    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for tree in trees:
            pending_changes(str(tree))
        per_round.append(time.perf_counter() - start)
    median = statistics.median(per_round)
    files = sum(1 for tree in trees for _ in tree.rglob("*.txt"))
    print(f"fallback scan, one round over {len(trees)} repositories ({files} files), {rounds} rounds:")
    from core.engine.auto_watch import SCAN_SECONDS, SCAN_SHARE

    every = max(SCAN_SECONDS, median / SCAN_SHARE)
    at_ten = 100 * median / SCAN_SECONDS
    print(f"  median {median * 1000:.0f} ms a round ({at_ten:.1f}% of a core every 10 s);")
    print(f"  Gitferry spaces the rounds to every {every:.0f} s: {100 * median / every:.2f}% of a core")


def compare(trees: list[Path], idle: float) -> None:
    """watchdog against watchfiles on the same trees, in this process."""
    proc = psutil.Process()
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    observer = Observer()
    for tree in trees:
        observer.schedule(FileSystemEventHandler(), str(tree), recursive=True)
    observer.start()
    time.sleep(2.0)
    c0 = cpu_seconds(proc)
    time.sleep(idle)
    share = 100 * (cpu_seconds(proc) - c0) / idle
    print(f"  watchdog (inotify observer): {share:.3f}% of a core, {proc.num_threads()} threads")
    observer.stop()
    observer.join()
    try:
        import watchfiles  # type: ignore[import-not-found]
    except ImportError:
        print("  watchfiles: not installed here, skipped")
        return

    async def run() -> None:
        stop = asyncio.Event()

        async def one(tree: Path) -> None:
            async for _ in watchfiles.awatch(tree, stop_event=stop):
                pass

        tasks = [asyncio.create_task(one(tree)) for tree in trees]
        await asyncio.sleep(2.0)
        c1 = cpu_seconds(proc)
        await asyncio.sleep(idle)
        share = 100 * (cpu_seconds(proc) - c1) / idle
        print(f"  watchfiles (awatch): {share:.3f}% of a core, {proc.num_threads()} threads")
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.auto_watch", description=__doc__)
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    isolate()
    with scratch("auto-watch") as root:
        trees = make_repos(root, args.repos, args.files)
        daemon_idle(root, trees, args.idle)
        fallback_scan(trees)
        if args.compare:
            print(f"idle watching, {len(trees)} trees, {args.idle:.0f} s:")
            compare(trees, min(args.idle, 20.0))


if __name__ == "__main__":
    main()
