"""Generation numbers and parents of commits, kept across calls.

A `GenerationIndex` numbers the commits it knows 0, 1, 2... and keeps for each
one a generation (a number greater than each of its parents') and its parents'
numbers. Commits in git's commit-graph file come from that file, read whole
once with no per-commit parsing; any other commit is parsed from the object
store the first time `update` meets it, and never again. Commits are
immutable, so entries stay valid however refs move (forwards after a fetch,
or backwards); only a changed shallow list or another repository resets it (another
objects directory, or the same path holding another one: a repository deleted and
cloned again there, `core.platform.file_identity`).

The index holds no open file or `Repo`: the engine may keep it for the life of
the process and hand it a freshly opened `Repo` each time. It is not
thread-safe: like a `Repo`, one job uses it at a time.
"""

from __future__ import annotations

import binascii
import os
from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from dulwich.objects import ObjectID, RawObjectID
from dulwich.pack import PackFileDisappeared
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.history.commit_graph_file import (
    ID_SIZE,
    MORE_PARENTS,
    NO_PARENT,
    CommitGraph,
    SortedIds,
    load_commit_graph,
)

if TYPE_CHECKING:
    from core.platform.file_identity import FileIdentity

__all__ = ["MORE_PARENTS", "NO_PARENT", "GenerationIndex", "MissingCommit", "NotACommit"]

_COMMIT: Final = 1
_TAG: Final = 4
_TYPE_NAMES: Final = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}


class MissingCommit(GitferryError):
    """A commit the history walk needs is not in the repository (shallow or damaged)."""

    def __init__(self, path: str, sha: bytes) -> None:
        super().__init__(
            f"commit {sha.decode(errors='replace')} is missing from {path}: "
            "the repository is damaged or incomplete"
        )
        self.path = path
        self.sha = sha


class NotACommit(GitferryError):
    """A branch head that names a tree or blob instead of a commit."""

    def __init__(self, path: str, sha: bytes, kind: str) -> None:
        super().__init__(f"{sha.decode(errors='replace')} in {path} is a {kind}, not a commit")
        self.path = path
        self.sha = sha
        self.kind = kind


class GenerationIndex:
    """Generations and parents of every commit met so far, numbered densely.

    Construction is free: the repository is read on the first `update`. Commit
    number `n` has generation `generations[n]`, first parent `first[n]` and second
    parent `second[n]` (`NO_PARENT` where there is none; `second[n]` has the
    `MORE_PARENTS` bit for an octopus merge: use `parents_of`). Numbers below
    `from_commit_graph` are positions in git's commit-graph; the ids of the
    commits parsed here sit in a sorted table, plus a dict for the newest ones.
    About 40 bytes a commit in all.
    """

    def __init__(self, repo: Repo) -> None:
        self._objects_dir = _objects_dir(repo)
        self._objects_id: FileIdentity | None = None
        self._shallow: frozenset[bytes] | None = None
        self._graph: CommitGraph | None = None
        self.generations = array("I")
        self.first = array("I")
        self.second = array("I")
        self._octopus: dict[int, tuple[int, ...]] = {}
        self._recent: dict[bytes, int] = {}
        self._table = SortedIds(b"")
        self._table_numbers = array("I")
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
            head = head.lower()  # parents are read lowercase: one key per commit
            found = self.number(head)
            if found is None:
                reader = reader or _CommitReader(repo, self._shallow or frozenset())
                found = self._index_history(reader, head)
            numbers.append(found)
        if len(self._recent) > 256 + len(self._table_numbers) // 8:
            self._compact()
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

    def number(self, sha: bytes) -> int | None:
        """The number of an indexed commit (hex id), or None."""
        found = self._recent.get(sha)
        if found is not None:
            return found
        try:
            raw = binascii.unhexlify(sha)
        except binascii.Error:
            return None
        if len(raw) != ID_SIZE:
            return None
        if self._graph is not None:
            found = self._graph.position(raw)
            if found is not None:
                return found
        position = self._table.find(raw)
        return None if position is None else self._table_numbers[position]

    def sha(self, number: int) -> bytes:
        """The hex id of commit `number` (a linear search: for messages and tests)."""
        if number < self.from_commit_graph:
            assert self._graph is not None
            return self._graph.raw_id(number).hex().encode()
        for sha, found in self._recent.items():
            if found == number:
                return sha
        return self._table.at(self._table_numbers.index(number)).hex().encode()

    def _sync_with(self, repo: Repo) -> None:
        objects_dir = _objects_dir(repo)
        from core.platform.file_identity import file_identity  # at the first walk, not when made

        objects_id = file_identity(objects_dir)
        shallow = frozenset(repo.get_shallow())
        if objects_dir != self._objects_dir or objects_id != self._objects_id or shallow != self._shallow:
            self._reset(objects_dir, objects_id, shallow)

    def _reset(self, objects_dir: str, objects_id: FileIdentity | None, shallow: frozenset[bytes]) -> None:
        """Start over; git ignores its commit-graph in a shallow repository, and so do we."""
        self._objects_dir = objects_dir
        self._objects_id = objects_id
        self._shallow = shallow
        graph = self._graph = None if shallow else load_commit_graph(objects_dir)
        if graph is not None:
            self.generations, self.first, self.second = graph.levels, graph.first, graph.second
        else:
            self.generations, self.first, self.second = array("I"), array("I"), array("I")
        self._octopus = {}
        self._recent = {}
        self._table = SortedIds(b"")
        self._table_numbers = array("I")

    def _compact(self) -> None:
        """Move the newest ids into the sorted table: 24 bytes a commit instead of ~100."""
        table = self._table
        entries = [(table.at(i), n) for i, n in enumerate(self._table_numbers)]
        entries += [(binascii.unhexlify(sha), n) for sha, n in self._recent.items()]
        entries.sort()
        self._table = SortedIds(b"".join(raw for raw, _ in entries))
        self._table_numbers = array("I", [n for _, n in entries])
        self._recent = {}

    def _index_history(self, reader: _CommitReader, head: bytes) -> int:
        """Parse `head` and its ancestors down to indexed commits, numbering parents first."""
        head, head_parents = reader.peel(head)
        known = self.number(head)
        if known is not None:
            return known
        recent = self._recent  # where every commit indexed during this update lands
        parsed = {head: head_parents}
        stack = [head]
        while stack:
            sha = stack[-1]
            if sha in recent:
                stack.pop()
                continue
            parents = parsed.get(sha)
            if parents is None:
                parents = parsed[sha] = reader.parents(sha)
            unknown = [p for p in parents if p not in recent and self.number(p) is None]
            if unknown:
                stack.extend(unknown)
                continue
            stack.pop()
            self._add(sha, parents)
        return recent[head]

    def _add(self, sha: bytes, parent_shas: tuple[bytes, ...]) -> None:
        recent = self._recent
        numbers = tuple(recent[p] if p in recent else self._known_number(p) for p in parent_shas)
        generations = self.generations
        number = len(generations)
        generations.append(max([generations[n] for n in numbers], default=0) + 1)
        self.first.append(numbers[0] if numbers else NO_PARENT)
        if len(numbers) > 2:
            self._octopus[number] = numbers
        self.second.append(
            NO_PARENT if len(numbers) < 2 else numbers[1] if len(numbers) == 2 else MORE_PARENTS
        )
        recent[sha] = number

    def _known_number(self, sha: bytes) -> int:
        found = self.number(sha)
        assert found is not None
        return found


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
