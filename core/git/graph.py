"""Ahead/behind of branches against their upstreams, exactly as git counts them.

`git rev-list --left-right --count L...U` counts the commits reachable from L
but not from U (ahead) and from U but not from L (behind). `ahead_behind_many`
answers that for many pairs in one walk down the commit graph: commit numbers
and generations come from a `GenerationIndex`, each commit carries a bit mask
(two bits per pair: reached from the left head, reached from the right head),
and commits leave a priority queue highest generation first.

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

from core.git.generations import GenerationIndex, MissingCommit, NotACommit

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
    walk = _Walk(index, pairs)
    walk.run()
    return walk.results(len(pairs))


class _Walk:
    """One two-colour walk for many pairs; pair i owns mask bits 2i (left), 2i+1 (right)."""

    def __init__(self, index: GenerationIndex, pairs: list[tuple[int, int]]) -> None:
        self.index = index
        self.lefts = sum(1 << (2 * i) for i in range(len(pairs)))
        self.flags: dict[int, int] = {}
        self.queue: list[int] = []
        # Queued commits per "unbalanced pairs" value (left bits of pairs with one colour).
        self.unbalanced: dict[int, int] = {}
        self.tallies: dict[int, int] = {}
        for i, (left, right) in enumerate(pairs):
            self._mark(left, 1 << (2 * i))
            self._mark(right, 2 << (2 * i))
        for mask in self.flags.values():
            self._enter(self._one_sided(mask))
        self.open_pairs = 0
        self._reopen()

    def _mark(self, number: int, bit: int) -> None:
        if number in self.flags:
            self.flags[number] |= bit
        else:
            self.flags[number] = bit
            heappush(self.queue, -((self.index.generations[number] << _NUMBER_BITS) | number))

    def _one_sided(self, mask: int) -> int:
        return (mask ^ (mask >> 1)) & self.lefts

    def _enter(self, one_sided: int) -> None:
        if one_sided:
            self.unbalanced[one_sided] = self.unbalanced.get(one_sided, 0) + 1

    def _leave(self, one_sided: int) -> bool:
        """Drop one queued commit from the tally; True when a value's last one left."""
        if not one_sided:
            return False
        left = self.unbalanced[one_sided] - 1
        if left:
            self.unbalanced[one_sided] = left
            return False
        del self.unbalanced[one_sided]
        return True

    def _reopen(self) -> None:
        open_pairs = 0
        for one_sided in self.unbalanced:
            open_pairs |= one_sided
        self.open_pairs = open_pairs

    def run(self) -> None:
        generations = self.index.generations
        parents = self.index.parents
        parents_of = self.index.parents_of
        flags = self.flags
        queue = self.queue
        tallies = self.tallies
        while self.open_pairs and queue:
            commit = -heappop(queue) & _NUMBER_MASK
            queued = flags[commit]
            mask = queued & (self.open_pairs | self.open_pairs << 1)
            one_sided = self._one_sided(mask)
            counted = mask & (one_sided | one_sided << 1)
            dropped = False
            if mask:
                top = -queue[0] >> _NUMBER_BITS if queue else -1
                run = 1
                # A run of single-parent commits above everything queued: each one's
                # mask is already final, so follow it without the queue.
                while True:
                    above = parents[commit] or parents_of(commit)
                    if len(above) != 1 or generations[above[0]] <= top:
                        break
                    commit = above[0]
                    run += 1
                if counted:
                    tallies[counted] = tallies.get(counted, 0) + run
                dropped = self._spread(above, mask, one_sided)
            if self._leave(self._one_sided(queued)) or dropped:
                self._reopen()

    def _spread(self, parents: tuple[int, ...], mask: int, one_sided: int) -> bool:
        """OR `mask` into each parent's flags; True when some unbalanced value emptied."""
        flags = self.flags
        dropped = False
        for parent in parents:
            old = flags.get(parent)
            if old is None:
                flags[parent] = mask
                heappush(self.queue, -((self.index.generations[parent] << _NUMBER_BITS) | parent))
                self._enter(one_sided)
                continue
            new = old | mask
            if new != old:
                flags[parent] = new
                before, after = self._one_sided(old), self._one_sided(new)
                if before != after:
                    self._enter(after)
                    dropped = self._leave(before) or dropped
        return dropped

    def results(self, count: int) -> list[tuple[int, int]]:
        ahead = [0] * count
        behind = [0] * count
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
