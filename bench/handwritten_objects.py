"""`bench.handwritten`'s sections on the index, the working tree and the object store:
index read, stat scan, blob streaming, pack ingest and consolidation, loose packing, tree delta, checkout."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

from dulwich import porcelain
from dulwich.diff_tree import TreeChange, tree_changes
from dulwich.index import blob_from_path_and_stat
from dulwich.object_store import BaseObjectStore, DiskObjectStore
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from bench import repos
from bench.contenders import run_git
from bench.gitenv import git, object_count, scratch
from bench.scan import check_unchanged, dulwich_status
from bench.stats import Table, interleaved, traced, versus
from core.git.index.read import open_index
from core.git.index.stat_data import read_index_stat
from core.git.objects.blob_stream import write_blob
from core.git.objects.loose_packing import pack_loose_objects, too_many_loose_objects
from core.git.objects.pack_consolidation import consolidate_packs, pack_names
from core.git.objects.pack_ingest import IncomingPack
from core.git.objects.tree_delta import tree_delta
from core.git.worktree.checkout import switch_branch
from core.git.worktree.scan import scan_worktree

MIB = 1024 * 1024
GNU_TIME = "/usr/bin/time"


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


def copy_of(template: Path, work: Path) -> Callable[[str], None]:
    """A `setup` for `interleaved`: `work` made a fresh copy of `template` before each run."""

    def setup(_name: str) -> None:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(template, work)

    return setup


def in_repo(work: Path, fn: Callable[[Repo], object]) -> Callable[[], object]:
    """`fn` on the repository at `work`, opened and closed around it."""

    def run() -> None:
        with Repo(str(work)) as repo:
            fn(repo)

    return run


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
        setup = copy_of(template, work)
        with_repo = partial(in_repo, work)

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


def build_loose(path: Path) -> None:
    """One commit of 7,000 files in 70 folders, every object loose: what a year of
    auto-commits leaves (git's gc.auto default is 6,700)."""
    work = path / "work"
    git("init", "-q", "-b", "main", str(work))
    for folder in range(70):
        (work / f"d{folder}").mkdir()
        for n in range(100):
            (work / f"d{folder}" / f"note{n}.md").write_text(f"note {folder}.{n}\n" * (1 + n % 20))
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "notes", cwd=work)


def bench_pack_loose(runs: int) -> list[Table]:
    template = repos.cached("handwritten-loose", build_loose) / "work"
    objects = object_count(template)
    OURS, DULWICH, GIT = (
        "gitferry objects.loose_packing",
        "dulwich DiskObjectStore.pack_loose_objects",
        "git repack -d -l && git prune-packed",
    )
    with scratch("pack-loose") as tmp:
        work = tmp / "work"
        setup = copy_of(template, work)

        def with_store(fn: Callable[[DiskObjectStore], object]) -> Callable[[], object]:
            return in_repo(work, lambda repo: fn(repo.object_store))

        def git_gc_auto() -> None:
            run_git(work, "repack", "-d", "-l", "-q")
            run_git(work, "prune-packed", "-q")

        def check(name: str) -> None:
            git("fsck", "--strict", "--no-progress", cwd=work)
            fields = dict(line.split(": ", 1) for line in git("count-objects", "-v", cwd=work).splitlines())
            if fields["count"] != "0" or object_count(work) != objects:
                raise AssertionError(f"{name} left loose, lost or duplicated objects")

        contenders: dict[str, Callable[[], object]] = {
            OURS: with_store(pack_loose_objects),
            DULWICH: with_store(lambda store: store.pack_loose_objects()),
            GIT: git_gc_auto,
        }
        results = interleaved(contenders, runs, warmup=1, setup=setup, check=check)
        setup(OURS)
        peaks = {OURS: traced(with_store(pack_loose_objects))[1]}
        setup(DULWICH)
        peaks[DULWICH] = traced(with_store(lambda store: store.pack_loose_objects()))[1]
        setup(OURS)
        below = interleaved(
            {"below gc.auto": with_store(lambda store: too_many_loose_objects(str(store.path), 1 << 20))},
            runs,
        )
    table = versus(f"packing loose objects: {objects:,}", results, dulwich=DULWICH, git_row=GIT)
    for name, peak in peaks.items():
        table.note(f"peak Python allocations (tracemalloc), {name}: {peak:,.1f} MiB")
    table.note(
        "below the threshold (open the repository, one listdir): "
        f"median {below['below gc.auto'].median * 1000:.2f} ms"
    )
    table.note("every run checked: git fsck --strict, nothing loose, the same object count")
    return [table]


# 6. Tree delta ---------------------------------------------------------------------


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
            git_args = ("diff-tree", "-r", rev, "HEAD") if rev else ("ls-tree", "-r", "HEAD")
            contenders: dict[str, Callable[[], object]] = {
                "gitferry objects.tree_delta": partial(tree_delta, repo.object_store, old, new_tree),
                "dulwich diff_tree.tree_changes": partial(_all_changes, repo.object_store, old, new_tree),
                "git diff-tree -r": partial(run_git, root, *git_args),
            }
            results = interleaved(contenders, runs, warmup=1)
            ours = {c.path for c in tree_delta(repo.object_store, old, new_tree)}
            theirs = {c.new.path for c in _all_changes(repo.object_store, old, new_tree) if c.new is not None}
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


def _all_changes(store: BaseObjectStore, old: ObjectID | None, new: ObjectID) -> list[TreeChange]:
    return list(tree_changes(store, old, new))


# 7. Checkout (moving branch, index and working tree) --------------------------------


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
