"""The background fetch scheduler, on a fake clock: no real sleeps, same result every run."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.engine.backoff import Backoff, Jitter
from core.engine.breaker import RemoteBreaker
from core.engine.fetch_outcome import FetchJob, FetchOutcome, OutcomeKind, Reason
from core.engine.job_limits import JobLimits
from core.engine.power import PsutilPower
from core.engine.scheduler import Cadence, FetchScheduler, NotScheduled
from core.engine.slots import SlotPolicy, path_offset, until_slot
from core.offload import Offload
from core.platform.battery import BatteryReading
from core.store.remote_failure import RemoteFailure
from core.store.remote_health import RemoteHealth
from core.store.status_store import StatusStore
from tests.core.scheduler_fakes import FakeClock, FakePower, Remotes, settle

FAILING = FetchOutcome(OutcomeKind.FAILED, error="boom")


def paths(count: int) -> list[str]:
    return [f"/home/ada/src/project-{i:02}" for i in range(count)]


def add_projects(sched: FetchScheduler, count: int, interval: int) -> None:
    """Schedules repositories 0..count-1 (at `paths(count)`), each every `interval` seconds."""
    for repo_id, path in enumerate(paths(count)):
        sched.add(repo_id, path, interval)


def scheduler(clock: FakeClock, remotes: Remotes, **kwargs: object) -> FetchScheduler:
    kwargs.setdefault("max_concurrent", 4)
    kwargs.setdefault("rng", random.Random(7))
    return FetchScheduler(clock, trigger=remotes, **kwargs)  # type: ignore[arg-type]


@asynccontextmanager
async def running(sched: FetchScheduler) -> AsyncIterator[FetchScheduler]:
    task = asyncio.create_task(sched.run())
    await settle()
    try:
        yield sched
    finally:
        sched.stop(cancel_running=True)
        await asyncio.wait_for(task, 5)


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """For tests that touch the real store: wait (real time) until its writes have landed."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (the store's threads set no event to wait on)
            await asyncio.sleep(0.005)


# Slots -------------------------------------------------------------------------


async def test_fifty_repositories_spread_over_the_interval_never_start_together() -> None:
    clock = FakeClock()
    remotes = Remotes(clock)
    sched = scheduler(clock, remotes)
    add_projects(sched, 50, 300)
    async with running(sched):
        await clock.advance(400)
    first: dict[int, float] = {}
    for call in remotes.calls:
        first.setdefault(call.repo_id, call.started)
    assert sorted(first) == list(range(50))
    starts = sorted(first.values())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1.0
    assert starts[-1] - starts[0] > 0.8 * 300
    busiest_half_minute = max(sum(1 for s in starts if t <= s < t + 30) for t in starts)
    assert busiest_half_minute <= 12  # 50 over 300 s is 5 per half-minute on average


def test_path_offsets_are_stable_and_cover_the_interval() -> None:
    offsets = [path_offset(p, 300) for p in paths(50)]
    assert offsets == [path_offset(p, 300) for p in paths(50)]
    assert all(0 <= o < 300 for o in offsets)
    per_minute = [sum(1 for o in offsets if m * 60 <= o < (m + 1) * 60) for m in range(5)]
    assert all(count >= 4 for count in per_minute), per_minute


def test_jitter_stays_within_a_tenth_of_the_interval() -> None:
    policy, rng = SlotPolicy(), random.Random(3)
    jitters = []
    for i, path in enumerate(paths(40) * 5):
        wall = 1_800_000_000.0 + i * 17.3
        offset = path_offset(path, 300)
        jitters.append(policy.first_delay(wall, 300, offset, rng) - until_slot(wall, 300, offset))
    assert min(jitters) >= 0 and max(jitters) <= 30
    assert max(jitters) - min(jitters) > 20  # really random, not a constant


async def test_first_due_is_the_path_slot_plus_bounded_jitter() -> None:
    clock = FakeClock()
    sched = scheduler(clock, Remotes(clock))
    for repo_id, path in enumerate(paths(30)):
        sched.add(repo_id, path, 600)
        slot = clock.monotonic() + until_slot(clock.wall(), 600, path_offset(path, 600))
        assert 0 <= sched.next_due(repo_id) - slot <= 60


