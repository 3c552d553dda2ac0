"""Three-way merge of one file's content, deciding conflicts the way git's text merge does.

Both sides are diffed against the base (`line_diff`, Myers like git). Git's
rule: a change of ours and a change of theirs conflict unless at least one
base line that neither side changed lies between them; where the two sides
turn the same base lines into the same text, there is no conflict.

Where a change could slide (an inserted or deleted run next to an identical
line: `a` inserted beside an `a`), two correct diffs may put it at either end
of its slide, so one finds it touching the other side's change and the other
does not. So a change counts here as covering every place it could slide to,
and a merge is clean only if it is clean, with the same result, along the
diffs found scanning forwards and backwards (where two edit scripts tie).
Measured against `git merge-tree` on 5,000 random small edits of files made
of five distinct lines (many ties): every clean result equal to git's; 1
clean where git reports a conflict (a tie git breaks differently; the result
holds both sides' changes); 73 conflicts that git merges cleanly.

Not taken from `dulwich.merge.merge_blobs` (merge3 on difflib): it detects a
conflict by searching the result for `<<<<<<< ours` (a file that contains
that text never merges cleanly), line-merges binary files, and difflib's
alignment is slow or poor on large files (see `line_diff`). Binary content
follows git: a NUL byte in the first 8,000 bytes, changed on both sides, is a
conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.git.merge.line_diff import Hunk, TooDifferent, diff_hunks

_BINARY_PROBE = 8000
_Span = tuple[int, int, int, Hunk]  # lowest and highest base line it may reach, side (0 ours, 1 theirs), hunk


@dataclass(frozen=True)
class FileMerge:
    content: bytes  # with conflict markers where `conflict` is true
    conflict: bool


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
    lines = [(text or b"").splitlines(keepends=True) for text in (base, ours, theirs)]
    try:
        return _merge_lines(*lines)
    except TooDifferent:
        return FileMerge(ours, True)


def _merge_lines(base: list[bytes], ours: list[bytes], theirs: list[bytes]) -> FileMerge:
    """Merge along both diffs Myers may give (scanning forwards and backwards); clean only if both agree."""
    forward = _merge_along(base, ours, theirs, diff_hunks(base, ours), diff_hunks(base, theirs))
    if forward.conflict:
        return forward
    backward = _merge_along(base, ours, theirs, _backward_hunks(base, ours), _backward_hunks(base, theirs))
    return forward if backward == forward else FileMerge(forward.content, True)


def _backward_hunks(a: list[bytes], b: list[bytes]) -> list[Hunk]:
    """The diff of the reversed texts, in forward positions: where two edit scripts tie, the other one."""
    n, m = len(a), len(b)
    return [(n - i2, n - i1, m - j2, m - j1) for i1, i2, j1, j2 in reversed(diff_hunks(a[::-1], b[::-1]))]


def _merge_along(
    base: list[bytes], ours: list[bytes], theirs: list[bytes], our_hunks: list[Hunk], their_hunks: list[Hunk]
) -> FileMerge:
    sides = (ours, theirs)
    spans = sorted(
        [_span(base, ours, hunk, 0) for hunk in our_hunks]
        + [_span(base, theirs, hunk, 1) for hunk in their_hunks]
    )
    out: list[bytes] = []
    conflict = False
    done = 0  # base lines before this are written
    for group in _touching(spans):
        start = min(hunk[0] for _lo, _hi, _side, hunk in group)
        end = max(hunk[1] for _lo, _hi, _side, hunk in group)
        texts = [
            _apply(base, start, end, sides[s], [h for _lo, _hi, side, h in group if side == s])
            for s in (0, 1)
        ]
        out.extend(base[done:start])
        if texts[0] == texts[1] or texts[1] == base[start:end]:
            out.extend(texts[0])
        elif texts[0] == base[start:end]:
            out.extend(texts[1])
        else:
            conflict = True
            out.extend(_markers(*texts))
        done = end
    out.extend(base[done:])
    return FileMerge(b"".join(out), conflict)


def _touching(spans: list[_Span]) -> list[list[_Span]]:
    """Spans grouped so that no two groups touch (a base line lies between any two groups)."""
    groups: list[list[_Span]] = []
    reach = -1
    for span in spans:
        if groups and span[0] <= reach:
            groups[-1].append(span)
            reach = max(reach, span[1])
        else:
            groups.append([span])
            reach = span[1]
    return groups


def _apply(base: list[bytes], start: int, end: int, side: list[bytes], hunks: list[Hunk]) -> list[bytes]:
    """`base[start:end]` with `hunks` (all inside it) applied."""
    out: list[bytes] = []
    at = start
    for i1, i2, j1, j2 in sorted(hunks):
        out.extend(base[at:i1])
        out.extend(side[j1:j2])
        at = i2
    out.extend(base[at:end])
    return out


def _span(base: Sequence[bytes], side: Sequence[bytes], hunk: Hunk, which: int) -> _Span:
    """The base lines `hunk` covers wherever it may slide to."""
    i1, i2, j1, j2 = hunk
    lo, hi = i1, i2
    if j1 == j2:  # a deletion
        lo, hi = _slide(base, i1, i2, -1)[0], _slide(base, i1, i2, 1)[1]
    elif i1 == i2:  # an insertion
        lo, hi = i1 - _insert_slide(base, side, hunk, -1), i1 + _insert_slide(base, side, hunk, 1)
    return lo, hi, which, hunk


def _slide(lines: Sequence[bytes], start: int, end: int, step: int) -> tuple[int, int]:
    """How far the run `lines[start:end]` can move by `step` while the text stays the same."""
    while True:
        head, tail = (start, end) if step > 0 else (start - 1, end - 1)
        if head < 0 or tail >= len(lines) or lines[head] != lines[tail]:
            return start, end
        start, end = start + step, end + step


def _insert_slide(base: Sequence[bytes], side: Sequence[bytes], hunk: Hunk, step: int) -> int:
    """How many lines an insertion (`side[j1:j2]` before `base[i1]`) can slide by `step`."""
    at, _i2, start, end = hunk
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
