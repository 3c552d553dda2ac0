"""`bench.handwritten`'s sections on history and merging: the commit-graph file, merge bases,
ahead/behind, a file's three-way merge and the line diff under it."""

from __future__ import annotations

import difflib
import random
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dulwich.commit_graph import read_commit_graph
from dulwich.graph import find_merge_base
from dulwich.merge import merge_blobs
from dulwich.objects import Blob, ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from bench import ahead_behind as ab_bench
from bench import repos
from bench.contenders import stock_ahead_behind
from bench.gitenv import git, scratch
from bench.stats import Table, interleaved, ms, traced, versus
from core.git.history.ahead_behind import ahead_behind_many
from core.git.history.commit_graph_file import load_commit_graph
from core.git.history.generations import GenerationIndex
from core.git.history.merge_base import fresh_index, merge_bases
from core.git.merge.line_diff import diff_hunks
from core.git.merge.merge_file import GIT_MERGE, GIT_MERGE_FILE, merge_file

# 1. The commit-graph file -----------------------------------------------------------


def bench_commit_graph(runs: int) -> list[Table]:
    root = repos.cached("ahead-behind-pair", ab_bench._build) / "graph"
    objects = root / ".git" / "objects"
    graph_file = objects / "info" / "commit-graph"
    OURS, DULWICH = "gitferry history.commit_graph_file", "dulwich commit_graph.read_commit_graph"
    contenders: dict[str, Callable[[], object]] = {
        OURS: lambda: load_commit_graph(str(objects)),
        DULWICH: lambda: read_commit_graph(str(graph_file)),
        "gitferry GenerationIndex, from the file": lambda: _index_one_head(root),
    }
    results = interleaved(contenders, runs, warmup=1)
    memory = {
        OURS: traced(lambda: load_commit_graph(str(objects))),
        DULWICH: traced(lambda: read_commit_graph(str(graph_file))),
    }
    ours, theirs = load_commit_graph(str(objects)), read_commit_graph(str(graph_file))
    if ours is None or theirs is None or len(ours) != len(theirs):
        raise AssertionError("the two readers disagree on the commit count")
    table = versus(
        f"reading git's commit-graph file: {len(ours):,} commits", results, dulwich=DULWICH, git_row=None
    )
    for name, (held, peak) in memory.items():
        table.note(
            f"{name}: holds {held:,.1f} MiB once read (peak while reading {peak:,.1f} MiB, tracemalloc)"
        )
    table.note(
        "dulwich parses the file once per Repo (get_commit_graph caches it) into one object per commit"
    )
    return [table]


def _index_one_head(root: Path) -> None:
    with Repo(str(root)) as repo:
        GenerationIndex(repo).update(repo, [repo.refs[Ref(b"refs/heads/main")]])


# 2. Merge bases ---------------------------------------------------------------------


def bench_merge_base(runs: int) -> list[Table]:
    root = repos.cached("ahead-behind-pair", ab_bench._build) / "graph"
    OURS, OURS_COLD, DULWICH, DULWICH_COLD, GIT = (
        "gitferry merge_bases, index kept",
        "gitferry merge_bases, fresh Repo",
        "dulwich find_merge_base, graph cached",
        "dulwich find_merge_base, fresh Repo",
        "git merge-base --all (20 calls)",
    )
    with Repo(str(root)) as repo:
        pairs = [(ObjectID(a), ObjectID(b)) for a, b in ab_bench._pairs(repo)]
        expected = [_git_merge_bases(root, a, b) for a, b in pairs]
        index = GenerationIndex(repo)
        repo.object_store.get_commit_graph()  # dulwich's cache, loaded once as for a kept Repo

        def ours() -> list[list[ObjectID]]:
            return [merge_bases(repo, a, b, index) for a, b in pairs]

        def ours_cold() -> list[list[ObjectID]]:
            with Repo(str(root)) as fresh:
                first = fresh_index(fresh)
                return [merge_bases(fresh, a, b, first) for a, b in pairs]

        def dulwich_warm() -> list[list[ObjectID]]:
            return [find_merge_base(repo, [a, b]) for a, b in pairs]

        def dulwich_cold() -> list[list[ObjectID]]:
            with Repo(str(root)) as fresh:
                return [find_merge_base(fresh, [a, b]) for a, b in pairs]

        contenders: dict[str, Callable[[], object]] = {
            OURS: ours,
            OURS_COLD: ours_cold,
            DULWICH: dulwich_warm,
            DULWICH_COLD: dulwich_cold,
            GIT: lambda: [_git_merge_bases(root, a, b) for a, b in pairs],
        }
        results = interleaved(contenders, runs, warmup=1)
        for name, answer in ((OURS, ours()), (OURS_COLD, ours_cold()), (DULWICH, dulwich_warm())):
            if [sorted(bases) for bases in answer] != expected:
                raise AssertionError(f"{name}: merge bases differ from git's")
        slowest = max(range(len(pairs)), key=lambda i: _timed(lambda: find_merge_base(repo, list(pairs[i]))))
        a, b = pairs[slowest]
        one = {
            "gitferry": _timed(lambda: merge_bases(repo, a, b, index)),
            "dulwich": _timed(lambda: find_merge_base(repo, [a, b])),
        }
    table = versus(
        f"merge bases of the {len(pairs)} pairs of bench.ahead_behind ({ab_bench.TOTAL_COMMITS:,} commits, "
        "commit-graph file)",
        results,
        dulwich=DULWICH,
        git_row=GIT,
    )
    divergence = ab_bench.DIVERGENCES[slowest]
    table.note(
        f"dulwich's slowest pair ({divergence.ahead:,}/{divergence.behind:,}): dulwich "
        f"{ms(one['dulwich'])} ms, gitferry {ms(one['gitferry'])} ms"
    )
    table.note("all answers checked equal to git's (the unrelated pair has none)")
    return [table]


