"""Where a diff's changes sit when they could sit elsewhere, decided as git does.

An inserted or deleted run next to an identical line can slide: `b` inserted
after `a` in `a b` is also `b` inserted before it. Diff algorithms leave such
runs wherever their search ended; git then moves every run (xdiff's
`xdl_change_compact`, xdiff/xdiffi.c): as far down as it goes, merging with the
runs it meets, unless some position lines it up with a change on the other side,
in which case to the last such position. A merge's clean-or-conflict decision
depends on where the runs sit, so merging like git needs this step exactly
(without the indent heuristic: git's merges do not turn it on).

A file's changes are one byte per line, 1 where the line changed, plus a 0 after
the last line; that 0 also serves as the byte before the first (index -1).
"""

from __future__ import annotations

from collections.abc import Sequence

Hunk = tuple[int, int, int, int]  # a[i1:i2] became b[j1:j2]


def compact(changed: bytearray, other: bytearray, lines: Sequence[int]) -> None:
    """Slide the runs of `changed` (the lines `lines`) as git does; `other` is the other side's."""
    n, n_other = len(lines), len(other) - 1
    start = end = 0
    while changed[end]:
        end += 1
    ostart = oend = 0
    while other[oend]:
        oend += 1
    while True:
        if end != start:
            start, end, ostart, oend = _compact_group(changed, other, lines, start, end, ostart, oend)
        if end == n:
            return
        nxt = changed.find(1, end + 1)
        if nxt < 0:
            return
        # Step over the unchanged lines up to the next run, here and on the other side.
        steps = nxt - end
        start = nxt
        end = changed.find(0, nxt)
        ostart, oend = _skip_groups(other, n_other, oend, steps)


def _skip_groups(other: bytearray, n_other: int, oend: int, steps: int) -> tuple[int, int]:
    """The other side's group `steps` groups after the one ending at `oend` (`group_next` repeated)."""
    while True:
        run = other.find(1, oend + 1)
        if run < 0 or steps < run - oend:
            start = oend + steps
            return start, start
        steps -= run - oend
        oend = other.find(0, run)
        if steps == 0:
            return run, oend


def _compact_group(
    changed: bytearray, other: bytearray, lines: Sequence[int], start: int, end: int, ostart: int, oend: int
) -> tuple[int, int, int, int]:
    n = len(lines)
    while True:
        size = end - start
        matching_end = -1
        while start > 0 and lines[start - 1] == lines[end - 1]:  # slide up
            start, end = _up(changed, start, end)
            ostart, oend = _previous(other, ostart)
        earliest_end = end
        if oend > ostart:
            matching_end = end
        while end < n and lines[start] == lines[end]:  # slide down
            changed[start] = 0
            changed[end] = 1
            start, end = start + 1, end + 1
            while changed[end]:
                end += 1
            ostart = oend + 1
            oend = other.find(0, ostart)
            if oend > ostart:
                matching_end = end
        if size == end - start:
            break
    if end != earliest_end and matching_end != -1:
        while oend == ostart:  # back up to the last place lined up with the other side's change
            start, end = _up(changed, start, end)
            ostart, oend = _previous(other, ostart)
    return start, end, ostart, oend


def _up(changed: bytearray, start: int, end: int) -> tuple[int, int]:
    start -= 1
    end -= 1
    changed[start] = 1
    changed[end] = 0
    while changed[start - 1]:  # at 0, index -1 reads the trailing 0
        start -= 1
    return start, end


def _previous(other: bytearray, ostart: int) -> tuple[int, int]:
    oend = ostart - 1
    ostart = oend
    while other[ostart - 1]:
        ostart -= 1
    return ostart, oend


def hunks(changed_a: bytearray, changed_b: bytearray) -> list[Hunk]:
    """The runs of changed lines, paired across the sides by the unchanged lines between them."""
    out: list[Hunk] = []
    i = j = 0
    while True:
        next_a, next_b = changed_a.find(1, i), changed_b.find(1, j)
        if next_a < 0 and next_b < 0:
            return out
        gap_a = next_a - i if next_a >= 0 else len(changed_a)
        gap_b = next_b - j if next_b >= 0 else len(changed_b)
        gap = min(gap_a, gap_b)
        i, j = i + gap, j + gap
        end_a, end_b = changed_a.find(0, i), changed_b.find(0, j)
        out.append((i, end_a, j, end_b))
        i, j = end_a, end_b
