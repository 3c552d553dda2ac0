"""How a transfer's progress reads: the phase, the bytes received and the speed, the
count of the phase (objects, deltas, files written); the bar's share is
`gui.models.formatting.share`.

`TransferSpeed` is the rate over the last few seconds of reports (bytes per second):
a transfer's reports come at most ten a second, so a short window follows a changing
link without jumping with every report.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from gui.models.formatting import number, size

WINDOW_SECONDS = 3.0


class TransferSpeed:
    """Bytes per second over the last `WINDOW_SECONDS` of samples; None until two samples
    at least a fifth of a second apart have come."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, received: int) -> float | None:
        now = self._clock()
        if self._samples and received < self._samples[-1][1]:
            self._samples.clear()  # a new transfer (or phase) counts from zero again
        self._samples.append((now, received))
        while len(self._samples) > 2 and now - self._samples[0][0] > WINDOW_SECONDS:
            self._samples.popleft()
        first_time, first_bytes = self._samples[0]
        if now - first_time < 0.2:
            return None
        return (received - first_bytes) / (now - first_time)

    def reset(self) -> None:
        self._samples.clear()


def phase_line(phase: str, current: int, total: int | None, received: int, speed: float | None) -> str:
    """One line: "Receiving 35.2 MiB at 4.1 MiB/s · 1,234 of 5,000 objects"."""
    if phase == "connecting":
        return QCoreApplication.translate("TransferText", "Connecting…")
    if phase == "receiving":
        line = (
            QCoreApplication.translate("TransferText", "Receiving %1").replace("%1", size(received))
            if received
            else QCoreApplication.translate("TransferText", "Receiving")
        )
        if speed is not None and speed > 0:
            line += " " + QCoreApplication.translate("TransferText", "at %1/s").replace(
                "%1", size(round(speed))
            )
        if total:
            objects = (
                QCoreApplication.translate("TransferText", "%1 of %2 objects")
                .replace("%1", number(current))
                .replace("%2", number(total))
            )
        else:
            objects = QCoreApplication.translate("TransferText", "%1 objects").replace("%1", number(current))
        return f"{line} · {objects}"
    labels = {
        "counting": QCoreApplication.translate("TransferText", "The remote is counting objects"),
        "compressing": QCoreApplication.translate("TransferText", "The remote is compressing objects"),
        "resolving": QCoreApplication.translate("TransferText", "Resolving deltas"),
        "indexing": QCoreApplication.translate("TransferText", "Indexing objects"),
        "checkout": QCoreApplication.translate("TransferText", "Writing files"),
        "pushing": QCoreApplication.translate("TransferText", "Sending objects"),
    }
    label = labels.get(phase, phase)
    if total:
        return (
            QCoreApplication.translate("TransferText", "%1: %2 of %3")
            .replace("%1", label)
            .replace("%2", number(current))
            .replace("%3", number(total))
        )
    return f"{label}: {number(current)}" if current else label
