"""A merge of two sides that changed many files: Gitferry's in-memory merge against git's.

`python -m bench.merge [--runs N] [--files N]`. One repository of `--files`
files in 200 directories; the upstream side edits 40% of them, adds 100 and
renames 60 (half exact, half edited, across directories); the local side
edits 8% (other lines, some of the same files) and renames 10 of the files
the upstream edits. Two merges are timed, each against `git merge-tree
--write-tree` (merge-ort, writing the merged trees, no working tree):

- with renames: Gitferry's `merge_commits` with rename detection, its new
  objects written (what a sync does before switching the branch);
- edits only (no file added or deleted on either side): the same, to show
  what looking for renames costs a merge that has none (the rename search
  is skipped: nothing was deleted), and with detection off for comparison.

Each run's tree is checked against git's.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit, ObjectID
from dulwich.repo import Repo

from bench.gitenv import git, isolate, scratch
from bench.stats import Summary, Table, interleaved, ms, ratio
from core.git.config.merge_config import RenameSettings
from core.git.merge.merge_tree import merge_commits
from core.git.objects.object_overlay import ObjectOverlay

_LINES = 30


def _file(rng: random.Random, path: str) -> list[str]:
    return [f"{path} {i} {rng.randint(0, 10**6)}\n" for i in range(_LINES)]


def _commit(repo: Repo, files: dict[str, list[str]], parents: list[ObjectID], message: str) -> ObjectID:
    items = []
    blobs = []
    for path, lines in files.items():
        blob = Blob.from_string("".join(lines).encode())
        blobs.append(blob)
        items.append((path.encode(), blob.id, 0o100644))
    repo.object_store.add_objects([(blob, None) for blob in blobs])
    commit = Commit()
    commit.tree = commit_tree(repo.object_store, items)
    commit.parents = parents
    commit.author = commit.committer = b"Bench <bench@example.invalid>"
    commit.author_time = commit.commit_time = 1_700_000_000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message.encode() + b"\n"
    repo.object_store.add_object(commit)
    return commit.id


def build(path: Path, files: int, *, renames: bool) -> tuple[ObjectID, ObjectID]:
    """(local, upstream) commits of a fresh repository at `path`."""
    rng = random.Random(files)
    git("init", "-q", str(path))
    base = {f"dir{i % 200}/file{i}.txt": [] for i in range(files)}
    for name in base:
        base[name] = _file(rng, name)
    names = sorted(base)
    theirs = {name: list(lines) for name, lines in base.items()}
    for name in rng.sample(names, files * 2 // 5):
        theirs[name][2] = f"upstream edit of {name}\n"
    ours = {name: list(lines) for name, lines in base.items()}
    for name in rng.sample(names, files * 8 // 100):
        ours[name][_LINES - 3] = f"local edit of {name}\n"
    if renames:
        for i in range(100):
            theirs[f"new/added{i}.txt"] = _file(rng, f"added{i}")
        moved = rng.sample(names, 70)
        for k, name in enumerate(moved[:60]):
            lines = theirs.pop(name)
            if k % 2:
                lines[10] = "edited while moved\n"
            theirs[f"moved{k % 7}/{name.rsplit('/', 1)[1]}"] = lines
        for name in moved[60:]:  # renamed here, edited upstream
            ours[f"here/{name.rsplit('/', 1)[1]}"] = ours.pop(name)
            theirs[name][5] = "upstream edit of a file renamed here\n"
    with Repo(str(path)) as repo:
        start = _commit(repo, base, [], "base")
        return _commit(repo, ours, [start], "local"), _commit(repo, theirs, [start], "upstream")


def run(runs: int, files: int) -> list[Table]:
    tables = []
    for renames in (True, False):
        with scratch("merge") as root:
            path = root / "repo"
            local, upstream = build(path, files, renames=renames)
            results = _timed(path, local, upstream, runs, with_off=not renames)
        shape = "with 60 renames, 100 additions" if renames else "edits only"
        edited = f"{files * 2 // 5:,} edited upstream, {files * 8 // 100:,} here"
        table = Table(
            f"merge of {files:,} files, {edited}, {shape}", ["", "runs", "median ms", "p95 ms", "vs git"]
        )
        git_median = results[_GIT].median
        for name, summary in results.items():
            table.add(
                name, summary.n, ms(summary.median), ms(summary.p(95)), ratio(summary.median, git_median)
            )
        table.note("each run's tree equals git's; Gitferry's times include writing the new objects")
        tables.append(table)
    return tables


_GIT = "git merge-tree --write-tree"


def _timed(
    path: Path, local: ObjectID, upstream: ObjectID, runs: int, *, with_off: bool
) -> dict[str, Summary]:
    expected = git("merge-tree", "--write-tree", local.decode(), upstream.decode(), cwd=path)

    def ours(settings: RenameSettings | None = None) -> None:
        with Repo(str(path)) as repo:
            objects = ObjectOverlay(repo.object_store)
            merged = merge_commits(repo, objects, local, upstream, renames=settings)
            assert merged.clean and merged.tree.decode() == expected, merged.conflicts
            objects.write()

    contenders: dict[str, Callable[[], object]] = {
        _GIT: lambda: git("merge-tree", "--write-tree", local.decode(), upstream.decode(), cwd=path),
        "gitferry merge_commits (renames on)": ours,
    }
    if with_off:
        contenders["gitferry, rename detection off"] = lambda: ours(RenameSettings(detect=False))
    return interleaved(contenders, runs, warmup=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.merge", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args(argv)
    isolate()
    for table in run(args.runs, args.files):
        print(table.render(), flush=True)


if __name__ == "__main__":
    main()
