"""Full-sync benchmarks, side by side with the git CLI (targets: README.md, Performance).

1. Both moved: the server got one new commit (a new file) and the clone one
   (another new file); git = `git pull --no-rebase && git push`, gitferry = a
   full sync (lock, fetch, merge, push, record). Repository A, over git://.
2. No change: repository A (10,000 files, 20,000 commits), nothing moved;
   gitferry's full sync (not fetch-only) against `git fetch && git status
   --porcelain && git rev-list --left-right --count @{u}...HEAD`. Target: 1.0x.

Gitferry runs twice: in this process with one `Core` kept open across syncs
(the desktop app's case), and as a cold `gitferry sync NAME --json` process.
Every run starts from fresh hard-linked twins of the clone and of the server
(untimed) and is checked afterwards against the git CLI, so a side that did
nothing, or did it wrong, fails the benchmark instead of looking fast.

    .venv/bin/python -m bench.sync [--runs N] [--no-change-runs N] [--profile]
                                   [--only both-moved no-change]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import repos
from bench.contenders import ColdCli, Engine, git_no_change_sync, run_git, set_origin
from bench.gitenv import git, isolate, object_count, rev_parse, scratch
from bench.profiling import profile
from bench.repos import twin
from bench.servers import GitDaemon, git_daemon
from bench.stats import VERSUS_GIT, Summary, Table, counted, interleaved, ms, timing_table, versus_git

GIT = "git"
GIT_V0 = f"{GIT} -c protocol.version=0"
OURS = "gitferry: sync, core open"
OURS_CLI = "gitferry: CLI sync --json, cold"
CLI_IMPORTS = "gitferry: CLI's imports alone, cold"
NAME = "A"
WARMUP = 1
NO_CHANGE_WARMUP = 2
FIXED_DATE = {"GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000"}


class Reports:
    """Gitferry's reports, per contender: results checked, counts and phase timings kept."""

    def __init__(self) -> None:
        self.last: dict[str, dict[str, Any]] = {}
        self.timings: dict[str, list[dict[str, float]]] = {}

    def keep(self, name: str, report: dict[str, Any]) -> None:
        self.last[name] = report
        self.timings.setdefault(name, []).append(report["timings_ms"])

    def take(self, name: str) -> dict[str, Any] | None:
        return self.last.pop(name, None)

    def phase_table(self, title: str, results: dict[str, Summary], warmup: int) -> Table:
        """Median ms per phase (the reports' `timings_ms`) over the timed runs."""
        timed = {name: self.timings[name][warmup:] for name in results if name in self.timings}
        table = Table(title, ["phase", *timed])
        phases = sorted({phase for runs in timed.values() for t in runs for phase in t})
        for phase in phases:
            table.add(phase, *(ms(_median(runs, phase) / 1000) for runs in timed.values()))
        accounted = [sum(_median(runs, p) for p in phases) / 1000 for runs in timed.values()]
        table.add("sum of phases", *(ms(a) for a in accounted))
        table.add("whole run", *(ms(results[name].median) for name in timed))
        table.note("median ms of each phase in gitferry's own report (timings_ms), over the timed runs")
        return table


def _median(timings: list[dict[str, float]], phase: str) -> float:
    return statistics.median(t.get(phase, 0.0) for t in timings)


def _new_objects(repo: Path, head: str, old: str) -> int:
    """Objects reachable from `head` and not from `old`; fails if one is missing."""
    return len(git("rev-list", "--objects", head, "--not", old, cwd=repo).splitlines())


# 1. both moved: pull (merge) and push ---------------------------------------


def git_pull_push(repo: Path, *options: str) -> None:
    run_git(repo, *options, "pull", "-q", "--no-rebase", "--no-edit")
    run_git(repo, "push", "-q")


