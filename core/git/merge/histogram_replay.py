"""What one region's histogram scan can tell the regions after its run, so they need not scan again.

git's histogram diff keeps the longest rarest run of a region and diffs the part
after it as a new region, scanning its lines again; with many edits far apart
that is one region per edit, each scanning the rest of the file (C does this
fast, Python not). The part after a run ends where the region ends and has only
lost lines at its start, so once its own scan is down to lines found once (the
rarest there can be) and stands where the first scan also stood, it visits
what the first scan visited from there, with the same runs, until:

- a visit's run reached back before the new region (it would be cut short here),
  or its line was not found once in the first region (not visited here);
- the scan meets a line that is found once here but was not in the first region
  (its other places were cut off): a visit the first scan did not make.

`VisitLog` records a scan's visits; `replay` finds how far those conditions hold
(range minimums over the log) and the longest run in that stretch, the first
one when several are longest, as the new scan would keep. From there the new
scan goes on by itself, and may fall in step again later.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True)
class Replayed:
    """Visits [first, stop) of the log are the new scan's: `longest` holds its longest run (-1:
    none); the scan goes on from `resume` (past the end of b's region: it is over)."""

    longest: int
    resume: int


class VisitLog:
    """One region's scan: each visit, where the scan that found it started, and its run."""

    def __init__(self, line1: int) -> None:
        self.line1 = line1  # the recording region's first line of a
        self.found_at: list[int] = []  # the line of b visited
        self.scan_from: list[int] = []  # where the scan that found it started
        self.once: list[bool] = []  # its line was in a's region once
        self.start_a: list[int] = []  # its run (a line found once; else 0)
        self.start_b: list[int] = []
        self.length: list[int] = []  # end minus start, as git compares runs
        self.last_scan_from = 0  # the scan after the last visit found nothing from here on
        self._tables: _Tables | None = None
        self._cut_to = line1  # the lines of a before this are looked at
        self._newly_once: set[int] = set()  # lines from before `_cut_to` found once in a's region now

    def record(self, scan_from: int, found_at: int, run: tuple[int, int, int] | None) -> None:
        """A visit; `run` (start in a, start in b, length) when its line was found once."""
        self.found_at.append(found_at)
        self.scan_from.append(scan_from)
        self.once.append(run is not None)
        start_a, start_b, length = run if run is not None else (0, 0, 0)
        self.start_a.append(start_a)
        self.start_b.append(start_b)
        self.length.append(length)

    def newly_once(self, a: list[int], line1: int, counts: Counter[int]) -> set[int]:
        """The lines found once in a region after this one's run (starting at `line1`, with
        `counts`) that were found more than once here."""
        if line1 > self._cut_to:
            self._newly_once.update(line for line in set(a[self._cut_to : line1]) if counts.get(line, 0) == 1)
            self._cut_to = line1
        self._newly_once = {line for line in self._newly_once if counts.get(line, 0) == 1}
        return self._newly_once

    def replay(self, scan_from: int, line1: int, line2: int, newly_once: Sequence[int]) -> Replayed | None:
        """How far a scan at `scan_from`, down to lines found once, of a region after this one's run
        (a from `line1`, b from `line2`; `newly_once`: the b positions, in order, of its lines
        found once here and not in the recording region) goes in step with this one."""
        first = bisect_left(self.found_at, scan_from)
        count = len(self.found_at)
        start = self.scan_from[first] if first < count else self.last_scan_from
        if start > scan_from:  # inside a run the first scan passed over
            return None
        stop = count
        k = bisect_left(newly_once, scan_from)
        while k < len(newly_once):  # the first of them this scan would meet
            place = newly_once[k]
            visit = bisect_left(self.found_at, place)
            if place >= (self.scan_from[visit] if visit < count else self.last_scan_from):
                stop = visit
                break
            # inside the run of the visit before: passed over by both scans; on to the next gap
            k = bisect_left(newly_once, self.scan_from[visit] if visit < count else self.last_scan_from)
        tables = self._summary()
        stop = tables.valid_until(first, stop, line1, line2)
        if stop == first:
            return None
        resume = self.scan_from[stop] if stop < count else self.last_scan_from
        return Replayed(tables.longest(first, stop), resume)

    def _summary(self) -> _Tables:
        if self._tables is None:
            self._tables = _Tables(self)
        return self._tables


class _Tables:
    """Range minimums and first-longest runs over a log's visits, each in constant time
    (sparse tables: the minimum of every power-of-two stretch, built with C-speed maps)."""

    def __init__(self, log: VisitLog) -> None:
        count = len(log.length)
        self.count = count
        self.not_once = [0, *accumulate(not once for once in log.once)]
        self.low_a = _sparse(log.start_a, min)
        self.low_b = _sparse(log.start_b, min)
        # The longest run first, then the earliest visit: one number to take the maximum of.
        self.best = _sparse([length * (count + 1) + count - k for k, length in enumerate(log.length)], max)

    def _valid(self, first: int, stop: int, line1: int, line2: int) -> bool:
        return (
            self.not_once[stop] == self.not_once[first]
            and _query(self.low_a, first, stop, min) >= line1
            and _query(self.low_b, first, stop, min) >= line2
        )

    def valid_until(self, first: int, stop: int, line1: int, line2: int) -> int:
        """The end of the longest stretch from `first` (up to `stop`) whose visits would be the same."""
        if first >= stop or self._valid(first, stop, line1, line2):
            return stop
        low, high = first, stop - 1  # [first, low) holds, [first, high + 1) does not
        while low < high:
            middle = (low + high + 1) // 2
            if self._valid(first, middle, line1, line2):
                low = middle
            else:
                high = middle - 1
        return low

    def longest(self, first: int, stop: int) -> int:
        """The first visit with the longest run in [first, stop) (-1: none)."""
        if first >= stop:
            return -1
        return self.count - _query(self.best, first, stop, max) % (self.count + 1)


def _sparse(values: list[int], pick: Callable[[int, int], int]) -> list[list[int]]:
    levels = [values]
    width = 1
    while 2 * width <= len(values):
        below = levels[-1]
        levels.append(list(map(pick, below[:-width], below[width:])))
        width *= 2
    return levels


def _query(levels: list[list[int]], first: int, stop: int, pick: Callable[[int, int], int]) -> int:
    """`pick` over values[first:stop] (not empty): two overlapping power-of-two windows."""
    level = (stop - first).bit_length() - 1
    return pick(levels[level][first], levels[level][stop - (1 << level)])


def places_within(places: dict[int, list[int]], lines: set[int], low: int, high: int) -> list[int]:
    """The positions in [low, high] of `lines`, in order."""
    found: list[int] = []
    for line in lines:
        positions = places.get(line, [])
        found.extend(positions[bisect_left(positions, low) : bisect_right(positions, high)])
    found.sort()
    return found
