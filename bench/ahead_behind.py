"""Ahead/behind of 20 branches in a 100,000-commit repository, against the git CLI.

The repository (built once with `git fast-import`, cached under bench/.cache/)
has a trunk with a merged topic every 40 commits, and 20 local branches whose
upstreams (`refs/remotes/origin/<branch>`) fork from the trunk at various
depths and diverge by varied amounts: 100/100, 19,100/1, 1/19,100, 0/0, an
unrelated history... Both sides are timed in the same run, interleaved:

- git: 20 `git rev-list --left-right --count <branch>...origin/<branch>` calls;
- warm: one `ahead_behind_many` call on a `Repo` already open with its
  `GenerationIndex` already built (how the engine runs after the first sync);
- cold: a fresh `Repo` and `GenerationIndex`, then the same call.

Each with git's commit-graph file (`git commit-graph write --reachable`) and
without it (a hard-linked twin of the repository). Run: `.venv/bin/python -m bench.ahead_behind [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.refs import Ref
from dulwich.repo import Repo

from bench.gitenv import git, isolate
from bench.repos import cached, fast_import
from bench.stats import Summary, Table, interleaved, ms, ratio
from core.git.history.ahead_behind import GenerationIndex, ahead_behind_many

TOTAL_COMMITS = 100_000
TOPIC_EVERY = 40  # a 3-commit topic branch merged into the trunk this often
EPOCH = 1_600_000_000


@dataclass(frozen=True)
class Divergence:
    """A branch `ahead` commits past its fork point and its upstream `behind`
    commits past it, forked `depth` trunk commits below the trunk's tip."""

    ahead: int
    behind: int
    depth: int
    unrelated: bool = False


DIVERGENCES = (
    Divergence(100, 100, 0),
    Divergence(19_100, 1, 2_000),
    Divergence(1, 19_100, 5_000),
    Divergence(0, 0, 0),
    Divergence(0, 5_000, 1_000),
    Divergence(300, 0, 300),
    Divergence(2_000, 2_000, 10_000),
    Divergence(10, 10, 20),
    Divergence(1, 0, 0),
    Divergence(0, 1, 0),
    Divergence(50, 3_000, 7_000),
    Divergence(500, 20, 40_000),
    Divergence(5, 5, 30_000),
    Divergence(1_000, 1, 3_000),
    Divergence(3, 700, 100),
    Divergence(100, 100, 25_000),
    Divergence(7, 0, 15_000),
    Divergence(0, 12, 500),
    Divergence(250, 250, 0),
    Divergence(200, 150, 0, unrelated=True),
)
BRANCHES = [f"b{i:02d}" for i in range(len(DIVERGENCES))]


class _History:
    """Commits as parent lists, numbered in creation order (parents always older)."""

    def __init__(self) -> None:
        self.parents: list[tuple[int, ...]] = []

    def add(self, *parents: int) -> int:
        self.parents.append(parents)
        return len(self.parents) - 1

    def line(self, base: int | None, count: int) -> int | None:
        """`count` commits on top of `base` (None: a new root); returns the tip."""
        tip = base
        for _ in range(count):
            tip = self.add() if tip is None else self.add(tip)
        return tip

    def trunk(self, count: int) -> list[int]:
        """First-parent chain of `count` commits, merging a topic every TOPIC_EVERY."""
        chain = [self.add()]
        while len(self.parents) < count:
            if len(chain) % TOPIC_EVERY == 0 and count - len(self.parents) > 4:
                topic = self.line(chain[-1], 3)
                assert topic is not None
                chain.append(self.add(chain[-1], topic))
            else:
                chain.append(self.add(chain[-1]))
        return chain


def _history() -> tuple[_History, dict[str, int]]:
    history = _History()
    branch_commits = sum(d.ahead + d.behind for d in DIVERGENCES)
    chain = history.trunk(TOTAL_COMMITS - branch_commits)
    refs = {"refs/heads/main": chain[-1], "refs/remotes/origin/main": chain[-1]}
    for name, d in zip(BRANCHES, DIVERGENCES, strict=True):
        base = None if d.unrelated else chain[-1 - d.depth]
        local = history.line(base, d.ahead)
        upstream = history.line(None if d.unrelated else base, d.behind)
        assert local is not None and upstream is not None
        refs[f"refs/heads/{name}"] = local
        refs[f"refs/remotes/origin/{name}"] = upstream
    assert len(history.parents) == TOTAL_COMMITS
    return history, refs


