"""Large benchmark repositories, generated with `git fast-import` and cached.

Each history is a deterministic stream built in Python: one commit that adds
the whole tree, then commits that each rewrite one line of one file (so blobs
delta against their previous version, as in a real project). The repositories
are built once under `bench/.cache/` (git-ignored); bump `VERSION` when a
shape changes.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.gitenv import CACHE, git, object_count

VERSION = "v1"
EPOCH = 1_600_000_000
WORDS = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
)


@dataclass(frozen=True)
class Shape:
    """How big a generated history is. `dirs=0` puts every file at the top level."""

    files: int
    dirs: int
    commits: int
    lines_per_file: int = 24
    seed: int = 1


# A: the no-change sync (10,000 files, 20,000 commits).
SHAPE_A = Shape(files=10_000, dirs=100, commits=20_000)
# B: the initial fetch (about 80,000 objects: each later commit adds a commit,
# a blob and two trees).
SHAPE_B = Shape(files=2_000, dirs=50, commits=19_500, seed=2)
# C: the "2,000 behind" scenario (a flat tree: one new commit is 3 objects).
SHAPE_C = Shape(files=100, dirs=0, commits=2_500, seed=3)
C_BEHIND = 2_000


def _path(shape: Shape, index: int) -> str:
    name = f"f{index:05d}.txt"
    return f"d{index % shape.dirs:03d}/{name}" if shape.dirs else name


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _commit_header(number: int, message: str, branch: str = "main") -> bytes:
    who = b"Bench <bench@example.invalid> %d +0000" % (EPOCH + number * 60)
    head = b"commit refs/heads/%s\nauthor %s\ncommitter %s\n" % (branch.encode(), who, who)
    return head + _data(message.encode())


def _modify(path: str, content: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\n" + _data(content)


def history_stream(shape: Shape) -> Iterator[bytes]:
    """The fast-import stream for `shape`, one commit per chunk."""
    rng = random.Random(shape.seed)
    contents: list[list[str]] = []
    initial = [_commit_header(0, f"initial tree of {shape.files} files")]
    for index in range(shape.files):
        path = _path(shape, index)
        lines = [
            f"{path} line {j}: {' '.join(rng.choices(WORDS, k=6))}\n" for j in range(shape.lines_per_file)
        ]
        contents.append(lines)
        initial.append(_modify(path, "".join(lines).encode()))
    yield b"".join(initial)
    for number in range(1, shape.commits):
        index = (number * 7919) % shape.files
        line = number % shape.lines_per_file
        path = _path(shape, index)
        contents[index][line] = f"{path} line {line} rev {number}: {rng.choice(WORDS)}\n"
        body = "".join(contents[index]).encode()
        yield _commit_header(number, f"change {number}: {path}") + _modify(path, body)


def fast_import(repo: Path, chunks: Iterator[bytes]) -> None:
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=repo,
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    try:
        for chunk in chunks:
            proc.stdin.write(chunk)
        proc.stdin.write(b"done\n")
        proc.stdin.close()
        if proc.wait(timeout=600) != 0:
            assert proc.stderr is not None
            raise RuntimeError(f"git fast-import failed: {proc.stderr.read().decode()}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def build_bare(path: Path, shape: Shape) -> None:
    """A bare server repository holding `shape`'s history on `main`, gc'd as a server is."""
    git("init", "-q", "--bare", str(path))
    fast_import(path, history_stream(shape))
    git("gc", "-q", cwd=path)


def add_commit(bare: Path, path: str, content: str, number: int) -> str:
    """One new commit on `main` of `bare`, changing `path`; returns its id."""
    stream = (
        _commit_header(number, f"new commit {number}")
        + b"from refs/heads/main^0\n"
        + _modify(path, content.encode())
    )
    fast_import(bare, iter([stream]))
    return git("rev-parse", "refs/heads/main", cwd=bare)


def move_branches(bare: Path, branches: list[str], number: int) -> None:
    """One new commit (a new file) on each of `branches` of `bare`, in one fast-import;
    the same `number` gives the same commits in every repository."""
    stream = b"".join(
        _commit_header(number, f"moved {branch}", branch)
        + f"from refs/heads/{branch}^0\n".encode()
        + _modify(f"moved-{branch}.txt", f"{branch} moved by commit {number}\n".encode())
        for branch in branches
    )
    fast_import(bare, iter([stream]))


def cached(name: str, build: Callable[[Path], None]) -> Path:
    """`CACHE/<name>`, built by `build(dir)` the first time (atomically: a half-built
    directory is never taken for a finished one)."""
    final = CACHE / f"{name}-{VERSION}"
    if final.is_dir():
        return final
    partial = CACHE / f".{name}-{VERSION}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    print(f"[bench] building {final.name} (cached after this run)...", flush=True)
    build(partial)
    partial.rename(final)
    print(f"[bench] built {final.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return final


@dataclass(frozen=True)
class Pair:
    """A bare server repository and a working clone of it (origin = the server)."""

    server: Path
    local: Path


def _clone(server: Path, local: Path) -> None:
    """A working clone; its origin URL is set by each benchmark to the daemon it starts."""
    git("clone", "-q", "--no-hardlinks", str(server), str(local))
    git("remote", "set-url", "origin", "git://127.0.0.1/set-by-the-benchmark", cwd=local)


def repo_a() -> Pair:
    def build(root: Path) -> None:
        build_bare(root / "server.git", SHAPE_A)
        _clone(root / "server.git", root / "local")

    root = cached("A", build)
    return Pair(root / "server.git", root / "local")


def repo_b() -> Path:
    def build(root: Path) -> None:
        build_bare(root / "server.git", SHAPE_B)

    return cached("B", build) / "server.git"


def scenario_c() -> Pair:
    """Server `main` at commit 2,500; local `main` 2,000 commits behind `origin/main`,
    which is the server's `main`. The caller adds the one new server commit."""

    def build(root: Path) -> None:
        build_bare(root / "server.git", SHAPE_C)
        local = root / "local"
        _clone(root / "server.git", local)
        git("reset", "-q", "--hard", f"HEAD~{C_BEHIND}", cwd=local)

    root = cached("C", build)
    return Pair(root / "server.git", root / "local")


