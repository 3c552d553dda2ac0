"""One sync of one repository: the sync contract (docs/ARCHITECTURE.md), recorded.

lock -> (recover what a dead sync left) -> commit (auto-commit repositories) ->
fetch -> integrate -> measure ->
push (a rejection: fetch, integrate, push once more) -> record. Every run is a
job in the status store (`pending`, `running`, `done`/`failed`) and a line in
the activity log, whatever its result, unless it is `quiet`: it did nothing and
is up to date after a run that went well (auto mode's backstop syncs and the
background fetches that found nothing), or ends as the last run did, with the
same words (a state said once); the log and the history leave it out. A run the user
asked for (`SyncOptions.ask`: Sync now, `gitferry sync`) is quiet only when it is up
to date with nothing new: a stop or failure it meets again is told again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from dulwich.repo import Repo

from core.engine.branch_measure import RepoLease, fresh_repo, measure_in_worktrees, stamp_fetch
from core.engine.core import Core
from core.engine.fetch_phase import RemoteProgress, RemotesFetched, fetch_remotes
from core.engine.fetch_replay import facts_now, keep_record
from core.engine.remotes_mirror import remote_records
from core.engine.report import SyncReport
from core.engine.submodule_phase import measure_submodules
from core.engine.upstream_gone import gone_notes, unpublished_note
from core.errors import GitferryError
from core.git.locks.sync_lock import SyncLock, acquire_sync_lock
from core.git.repository import RepositoryMissing, current_branch, ref_value
from core.git.transfer.stop import TransferStop
from core.git.worktree.switch_intent import intent_left
from core.git.worktree.worktrees import BranchUse, Worktree, branch_uses
from core.model import BranchStatus, RepoRecord, SyncReach, lag_said, left_alone_said
from core.phrase import SEPARATOR, Phrase, in_turn, joined, phrase, verbatim, with_text
from core.phrase import from_json as phrase_from_json
from core.phrase import to_json as phrase_json
from core.platform.early_imports import load_during
from core.results import CANCELLED_MESSAGE, ResultKind, no_remote_said, one_line
from core.settings import RepoSettings

if TYPE_CHECKING:
    from core.engine.clock import Clock
    from core.engine.commit_phase import SkipSink
    from core.engine.integrate_phase import NotIntegrated
    from core.engine.push_phase import PushOutcome

INTEGRATION = ("core.engine.integrate_phase", "core.engine.lfs_phase")
"""What `_integrate` imports: a full sync has them imported while its fetch waits (`load_during`)."""

# The phases a sync may not run (auto-commit, integration, push) are imported where they
# run: a cold `gitferry sync --fetch-only` process does not load the merge machinery; nor,
# with nothing received, the pack consolidation, nor, fetching only, git's index lock check;
# nor, when nothing fails, what words an unexpected failure (`core.engine.unexpected`).

_INTEGRATION_RAN = frozenset(
    {ResultKind.OK, ResultKind.UP_TO_DATE, ResultKind.DIRTY, ResultKind.DIVERGED, ResultKind.UNPUBLISHED}
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOptions:
    """How one sync runs: fetch only or not, push or not, its timeout and the caller's hooks."""

    fetch_only: bool = False
    push: bool = True
    timeout: float = 30.0
    lock_wait: float = 5.0  # how long to wait for another sync of the same repository
    skip_remotes: frozenset[str] = frozenset()  # tripped remotes a background fetch leaves out
    on_skipped: SkipSink | None = None  # FileSkipped events of the auto-commit
    clock: Clock | None = None  # the auto-commit's breaker and commit times (tests: a fake)
    stop: TransferStop | None = None  # cuts the fetch's and the push's transfers short (a deadline, a Cancel)
    ask: bool = False  # the user started it: an HTTP(S) remote may ask them to sign in
    unsettled: frozenset[str] = frozenset()  # files still being written: the auto-commit leaves them
    settle_age: float | None = None  # and files modified less than this many seconds ago
    snapshot: frozenset[str] = frozenset()  # changing for settle_max: by verified snapshot
    # A fetch-only sync in the CLI's own process: recorded, when it changed nothing, for a
    # later cold one to replay (`fetch_replay`; the engine's own jobs never need it).
    keep_record: bool = False


class PushRejected(GitferryError):
    def __init__(self, rejected: dict[str, Phrase]) -> None:
        each = [phrase("{branch}: {reason}", branch=b, reason=why) for b, why in sorted(rejected.items())]
        what = in_turn(each)
        super().__init__(phrase("push rejected twice ({what})", what=what))
        self.rejected = rejected


def _not_attempted(stopped: NotIntegrated | None) -> bool:
    from core.engine.integrate_phase import NotAttempted

    return isinstance(stopped, NotAttempted)


class _Timer:
    def __init__(self, report: SyncReport, phase: str) -> None:
        self.report, self.phase = report, phase

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        self.report.add_time(self.phase, (time.perf_counter() - self.start) * 1000)


