"""The pieces of `core/git` written by hand instead of calling dulwich, each timed against
dulwich's own function and, where git has one, the git CLI (docs/ARCHITECTURE.md cites
these tables).

Every section times the three sides interleaved run by run (medians) on the same
repository and checks that they agree (same objects, same merge bases, same counts, a
clean `git status`) before printing. Sections (all by default):

    index-read scan blob pack-ingest consolidate haves push commit-graph merge-base
    ahead-behind merge-file line-diff tree-delta checkout timed-client defects

`defects` reproduces the dulwich behaviours that are the reason for a piece where speed
is not (`bench/dulwich_defects.py`). Repositories come from `bench/repos.py` (cached
under bench/.cache/). Run: `.venv/bin/python -m bench.handwritten [SECTION ...] [--runs N]`
(also part of `make bench`).
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import random
import shutil
import socket
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from dulwich import porcelain
from dulwich.client import TCPGitClient
from dulwich.commit_graph import read_commit_graph
from dulwich.diff_tree import tree_changes
from dulwich.graph import find_merge_base
from dulwich.index import blob_from_path_and_stat
from dulwich.merge import merge_blobs
from dulwich.object_store import MissingObjectFinder
from dulwich.objects import Blob, ObjectID
from dulwich.pack import write_pack_data
from dulwich.refs import Ref
from dulwich.repo import Repo

from bench import ahead_behind as ab_bench
from bench import dulwich_defects, repos
from bench.contenders import Ours, run_git, stock_ahead_behind
from bench.gitenv import git, isolate, object_count, scratch
from bench.scan import check_unchanged, dulwich_status
from bench.stats import Summary, Table, interleaved, ms, ratio
from core.git.history.ahead_behind import ahead_behind_many
from core.git.history.commit_graph_file import load_commit_graph
from core.git.history.generations import GenerationIndex
from core.git.history.merge_base import fresh_index, merge_bases
from core.git.index.read import open_index
from core.git.index.stat_data import read_index_stat
from core.git.merge.line_diff import diff_hunks
from core.git.merge.merge_file import merge_file
from core.git.objects.blob_stream import write_blob
from core.git.objects.pack_consolidation import consolidate_packs, pack_names
from core.git.objects.pack_ingest import IncomingPack
from core.git.objects.tree_delta import tree_delta
from core.git.transfer.push_objects import ObjectsToSend
from core.git.transfer.push_pack import OutgoingPack
from core.git.transfer.timed_clients import TimedTCPGitClient
from core.git.worktree.checkout import switch_branch
from core.git.worktree.scan import scan_worktree

MIB = 1024 * 1024
GNU_TIME = "/usr/bin/time"


def versus(title: str, results: dict[str, Summary], *, dulwich: str, git_row: str | None) -> Table:
    """Median and p95 of every row, and its median against dulwich's and git's rows."""
    table = Table(title, ["", "runs", "median ms", "p95 ms", "vs dulwich", "vs git"])
    for name, summary in results.items():
        table.add(
            name,
            summary.n,
            ms(summary.median),
            ms(summary.p(95)),
            ratio(summary.median, results[dulwich].median),
            ratio(summary.median, results[git_row].median) if git_row else "-",
        )
    table.note("ratio = this row's median / that row's median; git rows include starting the process")
    return table


def traced(fn: Callable[[], object]) -> tuple[float, float]:
    """MiB of Python allocations (tracemalloc) still held by what one call returned, and
    at the call's peak."""
    tracemalloc.start()
    try:
        result = fn()
        held, peak = tracemalloc.get_traced_memory()
        del result
        return held / MIB, peak / MIB
    finally:
        tracemalloc.stop()