def _git_merge_bases(root: Path, a: ObjectID, b: ObjectID) -> list[ObjectID]:
    proc = subprocess.run(
        ["git", "merge-base", "--all", a.decode(), b.decode()], cwd=root, capture_output=True, check=False
    )
    return sorted(ObjectID(sha) for sha in proc.stdout.split())


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# 3. Ahead/behind -------------------------------------------------------------------

AHEAD_BEHIND_BRANCHES = ("b00", "b01", "b06")  # 100/100, 19,100/1, 2,000/2,000


def bench_ahead_behind(runs: int) -> list[Table]:
    root = repos.cached("ahead-behind-pair", ab_bench._build) / "graph"
    names = AHEAD_BEHIND_BRANCHES
    with Repo(str(root)) as repo:
        pairs = [ab_bench._pairs(repo)[ab_bench.BRANCHES.index(n)] for n in names]
        index = GenerationIndex(repo)
        ahead_behind_many(repo, pairs, index)  # the engine's warm state
        expected = [_git_count(root, n) for n in names]

        def dulwich_walkers() -> list[tuple[int, int]]:
            return [
                stock_ahead_behind(repo, f"refs/heads/{n}".encode(), f"refs/remotes/origin/{n}".encode())
                for n in names
            ]

        contenders: dict[str, Callable[[], object]] = {
            "gitferry ahead_behind_many, index kept": lambda: ahead_behind_many(repo, pairs, index),
            "dulwich two Walkers per pair": dulwich_walkers,
            f"git rev-list --left-right --count ({len(names)} calls)": lambda: [
                _git_count(root, n) for n in names
            ],
        }
        results = interleaved(contenders, runs, warmup=1)
        if ahead_behind_many(repo, pairs, index) != expected or dulwich_walkers() != expected:
            raise AssertionError("ahead/behind differs from git's")
    table = versus(
        f"ahead/behind of {len(names)} branches ({', '.join(f'{a:,}/{b:,}' for a, b in expected)}), "
        f"{ab_bench.TOTAL_COMMITS:,} commits, commit-graph file",
        results,
        dulwich="dulwich two Walkers per pair",
        git_row=f"git rev-list --left-right --count ({len(names)} calls)",
    )
    table.note(
        "all 20 branches: `python -m bench.ahead_behind` (git and gitferry only; dulwich takes seconds)"
    )
    return [table]


def _git_count(root: Path, name: str) -> tuple[int, int]:
    out = git("rev-list", "--left-right", "--count", f"{name}...origin/{name}", cwd=root).split()
    return int(out[0]), int(out[1])


# 4. Merging one file, and the line diff under it -----------------------------------


