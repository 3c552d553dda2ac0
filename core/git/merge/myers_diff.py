"""Which lines changed between two sequences, as git's default diff (xdiff's Myers) finds them.

Not a textbook shortest edit script: git's merges agree with git only if the same
lines count as changed, and xdiff's choice among equally short scripts, and its
shortcuts on long ones, decide that. So, as in git (read from xdiff/xprepare.c and
xdiff/xdiffi.c, version 2.39):

- the common head and tail are set aside first;
- a line that never occurs in the other sequence is changed without search, and a
  line that occurs there very often (at least about the square root of the
  length) is too when it sits in a run of such lines; the search runs on the rest;
- the search is divide and conquer on the middle snake, forward and backward,
  and gives up on a shortest script where git does: past a cost of about the
  square root of the length (at least 256), or after 256 steps when a diagonal has
  gone 20 lines along one side.

Lines are compared by number (`classify` in `line_diff`): equal lines, equal numbers.
The result is one byte per line, 1 where it changed, with a 0 after the last (the
compaction reads one past either end).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, compress, repeat
from typing import Final

from core.git.merge.diff_budget import Budget

_MAX_EQLIMIT: Final = 1024  # a line this frequent is "frequent" whatever the length
_SIMSCAN_WINDOW: Final = 100
_KPDIS_RUN: Final = 4
_MAX_COST_MIN: Final = 256
_HEUR_MIN_COST: Final = 256
_SNAKE_CNT: Final = 20
_K_HEUR: Final = 4
_LINE_MAX: Final = 1 << 62
# A line's kind: 0 absent from the other side, 1 found there, 2 frequent there.
_ABSENT: Final = re.compile(rb"\x00+")
_FREQUENT: Final = re.compile(rb"\x02+")
_FREQUENT_KEPT: Final = bytes([0, 1, 1]) + bytes(253)
_FLIP: Final = bytes([1, 0]) + bytes(254)


def bogosqrt(n: int) -> int:
    """xdiff's square root estimate: a power of two, between the root and twice it."""
    root = 1
    while n > 0:
        n >>= 2
        root <<= 1
    return root


def myers_changes(
    a: Sequence[int], b: Sequence[int], minimal: bool = False, budget: Budget | None = None
) -> tuple[bytearray, bytearray]:
    """The changed lines of `a` and of `b` (1 per changed line, one trailing 0).

    Raises `TooCostly` when the search outruns `budget`."""
    n1, n2 = len(a), len(b)
    changed_a, changed_b = bytearray(n1 + 1), bytearray(n2 + 1)
    head = common_head(a, b, 0, 0, min(n1, n2))
    tail = common_tail(a, b, n1, n2, min(n1, n2) - head)
    counts_a, counts_b = Counter(a), Counter(b)
    kept_a = _kept(a, head, n1 - tail, counts_b, n1, changed_a)
    kept_b = _kept(b, head, n2 - tail, counts_a, n2, changed_b)
    _Search(a, b, kept_a, kept_b, changed_a, changed_b, budget or Budget()).run(minimal)
    return changed_a, changed_b


def common_head(a: Sequence[int], b: Sequence[int], i: int, j: int, limit: int) -> int:
    """How many lines from a[i] and b[j] on are equal (at most `limit`)."""
    if limit <= 0 or a[i] != b[j]:
        return 0
    done, step = 1, 8
    while done < limit:  # compare in growing slices, then halving ones: long runs at C speed
        step = min(step, limit - done)
        if a[i + done : i + done + step] != b[j + done : j + done + step]:
            break
        done += step
        step *= 2
    else:
        return done
    while step > 1:  # the first difference lies within the next `step` lines
        half = step // 2
        if a[i + done : i + done + half] == b[j + done : j + done + half]:
            done += half
            step -= half
        else:
            step = half
    return done


def common_tail(a: Sequence[int], b: Sequence[int], i: int, j: int, limit: int) -> int:
    """How many lines before a[i] and b[j] are equal (at most `limit`)."""
    if limit <= 0 or a[i - 1] != b[j - 1]:
        return 0
    done, step = 1, 8
    while done < limit:
        step = min(step, limit - done)
        if a[i - done - step : i - done] != b[j - done - step : j - done]:
            break
        done += step
        step *= 2
    else:
        return done
    while step > 1:
        half = step // 2
        if a[i - done - half : i - done] == b[j - done - half : j - done]:
            done += half
            step -= half
        else:
            step = half
    return done


def _kept(
    lines: Sequence[int], start: int, end: int, other_counts: Counter[int], total: int, changed: bytearray
) -> list[int]:
    """The positions in `lines[start:end]` the search runs on; the others are marked changed.

    A line absent from the other side is changed; one that occurs there at least
    `limit` times is changed when the lines around it are mostly such lines
    (xdiff's `xdl_cleanup_records`).
    """
    limit = min(bogosqrt(total), _MAX_EQLIMIT)
    counts = map(other_counts.get, lines[start:end], repeat(0))
    kinds = bytes([0 if c == 0 else 2 if c >= limit else 1 for c in counts])
    keep = bytearray(kinds.translate(_FREQUENT_KEPT))
    done = 0
    for absent in _ABSENT.finditer(kinds):  # only frequent lines near absent ones need a look
        if absent.start() < done:
            continue
        low = kinds.rfind(1, 0, absent.start()) + 1
        done = kinds.find(1, absent.end())
        done = len(kinds) if done < 0 else done
        _discard_frequent(kinds, low, done, keep)
    changed[start:end] = keep.translate(_FLIP)
    return list(compress(range(start, end), keep))


