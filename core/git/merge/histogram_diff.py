"""Which lines changed between two sequences, as git's histogram diff finds them.

git's merges (merge-ort: `git merge`, `rebase`, `cherry-pick`, `merge-tree`) diff
with this algorithm, not with Myers (xdiff/xhistogram.c, version 2.39): in the
region being diffed, take the longest run of equal lines that contains the line
rarest on the old side (fewest occurrences, at most 64), keep it, and diff what is
left before and after it the same way. A region whose every common line occurs
more than 64 times goes to Myers (`myers_changes`), as git falls back to it.

The search visits the same lines in the same order as git's (which decides the
ties), with C-speed steps where git's are plain loops: a `Counter` for git's hash
table of occurrences, a list of places per line for its chains, slices for its run extension,
and only the lines that could start a run (`_Candidates`) looked at one by
one. Line positions count from 1, as in git's code, so that 0 means "none".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from itertools import compress, repeat
from typing import Final

from core.git.merge.diff_budget import Budget
from core.git.merge.histogram_replay import VisitLog, places_within
from core.git.merge.myers_diff import common_head, common_tail, myers_changes

_MAX_CHAIN: Final = 64
_NEAR: Final = 64  # where to look first for a line's place in the old side


class TooManyCollisions(Exception):
    """git's histogram diff fails (and its merge with it) when 65 lines share a hash bucket."""


# line1, count1, line2, count2, a's counts, the scan of the region this one is the rest of
_Region = tuple[int, int, int, int, "Counter[int] | None", "VisitLog | None"]


def histogram_changes(
    a: list[int], b: list[int], budget: Budget | None = None
) -> tuple[bytearray, bytearray]:
    """The changed lines of `a` and of `b` (1 per changed line, one trailing 0).

    Raises `TooCostly` when the search outruns `budget`."""
    return _Histogram(a, b, budget or Budget()).run()