async def sync_repository(
    core: Core,
    record: RepoRecord,
    options: SyncOptions,
    progress: RemoteProgress | None = None,
    *,
    lease: RepoLease | None = None,
) -> SyncReport:
    """Run one sync; `lease` lends the open repository (the engine's pool), else it is
    opened and closed here. Cancelled (the CLI's Ctrl-C, the engine stopping), its
    transfer in flight is cut at once through the sync's `TransferStop` (its own when
    `options` has none): the thread blocked in a read from a remote that trickles bytes
    returns, the fetch drops its partial pack, and the lock goes once it has."""
    if options.stop is None:
        options = replace(options, stop=TransferStop())
    report = SyncReport(record.name)
    run_id = await core.store.create_run(record.id, "fetch" if options.fetch_only else "sync")
    lock: SyncLock | None = None
    integrated: str | None = None  # the checked-out branch, when its integration ran
    cancelled = False
    sync: _Sync | None = None
    facts: dict[str, Any] | None = None  # what a fetch-only sync read, before it ran (`keep_record`)
    try:
        async with (lease or fresh_repo)(core, record) as repo:
            with _Timer(report, "lock"):
                lock = await _take_lock(core, repo, record, options.lock_wait)
            if options.fetch_only and options.keep_record:
                facts = await facts_now(core, record)
            await core.store.start_run(run_id, record.id, "fetching" if options.fetch_only else "syncing")
            await _recover(core, repo, lock, report)
            sync = _Sync(core, record, repo, options, report, progress)
            await sync.run()
            if not options.fetch_only and not _not_attempted(sync.stopped):
                integrated = await core.offload.io(current_branch, repo)
            if report.fetched_refs or report.fast_forwarded or report.merged or report.rebased:
                await _measure_sibling_worktrees(core, record, sync.worktrees)
    except RepositoryMissing as exc:  # what to do about it, not only what happened
        follow = phrase(
            "{error}: if it moved, `gitferry add NEWPATH --name {name}` follows it (its settings kept);"
            " if it was deleted, `gitferry remove {name}` forgets it",
            error=exc.phrase,
            name=record.name,
        )
        report.say(exc.result, [follow])
    except GitferryError as exc:
        # The commit made before it stopped stays told: made offline, it waits to go out.
        # A push that could not reach its remote: what was merged (fetched, committed) before it too.
        if report.not_pushed:
            report.say(exc.result, [*_summary(report), report.not_pushed_said or report.not_pushed])
        else:
            report.say(exc.result, [*_committed(report), *exc.parts()])
        report.unfinished = exc.unfinished
    except asyncio.CancelledError:
        report.result, report.message = ResultKind.ERROR, CANCELLED_MESSAGE
        cancelled = True
        assert options.stop is not None
        options.stop.stop(CANCELLED_MESSAGE)
        raise
    except OSError as exc:
        failed = phrase("{path}: {error}", path=_failed_at(exc, record.path), error=exc.strerror or str(exc))
        report.say(ResultKind.ERROR, [*_committed(report), failed])
    except Exception as exc:
        # A bug, or a repository in a form the engine cannot read: never a success.
        step = sync.step if sync is not None else phrase("starting")
        log.exception("sync of %s failed while %s", record.name, step.english())
        from core.engine.unexpected import describe  # a failure's line only

        said = phrase("unexpected error while {step}: {error}", step=step, error=describe(exc))
        report.say(ResultKind.ERROR, [said])
        report.crashed = True
    finally:
        try:
            if sync is not None:
                await sync.keep_measured()
            # Still under the lock: step 7 of the contract.
            await _record(core, record, run_id, report, integrated, asked=options.ask)
            if options.fetch_only and options.keep_record and lock is not None and not cancelled:
                await _keep_fetch_record(core, record, report, sync, options, facts)
        finally:
            if lock is not None and cancelled:
                # Threads of this sync may still be in a blocking call: the lock is
                # held until they are done (or the process dies).
                core.offload.after_running(lock.release)
            elif lock is not None:
                await core.offload.io_to_the_end(lock.release)
    return report


async def _take_lock(core: Core, repo: Repo, record: RepoRecord, wait: float) -> SyncLock:
    """The sync lock; if this sync is cancelled while a thread waits for it, the lock
    that thread then takes is released rather than held until the process exits.

    It lives in the common git dir: the worktrees of one repository share its
    branches and remote-tracking refs, so two syncs of them exclude each other."""
    return await take_sync_lock(core, repo.commondir(), record.path, wait)


async def take_sync_lock(core: Core, common_dir: str, repo_path: str, wait: float = 0.0) -> SyncLock:
    """The sync lock of the repository whose common git dir is `common_dir` (`SyncBusy`
    past `wait`), released at once should the caller be cancelled while a thread takes it."""
    taking = asyncio.ensure_future(
        core.offload.io(acquire_sync_lock, common_dir, wait=wait, repo_path=repo_path)
    )
    try:
        return await asyncio.shield(taking)
    except asyncio.CancelledError:
        taking.add_done_callback(_release_if_taken)
        raise


def _release_if_taken(taking: asyncio.Future[SyncLock]) -> None:
    if not taking.cancelled() and taking.exception() is None:
        taking.result().release()


