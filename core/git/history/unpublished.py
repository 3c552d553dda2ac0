"""Commits no remote has: for each of several local heads, how many of its commits no
remote-tracking ref reaches (`git rev-list --count <head> --not --remotes`).

One walk for every head at once over the generation index, highest generation
first: each commit carries a bit per head that reaches it and whether a
remote-tracking tip reaches it. A commit leaves the queue only after every commit
above it, so its bits are final when it is counted. The walk ends when no queued
commit is reached by a head without being published: everything below the queue
is reached through queued commits, so it is published too, or reached by no head.
"""

from __future__ import annotations

from collections.abc import Mapping
from heapq import heappop, heappush

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.history.generations import GenerationIndex
from core.git.repository import ref_value

_REMOTES = Ref(b"refs/remotes")


def remote_tips(repo: Repo) -> list[ObjectID]:
    """Every remote-tracking ref's commit (a symbolic `<remote>/HEAD` left dangling by a
    pruned branch is skipped)."""
    tips = []
    for name in repo.refs.keys(base=_REMOTES):
        sha = ref_value(repo, Ref(_REMOTES + b"/" + name))
        if sha is not None:
            tips.append(sha)
    return sorted(set(tips))


def unpublished_counts(
    repo: Repo, heads: Mapping[str, bytes], index: GenerationIndex | None = None
) -> dict[str, int]:
    """For each named head (hex commit id), its commits no remote-tracking ref reaches."""
    counts = dict.fromkeys(heads, 0)
    if not heads:
        return counts
    index = GenerationIndex(repo) if index is None else index
    names = list(heads)
    head_numbers = index.update(repo, [heads[name] for name in names])
    tips = index.update(repo, remote_tips(repo))
    generations = index.generations
    published: set[int] = set(tips)
    bits: dict[int, int] = {}
    for position, number in enumerate(head_numbers):
        bits[number] = bits.get(number, 0) | (1 << position)
    queue: list[tuple[int, int]] = []
    queued: set[int] = set()
    for number in {*bits, *published}:
        heappush(queue, (-generations[number], number))
        queued.add(number)
    pending = sum(1 for number in bits if number not in published)  # queued, reached, unpublished
    while queue and pending:
        _, number = heappop(queue)
        index.walked += 1
        mask = bits.pop(number, 0)
        public = number in published
        if mask and not public:
            pending -= 1
            for position in range(len(names)):
                if mask >> position & 1:
                    counts[names[position]] += 1
        for parent in index.parents_of(number):
            was_pending = parent in queued and parent in bits and parent not in published
            if public:
                published.add(parent)
            if mask:
                bits[parent] = bits.get(parent, 0) | mask
            if parent not in queued:
                queued.add(parent)
                heappush(queue, (-generations[parent], parent))
            now_pending = parent in bits and parent not in published
            pending += int(now_pending) - int(was_pending)
    return counts
