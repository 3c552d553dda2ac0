"""Exponential backoff with jitter for a repository whose fetch failed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum


class Jitter(StrEnum):
    FULL = "full"  # uniform in [0, d]
    EQUAL = "equal"  # uniform in [d/2, d]: never retries almost at once


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number `attempt` (1 after the first failure): base * 2^(attempt-1), capped."""

    base: float = 30.0
    cap: float = 3600.0
    jitter: Jitter = Jitter.EQUAL

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base:
            raise ValueError("backoff needs 0 < base <= cap")

    def ceiling(self, attempt: int) -> float:
        """The delay before jitter."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        # Past 2^64 the cap has long been reached; avoid float overflow on huge streaks.
        return min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = self.ceiling(attempt)
        if self.jitter is Jitter.FULL:
            return rng.uniform(0.0, ceiling)
        return ceiling / 2 + rng.uniform(0.0, ceiling / 2)