async def _record(
    core: Core, record: RepoRecord, run_id: int, report: SyncReport, integrated: str | None, *, asked: bool
) -> None:
    if report.result == ResultKind.OK and report.kept_both:
        from core.git.merge.conflict_copies import kept_both_note  # loaded with the merge that kept both

        report.say(report.result, [*report.parts(), *kept_both_note(report.kept_both)])
    if not report.message.isprintable():  # a file name with a newline in it
        report.say(report.result, [with_text(part, one_line) for part in report.parts()])
    quiet = False  # no news for the activity log: see `finish_run`
    try:
        with _Timer(report, "store"):
            if integrated is not None:
                await _record_conflicts(core, record, integrated, report)
            quiet = await core.store.finish_run(
                run_id,
                record.id,
                result=str(report.result),
                message=report.message,
                failed=not report.result.succeeded,
                details=report.stored(),
                timings_ms=report.timings_ms,
                idle=not _summary(report),
                notes=_notes(report),
                asked=asked,
                unfinished=report.unfinished,
                said=phrase_json(report.parts()),
            )
    except Exception as exc:
        # The caller and the activity log still hear of this run, as a failure.
        log.exception("could not record the sync of %s", record.name)
        from core.engine.unexpected import describe  # a failure's line only

        why = exc.phrase if isinstance(exc, GitferryError) else describe(exc)
        report.say(ResultKind.ERROR, [phrase("could not record this sync: {why}", why=why)])
        report.crashed = not isinstance(exc, GitferryError)
    if quiet:
        return
    try:
        await core.offload.io(core.journal.append, _journal_entry(report))
    except Exception:
        log.exception("could not append the sync of %s to the activity log", record.name)


async def _keep_fetch_record(
    core: Core,
    record: RepoRecord,
    report: SyncReport,
    sync: _Sync | None,
    options: SyncOptions,
    before: dict[str, Any] | None,
) -> None:
    """A no-change fetch recorded for a cold one to replay (`fetch_replay`); never the sync's failure."""
    try:
        await keep_record(
            core,
            record,
            report,
            sync.fetched if sync is not None and not options.skip_remotes else None,
            before=before,
            idle=not _summary(report),
            said=phrase_json(report.parts()),
            notes=_notes(report),
            network_timeout=options.timeout,
        )
    except Exception:
        log.exception("could not record the fetch of %s for a replay", record.name)


def _notes(report: SyncReport) -> str | None:
    """What a run that did nothing says past where its branches stand ("; " first, "" for
    nothing), for `finish_run` to tell news from a state said again; None: not such a run."""
    if not report.state_parts:
        return None
    rest = report.parts()[report.state_parts :]
    return SEPARATOR + joined(rest) if rest else ""


async def _record_conflicts(core: Core, record: RepoRecord, branch: str, report: SyncReport) -> None:
    """The branch's conflicted paths as this integration left them: listed on a
    conflict, cleared when it integrated or stopped for another reason; conflict
    copies (keep-both merges) stay listed while they are in the working tree."""
    if report.result != ResultKind.CONFLICT and report.result not in _INTEGRATION_RAN:
        return
    listed = await core.store.conflicted_paths(record.id, branch)
    kept: list[str] = []
    if listed:  # the copies' module only when something is listed (a fast-forward lists nothing)
        from core.git.merge.conflict_copies import copies_present, is_copy

        if any(map(is_copy, listed)):
            kept = await core.offload.io(copies_present, record.path, listed)
    await core.store.set_conflicts(record.id, branch, sorted(set(report.conflicts) | set(kept)))


async def _measure_sibling_worktrees(core: Core, record: RepoRecord, worktrees: list[Worktree]) -> None:
    """The other registered worktrees of this repository measured again (under this
    sync's lock, which they share): they share its branches and remote-tracking refs, so
    what this sync fetched or moved changes their ahead/behind too. Before, a registered
    linked worktree's `status` (and the window) said "behind 0" until its own next fetch
    while `git status` there said "behind 1". `worktrees`: as the sync's fetch listed them."""
    from core.engine.branch_measure import refresh_status

    paths = [w.path for w in worktrees if not w.current]
    if not paths:
        return
    registered = [r for r in await core.store.repos() if r.id != record.id]
    for sibling in await core.offload.io(_registered_at, registered, paths):
        try:
            await refresh_status(core, sibling)
        except (GitferryError, OSError) as exc:  # its own sync will say what is wrong there
            log.debug("%s not measured after the sync of %s: %s", sibling.name, record.name, exc)


def _registered_at(records: list[RepoRecord], paths: list[str]) -> list[RepoRecord]:
    real = {os.path.realpath(path) for path in paths}
    return [r for r in records if os.path.realpath(r.path) in real]


def _finish_switch(repo: Repo) -> dict[str, str | None] | None:
    """A switch a killed sync left (its intent file) finished; the branch's move, when it
    went from the switch's old head to its new one (the killed sync recorded nothing of
    it: no run, no history), else None (a rollback, a branch someone moved since)."""
    from core.git.worktree.checkout import resume_interrupted_switch
    from core.git.worktree.switch_intent import read_intent

    intent = read_intent(repo)
    if intent is None:
        return None
    branch_ref, old_head, new_head, _from_tree, _to_tree = intent.ids()
    before = ref_value(repo, branch_ref)
    resume_interrupted_switch(repo)
    after = ref_value(repo, branch_ref)
    if not intent.move_ref or old_head == new_head or before not in (old_head, new_head) or after != new_head:
        return None
    name = branch_ref.decode().removeprefix("refs/heads/")
    return {"branch": name, "from": intent.old_head, "to": intent.new_head, "arrived": None}