class BothMoved:
    """Per run, fresh twins of a clone one commit ahead and of a server one commit ahead;
    after it, the checks and what each side sent and received."""

    def __init__(self, base: Path, work: Path, daemon: GitDaemon) -> None:
        self.local_base, self.server_base = base / "local", base / "server.git"
        self.local, self.server = work / "local", daemon.root / "server.git"
        self.daemon = daemon
        self.reports = Reports()
        self.counts: dict[str, dict[str, set[int]]] = {}
        self.anomalies: set[str] = set()
        self._before: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._build(base)
        set_origin(self.local_base, daemon.url("server.git"))

    def _build(self, base: Path) -> None:
        pair = repos.repo_a()
        twin(pair.server, self.server_base)
        twin(pair.local, self.local_base, link_worktree=False)
        if rev_parse(self.local_base, "HEAD") != rev_parse(self.server_base, "refs/heads/main"):
            raise RuntimeError(f"{pair.local}: main is not the server's main; delete {pair.local.parent}")
        (self.local_base / "local-side.txt").write_text("a new file from this clone\n")
        git("add", "local-side.txt", cwd=self.local_base)
        git("commit", "-q", "-m", "local side", cwd=self.local_base, env=FIXED_DATE)
        self.local_tip = rev_parse(self.local_base, "HEAD")
        self.server_tip = repos.add_commit(
            self.server_base, "server-side.txt", "a new file from a colleague\n", number=repos.SHAPE_A.commits
        )
        self.described = repos.describe(self.server_base)

    def setup(self, _name: str = "") -> None:
        shutil.rmtree(self.local, ignore_errors=True)
        shutil.rmtree(self.server, ignore_errors=True)
        twin(self.server_base, self.server)
        twin(self.local_base, self.local)
        git("update-index", "-q", "--refresh", cwd=self.local)  # the twin's files have new ctimes
        d = self.daemon
        self._before = (object_count(self.server), len(d.packs_sent()), d.requests(), d.pushes())

    def check(self, name: str) -> None:
        head = rev_parse(self.local, "HEAD")
        parents = git("rev-list", "--parents", "-n1", "HEAD", cwd=self.local).split()[1:]
        if sorted(parents) != sorted([self.local_tip, self.server_tip]):
            raise RuntimeError(f"{name}: HEAD {head} is not a merge of both sides (parents {parents})")
        if parents[0] != self.local_tip:
            self.anomalies.add(f"{name}: the merge's first parent is the server's commit, not the local one")
        merged = git("merge-tree", "--write-tree", self.local_tip, self.server_tip, cwd=self.local)
        if rev_parse(self.local, "HEAD^{tree}") != merged:
            raise RuntimeError(f"{name}: the merge's tree is not git's merge of both sides")
        for where, ref in ((self.server, "refs/heads/main"), (self.local, "refs/remotes/origin/main")):
            if rev_parse(where, ref) != head:
                raise RuntimeError(f"{name}: {ref} in {where.name} is not the local HEAD after the push")
        if porcelain := git("status", "--porcelain", cwd=self.local):
            raise RuntimeError(f"{name}: working tree not clean after the sync:\n{porcelain}")
        objects, packs, requests, pushes = self._before
        if self.daemon.requests() == requests or self.daemon.pushes() == pushes:
            raise RuntimeError(f"{name}: finished without fetching from and pushing to the server")
        counts = self.counts.setdefault(name, {})
        for key, value in (
            ("server sent", sum(self.daemon.packs_sent()[packs:])),
            ("server received", object_count(self.server) - objects),
            ("new on server", _new_objects(self.server, head, self.server_tip)),
            ("new locally", _new_objects(self.local, head, self.local_tip)),
        ):
            counts.setdefault(key, set()).add(value)
        report = self.reports.take(name)
        if report is not None:
            _check_report(name, report, "ok", merged=["main"], pushed=["main"])
            counts.setdefault("reported received", set()).add(report["objects_received"])
            counts.setdefault("reported sent", set()).add(report["objects_sent"])

    def contenders(self, engine: Engine | None, cli: ColdCli | None) -> dict[str, Callable[[], object]]:
        out: dict[str, Callable[[], object]] = {
            GIT: lambda: git_pull_push(self.local),
            GIT_V0: lambda: git_pull_push(self.local, "-c", "protocol.version=0"),
        }
        if engine is not None:
            record = engine.add(self.local, NAME)
            out[OURS] = lambda: self.reports.keep(OURS, engine.sync(record))
        if cli is not None:
            out[OURS_CLI] = lambda: self.reports.keep(OURS_CLI, cli.sync_json())
        return out

    def check_bases(self) -> None:
        """The twins shared files with the bases: nothing may have written through."""
        if (
            git("status", "--porcelain", cwd=self.local_base)
            or rev_parse(self.local_base, "HEAD") != self.local_tip
        ):
            raise RuntimeError("a run wrote through a hard link into the clone's base")
        if rev_parse(self.server_base, "refs/heads/main") != self.server_tip:
            raise RuntimeError("a run moved the server base's main")

    def table(self, results: dict[str, Summary]) -> Table:
        keys = ["server sent", "server received", "reported received", "reported sent"]
        table = Table(
            f"1. Both moved: one new commit on each side, merge and push, repository A "
            f"({self.described}), git://",
            [*VERSUS_GIT, *keys],
        )
        for name in results:
            counts = self.counts.get(name, {})
            table.add(
                *versus_git(name, results, GIT, GIT_V0), *(counted(counts.get(key, set())) for key in keys)
            )
        new = {
            key: counted({v for c in self.counts.values() for v in c.get(key, set())})
            for key in ("new on server", "new locally")
        }
        table.note(
            "server sent = objects in the packs the server's upload-pack wrote (trace2); server received = "
            "the server's `git count-objects` delta; reported = gitferry's own objects_received/objects_sent"
        )
        table.note(
            f"expected: 3 objects each way plus the merge's commit and tree (`rev-list --objects` new "
            f"on the server: {new['new on server']}, in the clone: {new['new locally']})"
        )
        table.note(
            "checked after every run: HEAD a merge of both commits with git's merged tree, server main = "
            "origin/main = HEAD, `git status --porcelain` empty, the server asked for a fetch and a push"
        )
        table.notes.extend(sorted(self.anomalies))
        return table


