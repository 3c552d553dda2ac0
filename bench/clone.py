"""Clone a repository of real shape (about 250,000 objects) side by side with `git clone`.

The server is `bench.real_history`'s base history (251,539 objects, 17,467 commits,
a tree five levels deep with 12,000 text files and 240 binaries, 300 release
branches, 60 annotated tags), served by `git daemon` on loopback (`--http`: also
through `git http-backend`, tests/servers/smart_http.py, in this process).

git = `git clone -q URL DIR`; gitferry = `gitferry clone URL DIR --name NAME`, a
fresh process on a fresh GITFERRY_HOME (cold: interpreter, imports, store, fetch,
index of the pack, checkout, registering). The contenders run turn by turn, each
into a folder removed before its run. Per run: wall time, CPU (user + system of
the process and every child it waited for) and peak RSS, GNU time's `%M` (the
largest single process of the tree: git's `clone` or its `index-pack`), both from a
small wrapper's `RUSAGE_CHILDREN` (`bench/children.py`: a command forked straight
from this process would report this process's size once it is the larger).
Every run is checked: every branch of the server as `refs/remotes/origin/*` and
every tag as `refs/tags/*` (same ids, nothing else),
`main` checked out and tracking `origin/main`, HEAD's tree the server's, `git
status` clean, `git fsck --no-dangling` clean, Gitferry's clone marker gone.

    .venv/bin/python -m bench.clone [--runs N] [--http] [--profile] [--before DIR] [--one-process]

`--before DIR` runs another checkout's CLI (`git worktree add --detach DIR <commit>`)
turn by turn with this one. `--one-process` adds this checkout with git's
`pack.threads=1` (`GIT_CONFIG_COUNT`): the pack's deltas resolved in process
rather than in worker processes (`core/git/objects/delta_workers.py`).
`--profile` clones once more in this process under cProfile
(`core.git.transfer.clone.clone_repository`: the fetch, index and checkout, without
the cold process and the store).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import real_history
from bench.children import peak_and_cpu, peak_measured
from bench.gitenv import git, isolate, rev_parse, scratch
from bench.repos import twin
from bench.servers import git_daemon
from bench.stats import Table, interleaved, median_after_warmup, ms, print_with_load, ratio

ROOT = Path(__file__).resolve().parent.parent
GITFERRY = Path(sys.executable).with_name("gitferry")
TIMEOUT = 600.0
NAME = "cloned"
RSS_TARGET, WALL_TARGET = 1.5, 1.0  # issue 19: within 1.5x of git's peak RSS, 1.0x of its wall


@dataclass
class Usage:
    """Each run's CPU seconds and peak RSS in KiB."""

    cpu: list[float]
    rss_kib: list[int]


