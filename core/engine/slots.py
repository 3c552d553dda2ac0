"""Where each repository's fetch slot falls, so fifty repositories never fetch together.

A repository's slots are the wall-clock instants `t` with `t = offset (mod
interval)`, where the offset is a stable hash of its path: the same path keeps
its place in the cycle across restarts, and different paths spread over the
whole interval. Random jitter (a fraction of the interval) goes on top so that
two paths that hash close together do not stay locked together.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass


def path_offset(path: str, interval: float) -> float:
    """A stable point in [0, interval) for this path."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 * interval


def until_slot(wall_now: float, interval: float, offset: float) -> float:
    """Seconds from `wall_now` to the next slot, in [0, interval)."""
    return (offset - wall_now) % interval


@dataclass(frozen=True)
class SlotPolicy:
    jitter_fraction: float = 0.1
    # After a fetch, a slot closer than this fraction of the interval is skipped
    # (a retry that succeeded just before the slot should not fetch twice).
    min_gap_fraction: float = 0.25
    # Overdue repositories (after a clock jump or a pause) start spread over this window.
    catch_up_window: float = 60.0

    def __post_init__(self) -> None:
        if not 0 <= self.jitter_fraction < 1 or not 0 <= self.min_gap_fraction < 1:
            raise ValueError("slot fractions must be in [0, 1)")

    def jitter(self, interval: float, rng: random.Random) -> float:
        return rng.uniform(0.0, self.jitter_fraction * interval)

    def first_delay(self, wall_now: float, interval: float, offset: float, rng: random.Random) -> float:
        return until_slot(wall_now, interval, offset) + self.jitter(interval, rng)

    def delay_after_fetch(self, wall_now: float, interval: float, offset: float, rng: random.Random) -> float:
        gap = until_slot(wall_now, interval, offset)
        if gap < self.min_gap_fraction * interval:
            gap += interval
        return gap + self.jitter(interval, rng)

    def catch_up_delay(self, interval: float, offset: float) -> float:
        """Overdue repositories keep their relative order, spread over the catch-up window."""
        return offset / interval * min(self.catch_up_window, interval)
