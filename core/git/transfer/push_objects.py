"""Which objects a push sends: those reachable from the pushed heads and not from what the remote has.

Dulwich's `MissingObjectFinder` first collects every ancestor of every have,
the whole history (20,000 commits: 1.4 s for a one-commit push, where `git
push` takes 75 ms). This walk does what git's `rev-list` does instead: commits
leave a queue newest first, carrying "uninteresting" (reached from a have)
down to their parents, and the walk stops as soon as no queued commit is
interesting; commits above that point are all it reads.

Clock skew can only make it send more, never less: a commit is left out only
when it was reached from a have (and, like git, the walk goes a few commits
past the point where it could stop, which absorbs most skew).

Trees and blobs are chosen as git's `pack.useSparse` (the default since git
2.27) does: the trees of the commits that go out are compared path by path
with those of the boundary commits (uninteresting parents of commits that go
out), descending only into paths where both sides have a tree and the ids
differ. What a boundary tree on a walked path holds directly is marked as
the remote's; the new trees are then read in full, skipping what is marked.
A one-file commit on a 10,000-file repository reads a few trees instead of
the boundary commit's 10,000 objects.

What that guarantees (tests/core/test_push_objects.py and test_push.py check it
against git's `rev-list --objects` and `pack-objects --sparse`):
- nothing the remote lacks is left out: an object is marked only when it is
  in the tree of a commit the remote has, so the set holds all of `git
  rev-list --objects <wants> --not <haves>`, and nothing outside `<wants>`;
- it equals that set whenever what the new commits share with the boundary
  commits sits at the same path on both (edits, additions, deletions);
- an object the boundary commits hold only on a path that is not walked (a
  directory moved out of a parent that is gone, a file copied from a
  directory left unchanged) may go out again, as it does with git's sparse
  mode; on random histories with moves, copies and reverts the set is the
  one `git pack-objects --revs --sparse` packs.
"""

from __future__ import annotations

import heapq
import itertools
import stat
from collections.abc import Iterable, Iterator

from dulwich.object_store import BaseObjectStore
from dulwich.objects import S_ISGITLINK, Commit, ObjectID, ShaFile, Tag, Tree

from core.git.objects.commit_read import commit_at

SLOP = 5  # commits walked past the last interesting one, as git does, to absorb clock skew


class ObjectsToSend:
    """`ids`: the objects the remote lacks (commits first); `remote_has`: the
    objects it is known to have, which reused deltas may name as their base."""

    def __init__(
        self,
        store: BaseObjectStore,
        wants: Iterable[ObjectID],
        haves: Iterable[ObjectID],
        shallow: Iterable[ObjectID] = (),
    ) -> None:
        self._store = store
        shallow = set(shallow)
        walk = _CommitWalk(store, shallow)
        commits, boundary = walk.run(_commits(store, wants), _commits(store, haves))
        # A shallow commit sent means its parents are the remote's to have, and it may not:
        # git sends the shallow list and the remote refuses ("shallow update not allowed").
        self.sends_shallow = any(c.id in shallow for c in commits)
        self._trees: dict[ObjectID, Tree] = {}
        marked = self._mark_sparse({c.tree for c in boundary}, {c.tree for c in commits})
        self.remote_has: set[ObjectID] = {c.id for c in boundary} | marked
        self.ids: list[ObjectID] = [c.id for c in commits]
        done = set(self.remote_has)
        for commit in commits:
            self._collect(commit.tree, done)
        self._trees.clear()
        self.ids += [tag for tag in _tags(store, wants) if tag not in done]  # annotated tags pushed

    def _mark_sparse(self, remote_trees: set[ObjectID], new_trees: set[ObjectID]) -> set[ObjectID]:
        """The trees and blobs found to be the remote's, walking only paths that differ.

        Each set holds the tree ids found at one path; a set is opened only
        when it mixes marked and unmarked trees, as git's
        `mark_trees_uninteresting_sparse` does.
        """
        marked = set(remote_trees)
        todo = [remote_trees | new_trees]
        while todo:
            trees = todo.pop()
            if trees <= marked or trees.isdisjoint(marked):
                continue
            by_path: dict[bytes, set[ObjectID]] = {}
            for tree_id in trees:
                theirs = tree_id in marked
                for path, sha, is_tree in self._entries(tree_id, keep=True):
                    if is_tree:
                        by_path.setdefault(path, set()).add(sha)
                    if theirs:
                        marked.add(sha)
            todo.extend(by_path.values())
        return marked

    def _collect(self, tree_id: ObjectID, done: set[ObjectID]) -> None:
        """Append every tree and blob under `tree_id` not in `done` to `ids`, skipping what is in it."""
        stack = [tree_id]
        while stack:
            sha = stack.pop()
            if sha in done:
                continue
            done.add(sha)
            self.ids.append(sha)
            for _, child, is_tree in self._entries(sha):
                if is_tree:
                    stack.append(child)
                elif child not in done:
                    done.add(child)
                    self.ids.append(child)

    def _entries(self, tree_id: ObjectID, keep: bool = False) -> Iterator[tuple[bytes, ObjectID, bool]]:
        """(name, id, is a tree) for each entry; submodules left out (their commits live elsewhere).

        Trees read while marking are kept for `_collect`, which reads each only once.
        """
        tree = self._trees.pop(tree_id, None)
        if tree is None:
            found = self._store[tree_id]
            assert isinstance(found, Tree)
            tree = found
        if keep:
            self._trees[tree_id] = tree
        for entry in tree.iteritems():
            if entry.mode is None or entry.sha is None or entry.path is None or S_ISGITLINK(entry.mode):
                continue
            yield entry.path, entry.sha, stat.S_ISDIR(entry.mode)


