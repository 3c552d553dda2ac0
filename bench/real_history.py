"""A history of real shape, generated with `git fast-import` and cached.

Where `bench.repos` makes one-line edits to a flat or two-level tree, this one
looks like a project: a tree five levels deep (`src/<area>/<pkg>/<mod>/<file>`),
commits touching one to six files across it, files added, deleted and renamed
(fast-import's `R`), binary files rewritten now and then (random bytes with a
stable head, as images and archives change), topic branches merged back with
two-parent commits, and several hundred branches and some annotated tags on the
server. Deterministic: the same `RealShape` always gives the same commit ids.

The history is imported in two parts: `base` (everything but the last
`new_commits` commits of `main`, gc'd as a server is) and `new` (those commits,
with the topic branches they merge, added on top in the server's copy only). A
clone of `base` is then a user `new_commits` behind, with `origin/*` for every
branch: `python -m bench.real_fetch` times fetching and fast-forwarding them.

    .venv/bin/python -m bench.real_history   # build (or find) the cached repositories
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.gitenv import git, isolate
from bench.repos import EPOCH, WORDS, cached, describe, fast_import

VERSION = "r1"


@dataclass(frozen=True)
class RealShape:
    files: int = 12_000
    binaries: int = 240
    commits: int = 14_000  # on main, the merges included
    new_commits: int = 300  # of which the last ones arrive in the fetch
    branches: int = 300
    tags: int = 60
    merge_every: int = 9  # a merge of a 1-to-4-commit topic branch every this many commits
    seed: int = 19


SHAPE = RealShape()
AREAS = ("app", "core", "net", "ui", "store", "tools", "docs", "tests")


class _Tree:
    """The current content of every file, and how to write commits touching it."""

    def __init__(self, shape: RealShape) -> None:
        self.rng = random.Random(shape.seed)
        self.shape = shape
        self.text: dict[str, list[str]] = {}
        self.binary: dict[str, bytes] = {}
        self.paths: list[str] = []
        self.number = 0
        self.mark = 0
        self.fresh = 0
        self.main_from = b""  # the first commit of each import: main as fast-import must find it

    def new_path(self, binary: bool = False) -> str:
        rng = self.rng
        self.fresh += 1
        area = rng.choice(AREAS)
        parts = ["src", area, f"pkg{rng.randrange(24):02d}", f"mod{rng.randrange(8)}"]
        if rng.random() < 0.4:
            parts.append(f"sub{rng.randrange(4)}")
        ext = rng.choice((".png", ".bin", ".ico")) if binary else rng.choice((".py", ".c", ".md", ".json"))
        return "/".join(parts) + f"/f{self.fresh:06d}{ext}"

    def text_content(self) -> list[str]:
        rng = self.rng
        lines = rng.randrange(20, 120)
        return [f"{' '.join(rng.choices(WORDS, k=rng.randrange(3, 10)))}\n" for _ in range(lines)]

    def binary_content(self, head: bytes = b"") -> bytes:
        size = self.rng.randrange(4_000, 48_000)
        body = self.rng.randbytes(size)
        return (head or self.rng.randbytes(512)) + body

    def initial(self) -> bytes:
        out = [self.header("refs/heads/main", "initial import")]
        self.main_from = b"from :%d\n" % self.mark
        for _ in range(self.shape.files):
            path = self.new_path()
            self.text[path] = self.text_content()
            out.append(_modify(path, "".join(self.text[path]).encode()))
        for _ in range(self.shape.binaries):
            path = self.new_path(binary=True)
            self.binary[path] = self.binary_content()
            out.append(_modify(path, self.binary[path]))
        self.paths = sorted(self.text)
        return b"".join(out)

    def header(self, ref: str, message: str) -> bytes:
        self.number += 1
        self.mark += 1
        dev = self.number % 37
        who = f"Dev{dev} <dev{dev}@example.invalid> {EPOCH + self.number * 97} +0000"
        head = f"commit {ref}\nmark :{self.mark}\nauthor {who}\ncommitter {who}\n".encode()
        return head + _data(message.encode())

    def changes(self) -> bytes:
        """One to six file changes: mostly edits, some adds, deletes, renames, binaries."""
        rng, out = self.rng, []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
            roll = rng.random()
            if roll < 0.04 and len(self.paths) > 100:
                old = self.paths.pop(rng.randrange(len(self.paths)))
                new = self.new_path()
                self.text[new] = self.text.pop(old)
                self.paths.append(new)
                out.append(f"R {old} {new}\n".encode())
            elif roll < 0.07:
                path = self.new_path()
                self.text[path] = self.text_content()
                self.paths.append(path)
                out.append(_modify(path, "".join(self.text[path]).encode()))
            elif roll < 0.09 and len(self.paths) > 100:
                path = self.paths.pop(rng.randrange(len(self.paths)))
                del self.text[path]
                out.append(f"D {path}\n".encode())
            elif roll < 0.12:
                path = rng.choice(sorted(self.binary)) if rng.random() < 0.5 else next(iter(self.binary))
                self.binary[path] = self.binary_content(self.binary[path][:512])
                out.append(_modify(path, self.binary[path]))
            else:
                path = self.paths[rng.randrange(len(self.paths))]
                lines = self.text[path]
                at = rng.randrange(len(lines))
                if rng.random() < 0.5:
                    lines[at] = f"{' '.join(rng.choices(WORDS, k=7))} r{self.number}\n"
                else:
                    added = rng.randrange(1, 8)
                    lines[at:at] = [f"{' '.join(rng.choices(WORDS, k=5))}\n" for _ in range(added)]
                out.append(_modify(path, "".join(lines).encode()))
        return b"".join(out)

    def history(self, count: int, topic_prefix: str) -> Iterator[bytes]:
        """`count` commits on main (every `merge_every`-th a merge of a new topic branch)."""
        for step in range(count):
            if step % self.shape.merge_every == self.shape.merge_every - 1:
                topic = f"refs/heads/{topic_prefix}{self.number:05d}"
                source, done = self.main_from, []
                for _ in range(self.rng.randrange(1, 5)):
                    done.append(self.changes())
                    yield self.header(topic, "topic work") + source + done[-1]
                    source = b""
                topic_mark = self.mark
                # fast-import takes a merge's tree from its first parent: replay the topic's changes
                head = self.header("refs/heads/main", f"Merge {topic}")
                yield head + self.main_from + f"merge :{topic_mark}\n".encode() + b"".join(done)
            else:
                head = self.header("refs/heads/main", f"change {self.number}")
                yield head + self.main_from + self.changes()
            self.main_from = b"from :%d\n" % self.mark


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _modify(path: str, content: bytes) -> bytes:
    return f"M 100644 inline {path}\n".encode() + _data(content)


def _base_stream(tree: _Tree) -> Iterator[bytes]:
    yield tree.initial()
    yield from tree.history(tree.shape.commits - tree.shape.new_commits, "topic/")


def _build(root: Path, shape: RealShape) -> None:
    server, local = root / "server.git", root / "local"
    git("init", "-q", "--bare", str(server))
    tree = _Tree(shape)
    fast_import(server, _base_stream(tree))
    # several hundred long-lived branches at commits of main, some tags
    ids = git("rev-list", "--first-parent", "main", cwd=server).split()
    rng = random.Random(shape.seed + 1)
    updates = [f"update refs/heads/release/{i:03d} {rng.choice(ids)}\n" for i in range(shape.branches)]
    git("update-ref", "--stdin", cwd=server, stdin="".join(updates).encode())
    for i in range(shape.tags):
        git("tag", "-a", "-m", f"version {i}", f"v{i}.0", ids[-1 - i * len(ids) // shape.tags], cwd=server)
    git("gc", "-q", cwd=server)
    git("clone", "-q", "--no-hardlinks", str(server), str(local))
    # the remote's next commits, in a second fast-import on a copy of the server
    ahead = root / "server-ahead.git"
    git("clone", "-q", "--bare", "--no-hardlinks", str(server), str(ahead))
    git("pack-refs", "--all", cwd=ahead)
    tree.main_from = b"from refs/heads/main^0\n"  # a new import: main as it is on disk
    fast_import(ahead, tree.history(shape.new_commits, "topic-new/"))


def build(shape: RealShape = SHAPE) -> Path:
    """The cached directory: `server.git` (the base history), `server-ahead.git` (the
    base plus `new_commits` on main) and `local` (a clone of the base)."""
    return cached(f"real-{VERSION}-{shape.commits}", lambda root: _build(root, shape))


def main(argv: list[str] | None = None) -> None:
    del argv
    isolate()
    root = build()
    print(f"server.git: {describe(root / 'server.git')}")
    print(f"server-ahead.git: {describe(root / 'server-ahead.git')}")
    print(f"local: {describe(root / 'local')}")


if __name__ == "__main__":
    main()
