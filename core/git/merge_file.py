"""Three-way merge of one file's content, deciding conflicts the way git's text merge does.

The line merge is dulwich's `make_merge3` (the `merge3` package). Unlike
`dulwich.merge.merge_blobs`, a conflict is read from merge3's groups, never by
searching the result for `<<<<<<<` (a file that merely contains that text is
not a conflict), binary content is never line-merged (git's rule: a NUL byte
in the first 8,000 bytes; changed on both sides means a conflict), and the
line matcher runs without difflib's "autojunk" heuristic, which on files of
200 lines or more drops frequent lines (blank lines, braces) from the
alignment and makes it poorer than git's.
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
    return FileMerge(b"".join(out), conflict)


def _markers(ours: Sequence[bytes], theirs: Sequence[bytes]) -> list[bytes]:
    return [b"<<<<<<< ours\n", *_terminated(ours), b"=======\n", *_terminated(theirs), b">>>>>>> theirs\n"]


def _terminated(lines: Sequence[bytes]) -> list[bytes]:
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + b"\n"]
    return list(lines)