def _check_report(name: str, report: dict[str, Any], result: str, **lists: list[str]) -> None:
    wrong = {key: report[key] for key, want in lists.items() if report[key] != want}
    if report["result"] != result or wrong:
        raise RuntimeError(f"{name}: result {report['result']} ({report['message']}), {wrong or ''}")


def bench_both_moved(runs: int, profiled: bool) -> list[Table]:
    with scratch("sync") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv", count_objects=True, receive_pack=True) as daemon:
            run = BothMoved(tmp / "base", tmp / "work", daemon)
            run.setup()  # the path must exist to be registered
            engine, why = Engine.start()
            cli = ColdCli.start(run.local, NAME)
            try:
                results = interleaved(
                    run.contenders(engine, cli), runs, warmup=WARMUP, setup=run.setup, check=run.check
                )
                if profiled:
                    _profile_both_moved(run)
            finally:
                for closing in (engine, cli):
                    if closing is not None:
                        closing.close()
            run.check_bases()
    table = run.table(results)
    if engine is None:
        table.note(f"gitferry's in-process row missing: {why}")
    return [table, run.reports.phase_table("1b. Gitferry's phases, both moved", results, WARMUP)]


def _profile_both_moved(run: BothMoved) -> None:
    engine, _ = Engine.start(inline=True)
    if engine is None:
        return
    try:
        record = engine.add(run.local, NAME)
        print(
            profile("gitferry full sync, both moved", lambda: engine.sync(record), setup=run.setup, calls=3)
        )
    finally:
        engine.close()


# 2. no-change sync ------------------------------------------------------------


GIT_SYNC = f"{GIT}: fetch + status + rev-list"
GIT_SYNC_V0 = f"{GIT_V0}: same"