async def _recover(core: Core, repo: Repo, lock: SyncLock, report: SyncReport) -> None:
    """Finish what a sync killed mid-way left: its git lock files, a half switch."""
    if lock.taken_over is not None:  # the leftovers' check (psutil) only after a dead sync
        from core.git.locks.stale_locks import remove_stale_leftovers

        await core.offload.io(remove_stale_leftovers, repo.commondir(), lock.taken_over.since)
    if await core.offload.io(intent_left, repo):  # the checkout machinery only when it has work
        moved = await core.offload.io(_finish_switch, repo)
        if moved is not None:  # what the stopped sync never recorded: said by this one
            branch, to = str(moved["branch"]), str(moved["to"])
            report.fast_forwarded.append(branch)
            report.came_in.append(moved)
            report.notes.append(
                f"finished updating {branch} to {to[:12]}, which a sync stopped part-way began"
            )


class _Sync:
    """The phases after the lock, sharing one open repository and one report."""

    def __init__(
        self,
        core: Core,
        record: RepoRecord,
        repo: Repo,
        options: SyncOptions,
        report: SyncReport,
        progress: RemoteProgress | None,
    ) -> None:
        self.core, self.record, self.repo = core, record, repo
        self.options, self.report, self.progress = options, report, progress
        self.settings = RepoSettings()
        self.stopped: NotIntegrated | None = None  # the checked-out branch was not integrated
        self.fatal: GitferryError | None = None  # integration impossible: fetch only
        self.stored: list[BranchStatus] | None = None  # the branch rows before this sync
        self.measured: list[BranchStatus] = []
        self.saved = False  # `measured` is in the store (the sync got to step 7)
        self.held: dict[str, BranchUse] = {}  # branches a git operation in some worktree holds: not pushed
        self.worktrees: list[Worktree] = []  # the repository's, as its last fetch listed them
        self.step = phrase("reading its settings")  # what it was doing, should it fail unexpectedly
        self.gone: list[Phrase] = []  # branches it would push whose upstream the remote deleted
        self.deleted: set[str] = set()  # those whose tracking ref the fetch kept, stale (no prune)
        self.remoteless = False  # the repository has no remote at all: nothing syncs anywhere
        self.stands: GitferryError | None = None  # a fetch: the integration's stop that stands
        self.fetched: RemotesFetched | None = None  # what its (last) fetch phase reached

    async def run(self) -> None:
        self.settings = await self.core.store.repo_settings(self.record.id)
        full = not self.options.fetch_only
        if full:
            from core.git.locks.git_locks import ensure_index_unlocked
            from core.git.worktree.commit_editing import ensure_no_commit_being_written

            await self.core.offload.io(ensure_index_unlocked, self.repo)
            await self.core.offload.io(ensure_no_commit_being_written, self.repo)
            if self.settings.auto_commit:
                await self._commit()
            load_during(INTEGRATION)  # the integration's modules load while the fetch waits
        fetched = await self._fetch()
        if self.report.objects_received:
            from core.git.objects.pack_consolidation import consolidate_after_fetch

            await self.core.offload.io(consolidate_after_fetch, self.repo)  # bounds packs (and descriptors)
        if full:
            await self._integrate()
        if self.report.committed or self.report.merged or self.report.objects_received:
            from core.git.objects.loose_packing import gc_auto_after_sync

            await self.core.offload.io(gc_auto_after_sync, self.repo)  # bounds loose objects (gc.auto)
        statuses = await self._measure()
        if full and self.options.push and self.fatal is None:
            statuses = await self._push(statuses, fetched)
        final = stamp_fetch(statuses, fetched.fetched)
        self.gone = await gone_notes(
            self.core,
            self.repo,
            final,
            name=self.record.name,
            push_all=self.settings.push_all,
            answered=fetched.fetched,
            default_branches=fetched.default_branches,
            heads_moved=fetched.heads_moved,
            stale=fetched.stale,
        )
        self.step = phrase("recording")
        with _Timer(self.report, "store"):
            submodules = await measure_submodules(self.core, self.repo, self.report)
            remotes = remote_records(fetched.listed)  # a `git remote add` since: shown now
            await self.core.store.save_measured(self.record.id, final, submodules, remotes)
            self.saved = True
        self.report.branches = final
        self.report.unpublished = {s.name: s.unpublished for s in final if s.unpublished}
        self.report.branches_changed = _positions(final) != _positions(self.stored or [])
        if final and not fetched.fetched and not fetched.failures:  # commits, and no remote?
            self.remoteless = not fetched.listed
        if not full:
            self.stands = await self._still_stopped(final) or await self._still_not_pushed(final)
            if self.stands is None and any(s.upstream and (s.pending_push or s.unpublished) for s in final):
                await self._push_refusals(final)
        self._conclude(fetched)

    async def keep_measured(self) -> None:
        """A sync cut short after it measured (cancelled in its push: Quit, the daemon
        stopped; a failure there): the store gets the branches as it measured them after
        its commit or integration, as git shows them, not the rows from before; and the
        report tells them (the app's branch table showed the rows from before)."""
        if not self.measured or self.saved:
            return
        self.report.branches = self.measured
        self.report.branches_changed = _positions(self.measured) != _positions(self.stored or [])
        try:
            await self.core.store.save_branches(self.record.id, self.measured)
        except Exception:  # the run's own record still says how it ended
            log.exception("could not keep the branches measured by the sync of %s", self.record.name)

    async def _push_refusals(self, final: list[BranchStatus]) -> None:
        """What a fetch (it pushes nothing) says of the branches the next sync would push
        and git would not (`push.default`), as the whole sync would say it: their commits
        stay on no remote, never "up to date"."""
        from core.engine.push_phase import branches_to_push, push_targets

        current = next((s.name for s in final if s.checked_out), None)
        branches = branches_to_push(final, current, push_all=self.settings.push_all)
        if branches:
            await self.core.offload.io(push_targets, self.repo, branches, self.report)

    async def _still_not_pushed(self, final: list[BranchStatus]) -> GitferryError | None:
        """The last whole sync's push that could not reach its remote, said again while
        branches still hold commits their upstream has not (never "up to date" then):
        `unpublished`, as the fetch's remote answered; or the push a hook or the remote
        refused (`push_stopped`), said again as that sync said it (its result and line):
        a refusal stays in sight until a sync runs again. None once they went out."""
        if not any(s.upstream and s.ahead and not s.pushed for s in final):
            return None
        last = await self.core.store.last_sync(self.record.id)
        line = None if last is None else last.not_pushed or last.push_stopped
        if last is None or line is None:
            return None
        stored = phrase_from_json(last.said) or []
        said = next((p for p in stored if p.english() == line), line)
        if last.not_pushed:
            return _StillNotPushed(said)
        return _StillRefused(said, ResultKind(last.result))

    async def _still_stopped(self, final: list[BranchStatus]) -> GitferryError | None:
        """The integration's stop this fetch leaves standing, as the whole sync would say
        it again (its result and message): decided from what proves it now, never from the
        last result alone (a fetch that failed in between would make it forget): a detached
        HEAD; else, while the checked-out branch is still behind its upstream, a git
        operation left unfinished after a stop, a branch diverged under `ff-only`, the
        conflict the store lists that still holds (`conflict_holds`), or local changes in
        the way the last whole sync stopped on that are still there. None once the user
        checked out a branch, merged with git or put their changes away. The store is read
        only while the branch is behind (or HEAD detached)."""
        current = next((s for s in final if s.checked_out), None)
        if current is None:
            return await self.core.offload.io(_detached, self.repo)
        if not current.behind or current.upstream_gone:
            return None
        last = await self.core.store.last_sync(self.record.id)
        dirty = None
        if last is not None and last.result == ResultKind.DIRTY:
            on_command = last.unfinished is not None
            dirty = _InTheWay(last.message, last.dirty, on_command=on_command, said=last.said)
        diverged = bool(current.ahead)
        if not diverged and dirty is None:
            return None  # a fast-forward waits: nothing stops it (a cold fetch loads no merge)
        conflicted: list[str] = []
        if diverged:
            from core.git.merge.conflict_copies import is_copy

            listed = await self.core.store.conflicted_paths(self.record.id, current.name)
            conflicted = [path for path in listed if not is_copy(path)]
        stop = await self.core.offload.io(
            partial(
                _stop_standing,
                self.repo,
                self.settings.strategy,
                diverged=diverged,
                conflicted=conflicted,
                dirty=dirty,
                diverged_on_record=last is not None and last.result == ResultKind.DIVERGED,
            )
        )
        return stop

    async def _commit(self) -> None:
        from core.engine.commit_phase import commit_changes

        self.step = phrase("committing")
        with _Timer(self.report, "commit"):
            await commit_changes(
                self.core,
                self.record,
                self.repo,
                self.settings,
                self.report,
                clock=self.options.clock,
                publish=self.options.on_skipped,
                unsettled=self.options.unsettled,
                settle_age=self.options.settle_age,
                snapshot=self.options.snapshot,
            )

    async def _fetch(self, only: set[str] | None = None) -> RemotesFetched:
        self.step = phrase("fetching")
        fetched = await fetch_remotes(
            self.core,
            self.record.id,
            self.repo,
            self.settings,
            self.report,
            network_timeout=self.options.timeout,
            only=only,
            skip=self.options.skip_remotes,
            progress=self.progress,
            stop=self.options.stop,
            ask=self.options.ask,
        )
        self.worktrees = fetched.worktrees
        self.fetched = fetched
        self.deleted |= set(fetched.stale)
        return fetched

    async def _integrate(self) -> None:
        from core.engine.integrate_phase import integrate
        from core.engine.lfs_phase import LfsPhase
        from core.engine.submodule_phase import update_submodules

        self.step = phrase("fetching Git LFS objects")
        lfs = LfsPhase()
        try:
            timeout, stop = self.options.timeout, self.options.stop
            await lfs.fetch(
                self.core, self.repo, self.report, network_timeout=timeout, stop=stop, ask=self.options.ask
            )
        except GitferryError as exc:
            self.fatal = exc
            return
        self.step = phrase("integrating")
        with _Timer(self.report, "integrate"):
            try:
                self.stopped = await integrate(
                    self.core,
                    self.record.id,
                    self.repo,
                    self.settings,
                    self.report,
                    asked=self.options.ask,
                    deleted=frozenset(self.deleted),
                )
            except GitferryError as exc:
                self.fatal = exc
        await lfs.record(
            self.core,
            self.record.id,
            self.repo,
            self.report,
            fill=self.stopped is None and self.fatal is None,
        )
        if self.stopped is None and self.fatal is None:
            self.step = phrase("updating submodules")
            await update_submodules(
                self.core,
                self.repo,
                self.report,
                network_timeout=self.options.timeout,
                stop=self.options.stop,
                ask=self.options.ask,
            )

    async def _measure(self) -> list[BranchStatus]:
        """Ahead/behind of every branch, reusing the counts of pairs already measured
        (stored before this sync, or measured earlier in it)."""
        self.step = phrase("measuring branches")
        with _Timer(self.report, "graph"):
            if self.stored is None:
                self.stored = await self.core.store.branches(self.record.id)
            index = self.core.graph_index(self.record.id, self.repo)
            known = self.stored + self.measured
            self.measured = await self.core.offload.cpu(measure_in_worktrees, self.repo, known, index)
            return self.measured

    async def _push(self, statuses: list[BranchStatus], fetched: RemotesFetched) -> list[BranchStatus]:
        self.step = phrase("pushing")
        current = await self.core.offload.io(current_branch, self.repo)
        self.held = (await self.core.offload.io(branch_uses, self.repo)).by_operations()
        branches = self._pushable(statuses, current, fetched.stale)
        if not branches:
            return statuses
        outcome = await self._push_once(branches, fetched, statuses)
        if outcome.rejected:
            # The remote moved between our fetch and our push: catch up, try once more.
            again = await self._fetch(only=outcome.remotes)
            if current in outcome.rejected:
                await self._integrate()
            statuses = await self._measure()
            retry = [b for b in self._pushable(statuses, current, fetched.stale) if b in outcome.rejected]
            second = await self._push_once(retry, again, statuses) if retry else outcome
            if second.rejected and self.fatal is None:
                self.fatal = PushRejected(second.rejected)
                self.report.push_stopped = self.fatal.message
        return await self._measure()

    def _pushable(self, statuses: list[BranchStatus], current: str | None, stale: list[str]) -> list[str]:
        """`stale`: branches whose upstream the remote deleted, their tracking ref kept (no
        `fetch.prune`): not pushed, as with the ref pruned (a push would make the branch again)."""
        from core.engine.push_phase import branches_to_push

        branches = [
            b for b in branches_to_push(statuses, current, push_all=self.settings.push_all) if b not in stale
        ]
        if self.stopped is not None:
            branches = [b for b in branches if b != current]
        # A branch a rebase or bisect holds: its tip is about to be replaced (or is not
        # the user's to publish yet); pushing it would make the rewrite a forced push.
        for branch in branches:
            if branch in self.held:
                self.report.leave_alone(branch, self.held[branch].said())
        return [b for b in branches if b not in self.held]

    async def _push_once(
        self, branches: list[str], fetched: RemotesFetched, statuses: list[BranchStatus]
    ) -> PushOutcome:
        from core.engine.push_phase import push

        already = set(self.report.pushed)
        try:
            outcome = await push(
                self.core,
                self.repo,
                branches,
                self.report,
                reachable=set(fetched.fetched),
                unreachable=self.options.skip_remotes | set(fetched.failures),
                network_timeout=self.options.timeout,
                progress=self.progress,
                ask=self.options.ask,
                stop=self.options.stop,
            )
        except GitferryError as refused:  # a hook, the remote's emptiness check, the LFS upload
            if not self.report.not_pushed:  # one that could not reach its remote says so itself
                self.report.push_stopped = refused.message
            raise
        for status in statuses:  # for the history: where each pushed upstream was, and is
            if status.name in self.report.pushed and status.name not in already and status.head is not None:
                moved = {"branch": status.name, "from": status.upstream_head, "to": status.head}
                self.report.went_out.append(moved)
        return outcome

    def _conclude(self, fetched: RemotesFetched) -> None:
        report = self.report
        if self.stopped is not None:
            report.say(self.stopped.result, self.stopped.parts())
            report.unfinished = self.stopped.unfinished
            return
        failure = self.fatal or fetched.first_failure
        if failure is not None:
            raise failure
        if self.stands is not None:  # said as the whole sync would say it, what it fetched first
            stands = self.stands
            report.say(stands.result, [*_summary(report), *stands.parts()])
            report.unfinished = stands.unfinished
            report.standing = True
            return
        done: list[str | Phrase] = [*_summary(report)]
        result = ResultKind.OK if done else ResultKind.UP_TO_DATE
        if report.unpublished:  # work on no remote: never a plain success either
            note = unpublished_note(self.record.name, report.unpublished)
            result, done = ResultKind.UNPUBLISHED, [*done, note]  # what was done first, as below
        if report.push_refused:  # commits git would not push either: on no remote, not "up to date"
            refused = [
                phrase("{branch}: not pushed: {why}", branch=branch, why=why)
                for branch, why in sorted(report.push_refused.items())
            ]
            result, done = ResultKind.UNPUBLISHED, [*done, *refused]  # what was done first, as not_pushed
        if self.remoteless:  # "up to date" with nothing: its commits are on this computer only
            result, done = ResultKind.UNPUBLISHED, [*done, no_remote_said(self.record.name)]
        if self.gone:  # the remote changed under the user: never a plain success
            result, done = ResultKind.DIVERGED, [*done, *self.gone]  # what was done first, as above
        # the branches another result names already (not pushed, unpublished, gone) stay its
        lags = _lags(report.branches, self.settings.reach) if result in _SAYS_LAGS else {}
        report.lags = list(lags.values())
        level = done or _level(report.branches, lags)
        parts = [*level, *lags.values(), *_left_alone(report, lags), *_left_out(report), *report.noted()]
        report.say(result, parts)
        report.state_parts = 0 if done else len(level) + len(lags)


