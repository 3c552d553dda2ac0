"""How often Python's cyclic garbage collector runs in a process that lives for days.

`gitferry daemon` and the desktop app run the same engine for days; with Python's
defaults (a collection every 700 new objects) the daemon's fast-forward of
`bench.real_fetch` (its heap some 100,000 objects: the store, the pool, the imports)
ran 86 collections, a full one among them, for 63 to 315 ms of a 530 ms sync's CPU;
with the youngest generation holding 20,000 objects, 2 collections, about 18 ms. What
waits for a collection is at most 20,000 young objects' worth of cycles. The one-shot
CLI uses the same numbers (`core.cli._one_shot_gc`) and sets its imports aside too.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)


def collect_rarely() -> None:
    """The collector enabled (the console script or the app's start disabled it while
    modules loaded), its youngest generation 20,000 objects."""
    gc.set_threshold(*THRESHOLDS)
    gc.enable()
