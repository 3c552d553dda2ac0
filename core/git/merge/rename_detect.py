"""Which deleted files became which added files on one side of a merge, as git's merge finds them.

This is diffcore-rename as merge-ort runs it (renames only, never copies; no
break detection; an empty file is never a rename's source or destination),
in git's order:

1. exact renames: a destination with the same blob id as a source (for a
   symlink or submodule, the same mode too), preferring an unused source
   with the same file name, else the first;
2. basename matches: a relevant source whose file name is unique among the
   remaining sources, paired with the destination of that name when it too
   is unique (or, when either is not unique, with the destination its
   directory's likely new location suggests), if at least 75% similar;
3. the remaining relevant sources against the remaining destinations, each
   destination keeping its four best candidates, all candidates sorted by
   score then by same file name (stably), and taken greedily from the best
   down to 50%; skipped when sources x destinations exceeds the rename limit
   squared (`merge.renameLimit`, 7000 by default).

"Relevant" sources are those whose rename changes the merge (the other side
modified or deleted the file, or added files to a directory this side
removed: see `rename_collect`); a source that is only needed to locate a
directory rename is dropped once that directory's new location is decided by
a majority no further rename could overturn. Every rename found also counts
towards the directory renames (old directory -> new directory, for each
level whose remaining name parts agree), kept for the removed directories
that need one.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from core.git.merge.git_hashmap import iteration_order
from core.git.merge.similarity import DEFAULT_SCORE, MAX_SCORE, Entry, Similarity

NOT_RELEVANT: Final = 0  # directory relevance (dirs_removed values)
FOR_ANCESTOR: Final = 1
FOR_SELF: Final = 2
NO_MORE: Final = 0  # source relevance
CONTENT: Final = 1
LOCATION: Final = 2

DEFAULT_LIMIT: Final = 7000
_UNKNOWN: Final = b"/"  # counts sources not yet paired, per directory; never a real directory
_CANDIDATES: Final = 4
_EXACT_TRIES: Final = 100
_BASENAME_SCORE: Final = DEFAULT_SCORE + int(0.5 * (MAX_SCORE - DEFAULT_SCORE))

Counts = dict[bytes, dict[bytes, int]]  # old directory -> {new directory -> renames}


@dataclass(frozen=True, slots=True)
class Path:
    path: bytes
    entry: Entry


@dataclass
class Found:
    renames: list[tuple[bytes, bytes]]  # (source, destination), in destination order
    counts: Counts = field(default_factory=dict)


@dataclass(slots=True)
class _Candidate:
    score: int
    name_score: int
    dst: int
    src: int


def detect(
    sources: Sequence[Path],
    destinations: Sequence[Path],
    relevant: dict[bytes, int],
    dirs_removed: dict[bytes, int],
    similarity: Similarity,
    *,
    limit: int = DEFAULT_LIMIT,
) -> Found:
    """The renames among `sources` (deleted) and `destinations` (added), in git's order.

    `relevant`: source path -> CONTENT or LOCATION (downgraded to NO_MORE when no
    longer needed); `dirs_removed`: directory -> relevance, updated as git does."""
    return _Detection(sources, destinations, relevant, dirs_removed, similarity, limit).run()


class _Detection:
    def __init__(
        self,
        sources: Sequence[Path],
        destinations: Sequence[Path],
        relevant: dict[bytes, int],
        dirs_removed: dict[bytes, int],
        similarity: Similarity,
        limit: int,
    ) -> None:
        self.src = list(sources)
        self.dst = list(destinations)
        self.relevant = relevant
        self.dirs_removed = dirs_removed
        self.similarity = similarity
        self.limit = limit if limit > 0 else DEFAULT_LIMIT
        self.src_used = [False] * len(self.src)
        self.dst_from: list[int | None] = [None] * len(self.dst)
        self.counts: Counts = {}

    def run(self) -> Found:
        if self.src and self.dst:
            self._exact()
            remaining = [i for i in range(len(self.src)) if not self.src_used[i]]
            guess = self._start_counts()
            self._basenames(remaining, guess)
            remaining = [i for i in remaining if not self.src_used[i] and self.src[i].path in self.relevant]
            remaining = self._drop_settled_locations(remaining)
            self._inexact(remaining)
        for directory in [d for d in self.counts if not self.dirs_removed.get(d, NOT_RELEVANT)]:
            del self.counts[directory]
        for counts in self.counts.values():
            counts.pop(_UNKNOWN, None)
        renames = [(self.src[s].path, self.dst[d].path) for d, s in enumerate(self.dst_from) if s is not None]
        return Found(renames, self.counts)

    def _record(self, dst: int, src: int) -> None:
        self.dst_from[dst] = src
        self.src_used[src] = True

    def _exact(self) -> None:
        by_blob: dict[bytes, list[int]] = {}
        for i, source in enumerate(self.src):
            by_blob.setdefault(source.entry[1], []).append(i)
        for d, target in enumerate(self.dst):
            best, best_score, tries = None, -1, _EXACT_TRIES
            for s in by_blob.get(target.entry[1], []):
                source = self.src[s]
                regular = stat.S_ISREG(source.entry[0]) and stat.S_ISREG(target.entry[0])
                if (not regular and source.entry[0] != target.entry[0]) or self.src_used[s]:
                    continue
                score = 1 + _same_basename(source.path, target.path)
                if score > best_score:
                    best, best_score = s, score
                    if score == 2:
                        break
                tries -= 1
                if not tries:
                    break
            if best is not None:
                self._record(d, best)

    def _start_counts(self) -> dict[bytes, bytes]:
        """Count the exact renames; each removed directory's likeliest new location."""
        for d, s in enumerate(self.dst_from):
            if s is not None:
                self._count(self.src[s].path, self.dst[d].path)
        guess = {}
        for old, counts in self.counts.items():
            best, highest = None, 0
            for new in iteration_order(counts):  # the first of equal counts, in git's order
                if counts[new] > highest:
                    best, highest = new, counts[new]
            if best is not None:
                guess[old] = best
        return guess

    def _basenames(self, remaining: list[int], guess: dict[bytes, bytes]) -> None:
        unique_src: dict[bytes, int] = {}
        for i in remaining:
            name = _basename(self.src[i].path)
            unique_src[name] = -1 if name in unique_src else i
        unique_dst: dict[bytes, int] = {}
        unrenamed: dict[bytes, int] = {}
        for d, target in enumerate(self.dst):
            if self.dst_from[d] is None:
                name = _basename(target.path)
                unique_dst[name] = -1 if name in unique_dst else d
                unrenamed[target.path] = d
        for i in remaining:
            source = self.src[i]
            if source.path not in self.relevant:
                continue
            name = _basename(source.path)
            if name not in unique_dst:
                continue
            d = unique_dst[name]
            if unique_src[name] == -1 or d == -1:
                new_dir = guess.get(_dirname(source.path))
                d = -1 if new_dir is None else unrenamed.get(new_dir + b"/" + name, -1)
            if d == -1 or self.dst_from[d] is not None:
                continue
            if self.similarity.score(source.entry, self.dst[d].entry, _BASENAME_SCORE) < _BASENAME_SCORE:
                continue
            self._record(d, i)
            self._count(source.path, self.dst[d].path)

    def _drop_settled_locations(self, remaining: list[int]) -> list[int]:
        """Sources wanted only for a directory rename whose majority is already decided."""
        for i in remaining:
            directory = _dirname(self.src[i].path)
            while directory and self.dirs_removed.get(directory, NOT_RELEVANT) != NOT_RELEVANT:
                self._increment(directory, _UNKNOWN)
                directory = _dirname(directory)
        for directory, counts in self.counts.items():
            if self.dirs_removed.get(directory) == FOR_SELF and _decided(counts):
                self.dirs_removed[directory] = FOR_ANCESTOR
        kept = []
        for i in remaining:
            path = self.src[i].path
            if self.relevant.get(path) == LOCATION and self._location_settled(path):
                self.relevant[path] = NO_MORE
                continue
            kept.append(i)
        return kept

    def _location_settled(self, path: bytes) -> bool:
        directory = _dirname(path)
        while True:
            relevance = self.dirs_removed.get(directory, NOT_RELEVANT)
            if relevance == NOT_RELEVANT:
                return True
            if relevance == FOR_SELF:
                return False
            directory = _dirname(directory)

    def _inexact(self, remaining: list[int]) -> None:
        targets = [d for d in range(len(self.dst)) if self.dst_from[d] is None]
        if not targets or not remaining or len(targets) * len(remaining) > self.limit * self.limit:
            return
        matrix: list[_Candidate | None] = []
        for d in targets:
            best: list[_Candidate | None] = [None] * _CANDIDATES
            target = self.dst[d]
            for s in remaining:
                source = self.src[s]
                score = self.similarity.score(source.entry, target.entry, DEFAULT_SCORE)
                _keep_if_better(best, _Candidate(score, _same_basename(source.path, target.path), d, s))
            matrix.extend(best)
        matrix.sort(key=lambda c: (1, 0, 0) if c is None else (0, -c.score, -c.name_score))
        for candidate in matrix:
            if candidate is None or candidate.score < DEFAULT_SCORE:
                break
            if self.dst_from[candidate.dst] is not None or self.src_used[candidate.src]:
                continue
            self._record(candidate.dst, candidate.src)
            self._count(self.src[candidate.src].path, self.dst[candidate.dst].path)

    def _count(self, old: bytes, new: bytes) -> None:
        """git's update_dir_rename_counts: every level whose trailing names agree, while the
        directory is removed on this side and wanted (its own count is always taken)."""
        first = True
        while True:
            old, old_name = _split(old)
            if old not in self.dirs_removed:
                return
            new, new_name = _split(new)
            if not first and old_name != new_name:
                return
            relevance = self.dirs_removed[old]
            if relevance == FOR_SELF or first:
                self._increment(old, new)
            first = False
            if relevance == NOT_RELEVANT or not old or not new:
                return

    def _increment(self, old: bytes, new: bytes) -> None:
        counts = self.counts.setdefault(old, {})
        counts[new] = counts.get(new, 0) + 1


