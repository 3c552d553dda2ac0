"""Exponential backoff with jitter for a repository whose fetch failed.

A background fetch passes its interval as `limit`: a failing remote is never tried less
often than a healthy one is fetched, so a remote back after hours down (a server
restarted, a VPN reconnected) is synced within one interval, as a cloud drive's client
picks up again, not up to an hour later; the backoff only spaces the first retries.
"""

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

    def ceiling(self, attempt: int, limit: float | None = None) -> float:
        """The delay before jitter, at most `limit` (a repository's fetch interval)."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        # Past 2^64 the cap has long been reached; avoid float overflow on huge streaks.
        ceiling = min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))
        return ceiling if limit is None else min(ceiling, limit)

    def delay(self, attempt: int, rng: random.Random, limit: float | None = None) -> float:
        ceiling = self.ceiling(attempt, limit)
        if self.jitter is Jitter.FULL:
            return rng.uniform(0.0, ceiling)
        return ceiling / 2 + rng.uniform(0.0, ceiling / 2)
