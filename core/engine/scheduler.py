"""The background fetch scheduler: when each repository is fetched, and how many at once.

Policy only, independent of git: `trigger(repo_id, job)` runs one fetch (the
per-repository worker) and returns its `FetchOutcome`. The scheduler spreads
the slots (`slots.py`), bounds concurrency, backs off a failing repository
(`backoff.py`, never past its interval), skips tripped remotes (`breaker.py`), pauses on demand or on a
low battery (`power.py`), catches up once after the machine slept, fetches a repository
early when asked (`fetch_soon`: another registered repository pushed to its remote), and
reports `offline` once rather than a stream of errors. A sync the user asks for does
not pass through here: it goes straight to the repository's worker, ahead of
any background job queued there. Each fetch gets a deadline, and one that runs
long stops counting against `max_concurrent` (`job_limits.py`), so one stuck
remote can delay only its own repository.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from core.engine.backoff import Backoff
from core.engine.breaker import RemoteBreaker
from core.engine.clock import Clock, sleep_or_wake, wall_datetime
from core.engine.fetch_outcome import FetchJob, FetchOutcome, OutcomeKind, Reason
from core.engine.job_limits import JobLimits
from core.engine.power import BatteryWatch, PowerSource
from core.engine.reachability import OnOffline, Reachability
from core.engine.slots import SlotPolicy, path_offset

log = logging.getLogger(__name__)

Trigger = Callable[[int, FetchJob], Awaitable[FetchOutcome]]
OnPause = Callable[[bool], None]
OnWake = Callable[[float], None]  # seconds the clock jumped


def default_max_concurrent() -> int:
    return max(1, min((os.cpu_count() or 2) - 1, 4))


class NotScheduled(LookupError):
    def __init__(self, repo_id: int) -> None:
        super().__init__(f"repository {repo_id} is not scheduled")
        self.repo_id = repo_id


@dataclass(frozen=True)
class Cadence:
    """The loop's own timing: how far apart background starts are, how often it looks around."""

    start_spacing: float = 1.0  # at least this long between two background starts
    tick: float = 30.0  # longest sleep, so a clock jump is noticed soon after a wake
    power_poll: float = 60.0
    offline_quorum: int = 3  # repositories that must all be unreachable before `offline`
    soon: float = 2.0  # an early fetch (`fetch_soon`) starts this long after it was asked for
    soon_gap: float = 10.0  # and at least this long after the repository's last fetch started


DEFAULT_BACKOFF = Backoff()
DEFAULT_SLOTS = SlotPolicy()
DEFAULT_CADENCE = Cadence()


@dataclass(eq=False)
class _Repo:
    repo_id: int
    path: str
    interval: float
    offset: float
    due: float  # monotonic
    reason: Reason = Reason.SCHEDULE
    streak: int = 0  # consecutive failed fetches, for the backoff
    running: bool = False
    overtime_at: float = 0.0  # monotonic: when the running fetch stops holding a slot
    overtime: bool = False  # running past that: not counted against max_concurrent
    started: float = float("-inf")  # monotonic: when its last fetch started
    soon: bool = False  # an early fetch was asked for while one ran: it comes after it


