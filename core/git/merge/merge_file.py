"""Three-way merge of one file's content, clean or conflicted exactly where git's is.

Both sides are diffed against the base (`line_diff`, with git's algorithms and
tie-breaks) and the two lists of changes are merged as git's xdiff merges them
(xdiff/xmerge.c, git 2.39):

- a change of one side that neither touches nor overlaps a change of the other
  is taken; changes that touch (no unchanged base line between them) or overlap
  are one conflict, unless both sides made the very same change;
- "zealous" refinement: the two sides' texts of a conflict are diffed against each
  other, lines they agree on leave the conflict (a conflict whose sides are equal
  is resolved), and conflicts fewer than 4 lines apart are joined (`git
  merge-file` also joins those separated only by lines without a letter or digit);
- markers as git writes them, `\\r\\n` where the surrounding lines end so, with
  `diff3` and `zdiff3` styles.

`GIT_MERGE` is what `git merge`, `rebase` and `merge-tree` do (merge-ort diffs
with the histogram algorithm); `GIT_MERGE_FILE` what `git merge-file` does
(Myers). Up to 2.39 merge-ort ignores `diff.algorithm`; from 2.50 it honours it.

Not taken from `dulwich.merge.merge_blobs` (merge3 on difflib): it detects a
conflict by searching the result for `<<<<<<< ours` (a file that contains
that text never merges cleanly), line-merges binary files, and difflib's
alignment is slow or poor on large files. Binary content follows git: a NUL
byte in the first 8,000 bytes, changed on both sides, is a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from core.git.merge.line_diff import (
    Algorithm,
    LineNumbers,
    TooCostly,
    TooManyCollisions,
    diff_hunks,
    split_lines,
)

_BINARY_PROBE = 8000

# How hard conflicts are refined (xdiff's XDL_MERGE_* levels).
MINIMAL: Final = 0  # every overlapping change conflicts
EAGER: Final = 1  # ... unless both sides made the same change
ZEALOUS: Final = 2  # ... and lines the two sides agree on leave the conflict
ZEALOUS_ALNUM: Final = 3  # ... and conflicts separated only by lines without letters or digits join

Style = Literal["merge", "diff3", "zdiff3"]
_ALNUM = re.compile(rb"[A-Za-z0-9]")


@dataclass(frozen=True)
class MergeOptions:
    algorithm: Algorithm = "histogram"
    level: int = ZEALOUS
    style: Style = "merge"  # merge.conflictStyle
    labels: tuple[bytes | None, bytes | None, bytes | None] = (b"ours", b"base", b"theirs")
    marker_size: int = 7


GIT_MERGE: Final = MergeOptions()
GIT_MERGE_FILE: Final = MergeOptions(algorithm="myers", level=ZEALOUS_ALNUM)


@dataclass(frozen=True)
class FileMerge:
    content: bytes  # with conflict markers where `conflict` is true
    conflict: bool


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_PROBE]


def merge_file(
    base: bytes | None, ours: bytes, theirs: bytes, options: MergeOptions = GIT_MERGE
) -> FileMerge:
    """Merge `ours` and `theirs`, both changed from `base` (None: added on both sides)."""
    if ours == theirs:
        return FileMerge(ours, False)
    if base is not None and base == ours:
        return FileMerge(theirs, False)
    if base is not None and base == theirs:
        return FileMerge(ours, False)
    if any(is_binary(side) for side in (base or b"", ours, theirs)):
        return FileMerge(ours, True)
    try:
        return _Merge(split_lines(base or b""), split_lines(ours), split_lines(theirs), options).run()
    except (TooManyCollisions, TooCostly):  # git's merge fails here, or would take too long here
        return FileMerge(ours, True)


@dataclass(slots=True)
class _Region:
    """xdiff's `xdmerge_t`: base lines [i0, i0+chg0), ours [i1, i1+chg1), theirs [i2, i2+chg2)."""

    mode: int  # 0 conflict, 1 take ours, 2 take theirs, 4 both sides the same
    i0: int
    chg0: int
    i1: int
    chg1: int
    i2: int
    chg2: int


_Change = tuple[int, int, int, int]  # base start, base count, side start, side count