def text_sides(lines: int, edits: int) -> tuple[bytes, bytes, bytes]:
    """A base of code-like lines (many repeated: braces, blank lines) and two sides that each
    change `edits` lines, never the same ones nor adjacent ones."""
    rng = random.Random(11)
    shapes = ["{", "}", "", "return x;", "alpha", "bravo", "charlie"]
    base = [f"{rng.choice(shapes)} {i % 50}\n" if i % 3 else f"{rng.choice(shapes)}\n" for i in range(lines)]
    ours, theirs = list(base), list(base)
    step = lines // edits
    for k in range(0, lines, step):
        ours[k] = f"ours {k}\n"
        theirs[k + step // 2] = f"theirs {k}\n"
    return "".join(base).encode(), "".join(ours).encode(), "".join(theirs).encode()


def bench_merge_file(runs: int, lines: int = 10_000) -> list[Table]:
    base, ours, theirs = text_sides(lines, 20)
    OURS, OURS_MYERS, DULWICH, GIT = (
        "gitferry merge_file (histogram, as git merge)",
        "gitferry merge_file (Myers, as git merge-file)",
        "dulwich merge.merge_blobs (merge3)",
        "git merge-file -p",
    )
    blobs = [Blob.from_string(data) for data in (base, ours, theirs)]
    with scratch("merge-file") as tmp:
        for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
            (tmp / name).write_bytes(data)

        def git_merge() -> subprocess.CompletedProcess[bytes]:
            return subprocess.run(
                ["git", "merge-file", "-p", "ours", "base", "theirs"],
                cwd=tmp,
                capture_output=True,
                check=False,
            )

        contenders: dict[str, Callable[[], object]] = {
            OURS: lambda: merge_file(base, ours, theirs),
            OURS_MYERS: lambda: merge_file(base, ours, theirs, GIT_MERGE_FILE),
            DULWICH: lambda: merge_blobs(blobs[0], blobs[1], blobs[2]),
            GIT: git_merge,
        }
        results = interleaved(contenders, runs, warmup=1)
        by_git = git_merge()
    content, conflicted = merge_blobs(blobs[0], blobs[1], blobs[2])
    for options in (GIT_MERGE, GIT_MERGE_FILE):
        mine = merge_file(base, ours, theirs, options)
        if by_git.returncode != 0 or mine.conflict or mine.content != by_git.stdout:
            raise AssertionError("gitferry's merge differs from git merge-file's clean merge")
    table = versus(
        f"three-way merge of a {lines:,}-line file, 20 separate edits on each side",
        results,
        dulwich=DULWICH,
        git_row=GIT,
    )
    table.note("git: clean; gitferry: clean, same bytes as git (with either algorithm)")
    table.note(
        f"dulwich: {'a CONFLICT' if conflicted else 'clean'}, "
        f"{'same bytes as git' if content == by_git.stdout else 'bytes differ from git'}"
    )
    return [table]


def bench_line_diff(runs: int, lines: int = 10_000) -> list[Table]:
    base, ours, _theirs = text_sides(lines, 20)
    a, b = base.splitlines(keepends=True), ours.splitlines(keepends=True)
    OURS, JUNK, EXACT, GIT = (
        "gitferry merge.line_diff (Myers, as git diff)",
        "difflib, autojunk (merge3's default)",
        "difflib, autojunk=False",
        "git diff --no-index",
    )
    with scratch("line-diff") as tmp:
        (tmp / "a").write_bytes(base)
        (tmp / "b").write_bytes(ours)
        contenders: dict[str, Callable[[], object]] = {
            OURS: lambda: diff_hunks(a, b),
            JUNK: lambda: difflib.SequenceMatcher(None, a, b).get_opcodes(),
            EXACT: lambda: difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(),
            GIT: lambda: subprocess.run(
                ["git", "diff", "--no-index", "--quiet", "a", "b"], cwd=tmp, check=False
            ),
        }
        results = interleaved(contenders, max(1, runs - 1), warmup=0)

    def changed(opcodes: Sequence[tuple[str, int, int, int, int]]) -> int:
        return sum(1 for tag, *_ in opcodes if tag != "equal")

    hunks = {
        OURS: len(diff_hunks(a, b)),
        JUNK: changed(difflib.SequenceMatcher(None, a, b).get_opcodes()),
        EXACT: changed(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()),
    }
    table = versus(
        f"line diff of a {lines:,}-line file with 20 changed lines", results, dulwich=EXACT, git_row=GIT
    )
    table.note("changed hunks found (20 is exact): " + ", ".join(f"{k}: {v}" for k, v in hunks.items()))
    return [table]
