"""The order in which git's hashmap (hashmap.c, strmap.c) hands back its string keys.

merge-ort walks some directories in the order a string map iterates them,
and that order decides ties: which of two identical added files an exact
rename takes, which new directory a tie of counts favours. To decide those
ties as git does, this replays git's table: FNV-1 hashes of the key, 64
buckets to start with, each new entry put at the head of its bucket's list,
the table grown four-fold (and the lists rebuilt, head first) once it is over
80% full, and iteration bucket by bucket, each list from its head.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, TypeVar

_FNV_BASE: Final = 0x811C9DC5
_FNV_PRIME: Final = 0x01000193
_INITIAL: Final = 64
_K = TypeVar("_K", bound=bytes)


def strhash(key: bytes) -> int:
    value = _FNV_BASE
    for byte in key:
        value = ((value * _FNV_PRIME) & 0xFFFFFFFF) ^ byte
    return value


def iteration_order(keys: Iterable[_K]) -> list[_K]:
    """`keys` (distinct, in the order they were added) in the order git iterates them."""
    size = _INITIAL
    table: list[list[tuple[int, _K]]] = [[] for _ in range(size)]
    for count, key in enumerate(keys, 1):
        hashed = strhash(key)
        table[hashed & (size - 1)].insert(0, (hashed, key))
        if count > size * 80 // 100:
            size <<= 2
            grown: list[list[tuple[int, _K]]] = [[] for _ in range(size)]
            for chain in table:
                for entry in chain:
                    grown[entry[0] & (size - 1)].insert(0, entry)
            table = grown
    return [key for chain in table for _hash, key in chain]