class _Merge:
    def __init__(
        self, base: list[bytes], ours: list[bytes], theirs: list[bytes], options: MergeOptions
    ) -> None:
        self.base, self.ours, self.theirs, self.options = base, ours, theirs, options
        self.regions: list[_Region] = []

    def run(self) -> FileMerge:
        algorithm = self.options.algorithm
        base = LineNumbers(self.base)
        mine = [(i1, i2 - i1, j1, j2 - j1) for i1, i2, j1, j2 in base.diff(self.ours, algorithm)]
        if not mine:
            return FileMerge(b"".join(self.theirs), False)
        other = [(i1, i2 - i1, j1, j2 - j1) for i1, i2, j1, j2 in base.diff(self.theirs, algorithm)]
        if not other:
            return FileMerge(b"".join(self.ours), False)
        style, level = self.options.style, self.options.level
        if style != "merge":
            level = min(level, EAGER)  # diff3 output shows the base: nothing to refine against it
        self._collect(mine, other, level)
        if style == "zdiff3":
            self._trim_conflicts()
        elif level >= ZEALOUS:
            self._refine_conflicts()
            self._join_close_conflicts(alnum=level > ZEALOUS)
        content = self._output()
        return FileMerge(content, any(region.mode == 0 for region in self.regions))

    def _append(self, mode: int, i0: int, chg0: int, i1: int, chg1: int, i2: int, chg2: int) -> None:
        last = self.regions[-1] if self.regions else None
        if last is not None and (i1 <= last.i1 + last.chg1 or i2 <= last.i2 + last.chg2):
            if mode != last.mode:
                last.mode = 0
            last.chg0 = i0 + chg0 - last.i0
            last.chg1 = i1 + chg1 - last.i1
            last.chg2 = i2 + chg2 - last.i2
        else:
            self.regions.append(_Region(mode, i0, chg0, i1, chg1, i2, chg2))

    def _collect(self, mine: list[_Change], other: list[_Change], level: int) -> None:
        """Walk both sides' changes in base order: taken, identical, or in conflict."""
        x = y = 0
        while x < len(mine) and y < len(other):
            b1, n1, s1, m1 = mine[x]
            b2, n2, s2, m2 = other[y]
            if b1 + n1 < b2:
                self._append(1, b1, n1, s1, m1, s2 - b2 + b1, n1)
                x += 1
                continue
            if b2 + n2 < b1:
                self._append(2, b2, n2, s1 - b1 + b2, n2, s2, m2)
                y += 1
                continue
            if (
                level == MINIMAL
                or (b1, n1, m1) != (b2, n2, m2)
                or self.ours[s1 : s1 + m1] != self.theirs[s2 : s2 + m2]
            ):
                off = b1 - b2
                ffo = off + n1 - n2
                i0, i1, i2 = b1, s1, s2
                if off > 0:
                    i0 -= off
                    i1 -= off
                else:
                    i2 += off
                chg0, chg1, chg2 = b1 + n1 - i0, s1 + m1 - i1, s2 + m2 - i2
                if ffo < 0:
                    chg0 -= ffo
                    chg1 -= ffo
                else:
                    chg2 += ffo
                self._append(0, i0, chg0, i1, chg1, i2, chg2)
            end1, end2 = b1 + n1, b2 + n2
            if end1 >= end2:
                y += 1
            if end2 >= end1:
                x += 1
        shift = len(self.theirs) - len(self.base)
        for b1, n1, s1, m1 in mine[x:]:
            self._append(1, b1, n1, s1, m1, b1 + shift, n1)
        shift = len(self.ours) - len(self.base)
        for b2, n2, s2, m2 in other[y:]:
            self._append(2, b2, n2, b2 + shift, n2, s2, m2)

    def _refine_conflicts(self) -> None:
        """Diff the two sides of each conflict: only the lines that differ stay in conflict."""
        refined: list[_Region] = []
        for region in self.regions:
            if region.mode != 0 or region.chg1 == 0 or region.chg2 == 0:
                refined.append(region)
                continue
            ours = self.ours[region.i1 : region.i1 + region.chg1]
            theirs = self.theirs[region.i2 : region.i2 + region.chg2]
            parts = diff_hunks(ours, theirs, self.options.algorithm)
            if not parts:
                region.mode = 4
                refined.append(region)
                continue
            for a1, a2, b1, b2 in parts:
                refined.append(
                    _Region(0, region.i0, region.chg0, region.i1 + a1, a2 - a1, region.i2 + b1, b2 - b1)
                )
        self.regions = refined

    def _trim_conflicts(self) -> None:
        """zdiff3: lines equal at both ends of a conflict's two sides leave it."""
        for region in self.regions:
            if region.mode != 0:
                continue
            while region.chg1 and region.chg2 and self.ours[region.i1] == self.theirs[region.i2]:
                region.chg1 -= 1
                region.chg2 -= 1
                region.i1 += 1
                region.i2 += 1
            while (
                region.chg1
                and region.chg2
                and self.ours[region.i1 + region.chg1 - 1] == self.theirs[region.i2 + region.chg2 - 1]
            ):
                region.chg1 -= 1
                region.chg2 -= 1

    def _join_close_conflicts(self, alnum: bool) -> None:
        """Conflicts fewer than 4 lines apart (or, with `alnum`, apart by lines without a letter
        or digit) become one: it reads better than a few lines between two sets of markers."""
        joined: list[_Region] = []
        for region in self.regions:
            last = joined[-1] if joined else None
            if last is not None and last.mode == 0 and region.mode == 0:
                begin, end = last.i1 + last.chg1, region.i1
                if end - begin <= 3 or (
                    alnum and not any(_ALNUM.search(line) for line in self.ours[begin:end])
                ):
                    last.chg1 = region.i1 + region.chg1 - last.i1
                    last.chg2 = region.i2 + region.chg2 - last.i2
                    continue
            joined.append(region)
        self.regions = joined

    def _output(self) -> bytes:
        out: list[bytes] = []
        at = 0  # lines of ours before this are written
        for region in self.regions:
            if region.mode == 0:
                out.extend(self.ours[at : region.i1])
                self._conflict(region, out)
            elif region.mode & 3:
                out.extend(self.ours[at : region.i1])
                if region.mode & 1:
                    out.extend(self.ours[region.i1 : region.i1 + region.chg1])
                if region.mode & 2:
                    out.extend(self.theirs[region.i2 : region.i2 + region.chg2])
            else:
                continue
            at = region.i1 + region.chg1
        out.extend(self.ours[at:])
        return b"".join(out)

    def _conflict(self, region: _Region, out: list[bytes]) -> None:
        ours_label, base_label, theirs_label = self.options.labels
        size = self.options.marker_size if self.options.marker_size > 0 else 7
        eol = b"\r\n" if self._crlf(region) else b"\n"
        out.append(_marker(b"<", size, ours_label, eol))
        out.extend(_ended(self.ours[region.i1 : region.i1 + region.chg1], eol))
        if self.options.style != "merge":
            out.append(_marker(b"|", size, base_label, eol))
            out.extend(_ended(self.base[region.i0 : region.i0 + region.chg0], eol))
        out.append(_marker(b"=", size, None, eol))
        out.extend(_ended(self.theirs[region.i2 : region.i2 + region.chg2], eol))
        out.append(_marker(b">", size, theirs_label, eol))

    def _crlf(self, region: _Region) -> bool:
        """Markers end in CRLF when the lines before the conflict on both sides (and the base's
        first line, when that decides) do."""
        crlf = _ends_crlf(self.ours, region.i1 - 1 if region.i1 else 0)
        if crlf:
            crlf = _ends_crlf(self.theirs, region.i2 - 1 if region.i2 else 0)
        if crlf:
            crlf = _ends_crlf(self.base, 0)
        return crlf > 0


def _ends_crlf(lines: Sequence[bytes], i: int) -> int:
    """1 if line `i` ends in CRLF (the last line without an end: the one before it), 0 if in LF
    only, -1 when nothing tells."""
    if i < len(lines) - 1:
        return int(lines[i].endswith(b"\r\n"))
    if not lines:
        return -1
    if lines[i].endswith(b"\n"):
        return int(lines[i].endswith(b"\r\n"))
    if i == 0:
        return -1
    return int(lines[i - 1].endswith(b"\r\n"))


def _marker(char: bytes, size: int, label: bytes | None, eol: bytes) -> bytes:
    return char * size + (b" " + label if label is not None else b"") + eol


def _ended(lines: Sequence[bytes], eol: bytes) -> list[bytes]:
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + eol]
    return list(lines)
