"""Ahead/behind of branches against their upstreams, exactly as git counts them.

`git rev-list --left-right --count L...U` counts the commits reachable from L
but not from U (ahead) and from U but not from L (behind). `ahead_behind_many`
answers that for many pairs at once: commit numbers, parents and generations
come from a `GenerationIndex` shared by every call, pairs that share a head
(branches tracking one upstream) share one walk down the commit graph, each
commit carries a bit mask (two bits per pair: reached from the left head,
reached from the right head), and commits leave a priority queue highest
generation first.

Why that is exact: a commit leaves the queue only after every commit above it
(higher generation) that a head reaches, so its mask is final when it is
counted. A pair is finished once no queued commit has exactly one of its two
bits: whatever lies below the queue is reached through queued commits, so it
has both bits or neither. The walk stops when every pair is finished, and a
finished pair's bits are dropped so they no longer drive the walk.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush

from dulwich.repo import Repo

from core.git.history.generations import NO_PARENT, GenerationIndex, MissingCommit, NotACommit

__all__ = ["GenerationIndex", "MissingCommit", "NotACommit", "ahead_behind", "ahead_behind_many"]

_NUMBER_BITS = 32
_NUMBER_MASK = (1 << _NUMBER_BITS) - 1


def ahead_behind(
    repo: Repo, local: bytes, upstream: bytes, index: GenerationIndex | None = None
) -> tuple[int, int]:
    """(ahead, behind) of `local` against `upstream`, both hex commit ids."""
    return ahead_behind_many(repo, [(local, upstream)], index)[0]


def ahead_behind_many(
    repo: Repo, pairs: Sequence[tuple[bytes, bytes]], index: GenerationIndex | None = None
) -> list[tuple[int, int]]:
    """(ahead, behind) for each (local head, upstream head) pair, in order.

    Pass the `GenerationIndex` kept for this repository to reuse its parsed
    history; commits it lacks (a fetch brought them) are indexed first.
    Raises `MissingCommit` when the walk needs a commit the repository lacks.
    """
    results = [(0, 0)] * len(pairs)
    todo = [i for i, (local, upstream) in enumerate(pairs) if local != upstream]
    if not todo:
        return results
    if index is None:
        index = GenerationIndex(repo)
    numbers = index.update(repo, [sha for i in todo for sha in pairs[i]])
    walked = {(numbers[2 * k], numbers[2 * k + 1]): (0, 0) for k in range(len(todo))}
    distinct = [pair for pair in walked if pair[0] != pair[1]]
    walked.update(zip(distinct, _count(index, distinct), strict=True))
    for k, i in enumerate(todo):
        results[i] = walked[numbers[2 * k], numbers[2 * k + 1]]
    return results


def _count(index: GenerationIndex, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    results = [(0, 0)] * len(pairs)
    for group in _groups(pairs):
        walk = _Walk(index, [pairs[i] for i in group])
        for i, counts in zip(group, walk.run(), strict=True):
            results[i] = counts
    return results


def _groups(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Pairs linked by a shared head (say, branches tracking one upstream) walk together.

    The others walk apart: unrelated regions interleaved in one queue would keep
    each other off the fast path for linear runs (see `_Walk.run`).
    """
    leader = list(range(len(pairs)))

    def find(i: int) -> int:
        while leader[i] != i:
            leader[i] = leader[leader[i]]
            i = leader[i]
        return i

    first_pair: dict[int, int] = {}
    for i, pair in enumerate(pairs):
        for commit in pair:
            other = first_pair.setdefault(commit, i)
            leader[find(other)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(pairs)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


class _Walk:
    """One two-colour walk for several pairs; pair i owns mask bits 2i (left), 2i+1 (right).

    `unbalanced` counts queued commits by their one-sided value (the left bits of
    the pairs whose two bits differ); `open_pairs` is the union of those values.
    """

    def __init__(self, index: GenerationIndex, pairs: list[tuple[int, int]]) -> None:
        self.index = index
        self.lefts = sum(1 << (2 * i) for i in range(len(pairs)))
        self.count = len(pairs)
        self.flags: dict[int, int] = {}
        self.queue: list[int] = []
        self.unbalanced: dict[int, int] = {}
        self.tallies: dict[int, int] = {}
        for i, (left, right) in enumerate(pairs):
            self._mark(left, 1 << (2 * i))
            self._mark(right, 2 << (2 * i))
        for mask in self.flags.values():
            one_sided = (mask ^ (mask >> 1)) & self.lefts
            if one_sided:
                self.unbalanced[one_sided] = self.unbalanced.get(one_sided, 0) + 1

    def _mark(self, number: int, bit: int) -> None:
        if number in self.flags:
            self.flags[number] |= bit
        else:
            self.flags[number] = bit
            heappush(self.queue, -((self.index.generations[number] << _NUMBER_BITS) | number))

    def _leave(self, one_sided: int) -> bool:
        """One queued commit with this value left; True when it was the last one."""
        left = self.unbalanced[one_sided] - 1
        if left:
            self.unbalanced[one_sided] = left
            return False
        del self.unbalanced[one_sided]
        return True

    def _open_pairs(self) -> int:
        open_pairs = 0
        for one_sided in self.unbalanced:
            open_pairs |= one_sided
        return open_pairs

    def run(self) -> list[tuple[int, int]]:
        index = self.index
        generations, first, second = index.generations, index.first, index.second
        flags, queue, tallies = self.flags, self.queue, self.tallies
        open_pairs = self._open_pairs()
        while open_pairs and queue:
            commit = -heappop(queue) & _NUMBER_MASK
            queued = flags[commit]
            mask = queued & (open_pairs | open_pairs << 1)  # finished pairs' bits dropped
            reopen = False
            if mask:
                top = -queue[0] >> _NUMBER_BITS if queue else -1
                run = 1
                # Single parents above everything queued have no other child left to
                # visit: their mask is final already, so follow them without the queue.
                parent = first[commit]
                while parent != NO_PARENT and second[commit] == NO_PARENT and generations[parent] > top:
                    commit = parent
                    parent = first[commit]
                    run += 1
                index.walked += run
                one_sided = (mask ^ (mask >> 1)) & self.lefts
                if one_sided:
                    counted = mask & (one_sided | one_sided << 1)
                    tallies[counted] = tallies.get(counted, 0) + run
                reopen = self._spread(index.parents_of(commit), mask, one_sided)
            before = (queued ^ (queued >> 1)) & self.lefts
            if (before and self._leave(before)) or reopen:
                open_pairs = self._open_pairs()
        return self._results()

    def _spread(self, parents: tuple[int, ...], mask: int, one_sided: int) -> bool:
        """OR `mask` into each parent's flags, queueing parents seen for the first time.

        True when a parent lost its last one-sided value (a pair may have finished)."""
        flags, lefts, unbalanced = self.flags, self.lefts, self.unbalanced
        reopen = False
        for parent in parents:
            old = flags.get(parent)
            if old is None:
                flags[parent] = mask
                heappush(self.queue, -((self.index.generations[parent] << _NUMBER_BITS) | parent))
                if one_sided:
                    unbalanced[one_sided] = unbalanced.get(one_sided, 0) + 1
            elif old | mask != old:
                new = flags[parent] = old | mask
                before = (old ^ (old >> 1)) & lefts
                after = (new ^ (new >> 1)) & lefts
                if before != after:
                    if after:
                        unbalanced[after] = unbalanced.get(after, 0) + 1
                    if before:
                        reopen = self._leave(before) or reopen
        return reopen

    def _results(self) -> list[tuple[int, int]]:
        ahead = [0] * self.count
        behind = [0] * self.count
        for mask, commits in self.tallies.items():
            while mask:
                lowest = mask & -mask
                bit = lowest.bit_length() - 1
                if bit & 1:
                    behind[bit >> 1] += commits
                else:
                    ahead[bit >> 1] += commits
                mask ^= lowest
        return list(zip(ahead, behind, strict=True))