class FetchScheduler:
    def __init__(
        self,
        clock: Clock,
        *,
        trigger: Trigger,
        max_concurrent: int | None = None,
        rng: random.Random | None = None,
        breaker: RemoteBreaker | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        slots: SlotPolicy = DEFAULT_SLOTS,
        cadence: Cadence = DEFAULT_CADENCE,
        power: PowerSource | None = None,
        pause_on_battery: bool = False,
        on_offline: OnOffline | None = None,
        on_pause: OnPause | None = None,
        on_wake: OnWake | None = None,
        limits: JobLimits | None = None,
    ) -> None:
        self.max_concurrent = _checked_concurrency(max_concurrent or default_max_concurrent())
        self.limits = limits or JobLimits()
        self.breaker = breaker or RemoteBreaker()
        self._clock = clock
        self._trigger = trigger
        self._rng = rng or random.Random()
        self._backoff = backoff
        self._slots = slots
        self._cadence = cadence
        self._battery = BatteryWatch(power, poll=cadence.power_poll, enabled=pause_on_battery)
        self._reachability = Reachability(quorum=cadence.offline_quorum, on_change=on_offline)
        self._repos: dict[int, _Repo] = {}
        # Each job start and end wakes the loop; with a scan of every repository per wake
        # (ready ones, the earliest due, overtime marks) a cycle of N repositories cost
        # O(N^2). The idle repositories' due times are a heap instead, and the running
        # ones (at most twice max_concurrent) a dict of their own: O(log N) per job.
        self._due: list[tuple[float, int, int, _Repo]] = []  # may hold stale entries (`_idle_top`)
        self._pushes = itertools.count()  # ties after (due, id): never compare two _Repo
        self._active: dict[int, _Repo] = {}  # running
        self._longest = 300.0  # the longest interval scheduled (300 s while none is)
        self._jobs: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._running = 0
        self._overtime = 0  # running fetches past their overtime mark
        self.peak_concurrent = 0
        self._paused = False
        self._metered = False  # the desktop says the network is metered (and the setting heeds it)
        self._on_pause = on_pause
        self._on_wake = on_wake  # the machine woke up (a clock jump): auto mode syncs
        self._held_back = False  # what `on_pause` last heard
        self._stopping = False
        self._cancel_running = False
        self._next_start = 0.0
        self._last_mono = clock.monotonic()
        self._last_wall = clock.wall()
        self._expected_wake = self._last_mono

    # Registration -----------------------------------------------------------

    def add(self, repo_id: int, path: str, interval: float) -> None:
        if repo_id in self._repos:
            raise ValueError(f"repository {repo_id} is already scheduled")
        _check_interval(interval)
        offset = path_offset(path, interval)
        repo = self._repos[repo_id] = _Repo(repo_id, path, interval, offset, 0.0)
        self._set_due(repo, self._first_due(interval, offset))
        self._intervals_changed()
        self._wake.set()

    def remove(self, repo_id: int) -> None:
        if self._repos.pop(repo_id, None) is None:
            return
        self._active.pop(repo_id, None)  # a job still running no longer counts for overtime
        self._intervals_changed()
        self.breaker.forget(repo_id)
        self._reachability.forget(repo_id)
        self._wake.set()

    def set_interval(self, repo_id: int, interval: float) -> None:
        _check_interval(interval)
        repo = self._repo(repo_id)
        repo.interval = interval
        repo.offset = path_offset(repo.path, interval)
        if not repo.running and repo.streak == 0:
            self._set_due(repo, self._first_due(interval, repo.offset))
        self._intervals_changed()
        self._wake.set()

    def answered(self, repo_id: int) -> None:
        """The user's own sync fetched the repository: a failure streak's backoff is over,
        and its next background fetch comes on its interval (it waited out the backoff,
        up to an hour, after the user's sync had just gone through)."""
        repo = self._repos.get(repo_id)
        if repo is None or repo.running or repo.streak == 0:
            return
        repo.streak = 0
        repo.reason = Reason.SCHEDULE
        delay = self._slots.delay_after_fetch(self._clock.wall(), repo.interval, repo.offset, self._rng)
        self._set_due(repo, self._clock.monotonic() + delay)
        self._wake.set()

    def fetch_soon(self, repo_id: int) -> bool:
        """Fetch the repository early: its remote moved (another registered repository of
        the same remote pushed). It starts `Cadence.soon` from now, and no sooner than
        `Cadence.soon_gap` after its last fetch started; one asked for while a fetch runs
        comes after it. One early fetch is pending at a time: asked for again meanwhile (a
        storm of pushes), nothing changes. A repository in a failure backoff keeps it (its
        retry comes as before). True when this call set one (False: one was pending, a
        fetch was due by then anyway, a backoff, or no such repository)."""
        repo = self._repos.get(repo_id)
        if repo is None or repo.streak > 0:
            return False
        if repo.running:
            asked, repo.soon = repo.soon, True
            return not asked
        if not self._soon(repo):
            return False
        self._wake.set()
        return True

    def _soon(self, repo: _Repo) -> bool:
        """An early fetch of the idle `repo`, unless one is due by then anyway (one already
        pending, say): one at a time. True when it was set."""
        due = max(self._clock.monotonic() + self._cadence.soon, repo.started + self._cadence.soon_gap)
        if repo.due <= due:
            return False
        repo.reason = Reason.REMOTE_MOVED
        self._set_due(repo, due)
        return True

    def _first_due(self, interval: float, offset: float) -> float:
        delay = self._slots.first_delay(self._clock.wall(), interval, offset, self._rng)
        return self._clock.monotonic() + delay

    # Pause, power, state ----------------------------------------------------

    def pause(self) -> None:
        self._paused = True
        self._tell_pause()
        self._wake.set()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._tell_pause()
            if not self._halted():
                self._catch_up_overdue()
            self._wake.set()

    def set_metered(self, metered: bool) -> None:
        """A metered network holds background work as a pause does; off again, overdue
        repositories catch up."""
        if metered != self._metered:
            self._metered = metered
            log.info("background work %s (metered network)", "paused" if metered else "resumed")
            self._tell_pause()
            if not self._halted():
                self._catch_up_overdue()
            self._wake.set()

    @property
    def metered(self) -> bool:
        return self._metered

    def set_pause_on_battery(self, enabled: bool) -> None:
        self._battery.set_enabled(enabled)
        self._wake.set()

    @property
    def pause_on_battery(self) -> bool:
        return self._battery.enabled

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def battery_paused(self) -> bool:
        return self._battery.low

    @property
    def offline(self) -> bool:
        return self._reachability.offline

    @property
    def running(self) -> int:
        return self._running

    def interval(self, repo_id: int) -> float:
        """Seconds between the repository's background fetches."""
        return self._repo(repo_id).interval

    def next_due(self, repo_id: int) -> float:
        """The monotonic time of the repository's next background fetch."""
        return self._repo(repo_id).due

    def backoff_streak(self, repo_id: int) -> int:
        return self._repo(repo_id).streak

    def __contains__(self, repo_id: int) -> bool:
        return repo_id in self._repos

    # The loop ---------------------------------------------------------------

    async def run(self) -> None:
        """Schedule until `stop()` (or cancellation); running fetches then finish or are cancelled.
        A `stop()` that came before `run()` holds: it returns at once."""
        self._last_mono, self._last_wall = self._clock.monotonic(), self._clock.wall()
        self._expected_wake = self._last_mono
        try:
            while not self._stopping:
                self._wake.clear()
                await self._poll_power()
                self._detect_clock_jump()
                self._dispatch()
                await self._wait(self._next_wake())
        except asyncio.CancelledError:
            self._cancel_running = True
            raise
        finally:
            await self._end_jobs()

    def set_max_concurrent(self, max_concurrent: int) -> None:
        self.max_concurrent = _checked_concurrency(max_concurrent)
        self._wake.set()

    def set_fetch_deadline(self, seconds: float) -> None:
        """The `fetch_deadline` setting: for fetches started from now on."""
        self.limits = replace(self.limits, fetch_deadline=seconds)

    def deadline(self, repo_id: int) -> float:
        """Seconds the repository's background fetch may run."""
        return self.limits.deadline(self._repo(repo_id).interval)

    @property
    def overtime(self) -> int:
        """Running fetches that no longer hold a concurrency slot."""
        return self._overtime

    def stop(self, *, cancel_running: bool = False) -> None:
        """End `run()`: it returns once running fetches finish, at once with `cancel_running`.

        Call it again with `cancel_running=True` to cut short a first, patient stop.
        """
        self._stopping = True
        self._cancel_running = self._cancel_running or cancel_running
        if cancel_running:
            for job in self._jobs:
                job.cancel()
        self._wake.set()

    async def _end_jobs(self) -> None:
        if self._cancel_running:
            for job in self._jobs:
                job.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)

    async def _wait(self, seconds: float) -> None:
        self._expected_wake = self._clock.monotonic() + seconds
        await sleep_or_wake(self._clock, self._wake, seconds)

    def _halted(self) -> bool:
        return self._paused or self._battery.low or self._metered

    def _tell_pause(self) -> None:
        """`on_pause(True)` when background work stops (the user's pause or the battery),
        `on_pause(False)` when it goes on again; once per change."""
        halted = self._halted()
        if halted != self._held_back:
            self._held_back = halted
            if self._on_pause is not None:
                self._on_pause(halted)

    def _next_wake(self) -> float:
        now = self._clock.monotonic()
        wake = now + self._cadence.tick
        pending = [r.overtime_at for r in self._active.values() if not r.overtime]
        if pending:
            wake = min(wake, min(pending))
        if self._holding() < self.max_concurrent and not self._halted():
            idle = self._idle_top()
            if idle is not None:
                wake = min(wake, max(idle.due, self._next_start))
        power_check = self._battery.next_check()
        if power_check is not None:
            wake = min(wake, power_check)
        return max(0.0, wake - now)

    # Dispatch ---------------------------------------------------------------

    def _dispatch(self) -> None:
        self._note_overtime()
        while self._holding() < self.max_concurrent:
            repo = self._next()
            if repo is None:
                return
            self._start(repo)

    def _holding(self) -> int:
        """Fetches that hold a concurrency slot: all running ones but those in overtime
        (at most `max_concurrent` of those are let off)."""
        return self._running - min(self._overtime, self.max_concurrent)

    def _note_overtime(self) -> None:
        now = self._clock.monotonic()
        for repo in self._active.values():
            if not repo.overtime and now >= repo.overtime_at:
                repo.overtime = True
                self._overtime += 1
                log.info("repository %s: fetch running long, a slot opens for the others", repo.repo_id)

    def _next(self) -> _Repo | None:
        now = self._clock.monotonic()
        if self._halted() or now < self._next_start:
            return None
        repo = self._idle_top()
        if repo is None or repo.due > now:
            return None
        heapq.heappop(self._due)
        self._next_start = now + self._cadence.start_spacing
        return repo

    # The idle repositories by due time --------------------------------------

    def _set_due(self, repo: _Repo, due: float) -> None:
        """Every change of a repository's due time goes through here, so the heap has it."""
        repo.due = due
        self._push(repo)

    def _push(self, repo: _Repo) -> None:
        if len(self._due) > 2 * len(self._repos) + 64:  # stale entries: rebuild (amortised O(1))
            self._due = [
                (r.due, r.repo_id, next(self._pushes), r) for r in self._repos.values() if not r.running
            ]
            heapq.heapify(self._due)
            if repo.running:
                return
        heapq.heappush(self._due, (repo.due, repo.repo_id, next(self._pushes), repo))

    def _idle_top(self) -> _Repo | None:
        """The idle repository due first (the lowest id among equals), its entry left on
        top; stale entries (a removed or running repository, a due time since changed)
        are dropped on the way."""
        heap = self._due
        while heap:
            due, repo_id, _, repo = heap[0]
            if not repo.running and repo.due == due and self._repos.get(repo_id) is repo:
                return repo
            heapq.heappop(heap)
        return None

    def _intervals_changed(self) -> None:
        self._longest = max((r.interval for r in self._repos.values()), default=300.0)

    def _start(self, repo: _Repo) -> None:
        repo.running = True
        repo.started = self._clock.monotonic()
        self._active[repo.repo_id] = repo
        repo.overtime_at = self._clock.monotonic() + self.limits.overtime_after(
            self.limits.deadline(repo.interval)
        )
        self._running += 1
        self.peak_concurrent = max(self.peak_concurrent, self._running)
        job = asyncio.create_task(self._job(repo), name=f"fetch-{repo.repo_id}")
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    async def _job(self, repo: _Repo) -> None:
        try:
            outcome = await self._fetch(repo)
            await self._settle(repo, outcome)
        finally:
            repo.running = False
            if self._active.get(repo.repo_id) is repo:
                del self._active[repo.repo_id]
            if self._repos.get(repo.repo_id) is repo:
                self._push(repo)  # idle again: back among the due times
            if repo.overtime:
                repo.overtime = False
                self._overtime -= 1
            self._running -= 1
            self._wake.set()

    async def _fetch(self, repo: _Repo) -> FetchOutcome:
        repo_id = repo.repo_id
        try:
            await self.breaker.load(repo_id)
            skip = self.breaker.tripped(repo_id, wall_datetime(self._clock))
            deadline = self.limits.deadline(repo.interval)
            return await self._trigger(repo_id, FetchJob(repo.reason, skip, deadline))
        except Exception as exc:
            log.exception("background fetch of repository %s failed", repo_id)
            return FetchOutcome.crashed(f"{type(exc).__name__}: {exc}")

    # Outcomes ---------------------------------------------------------------

    async def _settle(self, repo: _Repo, outcome: FetchOutcome) -> None:
        try:
            await self.breaker.record(repo.repo_id, outcome, wall_datetime(self._clock))
        except Exception:
            log.exception("could not record remote health of repository %s", repo.repo_id)
        if self._repos.get(repo.repo_id) is not repo:
            return  # removed while it ran
        now, wall = self._clock.monotonic(), self._clock.wall()
        soon, repo.soon = repo.soon, False
        if outcome.succeeded:
            repo.streak = 0
            repo.reason = Reason.SCHEDULE
            self._set_due(
                repo, now + self._slots.delay_after_fetch(wall, repo.interval, repo.offset, self._rng)
            )
            if soon:  # asked for while it ran: the remote may have moved after it looked
                self._soon(repo)
        else:
            repo.streak += 1
            repo.reason = Reason.RETRY
            self._set_due(repo, now + self._backoff.delay(repo.streak, self._rng, limit=repo.interval))
        unreachable = outcome.kind is OutcomeKind.OFFLINE
        if self._reachability.note(repo.repo_id, unreachable=unreachable, scheduled=len(self._repos)):
            self._recall_unreachable()

    def _recall_unreachable(self) -> None:
        """The network is back: repositories waiting out an offline backoff are fetched soon."""
        now = self._clock.monotonic()
        for repo_id in self._reachability.unreachable():
            repo = self._repos.get(repo_id)
            if repo is not None and not repo.running:
                repo.streak = 0
                repo.reason = Reason.CATCH_UP
                self._stagger(repo, now)

    # Clock jumps, pauses, power --------------------------------------------

    def _detect_clock_jump(self) -> None:
        mono, wall = self._clock.monotonic(), self._clock.wall()
        skew = (wall - self._last_wall) - (mono - self._last_mono)  # suspend the monotonic clock missed
        overslept = mono - self._expected_wake  # suspend the monotonic clock counted
        self._last_mono, self._last_wall = mono, wall
        jump = max(skew, overslept)
        if jump > self._longest:
            log.info("clock jumped %.0f s: catching up overdue repositories", jump)
            if self._on_wake is not None:
                self._on_wake(jump)
            self._catch_up(horizon=mono + jump)

    def _catch_up_overdue(self) -> None:
        self._catch_up(horizon=self._clock.monotonic())

    def _catch_up(self, horizon: float) -> None:
        """Every repository due by `horizon` is fetched once, staggered, from now."""
        now = self._clock.monotonic()
        for repo in self._repos.values():
            if not repo.running and repo.due <= horizon:
                repo.reason = Reason.CATCH_UP
                self._stagger(repo, now)

    def _stagger(self, repo: _Repo, now: float) -> None:
        self._set_due(repo, now + self._slots.catch_up_delay(repo.interval, repo.offset))

    async def _poll_power(self) -> None:
        if await self._battery.check(self._clock.monotonic()):
            low = self._battery.low
            log.info("background fetch %s (battery)", "paused" if low else "resumed")
            self._tell_pause()
            if not self._halted():
                self._catch_up_overdue()

    def _repo(self, repo_id: int) -> _Repo:
        try:
            return self._repos[repo_id]
        except KeyError:
            raise NotScheduled(repo_id) from None


def _checked_concurrency(max_concurrent: int) -> int:
    if max_concurrent < 1:
        raise ValueError("max_concurrent is at least 1")
    return max_concurrent


def _check_interval(interval: float) -> None:
    if interval <= 0:
        raise ValueError("fetch interval must be positive")
