"""A soak of the background engine: does anything grow with time rather than with data?

A real `gitferry daemon` (fresh GITFERRY_HOME) watches `--repos` repositories on
loopback remotes: two thirds behind one `git daemon`, the rest behind a smart-HTTP
server (`git http-backend`), plus three behind a second `git daemon` that is stopped
for the middle third of the run. Every repository fetches every `--interval`
seconds; a quarter are in auto mode with auto-commit on, a writer appending to one
of their files every 10-25 s; a pusher commits and pushes from a git CLI clone of
some remotes every 15-30 s (two of them auto-mode ones, so merges happen too).

Every `--every` seconds it samples the daemon: RSS, open descriptors, threads,
child processes, CPU seconds, where the RSS is (`bench.proc_memory`: RssAnon/RssFile/
RssShmem, and by kind of mapping: brk heap, glibc's thread arenas, stacks, other
anonymous memory, mapped `.pack`/`.idx` files and their count, SQLite's -shm,
libraries), the store's open connections, the store's files (status.sqlite3 and
its -wal), the activity log, gitferry.log, the rows of every store table, and the
loose objects and packs of the pushed repositories. It prints each at start and end and its
growth per hour, fitted over the second half of the run (after the warm-up).
Side by side, git: the pusher's clones run `git pull` with git's own gc defaults
(`gc.auto`, `gc.autoPackLimit`), so their loose objects and packs are what git
leaves for the same incoming commits.

At the end: the daemon's CPU over 30 s idle (every interval set to an hour), the
time SIGTERM takes to stop it, the mappings whose RSS grew most over the run, what
glibc's `malloc_stats()` says it holds and what `malloc_trim(0)` gives back (the
daemon runs under a harness that calls them on SIGUSR1 and SIGUSR2), and the checks: `git fsck` and a clean
`git status` in every clone, each clone's tracking refs equal to its server's
branches, and every line the writer wrote on its server.

    python -m bench.soak [--minutes 10] [--repos 30] [--interval 5] [--every 30]
                         [--arena-max N]  (MALLOC_ARENA_MAX for the daemon)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from bench import proc_memory
from bench.gitenv import git, isolate, scratch
from bench.servers import GitDaemon
from bench.stats import Table
from tests.servers.smart_http import SmartHttpServer

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
DAEMON = [sys.executable, "-m", "bench.soak_daemon"]  # `gitferry daemon`, answering the signals
MIB = 1024 * 1024
GIT_GC = ("-c", "gc.auto=6700", "-c", "gc.autoPackLimit=50", "-c", "gc.autoDetach=false")
Sample = dict[str, float]


class Soak:
    def __init__(self, work: Path, repos: int) -> None:
        self.work = work
        self.home = work / "gitferry"
        self.env = {**os.environ, "GITFERRY_HOME": str(self.home), "PYTHONPATH": str(ROOT)}
        self.daemons = [
            GitDaemon(work / "git", receive_pack=True),
            GitDaemon(work / "stopped", receive_pack=True),
        ]
        self.http = SmartHttpServer(work / "http")
        names = [f"r{i:02d}" for i in range(max(3, repos - 3))]
        self.servers: dict[str, Path] = {}
        for number, name in enumerate(names):
            self.servers[name] = (work / ("http" if number % 3 == 2 else "git")) / f"{name}.git"
        for number in range(3):
            self.servers[f"s{number}"] = work / "stopped" / f"s{number}.git"
        self.auto = names[: max(1, len(names) // 4)]
        self.pushed = [*self.auto[:2], *names[len(self.auto) : len(self.auto) + 6], "s0"]
        self.clones = work / "clones"
        self.others = work / "others"
        self.lines: dict[str, list[str]] = {name: [] for name in self.auto}
        self.pushes = 0
        self.refused: list[str] = []
        self.stopped = threading.Event()
        self.done = threading.Event()

    def cli(self, *args: str) -> None:
        proc = subprocess.run([*CLI, *args], env=self.env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"gitferry {' '.join(args)}: {proc.stderr.strip()}")

    def url(self, name: str) -> str:
        server = self.servers[name]
        if server.parent == self.http.root:
            return f"http://127.0.0.1:{self.http.port}/{server.name}"
        daemon = self.daemons[0] if server.parent == self.daemons[0].root else self.daemons[1]
        return daemon.url(server.name)

    def build(self, interval: int) -> None:
        template = self.work / "template"
        git("init", "-q", "-b", "main", str(template))
        for number in range(20):
            (template / f"f{number}.txt").write_text(f"file {number}\n" * 50)
            git("add", ".", cwd=template)
            git("commit", "-q", "-m", f"commit {number}", cwd=template)
        for server in self.servers.values():
            server.parent.mkdir(parents=True, exist_ok=True)
            git("clone", "-q", "--bare", str(template), str(server))
            git("config", "http.receivepack", "true", cwd=server)
        for daemon in self.daemons:
            daemon.start()
        self.http.start()
        self.clones.mkdir()
        self.others.mkdir()

        def register(name: str) -> None:
            self.cli("clone", self.url(name), str(self.clones / name), "--name", name)
            self.cli("set", name, "fetch_interval", str(interval))
            if name in self.auto:
                self.cli("set", name, "sync_mode", "auto")
                self.cli("set", name, "auto_commit", "true")
            if name in self.pushed:
                git("clone", "-q", self.url(name), str(self.others / name))

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(register, self.servers))

    def write(self) -> None:
        count = 0
        while not self.done.wait(random.uniform(10, 25)):
            name = random.choice(self.auto)
            count += 1
            line = f"line {count} of the soak"
            with (self.clones / name / f"notes-{count % 7}.txt").open("a") as f:
                f.write(line + "\n")
            self.lines[name].append(line)

    def push(self) -> None:
        count = 0
        while not self.done.wait(random.uniform(15, 30)):
            name = random.choice(self.pushed)
            if name.startswith("s") and self.stopped.is_set():
                continue
            other, count = self.others / name, count + 1
            try:
                git(*GIT_GC, "pull", "-q", "--no-rebase", "--no-edit", cwd=other)
                (other / f"remote-{count % 5}.txt").write_text(f"push {count}\n")
                git("add", ".", cwd=other)
                git(*GIT_GC, "commit", "-q", "-m", f"push {count}", cwd=other)
                git("push", "-q", cwd=other)
                self.pushes += 1
            except RuntimeError as exc:  # Gitferry pushed first (auto mode): pulled next time
                self.refused.append(f"{name}: {exc}")

    def sample(self, proc: psutil.Process, started: float) -> Sample:
        with proc.oneshot():
            times = proc.cpu_times()
            sample: Sample = {
                "minutes": (time.monotonic() - started) / 60,
                "RSS MiB": proc.memory_info().rss / MIB,
                "descriptors": proc.num_fds(),
                "threads": proc.num_threads(),
                "child processes": len(proc.children(recursive=True)),
                "CPU s": times.user + times.system + times.children_user + times.children_system,
            }
        sample.update(proc_memory.breakdown(proc.pid))
        sample["store connections"] = proc_memory.open_files(proc.pid, "status.sqlite3")
        for name in ("status.sqlite3", "status.sqlite3-wal", "activity.jsonl", "gitferry.log"):
            path = self.home / name
            sample[f"{name} KiB"] = path.stat().st_size / 1024 if path.exists() else 0.0
        with sqlite3.connect(f"file:{self.home / 'status.sqlite3'}?mode=ro", uri=True, timeout=10) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                sample[f"rows {table}"] = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for side, root in (("gitferry", self.clones), ("git", self.others)):
            loose, packs = zip(*(objects(root / name) for name in self.pushed), strict=True)
            sample[f"{side}: loose objects"] = sum(loose)
            sample[f"{side}: packs"] = sum(packs)
        return sample

    def check(self) -> list[str]:
        wrong = []
        for name, server in self.servers.items():
            clone = self.clones / name
            try:
                git("fsck", "--no-progress", cwd=clone)
            except RuntimeError as exc:
                wrong.append(f"{name}: {exc}")
            if git("status", "--porcelain", cwd=clone):
                wrong.append(f"{name}: git status not clean")
            heads = git(
                "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads", cwd=server
            )
            tracking = git(
                "for-each-ref", "--format=%(refname:lstrip=3) %(objectname)", "refs/remotes/origin", cwd=clone
            )
            if heads.splitlines() != [line for line in tracking.splitlines() if not line.startswith("HEAD ")]:
                wrong.append(f"{name}: tracking refs are not the server's branches")
            if name in self.lines:
                text = git("log", "-p", "main", cwd=server)
                wrong.extend(f"{name}: lost {line!r}" for line in self.lines[name] if line not in text)
        return wrong


def objects(repo: Path) -> tuple[int, int]:
    store = repo / ".git" / "objects"
    loose = sum(len(os.listdir(store / d)) for d in os.listdir(store) if len(d) == 2)
    return loose, len(list((store / "pack").glob("*.pack")))


def per_hour(samples: list[Sample], key: str) -> float:
    """Least-squares slope over the second half of the run, per hour."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    xs, ys = [s["minutes"] for s in half], [s[key] for s in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0


