"""Line diff for merging: the hunks git's xdiff finds, with git's algorithms and git's tie-breaks.

A three-way merge is clean or not depending on exactly which lines each side's
diff marks changed and where ambiguous runs sit, so "a shortest edit script" is
not enough (two equally short scripts can put an inserted blank line on either
side of an existing one, and only one of them touches the other side's change).
The pipeline is xdiff's (git 2.39): lines split at `\\n` only (a `\\r` is part of the
line), numbered so that equal lines get equal numbers in order of first
appearance (old side first), the changed lines found by `myers_changes` (git's
default diff, `git merge-file`) or `histogram_changes` (what git's merges use),
the runs slid by `compact` on each side, then paired into hunks.

difflib (what dulwich's merge3 runs on) is no substitute: with its "autojunk"
heuristic it leaves frequent lines (blank lines, braces) out of the alignment,
and without it a 10,000-line file took 52 s to merge.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import count
from typing import Literal

from core.git.merge.diff_budget import Budget, TooCostly
from core.git.merge.diff_compaction import Hunk, compact, hunks
from core.git.merge.histogram_diff import TooManyCollisions, histogram_changes
from core.git.merge.myers_diff import myers_changes

Algorithm = Literal["myers", "minimal", "histogram"]

__all__ = ["Algorithm", "Hunk", "LineNumbers", "TooCostly", "TooManyCollisions", "diff_hunks", "split_lines"]


def split_lines(data: bytes) -> list[bytes]:
    """Lines as git's xdiff cuts them: each ends with its `\\n`, the last one may have none."""
    return io.BytesIO(data).readlines()


def diff_hunks(a: Sequence[bytes], b: Sequence[bytes], algorithm: Algorithm = "myers") -> list[Hunk]:
    """The changes from `a` to `b` as git's diff with `algorithm` reports them, in order.

    Two hunks never touch (an unchanged line lies between any two). Raises
    `TooManyCollisions` where git's histogram diff fails, `TooCostly` past the
    work bound of `diff_budget`.
    """
    return LineNumbers(a).diff(b, algorithm)


class LineNumbers:
    """The lines of an old side numbered as git's classifier numbers them (equal lines, equal
    numbers, in order of first appearance), ready to be diffed against several new sides."""

    def __init__(self, old: Sequence[bytes]) -> None:
        self.numbers = {line: k for k, line in enumerate(dict.fromkeys(old))}
        self.old = list(map(self.numbers.__getitem__, old))

    def diff(self, new: Sequence[bytes], algorithm: Algorithm) -> list[Hunk]:
        """The changes from the old side to `new` (see `diff_hunks`)."""
        numbers = self.numbers
        unseen = [line for line in dict.fromkeys(new) if line not in numbers]
        if unseen:
            numbers = {**numbers, **dict(zip(unseen, count(len(numbers))))}
        return _diff_numbered(self.old, list(map(numbers.__getitem__, new)), algorithm)


def _diff_numbered(ids_a: list[int], ids_b: list[int], algorithm: Algorithm) -> list[Hunk]:
    if algorithm == "histogram":
        changed_a, changed_b = histogram_changes(ids_a, ids_b, Budget())
    else:
        changed_a, changed_b = myers_changes(ids_a, ids_b, algorithm == "minimal", Budget())
    compact(changed_a, changed_b, ids_a)
    compact(changed_b, changed_a, ids_b)
    return hunks(changed_a, changed_b)