def _discard_frequent(kinds: bytes, low: int, high: int, keep: bytearray) -> None:
    """In the run `kinds[low:high]` of absent and frequent lines, unkeep the frequent lines that
    have absent lines on both sides and, within 100 lines each way, a quarter or less
    frequent ones (xdiff's `xdl_clean_mmatch`)."""
    absent = [0, *accumulate(kinds[low:high].translate(_FLIP))]  # absent lines before each one
    for frequent in _FREQUENT.finditer(kinds, low, high):
        for i in range(*frequent.span()):
            k = i - low
            first = max(0, k - _SIMSCAN_WINDOW)
            absent_before = absent[k] - absent[first]
            if absent_before == 0:
                continue
            stop = min(high - low, k + 1 + _SIMSCAN_WINDOW)
            absent_after = absent[stop] - absent[k + 1]
            if absent_after == 0:
                continue
            frequent_near = 2 + (k - first - absent_before) + (stop - k - 1 - absent_after)
            if frequent_near * _KPDIS_RUN < frequent_near + absent_before + absent_after:
                keep[i] = 0


class _Search:
    """xdiff's `xdl_recs_cmp` and `xdl_split` over the kept lines."""

    def __init__(
        self,
        a: Sequence[int],
        b: Sequence[int],
        kept_a: list[int],
        kept_b: list[int],
        changed_a: bytearray,
        changed_b: bytearray,
        budget: Budget,
    ) -> None:
        self.budget = budget
        self.ha1 = list(map(a.__getitem__, kept_a))
        self.ha2 = list(map(b.__getitem__, kept_b))
        self.kept_a, self.kept_b = kept_a, kept_b
        self.changed_a, self.changed_b = changed_a, changed_b
        diagonals = len(kept_a) + len(kept_b) + 3
        self.shift = len(kept_b) + 1  # diagonal d lives at index d + shift
        self.forward = [0] * diagonals
        self.backward = [0] * diagonals
        self.max_cost = max(bogosqrt(diagonals), _MAX_COST_MIN)

    def run(self, minimal: bool) -> None:
        ha1, ha2 = self.ha1, self.ha2
        boxes = [(0, len(ha1), 0, len(ha2), minimal)]
        while boxes:
            off1, lim1, off2, lim2, need_min = boxes.pop()
            same = common_head(ha1, ha2, off1, off2, min(lim1 - off1, lim2 - off2))
            off1, off2 = off1 + same, off2 + same
            same = common_tail(ha1, ha2, lim1, lim2, min(lim1 - off1, lim2 - off2))
            lim1, lim2 = lim1 - same, lim2 - same
            if off1 == lim1:
                for k in range(off2, lim2):
                    self.changed_b[self.kept_b[k]] = 1
            elif off2 == lim2:
                for k in range(off1, lim1):
                    self.changed_a[self.kept_a[k]] = 1
            else:
                i1, i2, min_lo, min_hi = self._split(off1, lim1, off2, lim2, need_min)
                boxes.append((i1, lim1, i2, lim2, min_hi))
                boxes.append((off1, i1, off2, i2, min_lo))

    def _split(
        self, off1: int, lim1: int, off2: int, lim2: int, need_min: bool
    ) -> tuple[int, int, bool, bool]:
        """Where to cut the box: the middle snake, or a good-enough point past the cost limits."""
        ha1, ha2, kvdf, kvdb, s = self.ha1, self.ha2, self.forward, self.backward, self.shift
        dmin, dmax = off1 - lim2, lim1 - off2
        fmid, bmid = off1 - off2, lim1 - lim2
        odd = (fmid - bmid) & 1
        fmin = fmax = fmid
        bmin = bmax = bmid
        kvdf[fmid + s] = off1
        kvdb[bmid + s] = lim1
        ec = 0
        spend = self.budget.spend
        while True:
            ec += 1
            spend(fmax - fmin + bmax - bmin + 2)
            got_snake = False
            if fmin > dmin:
                fmin -= 1
                kvdf[fmin - 1 + s] = -1
            else:
                fmin += 1
            if fmax < dmax:
                fmax += 1
                kvdf[fmax + 1 + s] = -1
            else:
                fmax -= 1
            for d in range(fmax, fmin - 1, -2):
                left, right = kvdf[d - 1 + s], kvdf[d + 1 + s]
                i1 = left + 1 if left >= right else right
                i2 = i1 - d
                if i1 < lim1 and i2 < lim2 and ha1[i1] == ha2[i2]:
                    run = common_head(ha1, ha2, i1, i2, min(lim1 - i1, lim2 - i2))
                    i1, i2 = i1 + run, i2 + run
                    if run > _SNAKE_CNT:
                        got_snake = True
                kvdf[d + s] = i1
                if odd and bmin <= d <= bmax and kvdb[d + s] <= i1:
                    return i1, i2, True, True
            if bmin > dmin:
                bmin -= 1
                kvdb[bmin - 1 + s] = _LINE_MAX
            else:
                bmin += 1
            if bmax < dmax:
                bmax += 1
                kvdb[bmax + 1 + s] = _LINE_MAX
            else:
                bmax -= 1
            for d in range(bmax, bmin - 1, -2):
                left, right = kvdb[d - 1 + s], kvdb[d + 1 + s]
                i1 = left if left < right else right - 1
                i2 = i1 - d
                if i1 > off1 and i2 > off2 and ha1[i1 - 1] == ha2[i2 - 1]:
                    run = common_tail(ha1, ha2, i1, i2, min(i1 - off1, i2 - off2))
                    i1, i2 = i1 - run, i2 - run
                    if run > _SNAKE_CNT:
                        got_snake = True
                kvdb[d + s] = i1
                if not odd and fmin <= d <= fmax and i1 <= kvdf[d + s]:
                    return i1, i2, True, True
            if need_min:
                continue
            if got_snake and ec > _HEUR_MIN_COST:
                cut = self._good_forward(off1, lim1, off2, lim2, fmin, fmax, fmid, ec)
                if cut is not None:
                    return cut[0], cut[1], True, False
                cut = self._good_backward(off1, lim1, off2, lim2, bmin, bmax, bmid, ec)
                if cut is not None:
                    return cut[0], cut[1], False, True
            if ec >= self.max_cost:
                return self._furthest(off1, lim1, off2, lim2, fmin, fmax, bmin, bmax)

    def _good_forward(
        self, off1: int, lim1: int, off2: int, lim2: int, fmin: int, fmax: int, fmid: int, ec: int
    ) -> tuple[int, int] | None:
        """A forward diagonal far along, near the middle, ending in a snake of 20 lines."""
        ha1, ha2, kvdf, s = self.ha1, self.ha2, self.forward, self.shift
        best, cut = 0, None
        for d in range(fmax, fmin - 1, -2):
            dd = d - fmid if d > fmid else fmid - d
            i1 = kvdf[d + s]
            i2 = i1 - d
            v = (i1 - off1) + (i2 - off2) - dd
            if (
                v > _K_HEUR * ec
                and v > best
                and off1 + _SNAKE_CNT <= i1 < lim1
                and off2 + _SNAKE_CNT <= i2 < lim2
                and ha1[i1 - _SNAKE_CNT : i1] == ha2[i2 - _SNAKE_CNT : i2]
            ):
                best, cut = v, (i1, i2)
        return cut

    def _good_backward(
        self, off1: int, lim1: int, off2: int, lim2: int, bmin: int, bmax: int, bmid: int, ec: int
    ) -> tuple[int, int] | None:
        ha1, ha2, kvdb, s = self.ha1, self.ha2, self.backward, self.shift
        best, cut = 0, None
        for d in range(bmax, bmin - 1, -2):
            dd = d - bmid if d > bmid else bmid - d
            i1 = kvdb[d + s]
            i2 = i1 - d
            v = (lim1 - i1) + (lim2 - i2) - dd
            if (
                v > _K_HEUR * ec
                and v > best
                and off1 < i1 <= lim1 - _SNAKE_CNT
                and off2 < i2 <= lim2 - _SNAKE_CNT
                and ha1[i1 : i1 + _SNAKE_CNT] == ha2[i2 : i2 + _SNAKE_CNT]
            ):
                best, cut = v, (i1, i2)
        return cut

    def _furthest(
        self, off1: int, lim1: int, off2: int, lim2: int, fmin: int, fmax: int, bmin: int, bmax: int
    ) -> tuple[int, int, bool, bool]:
        """Past the cost limit: the furthest point either search reached."""
        kvdf, kvdb, s = self.forward, self.backward, self.shift
        fbest = fbest1 = -1
        for d in range(fmax, fmin - 1, -2):
            i1 = min(kvdf[d + s], lim1)
            i2 = i1 - d
            if lim2 < i2:
                i1, i2 = lim2 + d, lim2
            if fbest < i1 + i2:
                fbest, fbest1 = i1 + i2, i1
        bbest = bbest1 = _LINE_MAX
        for d in range(bmax, bmin - 1, -2):
            i1 = max(off1, kvdb[d + s])
            i2 = i1 - d
            if i2 < off2:
                i1, i2 = off2 + d, off2
            if i1 + i2 < bbest:
                bbest, bbest1 = i1 + i2, i1
        if (lim1 + lim2) - bbest < fbest - (off1 + off2):
            return fbest1, fbest - fbest1, True, False
        return bbest1, bbest - bbest1, False, True
