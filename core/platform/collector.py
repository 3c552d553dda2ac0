"""How often Python's cyclic garbage collector runs in a process that lives for days.

`gitferry daemon` and the desktop app run the same engine for days; with Python's
defaults (a collection every 700 new objects) the daemon's fast-forward of
`bench.real_fetch` (its heap some 100,000 objects: the store, the pool, the imports)
ran 86 collections, a full one among them, for 63 to 315 ms of a 530 ms sync's CPU;
with the youngest generation holding 20,000 objects, 2 collections, about 18 ms. What
waits for a collection is at most 20,000 young objects' worth of cycles. The one-shot
CLI uses the same numbers (`core.cli._one_shot_gc`) and sets its imports aside too.

The desktop app keeps the automatic collector off and collects on its GUI thread
(`collect_when_due`): a collection runs in whichever thread allocates past the
threshold, and a Qt object left in a reference cycle (a closed dialog, a progress relay)
destroyed by the engine's thread beside the GUI thread's event loop crashes the app
(`gui/startup.py`).
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)


def collect_rarely() -> None:
    """The collector enabled (the console script or the app's start disabled it while
    modules loaded), its youngest generation 20,000 objects."""
    gc.set_threshold(*THRESHOLDS)
    gc.enable()


def collect_when_due() -> None:
    """The collection the automatic collector would run now, in the calling thread: none
    until the youngest generation's count passes its threshold, then the oldest generation
    whose count has passed its own (the interpreter's rule, without its extra condition on
    a full collection). For a process that collects in one thread of its choosing."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return
    due = [generation for generation in (2, 1) if counts[generation] > thresholds[generation]]
    gc.collect(due[0] if due else 0)