def _positions(branches: list[BranchStatus]) -> list[tuple[object, ...]]:
    """What a branch table shows, without the fetch times."""
    return [
        (
            b.name,
            b.upstream,
            b.head,
            b.upstream_head,
            b.ahead,
            b.behind,
            b.upstream_gone,
            b.unpublished,
            b.checked_out,
            b.worktree,
            b.worktree_use,
            b.pushed,
        )
        for b in branches
    ]


def _detached(repo: Repo) -> GitferryError | None:
    """HEAD detached: where the whole sync stops (`integrate_current`), a git operation
    that detached it (a rebase, `git am`, a bisect: `OperationInProgress`, no branch
    named), else the detached HEAD itself (`DetachedHead`)."""
    if current_branch(repo) is not None:
        return None
    from core.git.merge.integrate import DetachedHead
    from core.git.worktree.git_operation import OperationInProgress, unfinished_work

    operation = unfinished_work(repo)
    return DetachedHead.of(repo) if operation is None else OperationInProgress(None, operation)


def _stop_standing(
    repo: Repo,
    strategy: str,
    *,
    diverged: bool,
    conflicted: list[str],
    dirty: _InTheWay | None,
    diverged_on_record: bool = False,
) -> GitferryError | None:
    """What the integration of the checked-out branch (behind its upstream) would stop on
    again, in the order it looks (`integrate_current`), where the repository proves it
    without integrating: a git operation left unfinished after a stop on record
    (`OperationInProgress`), a branch diverged under `ff-only` (`Diverged`), an upstream
    sharing no commit with it after a `diverged` stop on record (`UnrelatedHistories`:
    the history walk is made only then), the listed conflict while it holds (`Conflict`,
    the listed paths), the local changes in the way the last whole sync stopped on
    (`dirty`, its message) while they are still changed."""
    from core.git.config.upstreams import upstream_of
    from core.git.worktree.git_operation import OperationInProgress, unfinished_work

    branch = current_branch(repo)
    upstream = upstream_of(repo, branch) if branch is not None else None
    if branch is None or upstream is None:
        return None
    operation = unfinished_work(repo)
    if operation is not None:
        return OperationInProgress(branch, operation) if conflicted or dirty is not None else None
    if dirty is not None and dirty.on_command:
        dirty = None  # the git command it stopped on is over: no local change stopped anything
    if diverged:  # what a sync of a diverged branch loads anyway
        from core.git.config.pull_config import strategy_in_effect
        from core.git.merge.conflict_gone import conflict_holds
        from core.git.merge.integrate import Conflict, Diverged, Strategy, short_name

        if Strategy(strategy_in_effect(repo, strategy)[0]) is Strategy.FF_ONLY:
            return Diverged(branch, short_name(upstream))
        if diverged_on_record:
            from core.git.history.merge_base import merge_bases
            from core.git.merge.integrate import UnrelatedHistories, checked_out, tracking_head

            local, remote = checked_out(repo)[1], tracking_head(repo, upstream)
            if remote is not None and not merge_bases(repo, local, remote):
                return UnrelatedHistories(branch, short_name(upstream), shallow=bool(repo.get_shallow()))
        if conflicted and conflict_holds(repo, conflicted):
            return Conflict(branch, short_name(upstream), sorted(conflicted))
    if dirty is not None:
        from core.git.worktree.pending import pending_changes

        return dirty if dirty.still_there(pending_changes(repo.path)) else None
    return None


