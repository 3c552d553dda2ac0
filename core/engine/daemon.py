"""The background engine, run by `gitferry daemon` and by the desktop app.

It builds the engine (pool, bus, a worker per repository) and the scheduler
over it, fetches every repository on its own interval, keeps the pool and the
store trimmed, and when stopped (SIGINT/SIGTERM for the daemon, Quit in the
app) stops starting jobs, gives running ones a few seconds to finish, cancels
the rest and closes the store. While it runs, a client drives it with the
commands below: watch or unwatch a repository, sync one now, cancel its job,
pause and resume the background fetches.

Why background work stops shows in every repository's published state: the
daemon holds the workers `paused` (the user's pause, all or one repository, or
a low battery, or a metered network), `offline` (no remote answers) or
`tripped` (a remote the breaker left out). A pause is a setting
(`paused_until`, app-wide and per repository: `always` or until a time), so it
survives a restart and a `gitferry pause` from another process reaches a running
daemon at its next look at the settings (every `SETTINGS_SECONDS`), as does a
repository another process registered, removed or pointed elsewhere. The CLI that
changed them says so on the engine's socket (`look`, `core.cli_engine.tell_engine_to_look`):
the daemon then looks at once.

Repositories in `sync_mode=auto` also sync by themselves (`core.engine.auto_sync`:
their tree watched by `core.engine.auto_watch`): a change once settled, start-up,
the interval (their background fetch is a whole sync), and one bounded last sync
when the daemon stops. One without auto-commit that met a conflict only fetches
until the user resolves it: with Gitferry, or with git alone (the watcher sees its
HEAD or index change, `core.git.merge.conflict_gone` says the conflict no longer
holds, the stored conflict is cleared and it syncs at once).

What the user's own git commands did (a branch switched, a commit made, a merge left
unfinished, the repository cloned again at its path) is looked at by `GitLooks`
(`core.engine.git_looks`), which measures the branches again or says the command in
the repository's standing, so the window follows within seconds.

The daemon that answers the CLI is the data directory's one engine: its caller
took the engine lock before it started (`core.engine.engine_lock`) and releases it
once `run` returned, so a second daemon, or the app, never runs beside it.

The store is a cache that can be lost under the daemon (deleted, replaced,
damaged): the store reopens or rebuilds itself (`core.store.database`), and the
daemon then registers again what it watches, under the same ids, and re-reads
their remotes from git. Its workers and schedule go on untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from dulwich.repo import Repo

from core.engine.auto_sync import AutoSync, Settle, Trigger
from core.engine.auto_watch import SCAN_SECONDS, AutoWatch
from core.engine.breaker import RemoteBreaker
from core.engine.cli_server import CliServer
from core.engine.clock import Clock, SystemClock, sleep_or_wake, wall_datetime
from core.engine.core import Core
from core.engine.engine import Engine
from core.engine.engine_lock import EngineLock
from core.engine.fetch_outcome import FetchJob, FetchOutcome
from core.engine.git_looks import GIT_SETTLE_SECONDS, GitLooks, file_stamp
from core.engine.job_limits import JobLimits
from core.engine.power import PsutilPower
from core.engine.remotes_mirror import mirror_all_remotes
from core.engine.report import SyncReport
from core.engine.scheduler import FetchScheduler
from core.engine.shared_remotes import sharing_a_remote
from core.errors import GitferryError
from core.events import EventBus, RegistrationChanged, RemoteTripped
from core.git.merge.conflict_gone import conflict_holds
from core.git.repository import (
    current_branch,
    in_worktree_repo,
)
from core.git.transfer.sign_in import remote_memory_keys
from core.git.transfer.signer import SessionPasswords
from core.git.worktree.pending import anything_to_commit
from core.model import ConflictRecord, RepoRecord, RepoState
from core.platform.metered import CannotSubscribe, network_metered, watch_metered
from core.platform.stop_signals import on_stop_signals
from core.platform.tree_watch import TreeWatch
from core.pool import RepoPool
from core.results import CANCELLED_MESSAGE, INTEGRATION_STOPS, ResultKind
from core.settings import AppSettings, RepoSettings, app_settings, pause_active, repo_settings
from core.store.database import Reopened
from core.store.registry_file import Registry, UnreadableRegistry, read_registry, registry_path

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 600.0
STOP_GRACE_SECONDS = 3.0
FINAL_SYNC_SECONDS = 10.0  # the last auto sync at stop, at most
SETTINGS_SECONDS = 5.0  # how often settings another process may have changed are looked at
METERED_EVERY = 12  # settings rounds between two questions to NetworkManager (a minute), unsubscribed


# The results of a fetch (or, in auto mode, a whole sync) that are no failure when every
# remote answered: the integration's stops (a whole sync's; a fetch says them again with
# `standing`), a deleted upstream (`diverged`, not standing) and a branch on no remote
# (`unpublished`). A detached HEAD a fetch says again is `error`, which a repository that
# failed says too: only `standing` tells them apart, so the two checks are not one.
_ANSWERED = INTEGRATION_STOPS | {ResultKind.UNPUBLISHED}


def as_outcome(report: SyncReport) -> FetchOutcome:
    """What the scheduler needs to know of a background fetch's report."""
    if report.message == CANCELLED_MESSAGE:
        return FetchOutcome.ok()  # the user's Cancel: no failure to back off from
    answered = tuple(report.answered_remotes)
    if report.failed_remotes:
        # A sign-in nobody could give is the user's to settle, not the remote failing: the
        # breaker does not count it (the fetch is still a failure: its retries back off).
        failed = {r: e for r, e in report.failed_remotes.items() if r not in report.signed_out}
        if report.result is ResultKind.OFFLINE and not answered:
            return FetchOutcome.offline(failed)
        return FetchOutcome.failure(failed, answered)
    if not report.result.succeeded and report.result not in _ANSWERED and not report.standing:
        return FetchOutcome.crashed(report.message)
    # `diverged`: every remote answered, one deleted an upstream (the user's to settle);
    # `unpublished`: every remote answered, a branch is on none of them (the user's to publish);
    # `conflict`, `dirty` (or `error`, HEAD detached: `standing`): every remote answered, the
    # integration's stop stands.
    return FetchOutcome.ok(*answered)


