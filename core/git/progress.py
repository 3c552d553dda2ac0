"""Transfer progress: raw sideband text parsed into phases, and a rate limit.

A server reports progress as free text on sideband channel 2 ("Counting
objects:  45% (a/b)", "Compressing objects: ...", "Total ..."), split
arbitrarily across callbacks and ended by `\\r` (an update of the same line)
or `\\n` (a finished line). A big fetch makes well over 100,000 callbacks, so
updates go through `ProgressThrottle` before they reach anyone. A line is
kept to `MAX_LINE` bytes (git's longest is under 100): a server that sends
one endless line without `\r` or `\n` costs no more memory than that, the
excess dropped as it comes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    CONNECTING = "connecting"
    COUNTING = "counting"
    COMPRESSING = "compressing"
    RECEIVING = "receiving"
    RESOLVING = "resolving"
    INDEXING = "indexing"
    CHECKOUT = "checkout"  # a clone's first checkout: files written (current/total)
    PUSHING = "pushing"  # objects written to the remote (current/total, bytes)


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """Where a transfer is: its phase, objects so far (of how many) and bytes."""

    phase: Phase
    current: int = 0
    total: int | None = None
    bytes: int = 0


ProgressSink = Callable[[TransferProgress], None]

_LABELS = {
    "enumerating objects": Phase.COUNTING,
    "counting objects": Phase.COUNTING,
    "finding sources": Phase.COUNTING,
    "compressing objects": Phase.COMPRESSING,
    "copying pack entries": Phase.COMPRESSING,
    "writing pieces of pack": Phase.COMPRESSING,
    "receiving objects": Phase.RECEIVING,
    "resolving deltas": Phase.RESOLVING,
    "generating index": Phase.INDEXING,
}
_LINE = re.compile(
    r"^(?:remote:\s*)?(?P<label>[A-Za-z][A-Za-z ]*?)\s*:\s*"
    r"(?:(?:\d+)%\s*\((?P<current>\d+)/(?P<total>\d+)\)|(?P<count>\d+)(?:/(?P<of>\d+))?)"
    r"(?:,\s*(?P<size>[\d.]+)\s*(?P<unit>[KMGT]?i?B|bytes))?",
)
_UNITS = {"B": 1, "BYTES": 1, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}


def parse_progress_line(line: str) -> TransferProgress | None:
    """One line of server or dulwich progress text, or None when it says nothing we show."""
    match = _LINE.match(line.strip())
    if match is None:
        return None
    phase = _LABELS.get(match["label"].lower())
    if phase is None:
        return None
    total: int | None
    if match["current"] is not None:
        current, total = int(match["current"]), int(match["total"])
    else:
        current = int(match["count"])
        total = int(match["of"]) if match["of"] is not None else None
    size = 0
    if match["size"] is not None:
        size = int(float(match["size"]) * _UNITS.get(match["unit"].upper(), 1))
    return TransferProgress(phase, current, total, size)


MAX_LINE = 1024  # bytes of one progress line kept; the rest of a longer one is dropped


def bounded_lines(partial: bytes, data: bytes) -> tuple[list[bytes], bytes]:
    """The lines `partial` + `data` complete (ended by `\\r` or `\\n`), and what is left
    of an unfinished one; every line cut to `MAX_LINE` bytes, so an endless line is never
    held whole (nor copied whole: only `data`'s own pieces are split)."""
    pieces = re.split(rb"[\r\n]", data)
    rest = pieces.pop()
    if not pieces:
        return [], (partial + rest)[:MAX_LINE]
    lines = [(partial + pieces[0])[:MAX_LINE], *(piece[:MAX_LINE] for piece in pieces[1:])]
    return lines, rest[:MAX_LINE]


class SidebandParser:
    """Splits raw progress bytes into lines across callback boundaries and parses them."""

    def __init__(self) -> None:
        self._partial = b""

    def feed(self, data: bytes) -> list[TransferProgress]:
        pieces, self._partial = bounded_lines(self._partial, data)
        updates = []
        for piece in pieces:
            update = parse_progress_line(piece.decode("utf-8", "replace"))
            if update is not None:
                updates.append(update)
        return updates

    def flush(self) -> list[TransferProgress]:
        """Parse what is left of an unterminated last line."""
        rest, self._partial = self._partial, b""
        update = parse_progress_line(rest.decode("utf-8", "replace")) if rest else None
        return [update] if update is not None else []


class ProgressThrottle:
    """Passes on at most `per_second` updates a second.

    A phase change is always passed on at once, after the last held update of the
    phase it ends (so a phase is never last seen part-way); an update that arrives
    too soon is held, and `flush` passes on the last held one so the final state
    is never lost.
    """

    def __init__(
        self,
        sink: ProgressSink,
        per_second: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._interval = 1.0 / per_second
        self._clock = clock
        self._last: TransferProgress | None = None
        self._last_time = float("-inf")
        self._held: TransferProgress | None = None

    def __call__(self, update: TransferProgress) -> None:
        now = self._clock()
        phase_changed = self._last is None or update.phase != self._last.phase
        if phase_changed and self._held is not None:
            self._emit(self._held, now)  # the phase's last state first: "1.0 MiB", not "8 KiB"
        if phase_changed or now - self._last_time >= self._interval:
            self._emit(update, now)
        else:
            self._held = update

    def flush(self) -> None:
        if self._held is not None:
            self._emit(self._held, self._clock())

    def _emit(self, update: TransferProgress, now: float) -> None:
        self._held = None
        self._last = update
        self._last_time = now
        self._sink(update)