def _keep_if_better(best: list[_Candidate | None], candidate: _Candidate) -> None:
    worst = 0
    for i in range(1, _CANDIDATES):
        if _compare(best[i], best[worst]) > 0:
            worst = i
    if _compare(best[worst], candidate) > 0:
        best[worst] = candidate


def _compare(a: _Candidate | None, b: _Candidate | None) -> int:
    """git's score_compare: negative when `a` is the better candidate; unused slots sink."""
    if a is None:
        return int(b is not None)
    if b is None:
        return -1
    if a.score == b.score:
        return b.name_score - a.name_score
    return b.score - a.score


def _decided(counts: dict[bytes, int]) -> bool:
    """Whether the leading new location wins whatever the unpaired sources turn out to be."""
    first = second = unknown = 0
    for new, count in counts.items():
        if new == _UNKNOWN:
            unknown = count
        elif count >= first:
            first, second = count, first
        elif count >= second:
            second = count
    return first > second + unknown


def _same_basename(a: bytes, b: bytes) -> int:
    return int(_basename(a) == _basename(b))


def _basename(path: bytes) -> bytes:
    return path.rpartition(b"/")[2]


def _dirname(path: bytes) -> bytes:
    return path.rpartition(b"/")[0]


def _split(path: bytes) -> tuple[bytes, bytes]:
    head, _slash, tail = path.rpartition(b"/")
    return head, tail
