"""The power port: pause syncing when the machine runs low on battery (read by `core.platform.battery`)."""

from __future__ import annotations

from typing import Protocol

from core.offload import Offload
from core.platform.battery import BatteryReading, read_battery

LOW_BATTERY_PERCENT = 20.0


def is_low(reading: BatteryReading, threshold: float = LOW_BATTERY_PERCENT) -> bool:
    return not reading.plugged and reading.percent < threshold


class PowerSource(Protocol):
    async def battery(self) -> BatteryReading | None:
        """None when the machine has no battery (or it cannot be read)."""
        ...


class PsutilPower:
    """The platform's battery reading, taken off the event loop (it reads sysfs or calls the OS)."""

    def __init__(self, offload: Offload) -> None:
        self._offload = offload

    async def battery(self) -> BatteryReading | None:
        return await self._offload.io(read_battery)


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
            low = reading is not None and is_low(reading)
        else:
            return False
        changed, self.low = low != self.low, low
        return changed