def run_measured(argv: list[str], env: dict[str, str], usage: Usage) -> None:
    """Run `argv` to its end and record its CPU and peak RSS (its children's included)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            peak_measured(argv),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        try:
            proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} exited {proc.returncode}: {stderr[-2000:]}")
    peak_kib, cpu = peak_and_cpu(stderr)
    usage.cpu.append(cpu)
    usage.rss_kib.append(peak_kib)


class Clones:
    """The served repository, what a clone of it must hold, and one target folder per contender."""

    def __init__(self, tmp: Path, server: Path) -> None:
        self.tmp, self.server = tmp, server
        self.expected = _expected_refs(server)
        self.main = rev_parse(server, "refs/heads/main")
        self.tree = rev_parse(server, "refs/heads/main^{tree}")
        self.objects = int(git("rev-list", "--all", "--objects", "--count", cwd=server))  # what a clone gets
        self.homes: dict[str, Path] = {}

    def target(self, name: str) -> Path:
        return self.tmp / "clones" / name.replace(" ", "-").replace("/", "-")

    def setup(self, name: str) -> None:
        shutil.rmtree(self.target(name), ignore_errors=True)
        self.target(name).parent.mkdir(exist_ok=True)
        home = self.homes.get(name)
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()

    def check(self, name: str) -> None:
        repo = self.target(name)
        refs = dict(
            line.split(" ", 1)[::-1]
            for line in git("for-each-ref", "--format=%(objectname) %(refname)", cwd=repo).splitlines()
        )
        head = git("symbolic-ref", "HEAD", cwd=repo)
        problems = []
        if head != "refs/heads/main" or refs.pop("refs/heads/main", None) != self.main:
            problems.append(f"HEAD is {head}, not main at the server's {self.main}")
        if refs.pop("refs/remotes/origin/HEAD", self.main) != self.main:
            problems.append("refs/remotes/origin/HEAD is not the server's main")
        if refs != self.expected:
            wrong = sorted(set(refs.items()) ^ set(self.expected.items()))
            problems.append(f"{len(wrong)} refs differ from the server's, e.g. {wrong[:3]}")
        if git("rev-parse", "--abbrev-ref", "main@{upstream}", cwd=repo) != "origin/main":
            problems.append("main does not track origin/main")
        if rev_parse(repo, "HEAD^{tree}") != self.tree:
            problems.append("HEAD's tree is not the server's")
        if git("status", "--porcelain", cwd=repo):
            problems.append("git status is not clean")
        if (repo / ".git" / "gitferry" / "clone-in-progress").exists():
            problems.append("the clone marker is still there")
        fsck = git("fsck", "--no-progress", "--no-dangling", cwd=repo)
        if fsck:
            problems.append(f"git fsck: {fsck[:200]}")
        if problems:
            raise RuntimeError(f"{name}: " + "; ".join(problems))

    def git_clone(self, name: str, url: str, usage: Usage) -> Callable[[], None]:
        argv = ["git", "clone", "-q", url, str(self.target(name))]
        return lambda: run_measured(argv, dict(os.environ), usage)

    def gitferry_clone(
        self, name: str, url: str, source: Path, usage: Usage, extra_env: dict[str, str] | None = None
    ) -> Callable[[], None]:
        """A cold `gitferry clone` of the checkout at `source`, on a GITFERRY_HOME emptied before each run."""
        home = self.homes[name] = Path(tempfile.mkdtemp(prefix="gitferry-home-", dir=self.tmp))
        env = {**os.environ, "GITFERRY_HOME": str(home), "PYTHONPATH": str(source), **(extra_env or {})}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode cached
        argv = [str(GITFERRY), "clone", url, str(self.target(name)), "--name", NAME]
        return lambda: run_measured(argv, env, usage)


def _expected_refs(server: Path) -> dict[str, str]:
    """The refs a clone of `server` has besides `main` and `origin/HEAD`: {name: id}."""
    expected = {}
    for line in git("for-each-ref", "--format=%(objectname) %(refname)", cwd=server).splitlines():
        oid, ref = line.split(" ", 1)
        if ref.startswith("refs/heads/"):
            expected["refs/remotes/origin/" + ref.removeprefix("refs/heads/")] = oid
        elif ref.startswith("refs/tags/"):
            expected[ref] = oid
    return expected


ONE_PROCESS = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "pack.threads", "GIT_CONFIG_VALUE_0": "1"}


def bench(runs: int, http: bool, before: Path | None, one_process: bool = False) -> Table:
    cached = real_history.build()
    with scratch("clone") as tmp:
        served = tmp / "srv"
        served.mkdir()
        twin(cached / "server.git", served / "server.git")
        clones = Clones(tmp, served / "server.git")
        with git_daemon(served) as daemon:
            urls = {"git://": daemon.url("server.git")}
            server = None
            if http:
                from tests.servers.smart_http import SmartHttpServer

                server = SmartHttpServer(served).start()
                urls["http://"] = f"http://127.0.0.1:{server.port}/server.git"
            try:
                rows = _contenders(clones, urls, before, one_process)
                contenders = {name: fn for name, (fn, _usage) in rows.items()}
                results = interleaved(contenders, runs, warmup=1, setup=clones.setup, check=clones.check)
            finally:
                if server is not None:
                    server.stop()
    branches = sum(ref.startswith("refs/remotes/") for ref in clones.expected)
    title = (
        f"Clone of {clones.objects:,} objects of real shape ({branches:,} branches, "
        f"{len(clones.expected) - branches} tags, {real_history.SHAPE.files:,} text files), cold processes"
    )
    columns = [
        "contender",
        "median",
        "p95",
        "p99",
        "vs git",
        "CPU",
        "CPU vs git",
        "peak RSS MiB",
        "RSS max",
        "RSS vs git",
    ]
    table = Table(title, columns)
    for name, summary in results.items():
        usage = rows[name][1]
        git_name = _git_row(name, urls)
        base_usage = rows[git_name][1]
        cpu, base_cpu = median_after_warmup(usage.cpu), median_after_warmup(base_usage.cpu)
        rss, base_rss = median_after_warmup(usage.rss_kib), median_after_warmup(base_usage.rss_kib)
        wall = [ms(summary.p(pct)) for pct in (50, 95, 99)] + [
            ratio(summary.median, results[git_name].median)
        ]
        rss_cells = [f"{rss / 1024:,.1f}", f"{max(usage.rss_kib[1:]) / 1024:,.1f}", ratio(rss, base_rss)]
        table.add(name, *wall, ms(cpu), ratio(cpu, base_cpu), *rss_cells)
    table.note(
        f"{runs} runs each after a warm-up, turn by turn; times in ms (wall, and CPU of the process tree)"
    )
    table.note("peak RSS: ru_maxrss (GNU time's %M): the largest single process of the run's tree")
    table.note(f"targets (issue 19): wall within {WALL_TARGET}x of git's, peak RSS within {RSS_TARGET}x")
    if before is not None:
        table.note(f"before: the checkout at {before}")
    if one_process:
        table.note("one process: this checkout with pack.threads=1 (no delta worker processes)")
    table.note(
        "checked after every run: every server branch as origin/*, every tag, nothing else; main checked out"
        " tracking origin/main; HEAD's tree the server's; git status clean; git fsck --no-dangling clean"
    )
    return table


def _contenders(
    clones: Clones, urls: dict[str, str], before: Path | None, one_process: bool
) -> dict[str, tuple[Callable[[], None], Usage]]:
    rows: dict[str, tuple[Callable[[], None], Usage]] = {}
    for scheme, url in urls.items():
        sides: list[tuple[str, Path | None, dict[str, str] | None]] = [
            ("git clone", None, None),
            ("gitferry clone", ROOT, None),
        ]
        if one_process:
            sides.append(("gitferry clone, one process", ROOT, ONE_PROCESS))
        if before is not None:
            sides.append(("gitferry clone, before", before.resolve(), None))
        for label, source, extra_env in sides:
            name = f"{label} ({scheme})"
            usage = Usage([], [])
            if source is None:
                fn = clones.git_clone(name, url, usage)
            else:
                fn = clones.gitferry_clone(name, url, source, usage, extra_env)
            rows[name] = (fn, usage)
    return rows


def _git_row(name: str, urls: dict[str, str]) -> str:
    return next(f"git clone ({scheme})" for scheme in urls if name.endswith(f"({scheme})"))


def profile_clone() -> None:
    """One clone in this process as it is (its phases, wall and CPU), then one under cProfile:
    the fetch, the pack's index, the refs and the checkout, without the cold process."""
    from bench.profiling import profile
    from core.git.transfer.clone import clone_repository

    cached = real_history.build()
    with scratch("clone-profile") as tmp:
        served = tmp / "srv"
        served.mkdir()
        twin(cached / "server.git", served / "server.git")
        with git_daemon(served) as daemon:
            url = daemon.url("server.git")
            wall, cpu = time.perf_counter(), time.process_time()
            result = clone_repository(url, tmp / "plain")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            phases = ", ".join(f"{name} {ms:,.0f}" for name, ms in result.timings_ms.items())
            print(f"one clone in process: wall {ms(wall)} ms, CPU {ms(cpu)} ms; its phases (ms): {phases}")
            shutil.rmtree(tmp / "plain")
            print(
                profile("clone_repository (in process)", lambda: clone_repository(url, tmp / "clone"), top=45)
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--http", action="store_true", help="also clone over git http-backend")
    parser.add_argument("--profile", action="store_true", help="cProfile one clone in process afterwards")
    parser.add_argument("--before", type=Path, help="another checkout (an older commit) run turn by turn")
    parser.add_argument(
        "--one-process", action="store_true", help="also this checkout with pack.threads=1 (no delta workers)"
    )
    args = parser.parse_args(argv)
    isolate()
    print_with_load(lambda: bench(args.runs, args.http, args.before, args.one_process))
    if args.profile:
        profile_clone()


if __name__ == "__main__":
    main()
