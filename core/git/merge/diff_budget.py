"""A bound on the work of one line diff, so that no file holds a merge up for minutes.

git's diff runs in C; the same steps here cost about a hundred times more, and a
few inputs (tens of thousands of lines, every one moved) take git's algorithms
millions of steps. Past `LIMIT` steps (about ten seconds here) the diff stops
with `TooCostly` and the caller counts the file as a conflict: a merge git might
have made cleanly is left to the user, never one it would not make.
"""

from __future__ import annotations

from typing import Final

LIMIT: Final = 30_000_000


class TooCostly(Exception):
    pass


class Budget:
    """Steps left for one diff; each algorithm spends a step per unit of its inner loops."""

    def __init__(self, steps: int | None = None) -> None:
        self.steps = LIMIT if steps is None else steps
        self.left = self.steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise TooCostly(f"the line diff needs more than {self.steps:,} steps")