class Daemon:
    def __init__(
        self,
        core: Core,
        *,
        clock: Clock | None = None,
        bus: EventBus | None = None,
        tree_watch: TreeWatch | None = None,
        scan_every: float = SCAN_SECONDS,
        metered_bus: str = "SYSTEM",
        holder: str = "the daemon",
    ) -> None:
        self.core = core
        if core.passwords is None:  # the passwords the user gives it, kept while it runs
            core.passwords = SessionPasswords(holder)
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.engine: Engine | None = None
        self.scheduler: FetchScheduler | None = None
        self.auto: AutoSync | None = None
        self.auto_watch: AutoWatch | None = None
        self.looks: GitLooks | None = None  # once the engine runs
        self._tree_watch, self._scan_every, self._metered_bus = tree_watch, scan_every, metered_bus
        self._metered_heard = False  # subscribed to NetworkManager's signal: no poll
        self._heeds_metered: bool | None = None  # the `pause_on_metered` setting applied last
        self._repo_paused: set[int] = set()  # repositories under their own pause
        self._globally_held = False  # the scheduler's pause (the user's, battery, metered)
        self._conflicted: set[int] = set()  # auto mode, no auto-commit, a conflict: fetch only
        self._rechecking: dict[int, bool] = {}  # conflicted repositories being looked at: look again
        self._pause_until: dict[int, str] = {}  # each repository's stored pause
        self._app_pause_until = ""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._look_now = asyncio.Event()  # a CLI changed settings: the settings round runs now
        self._watched: dict[int, RepoRecord] = {}  # what it watches, should the store lose it
        self._breaker: RemoteBreaker | None = None  # the scheduler's, once it runs
        self._engine_lock: EngineLock | None = None  # `run`'s, while it runs
        self.started = asyncio.Event()
        """Set once the engine and the scheduler exist: the commands below work from then on."""

    def stop(self) -> None:
        self._stop.set()

    def quitting(self) -> None:
        """Say that this engine is stopping and will let its lock go soon (the app's Quit,
        before its actions under way end; `run` says it too once stopped): a `gitferry
        daemon` started meanwhile waits for the lock instead of exiting (`EngineLock.quitting`)."""
        if self._engine_lock is not None:
            self._engine_lock.quitting()

    # Commands (after `started`) ------------------------------------------------

    def watch(self, record: RepoRecord, interval: float, *, tripped: bool = False) -> None:
        """A newly registered repository: give it a worker and fetch it every `interval` s
        (one already watched just takes the new interval)."""
        engine, scheduler = self._running()
        self._watched[record.id] = record
        if record.id in engine.workers:
            scheduler.set_interval(record.id, interval)
            return
        engine.add(record, held=[RepoState.TRIPPED] if tripped else [])
        scheduler.add(record.id, record.path, interval)
        self._spawn(self.refresh(record.id))
        if self.looks is not None:
            self._spawn(self.looks.heads([record.id]))  # where HEAD is at the start
        self._git_changed(record.id)  # a repository just added, or switched while Gitferry was off

    async def refresh(self, repo_id: int) -> None:
        """Apply the repository's stored fetch interval, sync mode and pause (after a change
        of its settings)."""
        record = self._watched.get(repo_id)
        if record is None:
            return
        try:
            settings = await self.core.store.repo_settings(repo_id)
        except GitferryError as exc:
            log.debug("settings of %s not read: %s", record.name, exc)
            return
        await self._apply_settings(record, settings)

    async def _apply_settings(self, record: RepoRecord, settings: RepoSettings) -> None:
        repo_id = record.id
        scheduler = self.scheduler
        if scheduler is not None and scheduler.interval(repo_id) != settings.fetch_interval:
            scheduler.set_interval(repo_id, float(settings.fetch_interval))  # from its next fetch on
        self._pause_until[repo_id] = settings.paused_until
        self._apply_pause(record)
        if self.auto is None or self.auto_watch is None:
            return
        if settings.sync_mode == "auto" and repo_id not in self.auto:
            self.auto.add(repo_id)
            await self.auto_watch.watch(repo_id, record.path)
            self.auto.request(repo_id, Trigger.STARTUP)
        elif settings.sync_mode != "auto" and repo_id in self.auto:
            self.auto.remove(repo_id)
            await self.auto_watch.unwatch(repo_id)

    def _apply_pause(self, record: RepoRecord) -> None:
        paused = pause_active(self._pause_until.get(record.id, ""), self.clock.wall())
        if paused != (record.id in self._repo_paused):
            log.info("%s: %s", record.name, "paused" if paused else "resumed")
            if paused:
                self._repo_paused.add(record.id)
            else:
                self._repo_paused.discard(record.id)
                if self.auto is not None:
                    self.auto.request(record.id, Trigger.RESUME)
        if self.engine is not None:
            self.engine.hold(RepoState.PAUSED, paused or self._globally_held, record.id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _watch_stored(self, record: RepoRecord) -> None:
        """Watch a registered repository as the store has it: its interval, and a trip
        of its remote that outlived a restart (shown from the start)."""
        interval = (await self.core.store.repo_settings(record.id)).fetch_interval
        if self._breaker is not None:
            await self._breaker.load(record.id)
            tripped = bool(self._breaker.tripped(record.id, wall_datetime(self.clock)))
        else:
            tripped = False
        self.watch(record, float(interval), tripped=tripped)

    async def unwatch(self, repo_id: int) -> None:
        """A removed repository: no more fetches; its running job is cancelled, then it is
        closed (its packs unmapped: the drive holding it can be unmounted)."""
        engine, scheduler = self._running()
        self._watched.pop(repo_id, None)
        if self.looks is not None:
            self.looks.forget(repo_id)
        self._repo_paused.discard(repo_id)
        self._pause_until.pop(repo_id, None)
        if self.auto is not None and self.auto_watch is not None:
            self.auto.remove(repo_id)
            await self.auto_watch.unwatch(repo_id)
        scheduler.remove(repo_id)
        engine.cancel(repo_id)
        await engine.remove(repo_id)

    async def sync_now(self, repo_id: int) -> SyncReport:
        report = await self._running()[0].sync(repo_id)
        await self._answered(repo_id, report)
        return report

    async def password_handed_over(self, protocol: str, host: str, path: str | None) -> None:
        """A password the CLI was given and the server accepted is kept in memory now
        (`CliServer._keep`): the repositories with a remote it signs in to end their retry
        backoff, as after a user's sync, so their next background fetch comes on its
        interval with it (it waited out the backoff after failed sign-ins, up to an hour),
        and the trips of those remotes end (background fetches skipped them for the rest of
        the hour, the repository held `tripped`)."""
        scheduler, breaker, key = self.scheduler, self._breaker, (protocol, host, path)
        if scheduler is None:
            return
        now = wall_datetime(self.clock)
        for repo_id, record in list(self._watched.items()):
            tripped = breaker.tripped(repo_id, now) if breaker is not None else frozenset()
            if repo_id not in scheduler or (scheduler.backoff_streak(repo_id) == 0 and not tripped):
                continue
            try:
                keys = await self.core.offload.io(in_worktree_repo, record.path, remote_memory_keys)
            except GitferryError:
                continue
            signed_in = [remote for remote, remote_key in keys.items() if remote_key == key]
            if not signed_in:
                continue
            ended = [remote for remote in signed_in if remote in tripped]
            log.info(
                "%s: a password was handed over for its remote: its backoff is over%s",
                record.name,
                ", and its trip" if ended else "",
            )
            scheduler.answered(repo_id)
            if ended:
                await self._streaks_ended(repo_id, ended)

    async def _answered(self, repo_id: int, report: SyncReport) -> None:
        """A user's sync (the window's, or a `gitferry sync` this engine answers) that the
        remotes answered ends their failure streak, as a background fetch's answer does:
        the scheduler's retry backoff (the next background fetch comes on the interval),
        and a trip: with no remote of the repository tripped any more, it is no longer held
        `tripped` (the window said "A remote keeps failing" after the sync had just gone
        through)."""
        if self._breaker is None or self.engine is None or not report.answered_remotes:
            return
        if report.result.succeeded and self.scheduler is not None:
            self.scheduler.answered(repo_id)
        await self._streaks_ended(repo_id, report.answered_remotes)

    async def _streaks_ended(self, repo_id: int, remotes: list[str]) -> None:
        """The failure streaks of `remotes` ended (in the breaker and the store); with no
        remote of the repository tripped any more, it is no longer held `tripped`."""
        breaker, engine = self._breaker, self.engine
        if breaker is None or engine is None:
            return
        now = wall_datetime(self.clock)
        was_tripped = bool(breaker.tripped(repo_id, now))
        try:
            await breaker.record(repo_id, FetchOutcome.ok(*remotes), now)
        except GitferryError as exc:
            log.warning("could not record remote health of repository %s: %s", repo_id, exc)
            return
        if was_tripped and not breaker.tripped(repo_id, now):
            engine.hold(RepoState.TRIPPED, False, repo_id)

    def cancel(self, repo_id: int) -> bool:
        return self._running()[0].cancel(repo_id)

    def pause(self) -> None:
        self._running()[1].pause()

    def resume(self) -> None:
        self._running()[1].resume()
        if self.auto is not None:
            self.auto.request_all(Trigger.RESUME)

    async def set_pause(self, repo_id: int | None, until: str) -> None:
        """Pause all (`repo_id` None) or one repository until `until` (`always`, or epoch
        seconds), or resume (`until` empty): saved as a setting, so it survives a
        restart, and applied at once."""
        if repo_id is None:
            await self.core.store.set_app_setting("paused_until", until)
            self.apply_app_settings(await self.core.store.app_settings())
        else:
            await self.core.store.set_repo_setting(repo_id, "paused_until", until)
            await self.refresh(repo_id)

    def apply_app_settings(self, settings: AppSettings) -> None:
        """The app-wide settings as stored (at the start, after a change here or in another
        process): the pause, the bound on concurrent fetches, the fetch deadline, the
        battery pause, the settle time, the metered network's pause."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        self._app_pause_until = settings.paused_until
        if scheduler.max_concurrent != settings.max_concurrent:
            scheduler.set_max_concurrent(settings.max_concurrent)
        if scheduler.limits.fetch_deadline != settings.fetch_deadline:
            scheduler.set_fetch_deadline(float(settings.fetch_deadline))
        if scheduler.pause_on_battery != settings.pause_on_battery:
            scheduler.set_pause_on_battery(settings.pause_on_battery)
        paused = pause_active(settings.paused_until, self.clock.wall())
        if paused and not scheduler.paused:
            scheduler.pause()
        elif not paused and scheduler.paused:
            self.resume()
        if self.auto is not None:
            self.auto.set_settle(_settle(settings))
        if settings.pause_on_metered != self._heeds_metered:
            self._heeds_metered = settings.pause_on_metered
            self._spawn(self._check_metered())

    def _running(self) -> tuple[Engine, FetchScheduler]:
        if self.engine is None or self.scheduler is None:
            raise RuntimeError("the daemon has not started")
        return self.engine, self.scheduler

    # The run ------------------------------------------------------------------

    async def run(self, *, engine_lock: EngineLock | None = None) -> None:
        """Run until `stop()`. `engine_lock`: the data directory's engine lock, which the
        caller took before anything started (`core.engine.engine_lock`) and releases once
        this returns: this is the data directory's one engine, and answers `gitferry sync`
        on its socket meanwhile (`core.engine.cli_server`), as `gitferry daemon` and the
        app do."""
        self._engine_lock = engine_lock
        settings = await self.core.store.app_settings()
        pool = RepoPool(self.core.offload, ttl=settings.pool_ttl, budget=settings.memory_budget)
        self.engine = engine = Engine(self.core, self.bus, pool, on_pushed=self._pushed)
        breaker = RemoteBreaker(self.core.store.remote_health, on_trip=self._tripped)
        self.scheduler = scheduler = FetchScheduler(
            self.clock,
            trigger=self._fetch,
            max_concurrent=settings.max_concurrent,
            breaker=breaker,
            power=PsutilPower(self.core.offload),
            pause_on_battery=settings.pause_on_battery,
            on_offline=self._offline,
            on_pause=self._paused,
            on_wake=self._woke,
            limits=JobLimits(fetch_deadline=float(settings.fetch_deadline)),
        )
        self.auto = auto = AutoSync(
            self.clock,
            self._auto_run,
            pending=self._pending,
            allowed=self._auto_allowed,
            settle=_settle(settings),
            on_synced=self._auto_synced,
        )
        self.auto_watch = AutoWatch(
            self.core.offload,
            auto,
            tree_watch=self._tree_watch,
            scan_every=self._scan_every,
            on_git=self._git_changed,
        )
        self.looks = git_looks = GitLooks(
            self.core,
            self.bus,
            self.clock,
            self._watched,
            engine=engine,
            scheduler=scheduler,
            auto=auto,
            auto_watch=self.auto_watch,
            spawn=self._spawn,
            on_changed=self._git_changed,
        )
        self.apply_app_settings(settings)
        self.core.store.on_reopen(self._store_reopened)
        self._breaker = breaker
        for record in await self.core.store.repos():
            await self._watch_stored(record)
        log.info("watching %d repositories", len(engine.workers))
        self.started.set()
        wake = self._look_now.set
        cli = (
            await CliServer.start(
                self.core,
                engine,
                self.bus,
                answered=self._answered,
                look=wake,
                kept=self.password_handed_over,
            )
            if engine_lock is not None
            else None
        )
        running = asyncio.create_task(scheduler.run())
        upkeep = asyncio.create_task(self._upkeep(pool))
        helpers = [
            asyncio.create_task(auto.run()),
            asyncio.create_task(self.auto_watch.run()),
            asyncio.create_task(self._settings_loop()),
            asyncio.create_task(self._metered_signals()),
        ]
        try:
            await self._stop.wait()
        finally:
            self.quitting()
            if cli is not None:
                await cli.close()  # a CLI asking now runs its sync itself
            upkeep.cancel()
            helpers[1].cancel()
            helpers[2].cancel()
            helpers[3].cancel()
            looks = git_looks.stop()
            await self._final_sync(auto)
            auto.stop()
            self.auto_watch.close()
            scheduler.stop()  # no new jobs; running ones may finish within the grace period
            _done, pending = await asyncio.wait([running], timeout=STOP_GRACE_SECONDS)
            if pending:
                scheduler.stop(cancel_running=True)
            await asyncio.gather(running, upkeep, *helpers, *self._tasks, *looks, return_exceptions=True)
            await engine.stop(grace=0)

    async def _final_sync(self, auto: AutoSync) -> None:
        """The last auto sync, bounded: changes not yet synced leave with the daemon."""
        if self._tasks:  # a repository still being set up (a stop right after the start)
            await asyncio.wait(list(self._tasks), timeout=FINAL_SYNC_SECONDS)
        try:
            started = await auto.final(FINAL_SYNC_SECONDS)
        except Exception:
            log.exception("the final auto sync failed")
            return
        if started:
            log.info("final auto sync of %d repositories", started)

    # Auto mode ------------------------------------------------------------------

    def _auto_allowed(self, repo_id: int) -> bool:
        scheduler = self.scheduler
        if scheduler is None or repo_id in self._repo_paused:
            return False
        return not (scheduler.paused or scheduler.battery_paused or scheduler.metered or scheduler.offline)

    async def _pending(self, repo_id: int) -> bool:
        record = self._watched.get(repo_id)
        if record is None:
            return False
        try:
            return await self.core.offload.io(anything_to_commit, record.path)
        except Exception as exc:  # let the sync say what is wrong
            log.debug("%s: pending changes not looked at: %s", record.name, exc)
            return True

    async def _auto_run(
        self, repo_id: int, unsettled: frozenset[str], quiet: float, snapshot: frozenset[str] = frozenset()
    ) -> SyncReport:
        engine, scheduler = self._running()
        skip = scheduler.breaker.tripped(repo_id, wall_datetime(self.clock))
        settings = await self.core.store.repo_settings(repo_id)
        if not settings.auto_commit and await self._still_conflicted(repo_id):
            return await engine.fetch(repo_id, skip_remotes=skip)  # fetch only until the user resolves it
        return await engine.auto_sync(
            repo_id, unsettled=unsettled, settle_age=quiet, skip_remotes=skip, snapshot=snapshot
        )

    async def _still_conflicted(self, repo_id: int) -> bool:
        """The conflict that stopped the repository's auto sync holds still: recorded, and
        the repository says so (the user may have resolved it with git alone: then the
        record is cleared)."""
        record = self._watched.get(repo_id)
        if repo_id not in self._conflicted or record is None:
            return False
        stored = await self.core.store.conflicts(repo_id)
        if stored:
            try:
                branch, holds = await self.core.offload.cpu(in_worktree_repo, record.path, _holds(stored))
            except GitferryError as exc:  # detached, unborn, unreadable: the sync will say
                log.debug("%s: conflict not looked at: %s", record.name, exc)
                return True
            if holds:
                return True
            if branch is not None:
                await self.core.store.set_conflicts(repo_id, branch, [])
            if any(c.branch != branch for c in stored):
                log.debug("%s: conflicts of other branches stay listed", record.name)
        self._conflicted.discard(repo_id)
        log.info("%s: the conflict is resolved: auto sync goes on", record.name)
        return False

    def _git_changed(self, repo_id: int) -> None:
        """The repository's HEAD, index or branches changed (on the loop): which branch is
        checked out is looked at again, and a stopped repository looks whether its
        conflict still holds."""
        if self._stop.is_set():
            pass  # stopping: no window to show it
        elif self.looks is not None:
            self.looks.changed(repo_id)
        if repo_id not in self._conflicted:
            return
        if repo_id in self._rechecking:
            self._rechecking[repo_id] = True  # look again after the look under way
            return
        self._rechecking[repo_id] = False
        self._spawn(self._recheck_conflict(repo_id))

    async def _recheck_conflict(self, repo_id: int) -> None:
        try:
            again = True
            while again:
                await self.clock.sleep(GIT_SETTLE_SECONDS)
                self._rechecking[repo_id] = False
                if not await self._still_conflicted(repo_id):
                    if self.auto is not None:
                        self.auto.request(repo_id, Trigger.RESOLVED)
                    return
                again = self._rechecking.get(repo_id, False)
        except GitferryError as exc:
            log.debug("conflict of repository %s not looked at: %s", repo_id, exc)
        finally:
            self._rechecking.pop(repo_id, None)

    def _pushed(self, repo_id: int, remotes: list[str]) -> None:
        """A sync of the repository pushed to `remotes`: the other registered repositories
        of those remotes fetch soon (`shared_remotes.py`)."""
        self._spawn(self._fetch_beside(repo_id, remotes))

    async def _fetch_beside(self, repo_id: int, remotes: list[str]) -> None:
        pusher, scheduler = self._watched.get(repo_id), self.scheduler
        if pusher is None or scheduler is None:
            return
        others = {i: r.path for i, r in self._watched.items() if i != repo_id and i in scheduler}
        if not others:
            return
        for other in await self.core.offload.io(sharing_a_remote, pusher.path, remotes, others):
            if scheduler.fetch_soon(other) and other in self._watched:
                log.info("%s: fetching soon: %s pushed to its remote", self._watched[other].name, pusher.name)

    def _auto_synced(self, repo_id: int, report: SyncReport) -> None:
        if report.result is ResultKind.CONFLICT and repo_id not in self._conflicted:
            self._conflicted.add(repo_id)
            name = self._watched[repo_id].name if repo_id in self._watched else f"#{repo_id}"
            log.warning("%s: a conflict stops its auto sync (fetching goes on) until it is resolved", name)

    async def _settings_loop(self) -> None:
        """Settings another process changed (`gitferry pause`, `gitferry set NAME sync_mode`),
        a timed pause running out, the metered network: looked at every `SETTINGS_SECONDS`.
        The registry file follows every change of a setting, so a stat of it, and one of
        each unwatched repository's `.git/HEAD`, `.git/logs/HEAD` and `.git` (`GitLooks.heads`:
        1,000 repositories, a median 4.9 ms, 2.2 ms for HEAD alone, before `.git`'s; with it
        17.9 / 20.0 ms against 12.0 / 15.9 ms for the two, at a load of 3.5; with `.git/config`'s
        and `.git/modules`', for a submodule checked out with git, 24 against 16 ms of CPU
        for the three, at a load of 3.7), are the whole cost of a round where nothing
        changed (no store query)."""
        path = registry_path(self.core.store.db.path)
        seen: tuple[int, int, int] | None = await self.core.offload.io(file_stamp, path)
        rounds = 0
        while True:
            rounds += 1
            await sleep_or_wake(self.clock, self._look_now, SETTINGS_SECONDS)
            self._look_now.clear()
            try:
                if self.looks is not None:
                    await self.looks.heads()
                    await self.looks.trees()
                await self._follow_remote_health()
                if rounds % METERED_EVERY == 1 and not self._metered_heard:
                    await self._check_metered()
                stamp = await self.core.offload.io(file_stamp, path)
                if stamp != seen:
                    seen = stamp
                    registry = await self.core.offload.io(read_registry, path)
                    if registry is not None:
                        await self._apply_registry(registry)
                        continue
                self._reapply_pauses()
            except (GitferryError, UnreadableRegistry) as exc:
                log.debug("settings not read this round: %s", exc)

    async def _follow_remote_health(self) -> None:
        """A trip another process ended: a `gitferry sync` that ran in its own process (an
        environment this engine does not share, `--verbose`) and that the remote answered
        cleared the streak in the store, while this engine kept the remote skipped and the
        repository `tripped` for the rest of the hour. Each round re-reads the store's
        streaks of the tripped repositories only (none, most rounds: no query); the breaker
        keeps a copy it changed or was writing during the read (`RemoteBreaker.trips_ended`)."""
        breaker, engine = self._breaker, self.engine
        if breaker is None or engine is None:
            return
        for repo_id in await breaker.trips_ended(wall_datetime(self.clock)):
            name = self._watched[repo_id].name if repo_id in self._watched else f"#{repo_id}"
            log.info("%s: the store says its remote answered a sync: no longer tripped", name)
            engine.hold(RepoState.TRIPPED, False, repo_id)
            if self.scheduler is not None:  # its next background fetch comes on its interval
                self.scheduler.answered(repo_id)

    async def _apply_registry(self, registry: Registry) -> None:
        self.apply_app_settings(app_settings(registry.app_settings))
        await self._follow_registrations(registry)
        for entry in registry.repositories:
            record = self._watched.get(entry.id) if entry.id is not None else None
            if record is not None:
                await self._apply_settings(record, repo_settings(entry.settings))

    async def _follow_registrations(self, registry: Registry) -> None:
        """A repository another process registered (`gitferry add`, `clone`) is watched,
        one it removed (`gitferry remove`) no longer, one it pointed elsewhere (`gitferry
        add NEWPATH` after a move) watched there: the registry file is rewritten with each.
        A file from before ids were kept says nothing about any of them."""
        registered = {entry.id for entry in registry.repositories}
        if None in registered:
            return
        for repo_id in [repo_id for repo_id in self._watched if repo_id not in registered]:
            if repo_id in self._watched:
                name = self._watched[repo_id].name
                log.info("%s: removed by another process; no longer watched", name)
                await self.unwatch(repo_id)
                self.bus.publish(RegistrationChanged(repo_id, name, registered=False))
        for entry in registry.repositories:
            watched = self._watched.get(entry.id) if entry.id is not None else None
            if entry.id is None or (watched is not None and watched.path == entry.path):
                continue
            if watched is not None:  # `gitferry add NEWPATH` after a move: the same id, elsewhere
                log.info("%s: moved to %s by another process", watched.name, entry.path)
                await self.unwatch(entry.id)
            try:
                record = await self.core.store.repo_by_id(entry.id)
            except GitferryError as exc:  # removed again meanwhile, or the store unreadable now
                log.debug("%s not watched yet: %s", entry.name, exc)
                continue
            if record.id not in self._watched:
                log.info("%s: registered by another process; watching it", record.name)
                await self._watch_stored(record)
                self.bus.publish(RegistrationChanged(record.id, record.name, registered=True))

    def _reapply_pauses(self) -> None:
        """A timed pause may have run out."""
        scheduler = self.scheduler
        if (
            scheduler is not None
            and scheduler.paused
            and not pause_active(self._app_pause_until, self.clock.wall())
        ):
            self.resume()
        # Only those with a timed pause or paused now can change here (the others' holds
        # follow the scheduler's pause, `_paused`): every record every 5 s was about 12 µs
        # each, 12 ms a round at 1,000 repositories, in a cycle's profile.
        timed = [repo_id for repo_id, until in self._pause_until.items() if until]
        for repo_id in dict.fromkeys([*timed, *self._repo_paused]):
            record = self._watched.get(repo_id)
            if record is not None:
                self._apply_pause(record)

    async def _metered_signals(self) -> None:
        """NetworkManager's word on a metered network heard as it changes (its
        PropertiesChanged signal); where the bus does not allow that, or once it goes
        away, the settings loop asks every minute instead."""
        try:
            await watch_metered(self._metered_changed, self._metered_bus)
        except CannotSubscribe as exc:
            log.debug("metered network polled: %s", exc)
        except Exception as exc:
            log.info("metered network polled again: the bus went away (%s)", exc)
        finally:
            self._metered_heard = False

    def _metered_changed(self) -> None:
        self._metered_heard = True
        self._spawn(self._check_metered())

    async def _check_metered(self) -> None:
        scheduler = self.scheduler
        if scheduler is None:
            return
        heeded = (await self.core.store.app_settings()).pause_on_metered
        metered = bool(heeded) and bool(await self.core.offload.io(network_metered, self._metered_bus))
        scheduler.set_metered(metered)

    async def _fetch(self, repo_id: int, job: FetchJob) -> FetchOutcome:
        assert self.engine is not None
        if repo_id in self._repo_paused:
            return FetchOutcome.ok()  # its own pause: nothing, no failure
        self.engine.hold(RepoState.TRIPPED, bool(job.skip_remotes), repo_id)  # a cool-down may be over
        if self.auto is not None and repo_id in self.auto:
            report = await self.auto.sync(repo_id, Trigger.INTERVAL)  # auto mode: the interval is a sync
        else:
            report = await self.engine.fetch(repo_id, skip_remotes=job.skip_remotes, deadline=job.deadline)
            if self.looks is not None:
                await self.looks.after_fetch(repo_id, report.result)
        return as_outcome(report)

    async def _upkeep(self, pool: RepoPool) -> None:
        while True:
            await self.clock.sleep(UPKEEP_SECONDS)
            await pool.sweep()
            try:
                await self.core.store.upkeep()
            except GitferryError as exc:  # the store reopens itself; next round then
                log.warning("store upkeep skipped: %s", exc)

    async def _store_reopened(self, reopened: Reopened) -> None:
        """The store was reopened under the daemon, maybe rebuilt: what it watches is
        registered again (under the same ids) if the new store lacks it, and the
        remotes of a rebuilt store are read again from git."""
        restored = await self.core.store.restore_repos(list(self._watched.values()))
        if restored:
            log.warning(
                "registered again %s, which the status store had lost", ", ".join(r.name for r in restored)
            )
        if restored or reopened.recovery is not None:
            await mirror_all_remotes(self.core)

    def _tripped(self, repo_id: int, remote: str, until: datetime) -> None:
        name = self.engine.workers[repo_id].name if self.engine and repo_id in self.engine.workers else ""
        log.warning("%s: remote %s tripped until %s", name, remote, until.isoformat())
        self.bus.publish(RemoteTripped(repo_id, name, remote, until))
        if self.engine is not None:
            self.engine.hold(RepoState.TRIPPED, True, repo_id)

    def _woke(self, _jump: float) -> None:
        """After a sleep every auto-mode repository syncs (its backoff starts over)."""
        if self.auto is not None:
            self.auto.request_all(Trigger.WAKE)

    def _offline(self, offline: bool) -> None:
        log.warning("offline: remotes unreachable" if offline else "online again")
        if self.engine is not None:
            self.engine.hold(RepoState.OFFLINE, offline)
        if self.auto is not None and not offline:
            self.auto.request_all(Trigger.ONLINE)

    def _paused(self, paused: bool) -> None:
        log.info("background work %s", "paused" if paused else "resumed")
        self._globally_held = paused
        if self.engine is not None:
            self.engine.hold(RepoState.PAUSED, paused)
            for repo_id in self._repo_paused:  # a repository's own pause outlasts the global one
                self.engine.hold(RepoState.PAUSED, True, repo_id)
        if self.auto is not None and not paused:
            self.auto.kick()


async def run_until_signalled(
    core: Core, engine_lock: EngineLock, on_ready: Callable[[], None] | None = None
) -> None:
    """Run the daemon, the data directory's engine (`engine_lock` held), until SIGINT or
    SIGTERM; `on_ready` once a signal would stop it cleanly (a SIGTERM before that kills
    the process: systemd may send one at once)."""
    daemon = Daemon(core)
    undo = on_stop_signals(asyncio.get_running_loop(), daemon.stop)
    if on_ready is not None:
        on_ready()
    try:
        await daemon.run(engine_lock=engine_lock)
    finally:
        undo()


def _holds(stored: list[ConflictRecord]) -> Callable[[Repo], tuple[str | None, bool]]:
    """On the repository: its checked-out branch, and whether that branch's stored conflict holds."""

    def look(repo: Repo) -> tuple[str | None, bool]:
        branch = current_branch(repo)
        paths = {c.path for c in stored if c.branch == branch}
        return branch, bool(paths) and conflict_holds(repo, paths)

    return look


def _settle(settings: AppSettings) -> Settle:
    """Auto mode's settle times as the settings give them (`settle_max` at least `settle_time`)."""
    return Settle(settings.settle_time, max(settings.settle_time, settings.settle_max))