async def test_after_a_fetch_the_next_one_is_about_one_interval_later() -> None:
    clock = FakeClock()
    remotes = Remotes(clock)
    sched = scheduler(clock, remotes)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(3000)
    starts = remotes.starts(1)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) >= 9
    assert all(300 - 30 <= g <= 300 + 30 for g in gaps), gaps


# Backoff -----------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=30, cap=3600)
    assert [backoff.ceiling(n) for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff.ceiling(10_000) == 3600
    rng = random.Random(1)
    for n in range(1, 12):
        ceiling = backoff.ceiling(n)
        equal = [backoff.delay(n, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in equal)
        full = [Backoff(jitter=Jitter.FULL).delay(n, rng) for _ in range(50)]
        assert all(0 <= d <= ceiling for d in full)
        assert min(full) < ceiling / 2  # full jitter does use the lower half


def test_backoff_never_passes_the_limit_it_is_given() -> None:
    """A background fetch's interval: a failing remote is tried at least as often as a healthy one."""
    backoff = Backoff(base=30, cap=3600)
    assert [backoff.ceiling(n, limit=300) for n in range(1, 8)] == [30, 60, 120, 240, 300, 300, 300]
    assert backoff.ceiling(3, limit=10) == 10  # an interval under the base: retried on the interval
    rng = random.Random(2)
    assert all(150 <= backoff.delay(20, rng, limit=300) <= 300 for _ in range(50))


async def test_failing_repository_backs_off_and_success_resets_it() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, outcome_for=lambda _r, _j: FAILING)
    sched = scheduler(clock, remotes)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(5 * 3600)
        starts = remotes.starts(1)
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        ceilings = [min(300, 30 * 2**n) for n in range(len(gaps))]  # never past the interval
        assert len(gaps) >= 8
        assert all(c / 2 <= g <= c + 1e-6 for g, c in zip(gaps, ceilings, strict=True)), gaps
        assert all(call.job.reason is Reason.RETRY for call in remotes.calls[1:])
        assert sched.backoff_streak(1) == len(starts)

        remotes.outcome_for = lambda _r, _j: FetchOutcome.ok("origin")
        await clock.advance(3600)
        assert sched.backoff_streak(1) == 0
        count = len(remotes.calls)
        await clock.advance(1200)
        after = remotes.starts(1)[count - 1 :]
        regular = [b - a for a, b in itertools.pairwise(after)]
        assert regular and all(g >= 300 - 30 for g in regular), regular


async def test_the_users_own_sync_that_went_through_ends_the_backoff() -> None:
    """After failures the next background fetch was up to an hour away; the user's Sync now
    went through and it stayed so: the backoff is over, the next fetch comes on the interval."""
    clock = FakeClock()
    remotes = Remotes(clock, outcome_for=lambda _r, _j: FAILING)
    sched = scheduler(clock, remotes)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(2 * 3600)
        assert sched.backoff_streak(1) >= 6
        assert sched.next_due(1) - clock.monotonic() > 0
        remotes.outcome_for = lambda _r, _j: FetchOutcome.ok("origin")
        sched.answered(1)  # the daemon, after the user's sync the remotes answered
        assert sched.backoff_streak(1) == 0
        wait = sched.next_due(1) - clock.monotonic()
        assert 0 < wait <= 300 + 30, wait  # its interval (a slot), not the backoff's hour
        calls = len(remotes.calls)
        await clock.advance(wait + 1)
        assert len(remotes.calls) == calls + 1
        assert remotes.calls[-1].job.reason is Reason.SCHEDULE
        sched.answered(99)  # not scheduled (removed meanwhile): nothing to do


async def test_a_remote_moved_by_another_repository_is_fetched_soon_once_per_storm() -> None:
    """Another registered repository pushed to the remote (`fetch_soon`): the fetch comes
    seconds later, not at the interval's slot; a storm of pushes is one pending early fetch,
    never sooner than `soon_gap` after the last start; one asked for while a fetch runs comes
    after it; a failure backoff is kept."""
    clock = FakeClock()
    remotes = Remotes(clock, duration=5)
    sched = scheduler(clock, remotes, cadence=Cadence(start_spacing=1.0, soon=2.0, soon_gap=10.0))
    sched.add(1, "/srv/a", 86_400)
    sched.add(2, "/srv/b", 86_400)
    async with running(sched):
        await clock.advance(60)
        assert remotes.calls == [] and sched.next_due(1) - clock.monotonic() > 3600  # the slot is far
        t0 = clock.monotonic()
        set_now = []
        for _ in range(50):  # a storm of pushes
            set_now.append(sched.fetch_soon(1))
            await clock.advance(0.01)
        assert set_now == [True] + [False] * 49  # one pending
        await clock.advance(t0 + 8 - clock.monotonic())  # the early fetch ran (5 s) and ended
        assert remotes.starts(1) == [pytest.approx(t0 + 2)]
        assert remotes.calls[0].job.reason is Reason.REMOTE_MOVED and remotes.repos() == [1]
        assert sched.next_due(1) - clock.monotonic() > 3600  # back to its slot
        assert sched.fetch_soon(1)  # again at once: 10 s after the last start, not 2 from now
        await clock.advance(5)
        assert remotes.starts(1)[1:] == [pytest.approx(t0 + 12)]
        assert sched.fetch_soon(1) and not sched.fetch_soon(1)  # while it runs: one more, after it
        await clock.advance(60)
        assert remotes.starts(1)[2:] == [pytest.approx(t0 + 22)]  # 10 s after the one that ran
        remotes.outcome_for = lambda _r, _j: FAILING
        assert sched.fetch_soon(2)
        await clock.advance(30)
        assert sched.backoff_streak(2) == 1
        due = sched.next_due(2)
        assert not sched.fetch_soon(2) and sched.next_due(2) == due  # its retry comes as before
        assert not sched.fetch_soon(99)  # not scheduled


async def test_a_trigger_that_raises_counts_as_a_failure_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()

    def explode(_repo: int, _job: FetchJob) -> FetchOutcome:
        raise RuntimeError("worker bug")

    remotes = Remotes(clock, outcome_for=explode)
    sched = scheduler(clock, remotes)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(400)
        assert sched.backoff_streak(1) >= 2
        calls = len(remotes.calls)
        await clock.advance(sched.next_due(1) - clock.monotonic() + 1)
        assert len(remotes.calls) == calls + 1 and sched.backoff_streak(1) == calls + 1
    failures = [r for r in caplog.records if r.message == "background fetch of repository 1 failed"]
    assert len(failures) == len(remotes.calls)
    assert all(r.exc_info and str(r.exc_info[1]) == "worker bug" for r in failures)


# Circuit breaker ---------------------------------------------------------------


def origin_down(_repo: int, job: FetchJob) -> FetchOutcome:
    if "origin" in job.skip_remotes:
        return FetchOutcome.ok()  # nothing left to try
    return FetchOutcome.failure({"origin": "connection refused"})


async def test_three_failures_trip_the_remote_until_the_cooldown_ends() -> None:
    clock = FakeClock()
    trips: list[tuple[int, str, datetime]] = []
    breaker = RemoteBreaker(on_trip=lambda r, remote, until: trips.append((r, remote, until)))
    remotes = Remotes(clock, outcome_for=origin_down)
    sched = scheduler(clock, remotes, breaker=breaker)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        while len(remotes.calls) < 3:
            await clock.advance(10)
        third = clock.wall() - clock.monotonic() + remotes.calls[2].started
        await clock.advance(1)
        assert [(r, remote) for r, remote, _ in trips] == [(1, "origin")]
        assert trips[0][2] == datetime.fromtimestamp(third, UTC).replace(tzinfo=None) + timedelta(hours=1)
        assert breaker.failures(1, "origin") == 3

        await clock.advance(3600 - 400)
        tripped = remotes.calls[3:]
        assert tripped and all(c.job.skip_remotes == {"origin"} for c in tripped)
        assert len(trips) == 1  # still the same trip, not a new one

        calls = len(remotes.calls)
        while len(remotes.calls) == calls or remotes.calls[-1].job.skip_remotes:
            await clock.advance(10)  # until the cool-down is over and origin is tried again
        assert clock.wall() - third >= 3600
        assert breaker.failures(1, "origin") == 1  # counting afresh
        assert len(trips) == 1
        await clock.advance(600)
        assert len(trips) == 2  # three more failures trip it again


async def test_an_answer_clears_the_streak() -> None:
    clock = FakeClock()
    breaker = RemoteBreaker()
    answers = iter([False, False, True, False, False, True])

    def flaky(_repo: int, _job: FetchJob) -> FetchOutcome:
        if next(answers, True):
            return FetchOutcome.ok("origin")
        return FetchOutcome.failure({"origin": "timeout"})

    remotes = Remotes(clock, outcome_for=flaky)
    sched = scheduler(clock, remotes, breaker=breaker)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        while len(remotes.calls) < 6:
            await clock.advance(sched.next_due(1) - clock.monotonic() + 1)
    assert len(remotes.calls) == 6
    assert breaker.failures(1, "origin") == 0
    assert breaker.tripped(1, datetime.max) == frozenset()


async def test_offline_failures_do_not_trip_remotes() -> None:
    clock = FakeClock()
    trips: list[str] = []
    breaker = RemoteBreaker(on_trip=lambda _r, remote, _u: trips.append(remote))
    remotes = Remotes(clock, outcome_for=lambda _r, _j: FetchOutcome.offline({"origin": "no route"}))
    sched = scheduler(clock, remotes, breaker=breaker)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(3 * 3600)
    assert len(remotes.calls) >= 5 and trips == []


async def test_failure_counts_and_trips_survive_a_restart(tmp_path: Path) -> None:
    offload = Offload()
    db = tmp_path / "status.db"
    store = await StatusStore.open(db, offload)
    repo = await store.add_repo("a", str(tmp_path / "a"), {})
    trips: list[str] = []

    async def one_session(clock: FakeClock, fetches: int) -> Remotes:
        store = await StatusStore.open(db, offload)
        breaker = RemoteBreaker(store.remote_health, on_trip=lambda _r, remote, _u: trips.append(remote))
        remotes = Remotes(clock, outcome_for=origin_down)
        sched = scheduler(clock, remotes, breaker=breaker)
        sched.add(repo.id, repo.path, 300)
        async with running(sched):
            while len(remotes.calls) < fetches:
                await clock.advance(sched.next_due(repo.id) - clock.monotonic() + 1)
                await eventually(lambda: sched.running == 0)  # its failure is in the store
        await store.close()
        return remotes

    try:
        clock = FakeClock()
        first = await one_session(clock, fetches=2)
        assert trips == [] and first.calls[-1].job.skip_remotes == frozenset()
        assert await store.remote_health.failures(repo.id) == {"origin": 2}

        clock = FakeClock(mono=50.0, wall=clock.wall() + 60)  # a new process: its own monotonic clock
        second = await one_session(clock, fetches=2)
        assert trips == ["origin"]  # 2 before the restart + 1 after
        assert second.calls[-1].job.skip_remotes == {"origin"}

        clock = FakeClock(mono=7.0, wall=clock.wall() + 60)
        third = await one_session(clock, fetches=1)
        assert third.calls[-1].job.skip_remotes == {"origin"}  # still tripped after another restart
        states = await store.remote_health.failure_states(repo.id)
        assert [(s.remote, s.failures, s.tripped_until is not None) for s in states] == [("origin", 3, True)]
    finally:
        await store.close()
        offload.shutdown()


class HeldLedger:
    """The real store's remote health, a repository's read or every write held at a gate
    until the test opens it: the order a race between the breaker's own write and its
    re-read of the store would take."""

    def __init__(self, health: RemoteHealth) -> None:
        self.health = health
        self.held_reads: dict[int, asyncio.Event] = {}
        self.held_writes: asyncio.Event | None = None
        self.waiting: list[str] = []

    async def failure_states(self, repo_id: int) -> list[RemoteFailure]:
        states = await self.health.failure_states(repo_id)
        gate = self.held_reads.pop(repo_id, None)
        if gate is not None:  # the read is done; its answer comes after what the test does now
            self.waiting.append(f"read {repo_id}")
            await gate.wait()
        return states

    async def save_failure(self, repo_id: int, failure: RemoteFailure, error: str | None) -> None:
        if self.held_writes is not None:
            self.waiting.append(f"write {repo_id}")
            await self.held_writes.wait()
        await self.health.save_failure(repo_id, failure, error)

    async def record(self, repo_id: int, remote: str, error: str | None) -> int:
        return await self.health.record(repo_id, remote, error)


async def test_a_trip_being_written_while_the_store_is_read_again_is_not_taken_for_ended(
    tmp_path: Path,
) -> None:
    """Two writers on one store file: another process ends both repositories' trips, while
    this engine's breaker trips a second remote of the second repository and is still
    writing it when the daemon's round reads that repository again."""
    offload = Offload()
    db = tmp_path / "status.db"
    store = await StatusStore.open(db, offload)
    other = await StatusStore.open(db, offload)  # the other process's `gitferry sync`
    try:
        x = (await store.add_repo("x", str(tmp_path / "x"), {})).id
        y = (await store.add_repo("y", str(tmp_path / "y"), {})).id
        ledger = HeldLedger(store.remote_health)
        breaker = RemoteBreaker(ledger, threshold=1)
        now = datetime(2026, 12, 7, 5, 0)
        for repo_id in (x, y):
            await breaker.record(repo_id, FetchOutcome.failure({"origin": "refused"}), now)
        assert breaker.tripped_repositories(now) == [x, y]
        for repo_id in (x, y):  # the other process's sync was answered: both trips end there
            await other.remote_health.record(repo_id, "origin", None)

        x_read = ledger.held_reads[x] = asyncio.Event()
        round_ = asyncio.create_task(breaker.trips_ended(now))
        await eventually(lambda: ledger.waiting == [f"read {x}"])
        ledger.held_writes = asyncio.Event()
        backup_down = FetchOutcome.failure({"backup": "refused"})
        failing = asyncio.create_task(breaker.record(y, backup_down, now))
        await eventually(lambda: ledger.waiting[-1] == f"write {y}")
        assert breaker.tripped(y, now) == {"origin", "backup"}
        x_read.set()
        ended = await round_
        ledger.held_writes.set()
        await failing

        assert ended == [x]  # not y: its new trip was not in the store yet when it was read
        assert breaker.tripped(y, now) == {"origin", "backup"}  # y's copy kept for this round
        assert await breaker.trips_ended(now) == []  # the next round: y's copy is the store's
        assert breaker.tripped(y, now) == {"backup"} and breaker.tripped(x, now) == frozenset()
        stored = await other.remote_health.failure_states(y)
        assert [(s.remote, s.tripped_until is not None) for s in stored] == [("backup", True)]
    finally:
        await other.close()
        await store.close()
        offload.shutdown()


# Concurrency ----------------------------------------------------------------------


async def test_concurrency_never_exceeds_the_bound() -> None:
    """Fetches that end before their overtime mark (60 s here) hold their slot throughout."""
    clock = FakeClock()
    remotes = Remotes(clock, duration=45)
    limits = JobLimits(floor=300, overtime_cap=60)
    sched = scheduler(clock, remotes, max_concurrent=3, limits=limits)
    add_projects(sched, 20, 60)
    async with running(sched):
        await clock.advance(930)
    assert limits.overtime_after(sched.deadline(0)) == 60
    assert remotes.peak == 3 and sched.peak_concurrent == 3
    assert set(remotes.repos()) == set(range(20))


def test_deadline_follows_the_interval_between_a_minute_and_the_setting() -> None:
    limits = JobLimits(fetch_deadline=600)
    assert [limits.deadline(i) for i in (1, 60, 300, 3600)] == [60, 60, 300, 600]
    assert JobLimits(fetch_deadline=5).deadline(300) == 5  # the setting bounds it from above
    assert [limits.overtime_after(d) for d in (60, 300, 600)] == [15, 30, 30]
    with pytest.raises(ValueError):
        JobLimits(fetch_deadline=0)


class StuckRemote:
    """Repository 0's remote never finishes: its fetch runs until its deadline and then
    fails, as the engine ends it. Every other repository's fetch takes a second."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[int, FetchJob, float]] = []
        self.running = 0
        self.peak = 0

    async def __call__(self, repo_id: int, job: FetchJob) -> FetchOutcome:
        self.calls.append((repo_id, job, self.clock.monotonic()))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            if repo_id == 0:
                assert job.deadline is not None
                await self.clock.sleep(job.deadline)
                return FetchOutcome.failure({"origin": "stopped: the background fetch ran past its deadline"})
            await self.clock.sleep(1)
            return FetchOutcome.ok("origin")
        finally:
            self.running -= 1

    def fetches(self, repo_id: int) -> list[float]:
        return [at for repo, _job, at in self.calls if repo == repo_id]


async def test_a_stuck_remote_delays_only_its_own_repository() -> None:
    """One slot (a two-core machine): the healthy repository is fetched on every one of its
    slots while the stuck one runs to its deadline, fails, and backs off."""
    clock = FakeClock()
    remote = StuckRemote(clock)
    sched = FetchScheduler(clock, trigger=remote, max_concurrent=1, rng=random.Random(3))
    sched.add(0, "/srv/stuck", 60)
    sched.add(1, "/srv/healthy", 60)
    async with running(sched):
        await clock.advance(1800)
        assert sched.backoff_streak(0) >= 2  # each deadline counted as a failure
    stuck = [job for repo, job, _at in remote.calls if repo == 0]
    assert stuck and all(job.deadline == 60 for job in stuck)  # max(interval, a minute), under 600
    healthy = remote.fetches(1)
    # Every slot of the healthy repository (60 s apart, plus jitter): never starved.
    assert len(healthy) >= 1800 // 66 - 1
    assert max(b - a for a, b in itertools.pairwise(healthy)) < 2 * 60
    assert remote.peak == 2 and sched.peak_concurrent == 2  # the stuck one, and one other


async def test_at_most_max_concurrent_fetches_are_let_off_in_overtime() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, duration=10_000)  # nobody finishes
    sched = scheduler(clock, remotes, max_concurrent=2)
    add_projects(sched, 6, 60)
    async with running(sched):
        await clock.advance(300)
        assert sched.running == 4 and sched.overtime == 4  # two held, two let off in overtime
    assert remotes.peak == 4


def test_default_bound_follows_the_cpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    for cpus, expected in [(1, 1), (2, 1), (3, 2), (8, 4), (None, 1)]:
        monkeypatch.setattr("os.cpu_count", lambda cpus=cpus: cpus)
        assert FetchScheduler(clock, trigger=Remotes(clock)).max_concurrent == expected


async def test_unknown_and_removed_repositories() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, duration=10)
    sched = scheduler(clock, remotes)
    with pytest.raises(NotScheduled):
        sched.set_interval(9, 100)
    sched.add(1, "/srv/a", 100)
    sched.add(2, "/srv/b", 100)
    with pytest.raises(ValueError):
        sched.add(1, "/srv/a", 100)
    async with running(sched):
        sched.remove(2)
        await clock.advance(500)
    assert set(remotes.repos()) == {1}


async def test_many_repositories_start_in_slot_order_as_their_due_times_change() -> None:
    """The idle repositories are kept by due time (a heap, not a scan of all of them at
    each wake of the loop): each starts at its slot, the earliest first, also after its
    interval changed, and after it was removed and added again while it ran."""
    clock = FakeClock()
    remotes = Remotes(clock, duration=0.5)
    sched = scheduler(clock, remotes, max_concurrent=1, slots=SlotPolicy(jitter_fraction=0.0))
    add_projects(sched, 60, 3600)
    interval = {repo_id: 7200 if repo_id % 7 == 0 else 3600 for repo_id in range(60)}
    for repo_id, seconds in interval.items():
        if seconds != 3600:
            sched.set_interval(repo_id, seconds)
    start = clock.mono

    def slot(repo_id: int, now: float) -> float:
        path = paths(60)[repo_id]
        return now + until_slot(
            clock.wall() - (clock.mono - now), interval[repo_id], path_offset(path, interval[repo_id])
        )

    slots = {repo_id: slot(repo_id, start) for repo_id in range(60)}
    async with running(sched):
        while not remotes.running:  # the first fetch, caught while it runs
            await clock.advance(1)
        again = remotes.calls[-1].repo_id
        sched.remove(again)
        sched.add(again, paths(60)[again], 3600)
        slots[again] = slot(again, clock.mono)
        await clock.advance(3600)
    first_start = {}
    for call in remotes.calls:
        if call.repo_id == again and call.started < slots[again]:
            continue  # the run it was removed during
        first_start.setdefault(call.repo_id, call.started)
    due = sorted((t, r) for r, t in slots.items() if t <= start + 3600 - 60)
    assert len(due) > 40
    for t, repo_id in due:
        assert t <= first_start[repo_id] <= t + 60, (repo_id, t, first_start.get(repo_id))
    order = [r for _t, r in due]
    assert sorted(order, key=lambda r: (first_start[r], r)) == order


# Pause, battery ----------------------------------------------------------------


async def test_pause_holds_background_work_and_resume_catches_up_once() -> None:
    clock = FakeClock()
    remotes = Remotes(clock)
    pauses: list[bool] = []
    sched = scheduler(clock, remotes, on_pause=pauses.append)
    add_projects(sched, 8, 60)
    sched.pause()
    sched.pause()  # told once
    async with running(sched):
        await clock.advance(600)
        assert remotes.calls == [] and sched.paused and pauses == [True]
        resumed_at = clock.monotonic()
        sched.resume()
        assert pauses == [True, False]
        await clock.advance(60)
    after = [c for c in remotes.calls if c.started >= resumed_at]
    catch_up = [c.repo_id for c in after if c.job.reason is Reason.CATCH_UP]
    # Each overdue repository once, not once per missed slot.
    assert sorted(catch_up) == list(range(8))
    starts = sorted(c.started for c in after if c.job.reason is Reason.CATCH_UP)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(starts))


async def test_low_battery_pauses_when_the_setting_says_so() -> None:
    clock = FakeClock()
    power = FakePower(BatteryReading(percent=15, plugged=False))
    remotes = Remotes(clock)
    pauses: list[bool] = []
    sched = scheduler(clock, remotes, power=power, pause_on_battery=True, on_pause=pauses.append)
    add_projects(sched, 4, 60)
    async with running(sched):
        await clock.advance(300)
        assert remotes.calls == [] and sched.battery_paused and pauses == [True]

        power.reading = BatteryReading(percent=15, plugged=True)  # charging: not paused
        await clock.advance(120)
        assert not sched.battery_paused and set(remotes.repos()) == set(range(4))

        power.reading = BatteryReading(percent=19.5, plugged=False)
        await clock.advance(61)
        count = len(remotes.calls)
        await clock.advance(300)
        assert sched.battery_paused and len(remotes.calls) == count

        sched.set_pause_on_battery(False)
        await clock.advance(120)
        assert not sched.battery_paused and len(remotes.calls) > count
    assert pauses == [True, False, True, False]  # every change told, once


async def test_no_battery_or_a_full_one_never_pauses() -> None:
    for reading in (None, BatteryReading(percent=20, plugged=False)):
        clock = FakeClock()
        remotes = Remotes(clock)
        sched = scheduler(clock, remotes, power=FakePower(reading), pause_on_battery=True)
        sched.add(1, "/srv/a", 60)
        async with running(sched):
            await clock.advance(200)
        assert not sched.battery_paused and len(remotes.calls) >= 2


# Clock jumps ----------------------------------------------------------------------


@pytest.mark.parametrize("monotonic_counts_sleep", [False, True])
async def test_after_a_clock_jump_each_overdue_repository_is_fetched_once_staggered(
    monotonic_counts_sleep: bool,
) -> None:
    clock = FakeClock()
    remotes = Remotes(clock)
    sched = scheduler(clock, remotes, cadence=Cadence(tick=30))
    add_projects(sched, 12, 300)
    async with running(sched):
        await clock.advance(400)
        before = len(remotes.calls)
        if monotonic_counts_sleep:
            clock.mono += 4 * 3600  # the loop's sleepers are all overdue when it wakes
            clock.wall_time += 4 * 3600
        else:
            clock.suspend(4 * 3600)
        await clock.advance(90)
    after = remotes.calls[before:]
    catch_up = [c for c in after if c.job.reason is Reason.CATCH_UP]
    assert sorted(c.repo_id for c in catch_up) == list(range(12))
    starts = sorted(c.started for c in catch_up)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(starts))
    assert starts[-1] - starts[0] > 20  # spread over the catch-up window, not a burst
    assert len(after) == len(catch_up)  # no second fetch per missed slot


async def test_a_short_clock_step_is_not_a_jump() -> None:
    clock = FakeClock()
    remotes = Remotes(clock)
    woke: list[float] = []
    sched = scheduler(clock, remotes, on_wake=woke.append)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(100)
        clock.suspend(120)  # an NTP step, less than an interval
        await clock.advance(60)
    assert all(c.job.reason is Reason.SCHEDULE for c in remotes.calls)
    assert woke == []


async def test_a_wake_from_sleep_is_told_once() -> None:
    """Auto mode syncs after a wake: the scheduler tells how far the clock jumped, once."""
    clock = FakeClock()
    remotes = Remotes(clock)
    woke: list[float] = []
    sched = scheduler(clock, remotes, on_wake=woke.append)
    sched.add(1, "/srv/a", 300)
    async with running(sched):
        await clock.advance(100)
        clock.suspend(3 * 3600)
        await clock.advance(120)
    assert len(woke) == 1 and woke[0] >= 3 * 3600 - 1


# Offline -------------------------------------------------------------------------


async def test_offline_is_reported_once_and_probing_continues_at_most_an_interval_apart() -> None:
    clock = FakeClock()
    reports: list[bool] = []
    remotes = Remotes(clock, outcome_for=lambda _r, _j: FetchOutcome.offline({"origin": "no route"}))
    sched = scheduler(clock, remotes, on_offline=reports.append)
    add_projects(sched, 5, 300)
    async with running(sched):
        await clock.advance(3 * 3600)
        assert reports == [True] and sched.offline
        for r in range(5):  # back within an interval of the network's return, and never more often
            gaps = [b - a for a, b in itertools.pairwise(remotes.starts(r))]
            assert all(gap <= 300 for gap in gaps) and sum(gaps[-10:]) >= 10 * 150, gaps

        remotes.outcome_for = lambda _r, _j: FetchOutcome.ok("origin")
        await clock.advance(3600)
        assert reports == [True, False] and not sched.offline
        assert all(sched.backoff_streak(r) == 0 for r in range(5))


async def test_one_unreachable_repository_among_reachable_ones_is_not_offline() -> None:
    clock = FakeClock()
    reports: list[bool] = []

    def one_down(repo: int, _job: FetchJob) -> FetchOutcome:
        return FetchOutcome.offline() if repo == 0 else FetchOutcome.ok("origin")

    sched = scheduler(clock, Remotes(clock, outcome_for=one_down), on_offline=reports.append)
    add_projects(sched, 4, 300)
    async with running(sched):
        await clock.advance(3600)
    assert reports == [] and not sched.offline


async def test_back_online_the_waiting_repositories_are_fetched_soon_staggered() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, outcome_for=lambda _r, _j: FetchOutcome.offline())
    sched = scheduler(clock, remotes, on_offline=lambda _offline: None)
    add_projects(sched, 6, 300)
    async with running(sched):
        await clock.advance(4 * 3600)  # backoffs near the one-hour cap
        remotes.outcome_for = lambda _r, _j: FetchOutcome.ok("origin")
        back = len(remotes.calls)
        while len(remotes.calls) == back:  # the first retry, whichever it is, answers
            await clock.advance(10)
        first = remotes.calls[back].repo_id
        await clock.advance(90)
    recalled = [c for c in remotes.calls[back:] if c.job.reason is Reason.CATCH_UP]
    assert sorted(c.repo_id for c in recalled) == sorted(set(range(6)) - {first})
    assert not sched.offline


async def test_raising_the_bound_at_run_time_starts_more_at_once() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, duration=200)
    # Overtime only after 150 s (a quarter of the 600-s deadline): not within this test.
    sched = scheduler(clock, remotes, max_concurrent=1, limits=JobLimits(floor=600, overtime_cap=600))
    add_projects(sched, 6, 60)
    async with running(sched):
        await clock.advance(100)
        assert remotes.running == 1
        sched.set_max_concurrent(3)
        await clock.advance(10)
        assert remotes.running == 3 and sched.peak_concurrent == 3


async def test_psutil_power_reads_this_machine() -> None:
    offload = Offload()
    try:
        reading = await PsutilPower(offload).battery()
    finally:
        offload.shutdown()
    assert reading is None or 0 <= reading.percent <= 100


async def test_a_patient_stop_waits_for_running_fetches_and_can_be_cut_short() -> None:
    clock = FakeClock()
    remotes = Remotes(clock, duration=10_000)  # a fetch that hangs
    sched = scheduler(clock, remotes)
    sched.add(1, "/srv/a", 60)
    task = asyncio.create_task(sched.run())
    await clock.advance(100)
    assert remotes.running == 1
    sched.stop()
    await settle()
    assert not task.done()  # waits for the running fetch
    sched.stop(cancel_running=True)
    await asyncio.wait_for(task, 5)
    assert remotes.running == 0


async def test_a_stop_before_run_holds_and_run_returns_at_once() -> None:
    """The app's Quit right after launch must not wait for a scheduler that never started."""
    clock = FakeClock()
    remotes = Remotes(clock)
    sched = scheduler(clock, remotes)
    sched.add(1, paths(1)[0], 300.0)
    sched.stop()
    await asyncio.wait_for(sched.run(), 1)
    assert remotes.calls == []
