"""Three-way merge of one file's content, deciding conflicts the way git's text merge does.

The line merge is dulwich's `make_merge3` (the `merge3` package). Unlike
`dulwich.merge.merge_blobs`, a conflict is read from merge3's groups, never by
searching the result for `<<<<<<<` (a file that merely contains that text is
not a conflict), binary content is never line-merged (git's rule: a NUL byte
in the first 8,000 bytes; changed on both sides means a conflict), and the
line matcher runs without difflib's "autojunk" heuristic, which on files of
200 lines or more drops frequent lines (blank lines, braces) from the
alignment and makes it poorer than git's.

Git's rule is that changes from the two sides conflict unless at least one
base line unchanged on both sides lies between them. Where a change could
slide (an inserted or deleted run next to an identical line: `a` inserted
beside an `a`), git's diff and difflib may put it at different ends of its
slide, so one finds the changes adjacent and the other does not. To never
call clean what git calls a conflict, a change counts here as covering every
place it could slide to.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dulwich.merge import make_merge3

_BINARY_PROBE = 8000


@dataclass(frozen=True)
class FileMerge:
    content: bytes  # with conflict markers where `conflict` is true
    conflict: bool


class _LineMatcher:
    """difflib's matcher without autojunk, in the shape merge3 asks for."""

    def __init__(
        self,
        isjunk: Callable[[bytes], bool] | None = None,
        a: Sequence[bytes] = (),
        b: Sequence[bytes] = (),
        autojunk: bool = False,
    ) -> None:
        self._matcher = difflib.SequenceMatcher(isjunk, a, b, autojunk=False)

    def get_matching_blocks(self) -> list[tuple[int, int, int]]:
        return [(m.a, m.b, m.size) for m in self._matcher.get_matching_blocks()]


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_PROBE]


def merge_file(base: bytes | None, ours: bytes, theirs: bytes) -> FileMerge:
    """Merge `ours` and `theirs`, both changed from `base` (None: added on both sides)."""
    if ours == theirs:
        return FileMerge(ours, False)
    if base is not None and base == ours:
        return FileMerge(theirs, False)
    if base is not None and base == theirs:
        return FileMerge(ours, False)
    if any(is_binary(side) for side in (base or b"", ours, theirs)):
        return FileMerge(ours, True)
    merge = make_merge3(
        (base or b"").splitlines(keepends=True),
        ours.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
        sequence_matcher=_LineMatcher,
    )
    out: list[bytes] = []
    conflict = False
    for group in merge.merge_groups():
        if group[0] != "conflict":
            out.extend(group[1])
            continue
        base_lines, our_lines, their_lines = group[1], group[2], group[3]
        if our_lines == their_lines or base_lines == their_lines:
            out.extend(our_lines)
        elif base_lines == our_lines:
            out.extend(their_lines)
        else:
            conflict = True
            out.extend(_markers(our_lines, their_lines))
    if not conflict and base is not None:
        conflict = _changes_touch(merge.base, merge.a, merge.b)
    return FileMerge(b"".join(out), conflict)


def _changes_touch(base: Sequence[bytes], ours: Sequence[bytes], theirs: Sequence[bytes]) -> bool:
    """Whether a change of ours and a different change of theirs touch, wherever each may slide.

    A change both sides made alike belongs to both (group 2): it touches a change
    that only one side made, but not another shared one.
    """
    mine, others = _changes(base, ours), _changes(base, theirs)
    groups = (
        {key: 0 for key in mine}
        | {key: 1 for key in others}
        | {key: 2 for key in mine.keys() & others.keys()}
    )
    spans = sorted((*(mine.get(key) or others[key]), group) for key, group in groups.items())
    rivals = {0: (1, 2), 1: (0, 2), 2: (0, 1)}
    reach = {0: -1, 1: -1, 2: -1}  # the furthest base line each group's changes reach so far
    for lo, hi, group in spans:
        if any(lo <= reach[rival] for rival in rivals[group]):
            return True
        reach[group] = max(reach[group], hi)
    return False


_Change = tuple[int, int, tuple[bytes, ...]]  # base lines [i1, i2) replaced by these lines


def _changes(base: Sequence[bytes], side: Sequence[bytes]) -> dict[_Change, tuple[int, int]]:
    """Each change from `base` to `side`, with the span of base lines it may slide over."""
    found = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, side, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lo, hi = i1, i2
        if tag == "delete":
            lo, hi = _slide(base, i1, i2, -1)[0], _slide(base, i1, i2, 1)[1]
        elif tag == "insert":
            lo = i1 - _insert_slide(base, side, i1, j1, j2, -1)
            hi = i1 + _insert_slide(base, side, i1, j1, j2, 1)
        found[(i1, i2, tuple(side[j1:j2]))] = (lo, hi)
    return found


def _slide(lines: Sequence[bytes], start: int, end: int, step: int) -> tuple[int, int]:
    """How far the run `lines[start:end]` can move by `step` while the text stays the same."""
    while True:
        head, tail = (start, end) if step > 0 else (start - 1, end - 1)
        if head < 0 or tail >= len(lines) or lines[head] != lines[tail]:
            return start, end
        start, end = start + step, end + step


def _insert_slide(
    base: Sequence[bytes], side: Sequence[bytes], at: int, start: int, end: int, step: int
) -> int:
    """How many lines the run `side[start:end]`, inserted before `base[at]`, can slide by `step`."""
    moved = 0
    while True:
        if step > 0:
            ok = end < len(side) and at < len(base) and side[start] == side[end] == base[at]
        else:
            ok = start > 0 and at > 0 and side[start - 1] == side[end - 1] == base[at - 1]
        if not ok:
            return moved
        start, end, at, moved = start + step, end + step, at + step, moved + 1


def _markers(ours: Sequence[bytes], theirs: Sequence[bytes]) -> list[bytes]:
    return [b"<<<<<<< ours\n", *_terminated(ours), b"=======\n", *_terminated(theirs), b">>>>>>> theirs\n"]


def _terminated(lines: Sequence[bytes]) -> list[bytes]:
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + b"\n"]
    return list(lines)
