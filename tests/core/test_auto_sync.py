"""Auto mode's trigger policy on a fake clock: settle time, the longest delay with the
files still changing left out, coalescing, the gate, the clean look, and backoff."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from core.engine.auto_sync import AutoSync, Settle, Trigger
from core.engine.backoff import Backoff
from core.engine.report import SyncReport
from core.results import ResultKind
from tests.core.scheduler_fakes import FakeClock, settle

REPO = 1


@dataclass
class Runs:
    """The sync the policy runs: records when and with what, answers `result`."""

    clock: FakeClock
    result: ResultKind = ResultKind.OK
    hold: float = 0.0  # fake seconds a sync takes
    leaves: bool = False  # the report names the unsettled paths it was given, as the real sync does
    calls: list[tuple[float, frozenset[str]]] = field(default_factory=list)
    snapshots: list[frozenset[str]] = field(default_factory=list)  # each call's snapshot paths

    async def __call__(
        self, repo_id: int, unsettled: frozenset[str], _quiet: float, snapshot: frozenset[str] = frozenset()
    ) -> SyncReport:
        self.calls.append((self.clock.monotonic(), unsettled))
        self.snapshots.append(snapshot)
        if self.hold:
            await self.clock.sleep(self.hold)
        report = SyncReport(f"#{repo_id}", self.result, "")
        if self.leaves:
            report.unsettled = sorted(unsettled)
        return report


@pytest.fixture
async def world() -> AsyncIterator[tuple[FakeClock, Runs, Callable[..., AutoSync]]]:
    clock = FakeClock()
    runs = Runs(clock)
    made: list[tuple[AutoSync, asyncio.Task[None]]] = []

    def make(**kwargs: object) -> AutoSync:
        auto = AutoSync(clock, runs, settle=Settle(3.0, 30.0), rng=random.Random(7), **kwargs)  # type: ignore[arg-type]
        auto.add(REPO)
        made.append((auto, asyncio.create_task(auto.run())))
        return auto

    yield clock, runs, make
    for auto, task in made:
        auto.stop()
        await clock.advance(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_change_syncs_once_the_tree_is_quiet_for_the_settle_time(world) -> None:
    clock, runs, make = world
    auto = make()
    for second in range(5):  # an edit a second for 5 s
        auto.changed(REPO, [f"note{second % 2}.md"])
        await clock.advance(1.0)
    assert runs.calls == []
    await clock.advance(1.9)  # 2.9 s after the last change
    assert runs.calls == []
    await clock.advance(0.2)
    assert len(runs.calls) == 1
    assert runs.calls[0][1] == frozenset()  # everything settled: nothing held back
    assert runs.snapshots == [frozenset()]  # nor read by snapshot
    await clock.advance(600)
    assert len(runs.calls) == 1


async def test_a_file_that_never_stops_changing_syncs_at_the_longest_delay_by_snapshot(world) -> None:
    """A writer appending every half second: the round syncs 30 s after its first change,
    the file being written read from a verified snapshot (not held back: it would never
    settle); the next round, once the writer stops, takes its last state."""
    clock, runs, make = world
    auto = make()
    auto.changed(REPO, ["done.txt"])
    start = clock.monotonic()
    for _ in range(80):  # 40 s of appends
        auto.changed(REPO, ["log.txt"])
        await clock.advance(0.5)
    assert len(runs.calls) == 1
    at, unsettled = runs.calls[0]
    assert at - start == pytest.approx(30.0, abs=0.6)
    assert unsettled == frozenset() and runs.snapshots[0] == {"log.txt"}
    await clock.advance(3.1)  # the writer stopped: quiet now
    assert len(runs.calls) == 2
    assert runs.calls[1][1] == frozenset() and runs.snapshots[1] == frozenset()


async def test_a_file_changing_for_minutes_is_read_by_snapshot_once_every_longest_delay(world) -> None:
    """Each round that reaches `longest` with the file still changing reads it by
    snapshot; it starts a new round (the file keeps changing), never a sync per write."""
    clock, runs, make = world
    auto = make()
    start = clock.monotonic()
    for _ in range(130):  # 65 s of appends
        auto.changed(REPO, ["log.txt"])
        await clock.advance(0.5)
    assert [round(at - start) for at, _u in runs.calls] == [30, 60]
    assert runs.snapshots == [{"log.txt"}, {"log.txt"}]
    assert "log.txt" in auto.waiting(REPO)


async def test_a_file_that_never_stops_changing_syncs_although_the_interval_syncs_meanwhile(world) -> None:
    """A log written every second while the backstop interval (15 s, shorter than the
    longest delay) syncs: each of those syncs leaves the log for later, but the round keeps
    its first change, so the log is still read by snapshot 30 s after it began (the
    interval's syncs used to start a new round each time: the log never synced)."""
    clock, runs, make = world
    auto = make()
    start = clock.monotonic()
    for second in range(70):
        auto.changed(REPO, ["app.log"])
        if second % 15 == 14:
            auto.request(REPO, Trigger.INTERVAL)
        await clock.advance(1.0)
    snapshots = [round(at - start) for (at, _u), snap in zip(runs.calls, runs.snapshots, strict=True) if snap]
    assert snapshots and snapshots[0] <= 31, (runs.calls, runs.snapshots)


async def test_an_interval_sync_just_after_a_save_does_not_start_its_settle_time_over(world) -> None:
    """A save, then 1.5 s later the backstop interval's sync (taking 1 s) leaves the
    file for being written still: the file syncs once quiet for the settle time since
    its change (3 s), not the settle time after that sync ended (it used to be 5.5 s:
    a save could wait twice the settle time)."""
    clock, runs, make = world
    runs.hold, runs.leaves = 1.0, True
    auto = make()
    start = clock.monotonic()
    auto.changed(REPO, ["note.md"])
    await clock.advance(1.5)
    auto.request(REPO, Trigger.INTERVAL)
    await clock.advance(0)
    assert [unsettled for _at, unsettled in runs.calls] == [{"note.md"}]
    await clock.advance(1.6)  # 3.1 s after the save; the interval's sync ended at 2.5 s
    assert [(round(at - start, 1), unsettled) for at, unsettled in runs.calls][1:] == [(3.0, frozenset())]


async def test_triggers_during_a_sync_coalesce_into_one_more(world) -> None:
    clock, runs, make = world
    runs.hold = 10.0
    auto = make()
    auto.request(REPO, Trigger.STARTUP)
    await clock.advance(0.1)
    assert len(runs.calls) == 1
    for trigger in (Trigger.WAKE, Trigger.INTERVAL, Trigger.RESUME, Trigger.ONLINE):
        auto.request(REPO, trigger)
        await clock.advance(1.0)
    assert len(runs.calls) == 1  # one at a time
    await clock.advance(7.0)  # the first ends; the four became one
    assert len(runs.calls) == 2
    await clock.advance(100.0)
    assert len(runs.calls) == 2


async def test_a_sync_asked_while_one_runs_gets_the_next_ones_report(world) -> None:
    clock, runs, make = world
    runs.hold = 5.0
    auto = make()
    auto.request(REPO, Trigger.STARTUP)
    await clock.advance(0.1)
    waiting = asyncio.ensure_future(auto.sync(REPO))
    await clock.advance(5.0)
    assert not waiting.done()  # the running one began before it was asked
    await clock.advance(5.0)
    assert waiting.done() and waiting.result().result is ResultKind.OK
    assert len(runs.calls) == 2


async def test_nothing_syncs_while_the_gate_is_closed_and_the_changes_wait(world) -> None:
    clock, runs, make = world
    gate = {"open": False}
    auto = make(allowed=lambda _repo_id: gate["open"])
    auto.changed(REPO, ["a.txt"])
    auto.request(REPO, Trigger.STARTUP)
    await clock.advance(3600)
    assert runs.calls == []
    gate["open"] = True
    auto.kick()
    await clock.advance(0.1)
    assert len(runs.calls) == 1


async def test_settled_changes_with_nothing_to_commit_cost_no_sync(world) -> None:
    clock, runs, make = world
    looks: list[int] = []

    async def pending(repo_id: int) -> bool:
        looks.append(repo_id)
        return False

    auto = make(pending=pending)
    auto.changed(REPO, ["build/out.o"])
    await clock.advance(3.1)
    assert looks == [REPO] and runs.calls == []
    assert auto.counts.skipped_clean == 1
    auto.request(REPO, Trigger.INTERVAL)  # other triggers do not ask: they fetch too
    await clock.advance(0.1)
    assert len(runs.calls) == 1


async def test_an_unreachable_remote_sees_no_retry_storm(world) -> None:
    """Offline for 10 fake minutes with an edit every 5 s: the retries follow the
    backoff, not the edits; then one sync when the remote answers, and quiet after."""
    clock, runs, make = world
    runs.result = ResultKind.OFFLINE
    auto = make(backoff=Backoff(base=30.0, cap=600.0))
    for _ in range(120):
        auto.changed(REPO, ["note.md"])
        await clock.advance(5.0)
    offline_attempts = len(runs.calls)
    assert 2 <= offline_attempts <= 6, runs.calls  # 120 edits
    runs.result = ResultKind.OK
    await clock.advance(1200.0)
    assert len(runs.calls) == offline_attempts + 1
    await clock.advance(3600.0)
    assert len(runs.calls) == offline_attempts + 1


async def test_a_final_sync_takes_waiting_changes_within_its_bound(world) -> None:
    clock, runs, make = world
    auto = make()
    auto.changed(REPO, ["a.txt"])
    await clock.advance(1.0)  # not settled yet
    final = asyncio.ensure_future(auto.final(10.0))
    await settle()
    assert final.done() and final.result() == 1
    assert len(runs.calls) == 1


async def test_a_sync_asked_for_when_the_final_one_starts_gets_its_report(world) -> None:
    """The background fetch's interval (`sync`, awaited by the scheduler) asked for a sync
    just before the stop's final round took the repository: that round runs it, whole, and
    answers it. It used to look for changes only and, the tree clean, drop it unanswered:
    the scheduler's job then held the daemon's stop for its grace period."""
    _clock, runs, make = world

    async def pending(_repo_id: int) -> bool:
        return False  # a clean tree

    auto = make(pending=pending)
    await settle()
    waiting = asyncio.ensure_future(auto.sync(REPO, Trigger.INTERVAL))
    final = asyncio.ensure_future(auto.final(10.0))  # before the loop took the asked sync
    await settle()
    assert final.done() and final.result() == 1
    assert waiting.done() and waiting.result().result is ResultKind.OK
    assert len(runs.calls) == 1


async def test_a_sync_asked_for_a_round_that_never_comes_is_cancelled_at_stop(world) -> None:
    """Asked while a sync ran, for the round after it, and the loop stopped meanwhile: the
    caller hears it is cancelled rather than wait for ever; so does one asking after."""
    clock, runs, make = world
    runs.hold = 5.0
    auto = make()
    auto.request(REPO, Trigger.STARTUP)
    await clock.advance(0.1)
    waiting = asyncio.ensure_future(auto.sync(REPO))
    await settle()
    auto.stop()
    await clock.advance(5.0)  # the running one ends, and the loop with it
    assert waiting.done() and waiting.cancelled()
    with pytest.raises(asyncio.CancelledError):
        await auto.sync(REPO)
    assert len(runs.calls) == 1


async def test_a_commit_made_with_git_ends_the_backoff_a_busy_git_began(world) -> None:
    """A sync that met the user's own `git commit` waiting on its editor ended `busy`, and
    every retry while the message was written backed off further (30, 60, 120 s...). The
    commit, once made, is synced at once, not when the backoff ends."""
    clock, runs, make = world
    runs.result = ResultKind.BUSY
    auto = make(backoff=Backoff(base=30.0, cap=600.0))
    auto.changed(REPO, ["note.md"])
    await clock.advance(200.0)  # the editor open for over three minutes
    busy = len(runs.calls)
    assert busy >= 2, runs.calls
    runs.result = ResultKind.OK
    auto.request(REPO, Trigger.COMMITTED)
    await clock.advance(1.0)
    assert len(runs.calls) == busy + 1
