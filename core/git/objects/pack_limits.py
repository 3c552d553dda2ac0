"""What one received pack may cost, and the errors of a pack that asks for more.

A pack's compressed size says little about what it costs to take in: zlib
inflates up to ~1000 to 1, and a delta of a few bytes can describe gigabytes
(a copy instruction repeats up to 16 MiB of its base). So besides the bytes
received (`max_pack_size`), a receiver bounds each object as it inflates
(`max_object_size`) and all of them together (`max_inflated_size`), and
checks these bounds from the sizes a pack declares before it inflates or
applies anything, and again while it does (a declared size can lie).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import (
    DEFAULT_MAX_INFLATED_SIZE,
    DEFAULT_MAX_OBJECT_SIZE,
    DEFAULT_MAX_PACK_SIZE,
    AppSettings,
)


def size_text(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class PackLimits:
    """How large a received pack and its objects may be."""

    max_pack_size: int = DEFAULT_MAX_PACK_SIZE  # bytes received
    max_object_size: int = DEFAULT_MAX_OBJECT_SIZE  # one object (or delta result), inflated
    max_inflated_size: int = DEFAULT_MAX_INFLATED_SIZE  # all objects of the pack, inflated

    @classmethod
    def of(cls, settings: AppSettings) -> PackLimits:
        return cls(settings.max_pack_size, settings.max_object_size, settings.max_inflated_size)


class LimitExceeded(Exception):
    """The pack asks for more than a limit allows; the message is one line, ends the fetch."""

    def __init__(self, message: str, limit: int, setting: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.setting = setting


class PackTooLarge(LimitExceeded):
    """The remote sent more than `max_pack_size` bytes of pack; what came is discarded."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the pack is larger than the limit of {size_text(limit)} (setting max_pack_size)",
            limit,
            "max_pack_size",
        )


class ObjectTooLarge(LimitExceeded):
    """An object, or what a delta expands to, is larger than `max_object_size`."""

    def __init__(self, size: int, limit: int, *, delta: bool = False) -> None:
        what = "a delta that expands" if delta else "an object that inflates"
        super().__init__(
            f"the remote sent {what} to {size_text(size)}, past the limit of {size_text(limit)} "
            "(setting max_object_size): refused, nothing was kept",
            limit,
            "max_object_size",
        )
        self.size = size


class InflatedTooLarge(LimitExceeded):
    """The pack's objects together inflate past `max_inflated_size`."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the remote's objects inflate to more than {size_text(limit)} in all "
            "(setting max_inflated_size): refused, nothing was kept",
            limit,
            "max_inflated_size",
        )
