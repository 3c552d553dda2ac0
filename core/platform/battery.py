"""Is the machine on battery, and how full is it: psutil, which reads sysfs on
Linux and asks the OS on macOS and Windows."""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class BatteryReading:
    percent: float
    plugged: bool


def read_battery() -> BatteryReading | None:
    """None when the machine has no battery or it cannot be read. Blocking: call it off the event loop."""
    try:
        reading = psutil.sensors_battery()
    except (OSError, NotImplementedError):
        return None
    if reading is None:
        return None
    return BatteryReading(percent=float(reading.percent), plugged=bool(reading.power_plugged))