class _StillNotPushed(GitferryError):
    """The last whole sync's push that could not reach its remote (its line), said again."""

    result = ResultKind.UNPUBLISHED


class _StillRefused(GitferryError):
    """The last whole sync's push that a hook or the remote refused (its line), said again
    with that sync's result."""

    def __init__(self, said: str | Phrase, result: ResultKind) -> None:
        super().__init__(said)
        self.result = result


class _InTheWay(GitferryError):
    """The local changes the last whole sync stopped on (`paths`, from its report; none
    listed: any), as it said it. Still there while a stat scan finds one of them changed
    (another edit since, where the integration writes nothing, stops nothing). `on_command`:
    it stopped on a git command left unfinished (its `unfinished`), not on local changes:
    once that command is over it holds no more, whatever is changed."""

    result = ResultKind.DIRTY

    def __init__(
        self, message: str, paths: list[str], *, on_command: bool = False, said: str | None = None
    ) -> None:
        super().__init__(message)
        self.paths = paths
        self.on_command = on_command
        self.said = said  # the message's parts as stored (`core.phrase.to_json`)

    def parts(self) -> list[Phrase]:
        stored = phrase_from_json(self.said)
        return stored if stored is not None and joined(stored) == self.message else [self.phrase]

    def still_there(self, changed: Collection[str]) -> bool:
        return bool(changed) and (not self.paths or any(path in changed for path in self.paths))


