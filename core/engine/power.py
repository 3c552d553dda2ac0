"""The power port: is the machine on battery, and how full is it (psutil)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import psutil

from core.offload import Offload

LOW_BATTERY_PERCENT = 20.0


@dataclass(frozen=True)
class BatteryReading:
    percent: float
    plugged: bool

    def is_low(self, threshold: float = LOW_BATTERY_PERCENT) -> bool:
        return not self.plugged and self.percent < threshold


class PowerSource(Protocol):
    async def battery(self) -> BatteryReading | None:
        """None when the machine has no battery (or it cannot be read)."""
        ...


class PsutilPower:
    """`psutil.sensors_battery()`, read off the event loop (it reads sysfs or calls the OS)."""

    def __init__(self, offload: Offload) -> None:
        self._offload = offload

    async def battery(self) -> BatteryReading | None:
        return await self._offload.io(_read_battery)


def _read_battery() -> BatteryReading | None:
    try:
        reading = psutil.sensors_battery()
    except (OSError, NotImplementedError):
        return None
    if reading is None:
        return None
    return BatteryReading(percent=float(reading.percent), plugged=bool(reading.power_plugged))


class BatteryWatch:
    """Reads the power source at most every `poll` seconds; `low` says whether to pause."""

    def __init__(self, power: PowerSource | None, *, poll: float, enabled: bool) -> None:
        self._power = power
        self._poll = poll
        self._next = 0.0
        self.enabled = enabled
        self.low = False

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self._next = 0.0

    def next_check(self) -> float | None:
        """Monotonic time of the next reading, or None when there is nothing to watch."""
        return self._next if self._power is not None and self.enabled else None

    async def check(self, now: float) -> bool:
        """Update `low`; True when it changed."""
        if self._power is None or not self.enabled:
            low = False
        elif now >= self._next:
            self._next = now + self._poll
            reading = await self._power.battery()
            low = reading is not None and reading.is_low()
        else:
            return False
        changed, self.low = low != self.low, low
        return changed