def git_peak_kib(cwd: Path, *args: str) -> int | None:
    """Peak RSS of one git command (GNU time's %M), None without GNU time."""
    if not os.path.exists(GNU_TIME):
        return None
    proc = subprocess.run(
        [GNU_TIME, "-f", "%M", "git", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return int(proc.stderr.strip().splitlines()[-1])


def fresh_bare(path: Path) -> Repo:
    shutil.rmtree(path, ignore_errors=True)
    git("init", "-q", "--bare", str(path))
    return Repo(str(path))


# 1. Reading the index ---------------------------------------------------------------


def bench_index_read(runs: int) -> list[Table]:
    root = repos.repo_a().local
    with Repo(str(root)) as repo:
        entries = len(repo.open_index())
        contenders: dict[str, Callable[[], object]] = {
            "gitferry index.read.open_index": lambda: open_index(repo),
            "gitferry index.stat_data.read_index_stat": lambda: read_index_stat(
                repo.index_path(), repo.object_format
            ),
            "dulwich Repo.open_index": repo.open_index,
            "git ls-files --stage": lambda: run_git(root, "ls-files", "--stage"),
        }
        results = interleaved(contenders, runs, warmup=2)
        view = read_index_stat(repo.index_path(), repo.object_format)
        if len(open_index(repo)) != entries or sum(map(len, view.dirs.values())) != entries:
            raise AssertionError("the index readers disagree on the entries")
    table = versus(
        f"index read: {entries:,} entries (repository A)",
        results,
        dulwich="dulwich Repo.open_index",
        git_row="git ls-files --stage",
    )
    table.note("read_index_stat reads only the stat fields a scan compares (no IndexEntry objects)")
    return [table]


# 2. The stat scan of an unchanged tree ----------------------------------------------


def bench_scan(runs: int) -> list[Table]:
    root = repos.repo_a().local
    git("status", "--porcelain", cwd=root)  # git refreshes its index stat once, untimed
    with Repo(str(root)) as repo:
        contenders: dict[str, Callable[[], object]] = {
            "gitferry worktree.scan (Repo open)": lambda: check_unchanged(scan_worktree(repo)),
            "dulwich porcelain.status": lambda: dulwich_status(root),
            "git status --porcelain": lambda: run_git(root, "status", "--porcelain"),
        }
        results = interleaved(contenders, runs, warmup=1)
    table = versus(
        "stat scan of an unchanged tree: 10,000 files in 100 directories (repository A)",
        results,
        dulwich="dulwich porcelain.status",
        git_row="git status --porcelain",
    )
    table.note("each scan checked: no candidate, no file opened; dulwich and git report no change")
    return [table]


# 3. Streaming a large file into a blob ----------------------------------------------


def write_big_file(path: Path, mib: int) -> None:
    """Text of random words (it deflates, so every side compresses it)."""
    rng = random.Random(7)
    words = [w.encode() for w in ("alpha", "bravo", "charlie", "delta", "echo", "kilo", "lima", "oscar")]
    with path.open("wb") as f:
        for _ in range(mib):
            line = b" ".join(rng.choices(words, k=12)) + b"\n"
            f.write((line * (MIB // len(line) + 1))[:MIB])


def bench_blob(runs: int, mib: int = 64) -> list[Table]:
    with scratch("blob") as tmp:
        big = tmp / "big.bin"
        write_big_file(big, mib)
        st = os.lstat(big)
        repos_by_side: dict[str, Repo] = {}

        def setup(name: str) -> None:
            if name in repos_by_side:
                repos_by_side.pop(name).close()
            repos_by_side[name] = fresh_bare(tmp / name.split()[0])

        def dulwich_add() -> bytes:
            blob = blob_from_path_and_stat(os.fsencode(big), st)
            repos_by_side[DULWICH].object_store.add_object(blob)
            return blob.id

        OURS, DULWICH, GIT = (
            "gitferry objects.blob_stream.write_blob",
            "dulwich blob_from_path_and_stat + add_object",
            "git hash-object -w",
        )
        contenders: dict[str, Callable[[], object]] = {
            OURS: lambda: write_blob(repos_by_side[OURS], os.fsencode(big), st),
            DULWICH: dulwich_add,
            GIT: lambda: run_git(tmp / "git", "hash-object", "-w", str(big)),
        }
        results = interleaved(contenders, runs, warmup=1, setup=setup)
        setup(OURS)
        ours_id = write_blob(repos_by_side[OURS], os.fsencode(big), st).sha
        setup(DULWICH)
        if dulwich_add() != ours_id or git("hash-object", str(big)).encode() != ours_id:
            raise AssertionError("the three sides stored different blobs")
        setup(OURS)
        setup(DULWICH)
        peaks = {
            OURS: traced(lambda: write_blob(repos_by_side[OURS], os.fsencode(big), st))[1],
            DULWICH: traced(dulwich_add)[1],
        }
        fresh_bare(tmp / "git-peak").close()
        git_kib = git_peak_kib(tmp / "git-peak", "hash-object", "-w", str(big))
        for repo in repos_by_side.values():
            repo.close()
    table = versus(f"blob from a {mib} MiB text file", results, dulwich=DULWICH, git_row=GIT)
    for name, peak in peaks.items():
        table.note(f"peak Python allocations (tracemalloc), {name}: {peak:,.1f} MiB")
    if git_kib is not None:
        table.note(f"peak RSS of the whole git process (GNU time %M): {git_kib / 1024:,.1f} MiB")
    table.note("all three store the same blob id; gitferry's loose object is written in 64 KiB chunks")
    return [table]


# 4. Receiving a pack ----------------------------------------------------------------


def make_pack(server: Path, revs: str, target: Path) -> int:
    """A (non-thin) pack of the objects of `revs` in `server`, at `target`; its object count."""
    listed = git("rev-list", "--objects", revs, cwd=server).splitlines()
    ids = "".join(line.split()[0] + "\n" for line in listed).encode()
    with target.open("wb") as out:
        subprocess.run(
            ["git", "pack-objects", "--stdout", "-q"], cwd=server, input=ids, stdout=out, check=True
        )
    return len(listed)


def bench_pack_ingest(runs: int) -> list[Table]:
    server = repos.repo_a().server
    OURS, DULWICH, GIT = (
        "gitferry objects.pack_ingest.IncomingPack",
        "dulwich DiskObjectStore.add_thin_pack",
        "git index-pack --stdin",
    )
    with scratch("ingest") as tmp:
        pack = tmp / "incoming.pack"
        count = make_pack(server, "main~4000..main", pack)
        targets: dict[str, Repo] = {}

        def setup(name: str) -> None:
            if name in targets:
                targets.pop(name).close()
            targets[name] = fresh_bare(tmp / name.split()[0])

        def ours() -> None:
            incoming = IncomingPack(targets[OURS].object_store)
            with pack.open("rb") as f:
                while chunk := f.read(65536):
                    incoming.write(chunk)
            incoming.commit()

        def dulwich_ingest() -> None:
            with pack.open("rb") as f:
                targets[DULWICH].object_store.add_thin_pack(f.read, None)

        def git_ingest() -> None:
            with pack.open("rb") as f:
                subprocess.run(
                    ["git", "index-pack", "--stdin"],
                    cwd=tmp / "git",
                    stdin=f,
                    capture_output=True,
                    check=True,
                )

        def check(name: str) -> None:
            if object_count(tmp / name.split()[0]) != count:
                raise AssertionError(f"{name} stored a different number of objects")

        contenders: dict[str, Callable[[], object]] = {OURS: ours, DULWICH: dulwich_ingest, GIT: git_ingest}
        results = interleaved(contenders, runs, warmup=1, setup=setup, check=check)
        for repo in targets.values():
            repo.close()
        size = pack.stat().st_size
    table = versus(
        f"pack received into an empty repository: {count:,} objects, {size / MIB:.1f} MiB "
        "(repository A, main~4000..main)",
        results,
        dulwich=DULWICH,
        git_row=GIT,
    )
    table.note("every run checked: the repository holds exactly the pack's objects")
    return [table]


# 5. Merging small packs -------------------------------------------------------------

PACKS_SHAPE = repos.Shape(files=500, dirs=10, commits=4_000, seed=8)
PACK_BATCHES = 8


def build_many_packs(root: Path) -> None:
    """A bare repository whose history arrived in 8 fast-imports: 8 packs, one large."""
    server = root / "server.git"
    git("init", "-q", "--bare", str(server))
    stream = repos.history_stream(PACKS_SHAPE)
    first = 1 + PACKS_SHAPE.commits // 4
    repos.fast_import(server, (next(stream) for _ in range(first)))
    rest = list(stream)
    size = -(-len(rest) // (PACK_BATCHES - 1))
    for start in range(0, len(rest), size):
        batch = rest[start : start + size]
        batch[0] = batch[0].replace(b"\nM 100644 inline ", b"\nfrom refs/heads/main^0\nM 100644 inline ", 1)
        repos.fast_import(server, iter(batch))


def bench_consolidate(runs: int) -> list[Table]:
    template = repos.cached("handwritten-packs", build_many_packs) / "server.git"
    objects = object_count(template)
    OURS, DULWICH, GIT = (
        "gitferry objects.pack_consolidation",
        "dulwich DiskObjectStore.repack",
        "git repack -d --geometric=2",
    )
    packs_after: dict[str, set[int]] = {}
    with scratch("consolidate") as tmp:
        work = tmp / "work.git"

        def setup(_name: str) -> None:
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(template, work)

        def with_repo(fn: Callable[[Repo], object]) -> Callable[[], object]:
            def run() -> None:
                with Repo(str(work)) as repo:
                    fn(repo)

            return run

        def check(name: str) -> None:
            git("fsck", "--connectivity-only", "--no-progress", cwd=work)
            if object_count(work) != objects:
                raise AssertionError(f"{name} lost or duplicated objects")
            packs_after.setdefault(name, set()).add(len(pack_names(str(work / "objects" / "pack"))))

        contenders: dict[str, Callable[[], object]] = {
            OURS: with_repo(consolidate_packs),
            DULWICH: with_repo(lambda repo: repo.object_store.repack()),
            GIT: lambda: run_git(work, "repack", "-d", "-q", "--geometric=2"),
        }
        results = interleaved(contenders, runs, warmup=1, setup=setup, check=check)
        setup(OURS)
        peaks = {OURS: traced(with_repo(consolidate_packs))[1]}
        setup(DULWICH)
        peaks[DULWICH] = traced(with_repo(lambda repo: repo.object_store.repack()))[1]
    before = len(pack_names(str(template / "objects" / "pack")))
    table = versus(
        f"merging small packs: {before} packs, {objects:,} objects", results, dulwich=DULWICH, git_row=GIT
    )
    for name in results:
        table.note(f"{name}: packs after: {'/'.join(map(str, sorted(packs_after[name])))}")
    for name, peak in peaks.items():
        table.note(f"peak Python allocations (tracemalloc), {name}: {peak:,.1f} MiB")
    table.note("every run checked: git fsck --connectivity-only, the same object count")
    return [table]


# 6. Negotiation haves: bench.fetch's "2,000 behind" case ---------------------------


def bench_haves(runs: int) -> list[Table]:
    from bench.fetch import bench_behind  # starts a git daemon

    return [bench_behind(Ours.load(), max(1, runs // 2))]


# 7. What a push sends ---------------------------------------------------------------


def one_commit_ahead(tmp: Path) -> tuple[Path, ObjectID, ObjectID]:
    """A twin of repository A's server with one new commit on main: (path, old tip, new tip)."""
    server = tmp / "server.git"
    repos.twin(repos.repo_a().server, server)
    old = git("rev-parse", "main", cwd=server)
    new = repos.add_commit(server, "d000/f00000.txt", "one new line\n", number=30_000)
    return server, ObjectID(old.encode()), ObjectID(new.encode())


def bench_push(runs: int) -> list[Table]:
    with scratch("push") as tmp:
        server, old, new = one_commit_ahead(tmp)
        with Repo(str(server)) as repo:
            store = repo.object_store
            git_ids = {
                line.split()[0]
                for line in git(
                    "rev-list", "--objects", new.decode(), "--not", old.decode(), cwd=server
                ).splitlines()
            }

            def ours_ids() -> set[str]:
                return {oid.decode() for oid in ObjectsToSend(store, [new], [old]).ids}

            def dulwich_ids() -> set[str]:
                return {oid.decode() for oid, _hint in MissingObjectFinder(store, haves=[old], wants=[new])}

            finding = {
                "gitferry transfer.push_objects.ObjectsToSend": ours_ids,
                "dulwich MissingObjectFinder": dulwich_ids,
                "git rev-list --objects NEW --not OLD": lambda: run_git(
                    server, "rev-list", "--objects", new.decode(), "--not", old.decode()
                ),
            }
            found = interleaved(finding, runs, warmup=1)
            if ours_ids() != git_ids or dulwich_ids() != git_ids:
                raise AssertionError("the object sets differ from git's")

            def ours_pack() -> int:
                pack = OutgoingPack(repo, lambda _p: None)
                total, records = pack({old}, {new})
                write_pack_data(io.BytesIO().write, records, repo.object_format, num_records=total)
                return pack.objects_sent

            def dulwich_pack() -> int:
                total, records = store.generate_pack_data([old], [new])
                write_pack_data(io.BytesIO().write, records, repo.object_format, num_records=total)
                return total

            packing = {
                "gitferry transfer.push_pack.OutgoingPack": ours_pack,
                "dulwich generate_pack_data (reuse_deltas)": dulwich_pack,
                "git pack-objects --revs --stdout": lambda: subprocess.run(
                    ["git", "pack-objects", "--revs", "--stdout", "-q"],
                    cwd=server,
                    input=f"{new.decode()}\n^{old.decode()}\n".encode(),
                    capture_output=True,
                    check=True,
                ),
            }
            packed = interleaved(packing, runs, warmup=1)
            if ours_pack() != len(git_ids) or dulwich_pack() != len(git_ids):
                raise AssertionError("a pack holds a different number of objects than git's")
        commits = git("rev-list", "--count", old.decode(), cwd=server)
    first = versus(
        f"objects a one-commit push sends: {len(git_ids)}, {int(commits):,} commits (repository A)",
        found,
        dulwich="dulwich MissingObjectFinder",
        git_row="git rev-list --objects NEW --not OLD",
    )
    first.note("all three sets checked equal")
    second = versus(
        "the pack of that push, written to memory",
        packed,
        dulwich="dulwich generate_pack_data (reuse_deltas)",
        git_row="git pack-objects --revs --stdout",
    )
    second.note("gitferry reuses stored deltas only when a push sends 1/20 of the packed objects or more")
    return [first, second]


# 8. The commit-graph file -----------------------------------------------------------


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


# 9. Merge bases ---------------------------------------------------------------------


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
        pairs = ab_bench._pairs(repo)
        expected = [_git_merge_bases(root, a, b) for a, b in pairs]
        index = GenerationIndex(repo)
        repo.object_store.get_commit_graph()  # dulwich's cache, loaded once as for a kept Repo

        def ours() -> list[list[bytes]]:
            return [merge_bases(repo, a, b, index) for a, b in pairs]

        def ours_cold() -> list[list[bytes]]:
            with Repo(str(root)) as fresh:
                first = fresh_index(fresh)
                return [merge_bases(fresh, a, b, first) for a, b in pairs]

        def dulwich_warm() -> list[list[bytes]]:
            return [find_merge_base(repo, [a, b]) for a, b in pairs]

        def dulwich_cold() -> list[list[bytes]]:
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


def _git_merge_bases(root: Path, a: bytes, b: bytes) -> list[bytes]:
    proc = subprocess.run(
        ["git", "merge-base", "--all", a.decode(), b.decode()], cwd=root, capture_output=True, check=False
    )
    return sorted(proc.stdout.split())


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# 10. Ahead/behind -------------------------------------------------------------------

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


# 11. Merging one file, and the line diff under it -----------------------------------


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
    OURS, DULWICH, GIT = (
        "gitferry merge.merge_file",
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
            DULWICH: lambda: merge_blobs(blobs[0], blobs[1], blobs[2]),
            GIT: git_merge,
        }
        results = interleaved(contenders, runs, warmup=1)
        by_git = git_merge()
    mine = merge_file(base, ours, theirs)
    content, conflicted = merge_blobs(blobs[0], blobs[1], blobs[2])
    if by_git.returncode != 0 or mine.conflict or mine.content != by_git.stdout:
        raise AssertionError("gitferry's merge differs from git merge-file's clean merge")
    table = versus(
        f"three-way merge of a {lines:,}-line file, 20 separate edits on each side",
        results,
        dulwich=DULWICH,
        git_row=GIT,
    )
    table.note("git: clean; gitferry: clean, same bytes as git")
    table.note(
        f"dulwich: {'a CONFLICT' if conflicted else 'clean'}, "
        f"{'same bytes as git' if content == by_git.stdout else 'bytes differ from git'}"
    )
    return [table]


def bench_line_diff(runs: int, lines: int = 10_000) -> list[Table]:
    base, ours, _theirs = text_sides(lines, 20)
    a, b = base.splitlines(keepends=True), ours.splitlines(keepends=True)
    OURS, JUNK, EXACT, GIT = (
        "gitferry merge.line_diff (Myers)",
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

    def changed(opcodes: list[tuple[str, int, int, int, int]]) -> int:
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


# 12. Tree delta ---------------------------------------------------------------------


def bench_tree_delta(runs: int) -> list[Table]:
    root = repos.repo_a().local
    tables = []
    with Repo(str(root)) as repo:
        head = repo.refs[Ref(b"HEAD")]
        new_tree = repo[head].tree  # type: ignore[attr-defined]
        old_tree = repo[repo[head].parents[0]].tree  # type: ignore[attr-defined]
        for label, old, rev in (
            ("one file changed", old_tree, "HEAD~1"),
            ("the whole tree added", None, None),
        ):
            contenders: dict[str, Callable[[], object]] = {
                "gitferry objects.tree_delta": lambda old=old: tree_delta(repo.object_store, old, new_tree),
                "dulwich diff_tree.tree_changes": lambda old=old: list(
                    tree_changes(repo.object_store, old, new_tree)
                ),
                "git diff-tree -r": (lambda rev=rev: run_git(root, "diff-tree", "-r", rev, "HEAD"))
                if rev
                else (lambda: run_git(root, "ls-tree", "-r", "HEAD")),
            }
            results = interleaved(contenders, runs, warmup=1)
            ours = {c.path for c in tree_delta(repo.object_store, old, new_tree)}
            theirs = {c.new.path for c in tree_changes(repo.object_store, old, new_tree)}
            if ours != theirs:
                raise AssertionError("the two tree deltas differ")
            table = versus(
                f"tree delta, 10,000-file tree, {label} ({len(ours):,} paths)",
                results,
                dulwich="dulwich diff_tree.tree_changes",
                git_row="git diff-tree -r",
            )
            tables.append(table)
    tables[-1].note("the whole tree: git's row is `git ls-tree -r HEAD`")
    tables[-1].note(
        "dulwich's tree_changes runs in its Rust extension; why gitferry walks trees itself: `defects`"
    )
    return tables


# 13. Checkout (moving branch, index and working tree) --------------------------------


def bench_checkout(runs: int) -> list[Table]:
    with scratch("checkout") as tmp:
        work = tmp / "work"
        repos.twin(repos.repo_a().local, work, link_worktree=False)
        head = ObjectID(git("rev-parse", "HEAD", cwd=work).encode())
        back = ObjectID(git("rev-parse", "HEAD~1", cwd=work).encode())
        git("status", "--porcelain", cwd=work)
        main = Ref(b"refs/heads/main")
        with Repo(str(work)) as repo:

            def ours() -> None:
                switch_branch(repo, main, head, back)
                switch_branch(repo, main, back, head)

            def dulwich_reset() -> None:
                porcelain.reset(repo, "hard", back)
                porcelain.reset(repo, "hard", head)

            def git_reset() -> None:
                run_git(work, "reset", "-q", "--hard", back.decode())
                run_git(work, "reset", "-q", "--hard", head.decode())

            def check(name: str) -> None:
                if (
                    git("status", "--porcelain", cwd=work)
                    or git("rev-parse", "HEAD", cwd=work).encode() != head
                ):
                    raise AssertionError(f"{name} left the working tree changed")

            contenders: dict[str, Callable[[], object]] = {
                "gitferry worktree.checkout.switch_branch": ours,
                "dulwich porcelain.reset --hard": dulwich_reset,
                "git reset --hard": git_reset,
            }
            results = interleaved(contenders, runs, warmup=1, check=check)
    table = versus(
        "moving main one commit back and forth (one file), 10,000-file working tree",
        results,
        dulwich="dulwich porcelain.reset --hard",
        git_row="git reset --hard",
    )
    table.note("two moves per run; each run checked: `git status --porcelain` empty, HEAD back where it was")
    table.note("gitferry's switch also checks every touched path for local work and writes its crash intent")
    return [table]


# 14. A remote that accepts the connection and never answers --------------------------


def bench_timed_client(_runs: int, timeout: float = 1.0, patience: float = 3.0) -> list[Table]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    held.append(server.accept()[0])  # accepted, never answered
                except OSError:
                    return

        threading.Thread(target=accept, daemon=True).start()
        stock = _waits(lambda: TCPGitClient("127.0.0.1", port).get_refs(b"/repo.git"), patience)
        ours = _waits(
            lambda: TimedTCPGitClient("127.0.0.1", port, timeout=timeout).get_refs(b"/repo.git"), patience
        )
        git_side = _waits(
            lambda: subprocess.run(
                ["git", "ls-remote", f"git://127.0.0.1:{port}/repo.git"], capture_output=True, check=False
            ),
            patience,
        )
        stop.set()
        for conn in held:
            conn.close()
    table = Table("git:// server that accepts and never answers", ["", "returned after", "how"])
    for name, (seconds, how) in (
        (f"gitferry TimedTCPGitClient (timeout {timeout:g} s)", ours),
        ("dulwich TCPGitClient", stock),
        ("git ls-remote", git_side),
    ):
        table.add(
            name, f"{seconds:.2f} s" if seconds is not None else f"still waiting after {patience:g} s", how
        )
    return [table]


def _waits(call: Callable[[], object], patience: float) -> tuple[float | None, str]:
    """How long `call` took to return or raise, or None if it still waits after `patience`."""
    outcome: list[str] = []
    started = time.perf_counter()

    def run() -> None:
        try:
            call()
            outcome.append("returned")
        except Exception as exc:  # the point is what it raises
            outcome.append(type(exc).__name__)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(patience)
    return (time.perf_counter() - started, outcome[0]) if outcome else (None, "blocked in a read")


# Running ---------------------------------------------------------------------------

SECTIONS: dict[str, Callable[[int], list[Table]]] = {
    "index-read": bench_index_read,
    "scan": bench_scan,
    "blob": bench_blob,
    "pack-ingest": bench_pack_ingest,
    "consolidate": bench_consolidate,
    "haves": bench_haves,
    "push": bench_push,
    "commit-graph": bench_commit_graph,
    "merge-base": bench_merge_base,
    "ahead-behind": bench_ahead_behind,
    "merge-file": bench_merge_file,
    "line-diff": bench_line_diff,
    "tree-delta": bench_tree_delta,
    "checkout": bench_checkout,
    "timed-client": bench_timed_client,
    "defects": lambda _runs: [dulwich_defects.reproduce()],
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.handwritten",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help="default: all")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contender (default 3)")
    args = parser.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    isolate()
    for name in args.sections or SECTIONS:
        started = time.perf_counter()
        for table in SECTIONS[name](args.runs):
            print(table.render(), flush=True)
        print(f"[{name}: {time.perf_counter() - started:.1f} s]\n", flush=True)


if __name__ == "__main__":
    main()
