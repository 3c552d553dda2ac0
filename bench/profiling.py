"""Where a contender's time goes: cProfile over a few calls, printed by cumulative and own time."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable


def profile(
    title: str,
    fn: Callable[[], object],
    setup: Callable[[], None] | None = None,
    calls: int = 1,
    top: int = 25,
) -> str:
    """Profile `calls` calls of `fn` (each after an unprofiled `setup`)."""
    profiler = cProfile.Profile()
    for _ in range(calls):
        if setup is not None:
            setup()
        profiler.enable()
        fn()
        profiler.disable()
    out = io.StringIO()
    out.write(f"== profile: {title} ({calls} call{'s' if calls > 1 else ''})\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    for key in ("cumulative", "tottime"):
        out.write(f"-- sorted by {key}\n")
        stats.sort_stats(key).print_stats(top)
    return out.getvalue()