def report(samples: list[Sample], minutes: float, repos: int, interval: int) -> Table:
    table = Table(
        f"gitferry daemon soak: {repos} repositories, fetch every {interval} s, {minutes:.0f} min",
        ["", "start", "end", "growth per hour"],
    )
    for key in samples[0]:
        if key == "minutes":
            continue
        first, last = samples[0][key], samples[-1][key]
        table.add(key, f"{first:.1f}", f"{last:.1f}", f"{per_hour(samples, key):+.1f}")
    table.note("start = first sample after the start-up syncs; growth fitted over the second half")
    table.note("git: the pusher's clones, `git pull` with gc.auto=6700, gc.autoPackLimit=50")
    return table


def ask(
    proc: psutil.Process, log: Path, sig: signal.Signals, what: str, wait: float = 60
) -> dict[str, float]:
    """Signal the harness in the daemon (`bench.soak_daemon`); the values of its reply line."""
    size = log.stat().st_size
    proc.send_signal(sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with log.open() as f:
            f.seek(size)
            replies = [line for line in f.read().splitlines() if line.startswith(f"soak: {what} ")]
        if replies:
            pairs = (item.partition("=") for item in replies[-1].split()[2:])
            return {key: float(value.split(",")[-1]) for key, _, value in pairs}
        time.sleep(0.1)
    raise RuntimeError(f"the daemon did not answer {sig.name}")


def allocators(proc: psutil.Process, log: Path) -> Sample:
    """Where the daemon's heap is: CPython's live and free blocks, glibc's in use and free."""
    reply = ask(proc, log, signal.SIGUSR1, "memory")
    return {
        "python: arenas": reply["python-arenas"],
        "python: live blocks MiB": reply["python-live"] / MIB,
        "python: free blocks MiB": reply["python-free"] / MIB,
        "glibc: in use MiB": reply["glibc-in-use"] / MIB,
        "glibc: free inside MiB": reply["glibc-free"] / MIB,
        "glibc: mmapped MiB": reply["glibc-mmap"] / MIB,
        "SQLite: allocated MiB": reply["sqlite"] / MIB,
        "gc: tracked objects": reply["gc-objects"],
        "gc: full collections": reply["gc-collections"],
    }


def grown_objects(log: Path) -> str:
    """The object types (and allocation sites) that grew, as the daemon's harness printed them."""
    text = log.read_text()
    at = text.rfind("types: ")
    return "" if at < 0 else text[at:].split("\nsoak: traced")[0]


def run(
    minutes: float, repos: int, interval: int, every: float, arena_max: int, trim: bool, frames: int
) -> None:
    with scratch("soak") as work:
        soak = Soak(work, repos)
        soak.build(interval)
        log = work / "daemon.err"
        env = {
            **soak.env,
            **({"MALLOC_ARENA_MAX": str(arena_max)} if arena_max else {}),
            **({"PYTHONTRACEMALLOC": str(frames)} if frames else {}),
        }
        trims: list[float] = []
        with log.open("w") as err:
            daemon = subprocess.Popen(DAEMON, env=env, stderr=err)
        try:
            while not log.read_text() and daemon.poll() is None:
                time.sleep(0.2)
            proc = psutil.Process(daemon.pid)
            helpers = [
                threading.Thread(target=soak.write, daemon=True),
                threading.Thread(target=soak.push, daemon=True),
            ]
            for helper in helpers:
                helper.start()
            time.sleep(min(60.0, every))  # the start-up syncs
            started, samples = time.monotonic(), []
            maps_start = proc_memory.mappings(proc.pid)
            ask(proc, log, signal.SIGWINCH, "traced", 600)  # the first count of objects (and snapshot)
            while (elapsed := time.monotonic() - started) < minutes * 60:
                third = elapsed / (minutes * 60) * 3
                if 1 <= third < 2 and not soak.stopped.is_set():
                    soak.stopped.set()
                    soak.daemons[1].stop()
                elif third >= 2 and soak.stopped.is_set():
                    soak.daemons[1].start()
                    soak.stopped.clear()
                samples.append({**soak.sample(proc, started), **allocators(proc, log)})
                print(json.dumps({k: round(v, 1) for k, v in samples[-1].items()}), flush=True)
                if trim:
                    trims.append(ask(proc, log, signal.SIGUSR2, "trim")["cpu"])
                time.sleep(max(0.0, started + len(samples) * every - time.monotonic()))
            soak.done.set()
            for helper in helpers:
                helper.join()
            time.sleep(max(30, 3 * interval))  # the last push fetched, the last change synced
            for name in soak.servers:
                soak.cli("set", name, "fetch_interval", "3600")
            time.sleep(15)  # the new intervals taken up
            cpu = proc.cpu_times()
            idle_from = cpu.user + cpu.system
            time.sleep(30)
            cpu = proc.cpu_times()
            idle = cpu.user + cpu.system - idle_from
            maps_end = proc_memory.mappings(proc.pid)
            ask(proc, log, signal.SIGWINCH, "traced", 600)  # what grew since the first
            steps = [("at the end", proc.memory_info().rss / MIB, allocators(proc, log), 0.0)]
            collect = ask(proc, log, signal.SIGHUP, "collect")
            steps.append(
                (
                    f"gc.collect() (freed {collect['freed']:.0f})",
                    proc.memory_info().rss / MIB,
                    allocators(proc, log),
                    collect["cpu"],
                )
            )
            trim_cpu = ask(proc, log, signal.SIGUSR2, "trim")["cpu"]
            steps.append(("malloc_trim(0)", proc.memory_info().rss / MIB, allocators(proc, log), trim_cpu))
            wrong = soak.check()
            asked = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            stop = time.monotonic() - asked
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            soak.http.stop()
            for server in soak.daemons:
                server.stop()
        print(report(samples, minutes, len(soak.servers), interval).render())
        print(f"idle CPU over 30 s (every interval an hour): {idle:.2f} s ({100 * idle / 30:.2f}% of a core)")
        print(f"SIGTERM to exit: {stop:.2f} s (exit code {daemon.returncode})")
        print("mappings whose RSS grew most, first sample to the end:")
        print("\n".join("  " + line for line in proc_memory.grown(maps_start, maps_end)))
        print("the daemon's heap at the end, then after a full collection, then after glibc's trim:")
        for step, rss, heap, cpu_s in steps:
            print(
                f"  {step}: RSS {rss:.1f} MiB, Python live {heap['python: live blocks MiB']:.1f} "
                f"+ free {heap['python: free blocks MiB']:.1f} MiB in {heap['python: arenas']:.0f} arenas, "
                f"glibc in use {heap['glibc: in use MiB']:.1f} "
                f"+ free {heap['glibc: free inside MiB']:.1f} MiB"
                + (f" ({1000 * cpu_s:.1f} ms CPU)" if cpu_s else "")
            )
        if trims:
            print(
                f"malloc_trim(0) after every sample: {len(trims)} calls, "
                f"{1000 * sum(trims) / len(trims):.1f} ms CPU on average, {1000 * max(trims):.1f} ms at most"
            )
        print(grown_objects(log))
        written = sum(map(len, soak.lines.values()))
        print(f"git pushes: {soak.pushes} ({len(soak.refused)} refused); lines written: {written}")
        print(
            "checks: "
            + ("fsck, status, refs and every written line all right" if not wrong else "; ".join(wrong))
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repos", type=int, default=30)
    parser.add_argument("--interval", type=int, default=5, help="every repository's fetch_interval, seconds")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument(
        "--arena-max", type=int, default=0, help="MALLOC_ARENA_MAX for the daemon (0: glibc's)"
    )
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) in the daemon after every sample")
    parser.add_argument(
        "--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace the daemon's Python allocations"
    )
    args = parser.parse_args(argv)
    isolate()
    run(args.minutes, args.repos, args.interval, args.every, args.arena_max, args.trim, args.tracemalloc)


if __name__ == "__main__":
    main()
