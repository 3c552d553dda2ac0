"""Generation numbers and parents of commits, kept across calls.

A `GenerationIndex` numbers the commits it knows 0, 1, 2... and keeps for each
one a generation (a number greater than each of its parents') and its parents'
numbers. Commits in git's commit-graph file come from that file, read whole
once with no per-commit parsing; any other commit is parsed from the object
store the first time `update` meets it, and never again. Commits are
immutable, so entries stay valid however refs move (forwards after a fetch,
or backwards); only a changed shallow list or another repository resets it.

The index holds no open file or `Repo`: the engine may keep it for the life of
the process and hand it a freshly opened `Repo` each time. It is not
thread-safe: like a `Repo`, one job uses it at a time.
"""

from __future__ import annotations

import binascii
import hashlib
import itertools
import os
import struct
import sys
from array import array
from collections.abc import Iterable
from typing import Final

from dulwich.objects import ObjectID, RawObjectID
from dulwich.pack import PackFileDisappeared
from dulwich.repo import Repo

from core.errors import GitferryError

_COMMIT: Final = 1
_TAG: Final = 4
_TYPE_NAMES: Final = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}
NO_PARENT: Final = 0x70000000
MORE_PARENTS: Final = 0x80000000


class MissingCommit(GitferryError):
    """A commit the history walk needs is not in the repository (shallow or damaged)."""

    def __init__(self, path: str, sha: bytes) -> None:
        super().__init__(
            f"commit {sha.decode()} is missing from {path}: the repository is damaged "
            "or was cloned without its full history"
        )
        self.path = path
        self.sha = sha


class NotACommit(GitferryError):
    """A branch head that names a tree or blob instead of a commit."""

    def __init__(self, path: str, sha: bytes, kind: str) -> None:
        super().__init__(f"{sha.decode()} in {path} is a {kind}, not a commit")
        self.path = path
        self.sha = sha
        self.kind = kind


class GenerationIndex:
    """Generations and parents of every commit met so far, numbered densely.

    Construction is free: the repository is read on the first `update`. Commit
    number `n` has generation `generations[n]`, first parent `first[n]` and second
    parent `second[n]` (`NO_PARENT` where there is none; `second[n]` has the
    `MORE_PARENTS` bit for an octopus merge: use `parents_of`). Flat arrays keep
    it small: about 12 bytes a commit, plus the ids of commits not in the graph.
    """

    def __init__(self, repo: Repo) -> None:
        self._objects_dir = _objects_dir(repo)
        self._shallow: frozenset[bytes] | None = None
        self._graph: CommitGraph | None = None
        self.generations = array("I")
        self.first = array("I")
        self.second = array("I")
        self._octopus: dict[int, tuple[int, ...]] = {}
        self._numbers: dict[bytes, int] = {}
        self._parsed_shas: list[bytes] = []
        self.walked = 0
        """Commits visited by the walks that used this index (for tests and benchmarks)."""

    def __len__(self) -> int:
        return len(self.generations)

    @property
    def from_commit_graph(self) -> int:
        """How many commits came from git's commit-graph file (0 if none was used)."""
        return len(self._graph) if self._graph is not None else 0

    def update(self, repo: Repo, heads: Iterable[bytes]) -> list[int]:
        """Index `heads` (hex ids; annotated tags are peeled) and all their history.

        Only commits not indexed yet are parsed. Returns each head's number.
        """
        self._sync_with(repo)
        reader: _CommitReader | None = None
        numbers = []
        for head in heads:
            found = self.number(head)
            if found is None:
                reader = reader or _CommitReader(repo, self._shallow or frozenset())
                found = self._index_history(reader, head)
            numbers.append(found)
        return numbers

    def parents_of(self, number: int) -> tuple[int, ...]:
        first = self.first[number]
        if first == NO_PARENT:
            return ()
        second = self.second[number]
        if second == NO_PARENT:
            return (first,)
        if not second & MORE_PARENTS:
            return (first, second)
        found = self._octopus.get(number)
        if found is None:
            assert self._graph is not None
            found = self._octopus[number] = self._graph.octopus(number)
        return found

    def sha(self, number: int) -> bytes:
        graph_size = self.from_commit_graph
        if number < graph_size:
            assert self._graph is not None
            return self._graph.sha(number)
        return self._parsed_shas[number - graph_size]

    def number(self, sha: bytes) -> int | None:
        """The number of an indexed commit, or None."""
        found = self._numbers.get(sha)
        if found is None and self._graph is not None:
            found = self._graph.position(sha)
            if found is not None:
                self._numbers[sha] = found
        return found

    def _sync_with(self, repo: Repo) -> None:
        objects_dir = _objects_dir(repo)
        shallow = frozenset(repo.get_shallow())
        if objects_dir != self._objects_dir or shallow != self._shallow:
            self._reset(objects_dir, shallow)

    def _reset(self, objects_dir: str, shallow: frozenset[bytes]) -> None:
        """Start over; git ignores its commit-graph in a shallow repository, and so do we."""
        self._objects_dir = objects_dir
        self._shallow = shallow
        graph = self._graph = None if shallow else load_commit_graph(objects_dir)
        if graph is not None:
            self.generations, self.first, self.second = graph.levels, graph.first, graph.second
        else:
            self.generations, self.first, self.second = array("I"), array("I"), array("I")
        self._octopus = {}
        self._numbers = {}
        self._parsed_shas = []

    def _index_history(self, reader: _CommitReader, head: bytes) -> int:
        """Parse `head` and its ancestors down to indexed commits, numbering parents first."""
        head, head_parents = reader.peel(head)
        parsed = {head: head_parents}
        stack = [head]
        while stack:
            sha = stack[-1]
            if self.number(sha) is not None:
                stack.pop()
                continue
            parents = parsed.get(sha)
            if parents is None:
                parents = parsed[sha] = reader.parents(sha)
            unknown = [p for p in parents if self.number(p) is None]
            if unknown:
                stack.extend(unknown)
                continue
            stack.pop()
            self._add(sha, parents)
        return self._numbers[head]

    def _add(self, sha: bytes, parent_shas: tuple[bytes, ...]) -> None:
        numbers = tuple(self._numbers[p] for p in parent_shas)
        generations = self.generations
        number = len(generations)
        generations.append(max([generations[n] for n in numbers], default=0) + 1)
        self.first.append(numbers[0] if numbers else NO_PARENT)
        if len(numbers) > 2:
            self._octopus[number] = numbers
        self.second.append(
            NO_PARENT if len(numbers) < 2 else numbers[1] if len(numbers) == 2 else MORE_PARENTS
        )
        self._numbers[sha] = number
        self._parsed_shas.append(sha)