# The background cycle's fleet: small repositories of 20 branches, every branch tracked.
SHAPE_FLEET = Shape(files=40, dirs=0, commits=60, seed=4)
FLEET_BRANCHES = ["main", *(f"topic-{n:02d}" for n in range(1, 20))]


def fleet_template() -> Pair:
    """A server of `FLEET_BRANCHES` (topic-NN at main~NN) and a clone with a local
    branch tracking each of them."""

    def build(root: Path) -> None:
        server, local = root / "server.git", root / "local"
        build_bare(server, SHAPE_FLEET)
        for back, branch in enumerate(FLEET_BRANCHES[1:], start=1):
            git("branch", branch, f"main~{back}", cwd=server)
        _clone(server, local)
        for branch in FLEET_BRANCHES[1:]:
            git("branch", "-q", "--track", branch, f"origin/{branch}", cwd=local)

    root = cached("fleet", build)
    return Pair(root / "server.git", root / "local")


def refs(repo: Path, prefix: str) -> dict[str, str]:
    """Refs under `prefix` (without it) and their ids; a symbolic `HEAD` left out."""
    lines = git("for-each-ref", "--format=%(refname) %(objectname)", prefix, cwd=repo).splitlines()
    found = {name.removeprefix(prefix): sha for name, sha in (line.split() for line in lines)}
    found.pop("HEAD", None)
    return found


def describe(repo: Path) -> str:
    commits = git("rev-list", "--count", "--all", cwd=repo)
    return f"{object_count(repo):,} objects, {int(commits):,} commits"


def twin(src: Path, dst: Path, link_worktree: bool = True) -> None:
    """A copy of repository `src` (bare or not) at `dst` that shares by hard link the
    files git and dulwich never write in place: everything under `objects/`, and the
    working tree's files when `link_worktree` (the benchmarks only add new files
    there). Refs, logs, the index and the config are copied: git appends to logs."""
    git_dir = src / ".git" if (src / ".git").is_dir() else src
    objects = f"{git_dir / 'objects'}{os.sep}"
    inside_git = f"{git_dir}{os.sep}"

    def copy(source: str, target: str) -> None:
        shared = source.startswith(objects) or (link_worktree and not source.startswith(inside_git))
        if shared:
            os.link(source, target)
        else:
            shutil.copy2(source, target)

    shutil.copytree(src, dst, symlinks=True, copy_function=copy)
