"""git's text statistics of a content (convert.c's gather_stats), gathered chunk by chunk.

They decide `text=auto` and `core.autocrlf` as git decides them: a content is
binary when it has a NUL, a lone CR, or more than one non-printable byte in 128
printable ones (a final Ctrl-Z does not count) -- over the whole content, not a
prefix. Counting runs in C (`bytes.count`, `bytes.translate`), so a large file
costs a few passes of memory bandwidth, never a Python loop per byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Bytes git counts as non-printable: controls but BS, HT, ESC, FF (and CR, LF, counted apart), and DEL.
_NON_PRINTABLE = bytes(c for c in range(32) if c not in (8, 9, 10, 12, 13, 27)) + b"\x7f"


@dataclass
class TextStats:
    nul: int = 0
    lonecr: int = 0
    lonelf: int = 0
    crlf: int = 0
    printable: int = 0
    nonprintable: int = 0
    size: int = 0

    @property
    def is_binary(self) -> bool:
        """convert_is_binary."""
        return bool(self.lonecr or self.nul or (self.printable >> 7) < self.nonprintable)

    @property
    def has_crlf_text(self) -> bool:
        """Text with at least one CRLF (what has_crlf_in_index looks for in the index's blob)."""
        return self.crlf > 0 and not self.is_binary


class StatsGatherer:
    """Feed chunks in order with `update`, then `finish` once."""

    def __init__(self) -> None:
        self.stats = TextStats()
        self._cr = 0
        self._lf = 0
        self._pending_cr = False  # the last chunk ended with CR: a pair if the next starts with LF
        self._last = -1

    def update(self, chunk: bytes) -> None:
        if not chunk:
            return
        s = self.stats
        if self._pending_cr and chunk[0] == 10:
            s.crlf += 1
        s.size += len(chunk)
        s.crlf += chunk.count(b"\r\n")
        self._cr += chunk.count(b"\r")
        self._lf += chunk.count(b"\n")
        s.nul += chunk.count(b"\0")
        s.nonprintable += len(chunk) - len(chunk.translate(None, _NON_PRINTABLE))
        self._pending_cr = chunk[-1] == 13
        self._last = chunk[-1]

    def finish(self) -> TextStats:
        s = self.stats
        s.lonecr = self._cr - s.crlf
        s.lonelf = self._lf - s.crlf
        s.printable = s.size - self._cr - self._lf - s.nonprintable
        if self._last == 0x1A:  # a final Ctrl-Z (DOS end of file)
            s.nonprintable -= 1
        return s


def gather(chunks: Iterable[bytes]) -> TextStats:
    gatherer = StatsGatherer()
    for chunk in chunks:
        gatherer.update(chunk)
    return gatherer.finish()