def _failed_at(exc: OSError, root: str) -> str:
    """Where `exc` happened, as the sync's message names it: a file of the working tree
    by its path in it, as git names it (`docs/a.txt: Read-only file system`); the
    repository's folder for anything else (its `.git`, no file named)."""
    filename = exc.filename
    if isinstance(filename, bytes):
        filename = os.fsdecode(filename)
    if not isinstance(filename, str):
        return root
    relative = os.path.relpath(filename, root)
    if relative.startswith(os.pardir) or relative.split(os.sep)[0] in (os.curdir, ".git"):
        return root
    return relative


def _committed(report: SyncReport) -> list[Phrase]:
    return [phrase("committed %n file(s)", report.committed)] if report.committed else []


def _summary(report: SyncReport) -> list[Phrase]:
    parts = _committed(report)
    if report.fetched_refs:
        refs, objects = ", ".join(report.fetched_refs), report.objects_received
        parts.append(phrase("fetched {refs} ({objects} objects)", refs=refs, objects=objects))
    if report.fast_forwarded:
        parts.append(phrase("fast-forwarded {branches}", branches=", ".join(report.fast_forwarded)))
    if report.merged:
        parts.append(phrase("merged {branches}", branches=", ".join(report.merged)))
    if report.rebased:
        parts.append(phrase("rebased {branches}", branches=", ".join(report.rebased)))
    if report.pushed:
        branches, objects = ", ".join(report.pushed), report.objects_sent
        parts.append(phrase("pushed {branches} ({objects} objects)", branches=branches, objects=objects))
    updated = report.submodules_updated
    if len(updated) == 1:
        parts.append(phrase("updated submodule {paths}", paths=updated[0]))
    elif updated:
        parts.append(phrase("updated submodules {paths}", paths=", ".join(updated)))
    return parts


