"""Per-job deadlines and fairness: one stuck remote can delay only itself.

On a two-core machine the scheduler runs one background fetch at a time
(`default_max_concurrent`). A server that keeps sending without ever finishing
(a byte now and then: no read ever times out) used to hold that one slot for
as long as it liked, and every other repository fell behind. Two measures,
each covering what the other cannot:

1. A deadline per background fetch, `deadline(interval)`: the repository's
   fetch interval, but at least `floor` (a minute: a short interval must not cut
   a slow, healthy transfer) and at most the `fetch_deadline` app setting (ten
   minutes by default). A fetch still running when its next one is due has
   failed its purpose anyway. Past it, the engine stops the job's transfers
   (`core.git.transfer.stop`): the read in progress returns at once, the
   partial pack is dropped, no ref moves, the sync lock is released as after
   any failed fetch, and the remote in flight counts one failure, so the
   scheduler backs the repository off (`backoff.py`) and the breaker trips the
   remote after three (`breaker.py`). A sync the user asked for has no
   deadline (they watch its progress and can cancel it); its transfers keep
   their read timeouts. The price: a pack that honestly takes longer than the
   deadline never arrives in the background; the user's sync fetches it.

2. Overtime: a background job that has run `overtime_after(deadline)` (a
   quarter of its deadline, at most `overtime_cap`, 30 s) stops counting
   against `max_concurrent`, so a slot opens for the others while it finishes
   or reaches its deadline. Without it the others would still wait up to the
   deadline each time the stuck remote's turn came, and a job stuck where a
   stop cannot reach (a connect, a slow disk) would hold the slot until its
   own timeouts. At most `max_concurrent` jobs are in overtime at once, so at
   most twice `max_concurrent` fetches ever run; the extra one mostly waits on
   the network, since the pack gate (`Offload.pack_gate`) still lets one pack
   at a time be received and indexed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import DEFAULT_FETCH_DEADLINE


@dataclass(frozen=True)
class JobLimits:
    fetch_deadline: float = float(DEFAULT_FETCH_DEADLINE)  # the app setting, seconds
    floor: float = 60.0
    overtime_cap: float = 30.0

    def __post_init__(self) -> None:
        if self.fetch_deadline <= 0 or self.floor <= 0 or self.overtime_cap <= 0:
            raise ValueError("job limits are positive")

    def deadline(self, interval: float) -> float:
        """Seconds a background fetch of a repository fetched every `interval` s may run."""
        return min(self.fetch_deadline, max(interval, self.floor))

    def overtime_after(self, deadline: float) -> float:
        """Seconds after which such a fetch no longer holds a concurrency slot."""
        return min(self.overtime_cap, deadline / 4)