def reaches(
    store: BaseObjectStore, descendant: ObjectID, ancestor: ObjectID, shallow: Iterable[ObjectID] = ()
) -> bool:
    """Whether commit `ancestor` is reachable from `descendant` (a push is a fast-forward).

    The same walk, reading only the commits above the point where the two
    meet; dulwich's `can_fast_forward` first parses the whole commit-graph
    file (20,000 commits: 140 to 190 ms). Clock skew can only make it answer
    False for an ancestor, never True for a commit that is not one.
    """
    start = _commits(store, [ancestor])
    if not start:
        return False
    sending, _ = _CommitWalk(store, set(shallow)).run(start, _commits(store, [descendant]))
    return not sending


def object_or_none(store: BaseObjectStore, sha: ObjectID) -> ShaFile | None:
    """The object `sha` names, or None when it is not here."""
    try:
        return store[sha]
    except KeyError:
        return None


def _tags(store: BaseObjectStore, ids: Iterable[ObjectID]) -> list[ObjectID]:
    """The tag objects `ids` name, and the tags those name in turn (a tag of a tag)."""
    found: list[ObjectID] = []
    for oid in ids:
        obj = object_or_none(store, oid)
        while isinstance(obj, Tag) and obj.id not in found:
            found.append(obj.id)
            target = obj.object[1]
            obj = object_or_none(store, target)
    return found


def _commits(store: BaseObjectStore, ids: Iterable[ObjectID]) -> list[Commit]:
    """The local commits `ids` name, tags peeled; anything else is left out."""
    found = []
    for oid in ids:
        try:
            obj = store[oid]
            while isinstance(obj, Tag):
                obj = store[obj.object[1]]
        except KeyError:
            continue
        if isinstance(obj, Commit):
            found.append(obj)
    return found


class _CommitWalk:
    def __init__(self, store: BaseObjectStore, shallow: set[ObjectID]) -> None:
        self._store = store
        self._shallow = shallow
        self._uninteresting: dict[ObjectID, bool] = {}
        self._commits: dict[ObjectID, Commit] = {}
        self._queue: list[tuple[int, int, ObjectID]] = []
        self._queued: set[ObjectID] = set()
        self._interesting_queued = 0
        self._order = itertools.count()
        self._popped: list[Commit] = []

    def run(self, wants: list[Commit], haves: list[Commit]) -> tuple[list[Commit], list[Commit]]:
        """(commits to send, newest first; boundary commits the remote has)."""
        for commit in haves:
            self._push(commit, uninteresting=True)
        for commit in wants:
            self._push(commit, uninteresting=False)
        slop = SLOP
        while self._queue and (self._interesting_queued or slop > 0):
            if not self._interesting_queued:
                slop -= 1
            self._step()
        sending = [c for c in self._popped if not self._uninteresting[c.id]]
        boundary: dict[ObjectID, Commit] = {}
        for commit in sending:
            for parent in self._parents(commit):
                if self._uninteresting.get(parent, False):
                    boundary[parent] = self._commit(parent)
        return sending, list(boundary.values())

    def _step(self) -> None:
        _, _, sha = heapq.heappop(self._queue)
        self._queued.discard(sha)
        commit = self._commits[sha]
        uninteresting = self._uninteresting[sha]
        if not uninteresting:
            self._interesting_queued -= 1
        self._popped.append(commit)
        for parent in self._parents(commit):
            if uninteresting:
                self._mark_uninteresting(parent)
            if parent not in self._uninteresting:
                self._push(self._commit(parent), uninteresting)

    def _push(self, commit: Commit, uninteresting: bool) -> None:
        sha = commit.id
        if sha in self._uninteresting:
            if uninteresting:
                self._mark_uninteresting(sha)
            return
        self._commits[sha] = commit
        self._uninteresting[sha] = uninteresting
        self._queued.add(sha)
        self._interesting_queued += not uninteresting
        heapq.heappush(self._queue, (-commit.commit_time, next(self._order), sha))

    def _mark_uninteresting(self, sha: ObjectID) -> None:
        """Mark `sha` and every ancestor already seen as reached from a have."""
        todo = [sha]
        while todo:
            current = todo.pop()
            if self._uninteresting.get(current, True):
                continue  # unseen (pushed later with the flag) or already marked
            self._uninteresting[current] = True
            if current in self._queued:
                self._interesting_queued -= 1
            else:
                todo.extend(self._parents(self._commits[current]))

    def _parents(self, commit: Commit) -> list[ObjectID]:
        return [] if commit.id in self._shallow else list(commit.parents)

    def _commit(self, sha: ObjectID) -> Commit:
        if sha in self._commits:
            return self._commits[sha]
        return commit_at(self._store, sha)