def _left_out(report: SyncReport) -> list[Phrase]:
    """The files the auto-commit left out, said in the message: "up to date" alone would
    be untrue of a tree with a file that is not synced (`gitferry skipped` lists them)."""
    skipped = report.skipped
    if not skipped:
        return []
    reasons = tuple(skip_reason(reason) for reason in sorted({str(s["reason"]) for s in skipped}))
    if len(skipped) == 1:
        return [phrase("left out {path} ({reasons})", path=skipped[0]["path"], reasons=reasons)]
    return [phrase("left out %n file(s) ({reasons})", len(skipped), reasons=reasons)]


# A skipped file's reason (`SkippedFile.reason`) as the message says it.
_SKIP_REASONS = {
    "too_large": phrase("too large"),
    "unreadable": phrase("unreadable"),
    "failing": phrase("failing"),
    "safecrlf": phrase("safecrlf"),
    "lfs_missing": phrase("lfs missing"),
    "unsupported_filter": phrase("unsupported filter"),
    "nested_repository": phrase("nested repository"),
}


def skip_reason(reason: str) -> Phrase:
    return _SKIP_REASONS.get(reason) or verbatim(reason.replace("_", " "))


def _lags(branches: list[BranchStatus], reach: SyncReach) -> dict[str, Phrase]:
    """Each branch the run leaves behind or ahead of its upstream, said as `gitferry status`
    and the window say it ('drafts: 1 behind, not checked out'; a fetch's 'main: 2
    behind'): never "up to date" of a repository with a branch behind (SPEC). At most
    `_LAGS_SAID`, then how many more."""
    said = {
        b.name: left_alone_said(b) if reach.leaves(b) else lag
        for b in sorted(branches, key=lambda b: (not b.checked_out, b.name))  # the checked-out one first
        if (lag := lag_said(b)) is not None
    }
    if len(said) <= _LAGS_SAID:
        return said
    kept = dict(list(said.items())[:_LAGS_SAID])
    more = len(said) - _LAGS_SAID
    return {**kept, "": phrase("%n more branch(es) behind or ahead (`gitferry status` lists them)", more)}


_LAGS_SAID = 3
_SAYS_LAGS = (ResultKind.OK, ResultKind.UP_TO_DATE)


def _level(branches: list[BranchStatus], lags: dict[str, Phrase]) -> list[Phrase]:
    """What a run that did nothing says first: "up to date", or, with a branch behind or
    ahead, the checked-out branch up to date with its upstream, as `git status` says it."""
    if not lags:
        return [phrase("up to date")]
    current = next((b for b in branches if b.checked_out), None)
    if current is None or current.upstream is None or current.name in lags:
        return []
    if current.upstream_gone or current.unpublished:
        return []
    return [phrase("{branch} up to date with {upstream}", branch=current.name, upstream=current.upstream)]


def _left_alone(report: SyncReport, lags: dict[str, Phrase]) -> list[Phrase]:
    """Why a branch was left as it is, unless its line in `lags` says it already."""
    return [
        phrase("left {branch} alone: {why}", branch=branch, why=report.left_alone_said.get(branch) or why)
        for branch, why in sorted(report.left_alone.items())
        if branch not in lags
    ]


_JOURNAL_FIELDS = (
    "result",
    "message",
    "committed",
    "fetched_refs",
    "objects_received",
    "fast_forwarded",
    "merged",
    "rebased",
    "pushed",
    "objects_sent",
    "conflicts",
    "dirty",
    "left_alone",
    "unpublished",
)


def _journal_entry(report: SyncReport) -> dict[str, Any]:
    document = report.to_json()
    entry: dict[str, Any] = {"repo": report.name}
    entry.update({key: document[key] for key in _JOURNAL_FIELDS})
    entry["timings_ms"] = document["timings_ms"]
    return entry
