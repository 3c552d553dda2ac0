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
tree clean by `git status`; after the timed runs, one more run of each Gitferry
contender and `git fsck` of its copy.

    .venv/bin/python -m bench.real_fetch [--runs N] [--profile] [--before DIR]

A second Gitferry contender, `gitferry sync NAME --json (engine)`, is the same
cold command with a `gitferry daemon` running on its data directory (the app's or
the daemon's usual state), which the command hands the sync to (`core.cli_engine`).
A running daemon only answers for the repositories it watched at its start, so
before each of its runs, untimed: the fresh twins are made with the server at the
base history, the repository is already registered at the same path, a daemon is
started (background work paused, `bench.cold_start.Daemon`), one sync through it
(`up_to_date`) has it open the repository and import a sync's modules, and only
then the server becomes the one 300 commits ahead. Each timed run must have been
carried out by the engine (the client never loaded dulwich, reported on stderr by an
`atexit` hook) or the bench fails; its CPU adds the daemon's during the run
(`/proc`). The daemon is stopped before every other contender's set-up (it would
hold the removed twin open).

`--profile` runs the same sync once more in this process under cProfile (the
engine inline, so the offloaded work shows) and prints where the time goes.
`--before DIR` runs another checkout's CLI (`git worktree add --detach DIR <commit>`)
turn by turn with this one, on the same fresh twins and checked the same way.
`--ssh` serves the same repositories over ssh instead (the tests' `sshd` on loopback,
`tests/servers/ssh.py`: root only), every contender's ssh the command `GIT_SSH_COMMAND`
names, as a user's GitHub or GitLab over ssh: one ssh connection a fetch for git and
Gitferry alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import real_history
from bench.cold_start import Cli, Daemon, with_cpu
from bench.contenders import GIT_TIMEOUT, ColdCli, run_git, set_origin
from bench.gitenv import git, isolate, rev_parse, scratch
from bench.repos import twin
from bench.servers import git_daemon
from bench.stats import Table, against_git, interleaved, median_after_warmup, print_with_load

NAME = "real"
GIT = "git pull --ff-only"
OURS = "gitferry sync (CLI, cold)"
BEFORE = f"{OURS}, before"
ENGINE = "gitferry sync (CLI, cold, gitferry daemon running)"
# The console script's entry, telling on stderr whether this process loaded dulwich:
# it did not when the engine carried the sync out (the CLI ends its process with
# `end_process`, which runs the atexit callbacks).
IN_ENGINE = "[bench] in engine:"
ENGINE_ENTRY = f"""
import atexit, sys
atexit.register(lambda: sys.stderr.write("\\n{IN_ENGINE} %s\\n" % ("dulwich" not in sys.modules)))
from gui.launch import main
sys.exit(main())
"""
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

    def setup(self, _name: str = "", server: str = "server-ahead.git") -> None:
        for path in (self.local, self.server):
            shutil.rmtree(path, ignore_errors=True)
        twin(self.cached / server, self.server)
        # the working tree is copied, not linked: a fast-forward replaces files in place
        twin(self.local_base, self.local, link_worktree=False)
        git("update-index", "-q", "--refresh", cwd=self.local)

    def serve_ahead(self) -> None:
        """The server becomes the one 300 commits ahead (the clone left as it is)."""
        shutil.rmtree(self.server)
        twin(self.cached / "server-ahead.git", self.server)

    def check(self, name: str) -> None:
        for ref in ("HEAD", "refs/remotes/origin/main"):
            if rev_parse(self.local, ref) != self.tip:
                raise RuntimeError(f"{name}: {ref} is not the server's main after the sync")
        if git("status", "--porcelain", cwd=self.local):
            raise RuntimeError(f"{name}: the working tree is not clean after the sync")


