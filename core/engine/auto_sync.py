"""Auto mode's triggers: when a repository in `sync_mode=auto` syncs by itself.

Policy only, Qt-free, on the clock port (tests drive it with a fake clock): the
daemon (`core.engine.daemon`, in `gitferry daemon` and inside the desktop app)
feeds it and hands it the sync to run.

- A change in the working tree (`changed`, from the file watcher or the fallback
  scan) syncs once the tree has been quiet for `Settle.quiet` seconds, and at the
  latest `Settle.longest` seconds after the first change of the round. A file
  still changing then (an event within the last `quiet` seconds: its size or
  mtime moved) is *unsettled*: a sync the quiet time started leaves it uncommitted
  and a later round takes it once it is still, so a file being written is never
  committed torn. A sync `Settle.longest` started commits such a file from a
  verified snapshot instead (`core.git.worktree.snapshot_read`: a state it held
  unchanged through the whole read), so a file that never stops changing still
  syncs; one that changed under every read is left for the next round. The
  events arrive late (watchdog holds inotify's half a second to pair moves), so the
  sync also leaves out every file whose mtime is less than `quiet` seconds old
  (`young_after` in `core.git.worktree.autocommit`); its report names them and they
  count as changed again.
  Before such a sync a stat-only look (`pending`) checks that a commit has
  anything to pick up: a change to an ignored file, or the files a sync itself
  wrote, cost no sync and no network.
- Other triggers ask for a sync at once (`request`): start-up, wake from sleep,
  a commit made with git (the checked-out branch moved outside a sync: no tree
  change is pending then, so the watcher's change alone would cost no sync),
  the network answering again, a resume, the background fetch's interval (which
  runs here as a whole sync through `sync`, so the interval is the backstop and a
  moved upstream is integrated in the same job).
- One sync per repository at a time; whatever arrives during it coalesces into
  one more sync after it.
- A failed sync (offline, a refused sign-in, an error, busy) backs off
  (`core.engine.backoff`): changes arriving meanwhile wait for the backoff to end,
  so an unreachable remote sees no retry storm. Nothing syncs while `allowed`
  says no (paused, offline, on battery, metered): changes wait, and `kick` looks
  again when that changes.
- `final`: at Quit and daemon shutdown, one sync of every repository with changes
  waiting, bounded in time.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from core.engine.backoff import Backoff
from core.engine.clock import Clock, sleep_or_wake
from core.engine.report import SyncReport
from core.results import ResultKind

log = logging.getLogger(__name__)

RunSync = Callable[[int, frozenset[str], float, frozenset[str]], Awaitable[SyncReport]]
"""(repository, unsettled paths, quiet seconds, snapshot paths): the sync, leaving those
paths and files modified less than `quiet` seconds ago uncommitted (its report's
`unsettled` names them), committing the snapshot paths from a verified snapshot."""
Pending = Callable[[int], Awaitable[bool]]
Allowed = Callable[[int], bool]

FAILED = frozenset({ResultKind.OFFLINE, ResultKind.AUTH_FAILED, ResultKind.ERROR, ResultKind.BUSY})
MAX_HOT_PATHS = 10_000  # past this a round keeps only the newest events' paths
IDLE_WAKE = 3600.0  # longest sleep with nothing due (a change wakes it at once)
FINAL_QUIET = 1.0  # at Quit, only files changed within the last second wait (for the next start)


class Trigger(enum.StrEnum):
    CHANGE = "change"
    STARTUP = "startup"
    WAKE = "wake"
    ONLINE = "online"
    RESUME = "resume"
    INTERVAL = "interval"
    QUIT = "quit"
    RESOLVED = "resolved"  # the conflict that stopped it is resolved
    COMMITTED = "committed"  # the checked-out branch moved outside a sync (a commit with git)


FRESH_START = frozenset({Trigger.WAKE, Trigger.ONLINE, Trigger.RESUME, Trigger.RESOLVED, Trigger.COMMITTED})
"""Triggers that say the world changed: the failure streak's backoff starts over (a commit
made with git: the `git commit` whose open editor kept the syncs `busy` is done)."""


@dataclass(frozen=True)
class Settle:
    quiet: float = 3.0  # seconds without a change before a sync
    longest: float = 30.0  # seconds from a round's first change to its sync, at most

    def __post_init__(self) -> None:
        if not 0 < self.quiet <= self.longest:
            raise ValueError("settle needs 0 < quiet <= longest")


@dataclass(eq=False)
class _Repo:
    repo_id: int
    first_change: float | None = None  # monotonic: the round's first change, None: no change waits
    last_change: float = 0.0
    hot: dict[str, float] = field(default_factory=dict)  # path -> its last change (monotonic)
    asked: set[Trigger] = field(default_factory=set)  # immediate triggers waiting
    forced: bool = False  # `sync` waits: no gate, no backoff
    waiters: list[asyncio.Future[SyncReport]] = field(default_factory=list)
    running: asyncio.Task[None] | None = None
    streak: int = 0  # consecutive failed syncs
    not_before: float = 0.0  # monotonic: the backoff's end
    quiet: float | None = None  # its own settle time (a scanned tree sees changes only per round)


@dataclass
class AutoCounts:
    """What happened, for tests and the benchmark."""

    syncs: int = 0
    skipped_clean: int = 0  # settled changes with nothing for a commit: no sync
    by_trigger: dict[str, int] = field(default_factory=dict)


class AutoSync:
    def __init__(
        self,
        clock: Clock,
        run_sync: RunSync,
        *,
        pending: Pending | None = None,
        allowed: Allowed | None = None,
        settle: Settle | None = None,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        on_synced: Callable[[int, SyncReport], None] | None = None,
    ) -> None:
        self._clock = clock
        self._run_sync = run_sync
        self._pending = pending
        self._allowed = allowed or (lambda _repo_id: True)
        self.settle = settle or Settle()
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._on_synced = on_synced
        self._repos: dict[int, _Repo] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.counts = AutoCounts()

    # Registration and input ----------------------------------------------------

    def add(self, repo_id: int) -> None:
        self._repos.setdefault(repo_id, _Repo(repo_id))

    def remove(self, repo_id: int) -> None:
        repo = self._repos.pop(repo_id, None)
        if repo is not None:
            for waiter in repo.waiters:
                waiter.cancel()
            if repo.running is not None:
                repo.running.cancel()

    def __contains__(self, repo_id: object) -> bool:
        return repo_id in self._repos

    @property
    def busy(self) -> bool:
        """A sync (or its look for pending changes) is running."""
        return any(r.running is not None for r in self._repos.values())

    @property
    def repo_ids(self) -> list[int]:
        return list(self._repos)

    def set_quiet(self, repo_id: int, seconds: float) -> None:
        """The repository's own quiet time: a tree the fallback scan looks at every N
        seconds sees a file still being written only once per round, so it must stay
        unchanged for longer than a round before it counts as still."""
        repo = self._repos.get(repo_id)
        if repo is not None:
            repo.quiet = max(seconds, self.settle.quiet)

    def _quiet(self, repo: _Repo) -> float:
        return repo.quiet or self.settle.quiet

    def set_settle(self, settle: Settle) -> None:
        self.settle = settle
        self._wake.set()

    def changed(self, repo_id: int, paths: Iterable[str]) -> None:
        """Files under the tree changed (on the loop: the watcher hands it over)."""
        repo = self._repos.get(repo_id)
        if repo is None:
            return
        now = self._clock.monotonic()
        if repo.first_change is None:
            repo.first_change = now
        repo.last_change = now
        for path in paths:
            repo.hot.pop(path, None)
            repo.hot[path] = now
        while len(repo.hot) > MAX_HOT_PATHS:
            repo.hot.pop(next(iter(repo.hot)))
        self._wake.set()

    def request(self, repo_id: int, trigger: Trigger) -> None:
        """A sync as soon as the gate and the backoff allow (coalesced with one waiting)."""
        repo = self._repos.get(repo_id)
        if repo is None:
            return
        if trigger in FRESH_START:
            repo.streak, repo.not_before = 0, 0.0
        repo.asked.add(trigger)
        self._wake.set()

    def request_all(self, trigger: Trigger) -> None:
        for repo_id in list(self._repos):
            self.request(repo_id, trigger)

    async def sync(self, repo_id: int, trigger: Trigger = Trigger.INTERVAL) -> SyncReport:
        """A sync now, past the gate and the backoff (the caller has its own), joined with
        the next one due; its report."""
        repo = self._repos[repo_id]
        waiter: asyncio.Future[SyncReport] = asyncio.get_running_loop().create_future()
        if self._stopping:  # no round will take it: cancelled, not left waiting
            waiter.cancel()
        repo.waiters.append(waiter)
        repo.asked.add(trigger)
        repo.forced = True
        self._wake.set()
        return await waiter

    def kick(self) -> None:
        """The gate may have opened (resumed, online, on mains again): look again."""
        self._wake.set()

    # The loop --------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while not self._stopping:
                self._wake.clear()
                self._dispatch()
                await sleep_or_wake(self._clock, self._wake, self._next_wake())
        finally:
            running = [r.running for r in self._repos.values() if r.running is not None]
            await asyncio.gather(*running, return_exceptions=True)
            for repo in self._repos.values():  # asked for a round that will not come
                for waiter in repo.waiters:
                    waiter.cancel()
                repo.waiters = []

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def final(self, bound: float) -> int:
        """The last sync at Quit: every repository with a change waiting (and allowed)
        syncs once more, within `bound` seconds (what runs past it is cancelled); a
        change the watcher has not reported yet counts too (`pending` looks at each
        tree), and only files changed within the last `FINAL_QUIET` seconds wait.
        Returns how many were started."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + bound
        running = [r.running for r in self._repos.values() if r.running is not None]
        if running:  # begun before the last changes, maybe: they end first, then the last round
            await asyncio.wait(running, timeout=bound)
        started: list[asyncio.Task[None]] = []
        for repo in self._repos.values():
            if repo.running is not None:
                started.append(repo.running)  # still running past the bound: cancelled below
            elif (repo.first_change is not None or self._pending is not None) and self._allowed(repo.repo_id):
                repo.asked.add(Trigger.QUIT)
                self._start(repo, self._clock.monotonic(), final=True)
                assert repo.running is not None
                started.append(repo.running)
        if not started:
            return 0
        _done, late = await asyncio.wait(started, timeout=max(0.0, ends - loop.time()))
        for task in late:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)
        return len(started)

    def waiting(self, repo_id: int) -> frozenset[str]:
        """The changed paths waiting for the repository's next sync."""
        repo = self._repos.get(repo_id)
        return frozenset(repo.hot) if repo is not None else frozenset()

    def due(self, repo_id: int) -> float | None:
        """When (monotonic) the repository's next sync is due, None when nothing waits."""
        return self._due(self._repos[repo_id], self._clock.monotonic())

    def _due(self, repo: _Repo, now: float) -> float | None:
        if repo.forced:
            return now
        if repo.asked:
            return max(now, repo.not_before)
        if repo.first_change is None:
            return None
        quiet = self._quiet(repo)
        settled = min(repo.last_change + quiet, repo.first_change + max(self.settle.longest, quiet))
        return max(settled, repo.not_before)

    def _next_wake(self) -> float:
        now = self._clock.monotonic()
        wake = now + IDLE_WAKE
        for repo in self._repos.values():
            due = None if repo.running is not None else self._due(repo, now)
            if due is not None and (repo.forced or self._allowed(repo.repo_id)):
                wake = min(wake, due)
        return max(0.0, wake - now)

    def _dispatch(self) -> None:
        now = self._clock.monotonic()
        for repo in list(self._repos.values()):
            if repo.running is not None:
                continue
            due = self._due(repo, now)
            if due is None or due > now:
                continue
            if repo.forced or self._allowed(repo.repo_id):
                self._start(repo, now)

    def _start(self, repo: _Repo, now: float, *, final: bool = False) -> None:
        """Run the repository's sync; `final`: the Quit's, which looks for changes first
        (nothing waiting: no sync, unless a `sync` caller waits for it) and holds back only
        what changed a moment ago."""
        quiet = FINAL_QUIET if final else self._quiet(repo)
        # At Quit the files' mtimes alone decide (`quiet` in the sync): an event reported a
        # moment ago may be the last write of a file saved just before Quit.
        unsettled = frozenset() if final else frozenset(p for p, at in repo.hot.items() if now - at < quiet)
        # Changing for the round's whole `longest`: waiting for them to settle may never end.
        overdue = repo.first_change is not None and now >= repo.first_change + max(self.settle.longest, quiet)
        snapshot = unsettled if overdue else frozenset()
        unsettled -= snapshot
        asked, waiters = repo.asked, repo.waiters
        repo.asked, repo.waiters, repo.forced = set(), [], False
        # A sync someone awaits (`sync`) runs whole, at Quit too: a look that found nothing
        # to commit would leave its caller unanswered.
        changes_only = (not asked or final) and not waiters
        had_changes = repo.first_change is not None
        if unsettled:  # still being written: a later round takes them once they are still
            repo.hot = {p: at for p, at in repo.hot.items() if p in unsettled}
            # The round keeps its first change: a sync that left them (the tree quiet
            # around them, the interval's) must not put off `longest`, or a file written
            # more often than those syncs run would never be read by snapshot.
            repo.first_change = now if repo.first_change is None else repo.first_change
            repo.last_change = max(repo.hot.values())
        else:
            repo.hot, repo.first_change = {}, None
        triggers = sorted(asked) or [Trigger.CHANGE]
        repo.running = asyncio.create_task(
            self._job(repo, (unsettled, quiet, snapshot), (changes_only, had_changes), triggers, waiters),
            name=f"auto-sync-{repo.repo_id}",
        )

    async def _job(
        self,
        repo: _Repo,
        hold: tuple[frozenset[str], float, frozenset[str]],
        changes: tuple[bool, bool],
        triggers: list[Trigger],
        waiters: list[asyncio.Future[SyncReport]],
    ) -> None:
        changes_only, had_changes = changes  # only changes triggered it; any change waited
        unsettled, quiet, snapshot = hold  # files still being written; how recent a change holds one back;
        # files changing for the round's `longest` (committed from a verified snapshot)
        try:
            if changes_only and self._pending is not None and not await self._pending(repo.repo_id):
                self.counts.skipped_clean += 1
                return
            self.counts.syncs += 1
            for trigger in triggers:
                self.counts.by_trigger[trigger] = self.counts.by_trigger.get(trigger, 0) + 1
            log.debug("auto sync of repository %s (%s)", repo.repo_id, ", ".join(triggers))
            report = await self._run_sync(repo.repo_id, unsettled, quiet, snapshot)
            self._outcome(repo, report, had_changes)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(report)
        except asyncio.CancelledError:
            for waiter in waiters:
                waiter.cancel()
            raise
        except Exception as exc:
            log.exception("auto sync of repository %s failed", repo.repo_id)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
        finally:
            repo.running = None
            self._wake.set()

    def _outcome(self, repo: _Repo, report: SyncReport, had_changes: bool) -> None:
        now = self._clock.monotonic()
        if report.result in FAILED:
            repo.streak += 1
            repo.not_before = now + self._backoff.delay(repo.streak, self._rng)
            if had_changes and repo.first_change is None:  # not synced: they wait for the backoff
                repo.first_change = repo.last_change = now
        else:
            repo.streak, repo.not_before = 0, 0.0
        if report.unsettled:  # left for being written still: a later round takes them
            # A path the watcher reported keeps the time of its change: the sync that left it
            # (the interval's, a moment after a save) must not start its settle time over, or
            # the save waits up to twice the settle time. One only the sync's mtime look held
            # back (its event not yet here) counts from now.
            for path in report.unsettled:
                repo.hot.setdefault(path, now)
            if repo.first_change is None:
                repo.first_change = now
            repo.last_change = max(repo.last_change, *(repo.hot.get(p, now) for p in report.unsettled))
        if self._on_synced is not None:
            self._on_synced(repo.repo_id, report)