class _CommitReader:
    """Parents of commits as git sees them (a shallow commit has none), read raw.

    Packs are tried first: the store's own lookup stats for a loose file and
    checks a multi-pack index before each pack, which nearly doubles the cost
    of parsing a long history. Anything else (loose objects, a pack that came
    or went meanwhile, alternates) goes through the store.
    """

    def __init__(self, repo: Repo, shallow: frozenset[bytes]) -> None:
        self._path = repo.path
        self._store = repo.object_store
        self._packs = list(self._store.packs)
        self._shallow = shallow

    def peel(self, sha: bytes) -> tuple[bytes, tuple[bytes, ...]]:
        """A head's commit and its parents, following annotated tags as git does."""
        while True:
            kind, raw = self._read(sha)
            if kind == _COMMIT:
                return sha, self._parents_in(sha, raw)
            if kind != _TAG or not raw.startswith(b"object "):
                raise NotACommit(self._path, sha, _TYPE_NAMES.get(kind, "object"))
            sha = raw[7:47]

    def parents(self, sha: bytes) -> tuple[bytes, ...]:
        if sha in self._shallow:
            return ()
        kind, raw = self._read(sha)
        if kind != _COMMIT:
            raise NotACommit(self._path, sha, _TYPE_NAMES.get(kind, "object"))
        return self._parents_in(sha, raw)

    def _parents_in(self, sha: bytes, raw: bytes) -> tuple[bytes, ...]:
        """The `parent` lines, which git always writes right after the `tree` line."""
        if sha in self._shallow:
            return ()
        position = raw.find(b"\n") + 1
        parents = []
        while raw.startswith(b"parent ", position):
            parents.append(raw[position + 7 : position + 47])
            position += 48
        return tuple(parents)

    def _read(self, sha: bytes) -> tuple[int, bytes]:
        try:
            binary = binascii.unhexlify(sha)
        except binascii.Error:
            raise MissingCommit(self._path, sha) from None
        for pack in self._packs:
            try:
                return pack.get_raw(RawObjectID(binary))
            except KeyError:
                continue
            except PackFileDisappeared:
                self._packs = []
                break
        try:
            return self._store.get_raw(ObjectID(sha))
        except KeyError:
            raise MissingCommit(self._path, sha) from None


def _objects_dir(repo: Repo) -> str:
    return os.path.realpath(repo.object_store.path)


class _BadGraph(ValueError):
    """A commit-graph file we will not trust; the index then parses commits instead."""


class _Layer:
    """One commit-graph file: sorted ids, their fan-out and the octopus parent list."""

    def __init__(self, oids: bytes, fanout: array[int], edges: array[int], start: int) -> None:
        self.oids = oids
        self.fanout = fanout
        self.edges = edges
        self.start = start

    def find(self, raw: bytes) -> int | None:
        oids = self.oids
        low = self.fanout[raw[0] - 1] if raw[0] else 0
        high = self.fanout[raw[0]]
        while low < high:
            middle = (low + high) // 2
            found = oids[middle * 20 : middle * 20 + 20]
            if found == raw:
                return self.start + middle
            if found < raw:
                low = middle + 1
            else:
                high = middle
        return None