def _stream(history: _History, refs: dict[str, int]) -> Iterator[bytes]:
    for number, parents in enumerate(history.parents):
        who = b"Bench <bench@example.invalid> %d +0000" % (EPOCH + number * 60)
        payload = b"%d\n" % number
        yield (
            (b"" if parents else b"reset refs/gen/scratch\n")
            + b"commit refs/gen/scratch\nmark :%d\n" % (number + 1)
            + b"author %s\ncommitter %s\ndata 0\n" % (who, who)
            + b"".join(b"%s :%d\n" % (b"merge" if i else b"from", p + 1) for i, p in enumerate(parents))
            + b"M 100644 inline version\ndata %d\n%s\n" % (len(payload), payload)
        )
    for name, number in refs.items():
        yield b"reset %s\nfrom :%d\n\n" % (name.encode(), number + 1)


def _build(root: Path) -> None:
    """`root/graph`: packed, with a commit-graph file; `root/plain`: the same files
    hard-linked, without it (two repositories, so concurrent runs never race)."""
    repo = root / "graph"
    git("init", "-q", str(repo))
    history, refs = _history()
    fast_import(repo, _stream(history, refs))
    git("update-ref", "-d", "refs/gen/scratch", cwd=repo)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=repo)
    git("repack", "-a", "-d", "-q", cwd=repo)
    git("pack-refs", "--all", cwd=repo)
    git("commit-graph", "write", "--reachable", cwd=repo)
    shutil.copytree(repo, root / "plain", copy_function=os.link)
    (root / "plain" / ".git" / "objects" / "info" / "commit-graph").unlink()


def _git_counts(repo: Path) -> list[tuple[int, int]]:
    counts = []
    for name in BRANCHES:
        out = subprocess.run(
            ["git", "rev-list", "--left-right", "--count", f"{name}...origin/{name}"],
            cwd=repo,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.split()
        counts.append((int(out[0]), int(out[1])))
    return counts


def _pairs(repo: Repo) -> list[tuple[bytes, bytes]]:
    refs = repo.refs
    return [
        (refs[Ref(b"refs/heads/" + n.encode())], refs[Ref(b"refs/remotes/origin/" + n.encode())])
        for n in BRANCHES
    ]


def _cold(path: Path) -> list[tuple[int, int]]:
    with Repo(str(path)) as repo:
        return ahead_behind_many(repo, _pairs(repo), GenerationIndex(repo))


def _measure(path: Path, runs: int) -> tuple[dict[str, Summary], list[tuple[int, int]]]:
    expected = _git_counts(path)
    with Repo(str(path)) as repo:
        index = GenerationIndex(repo)
        ahead_behind_many(repo, _pairs(repo), index)  # builds the index: the warm state

        def warm() -> list[tuple[int, int]]:
            return ahead_behind_many(repo, _pairs(repo), index)

        contenders: dict[str, Callable[[], object]] = {
            "git": lambda: _git_counts(path),
            "warm": warm,
            "cold": lambda: _cold(path),
        }
        results = interleaved(contenders, runs, warmup=1)
        for name, answer in (("warm", warm()), ("cold", _cold(path))):
            if answer != expected:
                raise AssertionError(f"{name} answer differs from git: {answer} != {expected}")
    return results, expected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ahead_behind", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (default 7)")
    args = parser.parse_args(argv)
    isolate()
    root = cached("ahead-behind-pair", _build)
    table = Table(
        f"ahead/behind of {len(BRANCHES)} branches, {TOTAL_COMMITS:,} commits "
        f"(median of {args.runs} runs, ms)",
        ["case", "gitferry", "git (20 calls)", "ratio"],
    )
    counts: list[tuple[int, int]] = []
    for name, label in (("graph", "commit-graph"), ("plain", "no commit-graph")):
        results, counts = _measure(root / name, args.runs)
        baseline = results["git"].median
        for case in ("warm", "cold"):
            median = results[case].median
            table.add(f"{case}, {label}", ms(median), ms(baseline), ratio(median, baseline))
    table.note("warm: Repo open and GenerationIndex built; cold: fresh Repo and index")
    table.note("ratio = gitferry / git; the target is warm <= 1.0x")
    table.note("divergences (ahead/behind): " + ", ".join(f"{a}/{b}" for a, b in counts))
    print(table.render(), flush=True)


if __name__ == "__main__":
    main()