class _Histogram:
    def __init__(self, a: list[int], b: list[int], budget: Budget) -> None:
        self.budget = budget
        self.plain_a, self.plain_b = a, b
        self.a, self.b = [-1, *a], [-2, *b]
        self.changed_a, self.changed_b = bytearray(len(a) + 1), bytearray(len(b) + 1)
        self.top = max(a, default=0)  # no region of a holds a larger line number
        self._places: dict[int, list[int]] | None = None
        self._places_b: dict[int, list[int]] | None = None

    def run(self) -> tuple[bytearray, bytearray]:
        regions: list[_Region] = [(1, len(self.plain_a), 1, len(self.plain_b), None, None)]
        while regions:
            line1, count1, line2, count2, counts, earlier = regions.pop()
            if count1 == 0 or count2 == 0:
                self._all_changed(line1, count1, line2, count2)
                continue
            self.budget.spend(1 + (count1 + count2) // 64)  # passes over the region at C speed
            if counts is None:
                counts = Counter(self.a[line1 : line1 + count1])
            if (self.top >> _hash_bits(count1)) >= _MAX_CHAIN:
                _check_chains(counts, _hash_bits(count1))
            lcs, log = self._longest_rare_run(line1, count1, line2, count2, counts, earlier)
            if lcs is None:  # every common line too frequent: Myers on this region
                sub_a, sub_b = myers_changes(
                    self.plain_a[line1 - 1 : line1 - 1 + count1],
                    self.plain_b[line2 - 1 : line2 - 1 + count2],
                    budget=self.budget,
                )
                self.changed_a[line1 - 1 : line1 - 1 + count1] = sub_a[:count1]
                self.changed_b[line2 - 1 : line2 - 1 + count2] = sub_b[:count2]
                continue
            begin1, begin2, end1, end2 = lcs
            if begin1 == 0 and begin2 == 0:  # nothing in common
                self._all_changed(line1, count1, line2, count2)
                continue
            after = line1 + count1 - 1 - end1
            # The part after the run keeps this region's counts, less what lies before and
            # in the run, when that is the cheaper way to count it.
            rest: Counter[int] | None = None
            if after > 4 * (end1 + 1 - line1):
                counts.subtract(Counter(self.a[line1 : end1 + 1]))
                rest = counts
            regions.append((end1 + 1, after, end2 + 1, line2 + count2 - 1 - end2, rest, log))
            regions.append((line1, begin1 - line1, line2, begin2 - line2, None, None))
        return self.changed_a, self.changed_b

    def _all_changed(self, line1: int, count1: int, line2: int, count2: int) -> None:
        self.changed_a[line1 - 1 : line1 - 1 + count1] = b"\1" * count1
        self.changed_b[line2 - 1 : line2 - 1 + count2] = b"\1" * count2

    def _longest_rare_run(
        self, line1: int, count1: int, line2: int, count2: int, counts: Counter[int], earlier: VisitLog | None
    ) -> tuple[tuple[int, int, int, int] | None, VisitLog]:
        """git's `find_lcs`: (begin1, begin2, end1, end2), all 0 when nothing is common; None: fall back.
        With it, the scan's log for the region after the run (`earlier`, when that served).

        `counts`: how often each line occurs in a's region (entries of 0 mean none).
        `earlier`: the log of the region this one is the rest of, if any.
        """
        a, b = self.a, self.b
        end_a, end_b = line1 + count1 - 1, line2 + count2 - 1
        best_cnt = _MAX_CHAIN + 1
        begin1 = begin2 = end1 = end2 = 0
        near = line1 - line2  # where b's lines were last found in a: the offset to try first
        log = VisitLog(line1)
        replayed = False
        newly_once: list[int] | None = None
        candidates = _Candidates(b, counts, line2, end_b)
        scan_from = line2
        b_ptr = candidates.next(scan_from, best_cnt)
        while b_ptr > 0:
            self.budget.spend(8)  # a visit: a few dozen Python steps
            b_next = b_ptr + 1
            line = b[b_ptr]
            rarity = counts[line]
            as_ = self._first_place(line, line1, end_a, b_ptr + near, rarity)
            while True:
                back = common_tail(a, b, as_, b_ptr, min(as_ - line1, b_ptr - line2))
                ahead = common_head(a, b, as_ + 1, b_ptr + 1, min(end_a - as_, end_b - b_ptr))
                start, stop = as_ - back, as_ + ahead
                rc = rarity if rarity == 1 else min(map(counts.__getitem__, a[start : stop + 1]))
                if b_next <= b_ptr + ahead:
                    b_next = b_ptr + ahead + 1
                if end1 - begin1 < stop - start or rc < best_cnt:
                    begin1, begin2, end1, end2, best_cnt = start, b_ptr - back, stop, b_ptr + ahead, rc
                    near = start - (b_ptr - back)
                if rarity == 1:  # no further place of this line
                    log.record(scan_from, b_ptr, (start, b_ptr - back, stop - start))
                    break
                places = self.places()[line]  # the next place of the line past the run, if in the region
                after = bisect_right(places, stop)
                if after == len(places) or places[after] > end_a:
                    log.record(scan_from, b_ptr, None)
                    break
                as_ = places[after]
            scan_from = b_next
            if best_cnt == 1 and earlier is not None and b_next <= end_b:
                if newly_once is None:
                    lines = earlier.newly_once(a, line1, counts)
                    newly_once = places_within(self.places_b(), lines, line2, end_b) if lines else []
                step = earlier.replay(b_next, line1, line2, newly_once)
                if step is not None:  # in step with the earlier scan for a stretch
                    replayed = True
                    longest = step.longest
                    if longest >= 0 and earlier.length[longest] > end1 - begin1:
                        begin1, begin2 = earlier.start_a[longest], earlier.start_b[longest]
                        end1, end2 = begin1 + earlier.length[longest], begin2 + earlier.length[longest]
                    scan_from = b_next = step.resume
            b_ptr = candidates.next(b_next, best_cnt) if b_next <= end_b else 0
        log.last_scan_from = scan_from
        passed_on = earlier if replayed and earlier is not None else log  # a log of the whole scan
        if best_cnt > _MAX_CHAIN and any(map(counts.get, b[line2 : end_b + 1])):
            return None, passed_on
        return (begin1, begin2, end1, end2), passed_on

    def places_b(self) -> dict[int, list[int]]:
        """Where each line is in b, in order."""
        if self._places_b is None:
            self._places_b = _places(self.b)
        return self._places_b

    def places(self) -> dict[int, list[int]]:
        """Where each line is in a, in order: git's chains of equal lines."""
        if self._places is None:
            self._places = _places(self.a)
        return self._places

    def _first_place(self, line: int, low: int, high: int, guess: int, rarity: int) -> int:
        """The first position of `line` in a[low:high + 1] (it is there `rarity` times)."""
        if rarity == 1 and low <= guess <= high:  # near where the last run was, if there
            try:
                return self.a.index(line, max(low, guess - _NEAR), min(high, guess + _NEAR) + 1)
            except ValueError:
                pass
        places = self.places()[line]
        return places[bisect_left(places, low)]


class _Candidates:
    """Finds the next line of b's region that occurs in a's region at most `best_cnt` times
    (git tries every line; the others it passes over unchanged)."""

    def __init__(self, b: list[int], counts: Counter[int], start: int, end: int) -> None:
        self.b, self.counts, self.end = b, counts, end
        # With few different lines in a's region, a set of the rare ones tests faster.
        self.few = len(counts) * 8 < end + 1 - start
        self.best_cnt = 0
        self.rare: Callable[[int], bool] = bool

    def next(self, start: int, best_cnt: int) -> int:
        """The first such line at or after `start`; 0 if none."""
        if best_cnt != self.best_cnt:
            self.best_cnt = best_cnt
            if self.few:
                self.rare = {
                    line for line, count in self.counts.items() if 0 < count <= best_cnt
                }.__contains__
            else:
                self.rare = range(1, best_cnt + 1).__contains__
        b, rare, end, size = self.b, self.rare, self.end, 16
        while start <= end:
            stop = min(end + 1, start + size)
            if self.few:
                tested = map(rare, b[start:stop])
            else:
                tested = map(rare, map(self.counts.get, b[start:stop], repeat(0)))
            found = next(compress(range(start, stop), tested), 0)
            if found:
                return found
            start, size = stop, size * 4
        return 0


def _places(lines: list[int]) -> dict[int, list[int]]:
    places: dict[int, list[int]] = {}
    for position, line in enumerate(lines):
        places.setdefault(line, []).append(position)
    return places


def _hash_bucket(value: int, bits: int) -> int:
    """xdiff's XDL_HASHLONG of a line's number: which chain git files the line in."""
    return (value + (value >> bits)) & ((1 << bits) - 1)


def _hash_bits(size: int) -> int:
    bits, value = 0, 1
    while value < size and bits < 32:
        value <<= 1
        bits += 1
    return bits or 1


def _check_chains(counts: Counter[int], bits: int) -> None:
    """Raise where git's table would chain 65 different lines in one bucket.

    A bucket holds at most one line number per block of 2**bits numbers, so only
    regions with numbers past 64 blocks need looking at (the caller checks that).
    """
    present = [line for line, count in counts.items() if count > 0]
    if len(present) <= _MAX_CHAIN:
        return
    if max(Counter(_hash_bucket(line, bits) for line in present).values()) > _MAX_CHAIN:
        raise TooManyCollisions