class CommitGraph:
    """git's commit-graph (one file, or a chain of split files), read whole into arrays.

    Positions run across the chain's layers, base first, as git numbers them.
    `first`, `second` are the parent words as stored; `levels` the raw CDAT
    generation word (topological level << 2 | high commit-time bits), which
    orders a commit above all its parents just as the level does.
    """

    def __init__(self, layers: list[_Layer], records: list[array[int]]) -> None:
        self._layers = layers
        self.first = array("I", b"".join(r[5::9].tobytes() for r in records))
        self.second = array("I", b"".join(r[6::9].tobytes() for r in records))
        self.levels = array("I", b"".join(r[7::9].tobytes() for r in records))
        self._size = len(self.levels)
        if self._size and min(self.levels) < 4:
            raise _BadGraph("written without generation numbers")

    def __len__(self) -> int:
        return self._size

    def position(self, sha: bytes) -> int | None:
        try:
            raw = bytes.fromhex(sha.decode("ascii"))
        except ValueError:
            return None
        if len(raw) != 20:
            return None
        for layer in self._layers:
            found = layer.find(raw)
            if found is not None:
                return found
        return None

    def octopus(self, position: int) -> tuple[int, ...]:
        """All parents of a commit whose second parent word has MORE_PARENTS set."""
        edges = self._layer_of(position).edges
        found = [self.first[position]]
        index = self.second[position] & ~MORE_PARENTS
        while True:
            edge = edges[index]
            found.append(edge & ~MORE_PARENTS)
            if edge & MORE_PARENTS:
                return tuple(found)
            index += 1

    def sha(self, position: int) -> bytes:
        layer = self._layer_of(position)
        offset = (position - layer.start) * 20
        return layer.oids[offset : offset + 20].hex().encode()

    def _layer_of(self, position: int) -> _Layer:
        for layer in reversed(self._layers):
            if position >= layer.start:
                return layer
        raise IndexError(position)


def load_commit_graph(objects_dir: str) -> CommitGraph | None:
    """The repository's commit-graph as git would pick it, or None when absent or unsound."""
    info = os.path.join(objects_dir, "info")
    chain_dir = os.path.join(info, "commit-graphs")
    try:
        if os.path.exists(os.path.join(info, "commit-graph")):
            paths = [os.path.join(info, "commit-graph")]
            names: list[str | None] = [None]
        elif os.path.exists(os.path.join(chain_dir, "commit-graph-chain")):
            with open(os.path.join(chain_dir, "commit-graph-chain")) as chain:
                names = [line.strip() for line in chain if line.strip()]
            paths = [os.path.join(chain_dir, f"graph-{name}.graph") for name in names]
        else:
            return None
        layers: list[_Layer] = []
        records: list[array[int]] = []
        for base_count, (path, name) in enumerate(zip(paths, names, strict=True)):
            start = sum(len(layer.oids) // 20 for layer in layers)
            layer, record = _read_layer(path, name, base_count, start)
            layers.append(layer)
            records.append(record)
        return CommitGraph(layers, records)
    except (OSError, _BadGraph):
        return None


def _read_layer(path: str, name: str | None, base_count: int, start: int) -> tuple[_Layer, array[int]]:
    with open(path, "rb") as file:
        data = file.read()
    if len(data) < 60 or data[:4] != b"CGPH" or data[4] != 1 or data[5] != 1:
        raise _BadGraph(f"{path}: not a version 1 SHA-1 commit-graph")
    if data[7] != base_count or hashlib.sha1(data[:-20]).digest() != data[-20:]:
        raise _BadGraph(f"{path}: checksum or chain position does not match")
    if name is not None and data[-20:].hex() != name:
        raise _BadGraph(f"{path}: not the file the chain names")
    chunks = _chunks(data)
    fanout = _words(chunks.get(b"OIDF", b""))
    if len(fanout) != 256:
        raise _BadGraph(f"{path}: no fan-out table")
    count = fanout[255]
    oids = chunks.get(b"OIDL", b"")
    records = _words(chunks.get(b"CDAT", b""))
    if len(oids) != 20 * count or len(records) != 9 * count:
        raise _BadGraph(f"{path}: chunk sizes do not match {count} commits")
    return _Layer(oids, fanout, _words(chunks.get(b"EDGE", b"")), start), records


def _chunks(data: bytes) -> dict[bytes, bytes]:
    table = [struct.unpack_from(">4sQ", data, 8 + 12 * i) for i in range(data[6] + 1)]
    chunks = {}
    for (chunk_id, offset), (_, end) in itertools.pairwise(table):
        if not 8 <= offset <= end <= len(data) - 20:
            raise _BadGraph("chunk offsets out of range")
        chunks[chunk_id] = data[offset:end]
    return chunks


def _words(data: bytes) -> array[int]:
    """Big-endian 32-bit words."""
    if len(data) % 4:
        raise _BadGraph("chunk size not a multiple of 4")
    words = array("I", data)
    if sys.byteorder == "little":
        words.byteswap()
    return words