class Resident:
    """The cold `gitferry sync NAME --json` handed to a `gitferry daemon` on its data directory."""

    def __init__(self, run: Behind, tmp: Path) -> None:
        self.run, self.log = run, tmp / "daemon.log"
        self.cli = Cli(ColdCli.ROOT, tmp / "engine-home", in_process=False)
        self.cli("add", str(run.local), "--name", NAME)()
        self.daemon: Daemon | None = None

    def setup(self, name: str) -> None:
        """Before every run: no daemon holding the twins that are replaced; for this
        contender's runs, a daemon watching the fresh twins, warmed by one sync."""
        self.stop()
        if name != ENGINE:
            self.run.setup(name)
            return
        self.run.setup(name, server="server.git")
        self.daemon = Daemon(self.cli, self.log)
        warm = self.sync()
        if warm["result"] != "up_to_date":
            raise RuntimeError(f"gitferry (engine), warming up: {warm['result']}: {warm['message']}")
        self.run.serve_ahead()

    def sync(self) -> dict[str, object]:
        """One cold `gitferry sync NAME --json`, which the engine must have carried out."""
        proc = subprocess.run(
            [sys.executable, "-c", ENGINE_ENTRY, "sync", NAME, "--json"],
            env=self.cli.env,
            cwd=self.cli.source,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
        told = [line for line in proc.stderr.decode().splitlines() if line.startswith(IN_ENGINE)]
        if told != [f"{IN_ENGINE} True"]:
            raise RuntimeError(f"gitferry (engine): the engine did not carry the sync out: {proc.stderr!r}")
        report: dict[str, object] = json.loads(proc.stdout)["repos"][0]
        return report

    def timed(self) -> None:
        report = self.sync()
        if report["result"] != "ok":
            raise RuntimeError(f"gitferry (engine): {report}")
        PHASES.setdefault(ENGINE, []).append(report["timings_ms"])  # type: ignore[arg-type]

    def with_daemon_cpu(self, fn: Callable[[], object], into: list[float]) -> Callable[[], object]:
        """`fn` (already adding its processes' CPU to `into`), adding the daemon's during it."""

        def run() -> object:
            if self.daemon is None:
                raise RuntimeError("gitferry (engine): no daemon running")
            return self.daemon.with_cpu(fn, into)()

        return run

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None


def _ours(cli: ColdCli, name: str = OURS) -> None:
    report = cli.sync_json()
    if report["result"] != "ok":
        raise RuntimeError(f"gitferry: {report['result']}: {report['message']}")
    PHASES.setdefault(name, []).append(report["timings_ms"])


@contextmanager
def served_at(served: Path, ssh: bool) -> Iterator[str]:
    """The URL of `served`/server.git, over `git daemon` or, with `ssh`, the tests' sshd
    (whose command every process started from here then runs: `GIT_SSH_COMMAND`)."""
    if not ssh:
        with git_daemon(served) as daemon:
            yield daemon.url("server.git")
        return
    from tests.servers.ssh import SshServer, sshd_unavailable

    reason = sshd_unavailable()
    if reason is not None:
        raise SystemExit(f"--ssh: {reason}")
    with SshServer(served) as sshd:
        os.environ["GIT_SSH_COMMAND"] = sshd.ssh_command
        try:
            yield sshd.host.url("server")
        finally:
            del os.environ["GIT_SSH_COMMAND"]


def bench(runs: int, profiled: bool, before: Path | None = None, ssh: bool = False) -> Table:
    with scratch("real-fetch") as tmp:
        served = tmp / "srv"
        served.mkdir()
        with served_at(served, ssh) as url:
            run = Behind(tmp, served, url)
            run.setup()
            cli = ColdCli.start(run.local, NAME)
            old = ColdCli.start(run.local, NAME, before) if before is not None else None
            if cli is None or (before is not None and old is None):
                raise SystemExit("the gitferry CLI is not installed in .venv")
            resident = Resident(run, tmp)
            try:
                contenders = {
                    GIT: lambda: run_git(run.local, "pull", "--ff-only", "-q"),
                    OURS: lambda: _ours(cli),
                }
                if old is not None:
                    contenders[BEFORE] = lambda: _ours(old, BEFORE)
                contenders[ENGINE] = resident.timed
                # CPU of the processes each run started (git's children included): the load
                # of a shared machine stretches wall times far more than CPU times
                cpu: dict[str, list[float]] = {name: [] for name in contenders}
                measured = {name: with_cpu(fn, cpu[name]) for name, fn in contenders.items()}
                # the daemon's CPU during a run is added to its figure
                measured[ENGINE] = resident.with_daemon_cpu(measured[ENGINE], cpu[ENGINE])
                results = interleaved(measured, runs, warmup=1, setup=resident.setup, check=run.check)
                fsck: dict[str, str] = {}
                for name, last in ((ENGINE, resident.timed), (OURS, lambda: _ours(cli))):
                    resident.setup(name)
                    last()
                    run.check(name)
                    fsck[name] = git("fsck", "--no-progress", "--no-dangling", cwd=run.local) or "no errors"
                resident.stop()
                if profiled:
                    run.setup()
                    _profile(run)
            finally:
                resident.stop()
                cli.close()
                if old is not None:
                    old.close()
    table = Table(
        f"Fetch + fast-forward, {run.new} new commits of real shape "
        f"({real_history.SHAPE.commits:,} on main, 250,000 objects, 300 branches), "
        + ("ssh (the tests' sshd on loopback)" if ssh else "git://"),
        ["contender", "median", "p95", "p99", "vs git", "CPU median", "CPU vs git"],
    )
    cpu_median = {name: median_after_warmup(values) for name, values in cpu.items()}
    for name, summary in results.items():
        table.add(name, *against_git(summary, results[GIT], cpu_median[name], cpu_median[GIT]))
    for name, reports in PHASES.items():
        shown = ", ".join(f"{p} {statistics.median(t.get(p, 0.0) for t in reports):.0f}" for p in reports[0])
        table.note(f"{name}, median ms per phase (its own report): {shown}")
    if before is not None:
        table.note(f"before: the checkout at {before}")
    table.note(
        f"{ENGINE}: the same command handed to a running `gitferry daemon` (paused, started and warmed "
        "by one up-to-date sync before each run, untimed); its CPU adds the daemon's (/proc, 10 ms "
        "ticks); every run carried out by the engine (the client never loaded dulwich)"
    )
    table.note("checked after every run: HEAD = origin/main = the server's main, git status clean")
    for name, found in fsck.items():
        table.note(f"git fsck --no-dangling of the copy after one more run of {name}: {found}")
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
    parser.add_argument("--ssh", action="store_true", help="serve over ssh (the tests' sshd) instead of git://")
    args = parser.parse_args(argv)
    isolate()
    print_with_load(lambda: bench(args.runs, args.profile, args.before, args.ssh))


if __name__ == "__main__":
    main()
