"""A diverged sync with 300 remote branches: by rebase and by merge, side by side with git.

The server holds a 5,000-commit history (300 files, one line changed per
commit) and 300 branches at random commits of it; the clone has all of them
as remote-tracking refs. The server then gets one commit on main and the
clone another (different files): the sync must integrate and push. Rebase
first checks that the local commit is on no remote-tracking ref; that check
used to walk every branch's history (6.2 s for one commit), and is now one
walk over the generation index down to the local commit's generation.

git = `git pull -q --rebase` (or `--no-rebase --no-edit`) then `git push -q`;
gitferry = `gitferry sync NAME --json` as a fresh process (the repository's
`strategy` set to `rebase` or `merge`), its result checked, and the same
with one engine kept open (the desktop app's case). The remote is served by
`git daemon` (git://); every run on fresh hard-linked twins. (Over a local
path, dulwich's in-process upload-pack reads the whole pack to look for
reusable deltas: 340 ms of the fetch here, a cost of that transport alone.)

    .venv/bin/python -m bench.rebase_many_branches [--runs N] [--profile]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

from bench import repos
from bench.contenders import ColdCli, Engine, run_git, set_origin
from bench.gitenv import git, isolate, rev_parse, scratch
from bench.repos import Shape, twin
from bench.servers import GitDaemon, git_daemon
from bench.stats import Summary, Table, interleaved, ms, ratio

SHAPE = Shape(files=300, dirs=0, commits=5_000, seed=21)
BRANCHES = 300
NAME = "many"
GIT_REBASE, GIT_MERGE = "git pull --rebase + push", "git pull --no-rebase + push"
OURS_REBASE, OURS_MERGE = "gitferry sync, rebase (CLI, cold)", "gitferry sync, merge (CLI, cold)"
CORE_REBASE, CORE_MERGE = "gitferry sync, rebase (core open)", "gitferry sync, merge (core open)"
FIXED_DATE = {"GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000"}


def _build(root: Path) -> None:
    server = root / "server.git"
    repos.build_bare(server, SHAPE)
    ids = git("rev-list", "main", cwd=server).split()
    rng = random.Random(SHAPE.seed)
    updates = "".join(f"update refs/heads/b{i:03d} {rng.choice(ids)}\n" for i in range(BRANCHES))
    git("update-ref", "--stdin", cwd=server, stdin=updates.encode())
    git("pack-refs", "--all", cwd=server)
    git("clone", "-q", "--no-hardlinks", str(server), str(root / "local"))


class Diverged:
    """Fresh twins per run of a clone one commit ahead and of a server one commit ahead."""

    def __init__(self, tmp: Path, daemon: GitDaemon) -> None:
        cached = repos.cached("many-branches", _build)
        self.server_base, self.local_base = tmp / "base" / "server.git", tmp / "base" / "local"
        self.server, self.local = daemon.root / "server.git", tmp / "work" / "local"
        twin(cached / "server.git", self.server_base)
        twin(cached / "local", self.local_base, link_worktree=False)
        set_origin(self.local_base, daemon.url("server.git"))
        (self.local_base / "local-side.txt").write_text("a new file from this clone\n")
        git("add", "local-side.txt", cwd=self.local_base)
        git("commit", "-q", "-m", "local side", cwd=self.local_base, env=FIXED_DATE)
        self.local_tip = rev_parse(self.local_base, "HEAD")
        self.server_tip = repos.add_commit(
            self.server_base, "server-side.txt", "a new file from a colleague\n", number=SHAPE.commits
        )
        self.remote_refs = len(git("for-each-ref", "refs/remotes/", cwd=self.local_base).splitlines())

    def setup(self, _name: str = "") -> None:
        for path in (self.local, self.server):
            shutil.rmtree(path, ignore_errors=True)
        twin(self.server_base, self.server)
        twin(self.local_base, self.local)
        git("update-index", "-q", "--refresh", cwd=self.local)

    def check(self, name: str) -> None:
        head = rev_parse(self.local, "HEAD")
        if rev_parse(self.server, "refs/heads/main") != head:
            raise RuntimeError(f"{name}: the server's main is not the local HEAD after the sync")
        parents = git("rev-list", "--parents", "-n1", "HEAD", cwd=self.local).split()[1:]
        if name in (GIT_REBASE, OURS_REBASE, CORE_REBASE):
            want = [self.server_tip]
            if git("diff", "--name-only", "HEAD^", "HEAD", cwd=self.local) != "local-side.txt":
                raise RuntimeError(f"{name}: the rebased commit does not carry the local change")
        else:
            want = [self.local_tip, self.server_tip]
        if sorted(parents) != sorted(want):
            raise RuntimeError(f"{name}: HEAD's parents are {parents}, expected {want}")
        if git("status", "--porcelain", cwd=self.local):
            raise RuntimeError(f"{name}: working tree not clean after the sync")


def _git_sync(repo: Path, how: str) -> None:
    run_git(repo, "pull", "-q", how, *(["--no-edit"] if how == "--no-rebase" else []))
    run_git(repo, "push", "-q")


PHASES: dict[str, list[dict[str, float]]] = {}


def _ours(cli: ColdCli, name: str) -> None:
    report = cli.sync_json()
    if report["result"] != "ok":
        raise RuntimeError(f"gitferry: {report['result']}: {report['message']}")
    PHASES.setdefault(name, []).append(report["timings_ms"])


def _engine(run: Diverged, strategy: str) -> tuple[Engine, Callable[[], object]]:
    """An engine kept open (the desktop app's case) and its sync of the repository."""
    from core.engine.registry import set_repo_setting

    engine, why = Engine.start()
    if engine is None:
        raise SystemExit(why)
    engine.add(run.local, NAME)
    runner = engine._runner  # the engine's own loop, to change one setting
    runner.run(set_repo_setting(engine.core, NAME, "strategy", strategy))
    record = runner.run(engine.core.store.repo(NAME))
    name = CORE_REBASE if strategy == "rebase" else CORE_MERGE

    def sync() -> None:
        report = engine.sync(record)
        if report["result"] != "ok":
            raise RuntimeError(f"gitferry: {report['result']}: {report['message']}")
        PHASES.setdefault(name, []).append(report["timings_ms"])

    return engine, sync


def _cli(run: Diverged, strategy: str) -> ColdCli:
    cli = ColdCli.start(run.local, NAME)
    if cli is None:
        raise SystemExit("the gitferry CLI is not installed in .venv")
    cli.run("set", NAME, "strategy", strategy)
    return cli


def bench(runs: int, profiled: bool) -> Table:
    with scratch("rebase-many") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv", receive_pack=True) as daemon:
            run = Diverged(tmp, daemon)
            run.setup()  # the path must exist to be registered
            clis = {"rebase": _cli(run, "rebase"), "merge": _cli(run, "merge")}
            engines = {strategy: _engine(run, strategy) for strategy in clis}
            try:
                contenders: dict[str, Callable[[], object]] = {
                    GIT_REBASE: lambda: _git_sync(run.local, "--rebase"),
                    OURS_REBASE: lambda: _ours(clis["rebase"], OURS_REBASE),
                    CORE_REBASE: engines["rebase"][1],
                    GIT_MERGE: lambda: _git_sync(run.local, "--no-rebase"),
                    OURS_MERGE: lambda: _ours(clis["merge"], OURS_MERGE),
                    CORE_MERGE: engines["merge"][1],
                }
                results = interleaved(contenders, runs, warmup=1, setup=run.setup, check=run.check)
                if profiled:
                    _profile(run)
            finally:
                for cli in clis.values():
                    cli.close()
                for engine, _sync in engines.values():
                    engine.close()
    return _table(run, results)


def _table(run: Diverged, results: dict[str, Summary]) -> Table:
    table = Table(
        f"Diverged sync, one commit each side, {SHAPE.commits:,} commits, "
        f"{run.remote_refs} remote-tracking refs, git://",
        ["contender", "median", "p90", "vs git"],
    )
    baseline = {OURS_REBASE: GIT_REBASE, CORE_REBASE: GIT_REBASE}
    baseline |= {OURS_MERGE: GIT_MERGE, CORE_MERGE: GIT_MERGE}
    for name, summary in results.items():
        versus = ratio(summary.median, results[baseline[name]].median) if name in baseline else "1.0x"
        table.add(name, ms(summary.median), ms(summary.p(90)), versus)
    table.note(
        "checked after every run: server main = HEAD, a rebased commit on the server's or a merge of both"
    )
    for name, timings in PHASES.items():
        phases = {p: statistics.median(t.get(p, 0.0) for t in timings) for p in timings[0]}
        shown = ", ".join(f"{p} {v:.0f}" for p, v in phases.items() if v >= 1)
        table.note(f"{name}, median ms per phase (its own report): {shown}")
    table.note("target: within 2x of git; gitferry's rows include starting Python and importing the CLI")
    return table


def _profile(run: Diverged) -> None:
    """cProfile of the rebase integration alone, in this process, on a fresh twin."""
    import cProfile
    import pstats

    from dulwich.repo import Repo

    from core.git.merge.integrate import Strategy, integrate_current

    for strategy in (Strategy.REBASE, Strategy.MERGE):
        run.setup()
        run_git(run.local, "fetch", "-q")
        with Repo(str(run.local)) as repo:
            profiler = cProfile.Profile()
            profiler.enable()
            integrate_current(repo, strategy)
            profiler.disable()
            print(f"--- integrate_current({strategy}) ---")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the integration afterwards")
    args = parser.parse_args(argv)
    isolate()
    print(bench(args.runs, args.profile).render())


if __name__ == "__main__":
    main()