def bench_no_change(runs: int, profiled: bool) -> list[Table]:
    pair = repos.repo_a()
    reports = Reports()
    with scratch("sync-nochange") as tmp, git_daemon(pair.server.parent, count_objects=True) as daemon:
        local = tmp / "local"
        twin(pair.local, local, link_worktree=False)
        set_origin(local, daemon.url("server.git"))
        git("status", "--porcelain", cwd=local)  # refresh the copy's index once
        heads = {ref: rev_parse(local, ref) for ref in ("refs/heads/main", "refs/remotes/origin/main")}
        contenders: dict[str, Callable[[], object]] = {
            GIT_SYNC: lambda: git_no_change_sync(local),
            GIT_SYNC_V0: lambda: git_no_change_sync(local, "-c", "protocol.version=0"),
        }
        engine, why = Engine.start()
        if engine is not None:
            record = engine.add(local, NAME)
            contenders[OURS] = lambda: reports.keep(OURS, engine.sync(record))
        cli = ColdCli.start(local, NAME)
        if cli is not None:
            contenders[OURS_CLI] = lambda: reports.keep(OURS_CLI, cli.sync_json())
            contenders[CLI_IMPORTS] = ColdCli.imports_alone
        served = [(daemon.requests(), len(daemon.packs_sent()))]

        def check(name: str) -> None:
            moved = [ref for ref, sha in heads.items() if rev_parse(local, ref) != sha]
            if moved:
                raise RuntimeError(f"{name}: a no-change sync moved {moved}")
            served.append((daemon.requests(), len(daemon.packs_sent())))
            (asked, packs), (asked_before, packs_before) = served[-1], served[-2]
            if asked == asked_before and name != CLI_IMPORTS:
                raise RuntimeError(f"{name}: finished without asking the server")
            if packs != packs_before:
                raise RuntimeError(f"{name}: the server sent a pack on a no-change sync")
            report = reports.take(name)
            if report is not None:
                _check_report(name, report, "up_to_date", pushed=[], merged=[], fast_forwarded=[])

        try:
            results = interleaved(contenders, runs, warmup=NO_CHANGE_WARMUP, check=check)
            if porcelain := git("status", "--porcelain", cwd=local):
                raise RuntimeError(f"the no-change syncs left the working tree unclean:\n{porcelain}")
            if profiled:
                _profile_no_change(local)
        finally:
            for closing in (engine, cli):
                if closing is not None:
                    closing.close()
    table = timing_table(
        f"2. No-change full sync, repository A ({repos.describe(pair.server)}), git://",
        results,
        baselines={"git": GIT_SYNC, "git v0": GIT_SYNC_V0},
    )
    table.note("target: gitferry's sync at most 1.0x git's fetch + status + rev-list")
    table.note(
        "checked after every run: no ref moved, the server was asked, no pack sent, gitferry's result "
        "up_to_date with nothing pushed or integrated; `git status --porcelain` empty at the end"
    )
    if engine is None:
        table.note(f"gitferry's in-process row missing: {why}")
    return [table, reports.phase_table("2b. Gitferry's phases, no-change sync", results, NO_CHANGE_WARMUP)]


def _profile_no_change(local: Path) -> None:
    engine, _ = Engine.start(inline=True)
    if engine is None:
        return
    try:
        record = engine.add(local, NAME)
        engine.sync(record)  # the generation index is built once, as in the app
        print(profile("gitferry no-change full sync, core open", lambda: engine.sync(record), calls=20))
    finally:
        engine.close()


BENCHES: dict[str, Callable[[argparse.Namespace], list[Table]]] = {
    "both-moved": lambda args: bench_both_moved(args.runs, args.profile),
    "no-change": lambda args: bench_no_change(args.no_change_runs, args.profile),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs of the both-moved sync")
    parser.add_argument("--no-change-runs", type=int, default=20, help="runs of the no-change sync")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile gitferry's in-process sync (offload inline)"
    )
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    for name in args.only:
        load_before = os.getloadavg()[0]
        tables = BENCHES[name](args)
        tables[0].note(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        for table in tables:
            print(table.render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
