"""The running engine: one worker per registered repository, the pool, the bus.

Clients (the GUI, the daemon) call its coroutines; it answers with reports and
publishes events. Every job runs `sync_repository` with the repository lent by
the pool, so a long-lived engine keeps repositories (and their ahead/behind
caches) open between jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from functools import partial

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.report import SyncReport
from core.engine.sync import SyncOptions, sync_repository
from core.engine.worker import Job, JobKind, RepoWorker, UserRequest
from core.errors import GitferryError
from core.events import BranchStatusChanged, EventBus, PhaseProgress
from core.git.progress import TransferProgress
from core.git.transfer.stop import TransferStop
from core.model import RepoRecord, RepoState
from core.offload import work_priority
from core.pool import RepoPool
from core.results import CANCELLED_MESSAGE
from core.store.recovery import StoreUnavailable

log = logging.getLogger(__name__)

OnPushed = Callable[[int, list[str]], None]  # a repository's sync pushed to these remotes of it


class Engine:
    def __init__(
        self,
        core: Core,
        bus: EventBus,
        pool: RepoPool,
        *,
        options: SyncOptions | None = None,
        on_pushed: OnPushed | None = None,
    ) -> None:
        self.core, self.bus, self.pool = core, bus, pool
        self.options = options or SyncOptions()
        self.on_pushed = on_pushed  # told of every job's (and `busy_report`'s) push
        self.workers: dict[int, RepoWorker] = {}
        self._stops: dict[int, TransferStop] = {}  # each running job's own
        self._held: set[RepoState] = set()  # holds on every repository (paused, offline)

    def add(self, record: RepoRecord, *, held: Iterable[RepoState] = ()) -> RepoWorker:
        """A worker for the repository, held in the engine-wide states and in `held`."""
        worker = self.workers.get(record.id)
        if worker is None:
            worker = RepoWorker(
                record.id,
                record.name,
                partial(self._run, record.id),
                self.bus,
                on_crash=partial(self._crashed, record.id),
                on_state=partial(self._record_state, record.id),
                state=_stored_state(record),
            )
            self.workers[record.id] = worker
            for state in {*self._held, *held}:
                worker.hold(state, True)
            worker.start()
        return worker

    def hold(self, state: RepoState, on: bool, repo_id: int | None = None) -> None:
        """Hold one repository (or all of them, those added later too) in `state`
        (paused, offline, tripped) while no job runs, or let go."""
        if repo_id is not None:
            worker = self.workers.get(repo_id)
            if worker is not None:
                worker.hold(state, on)
            return
        if on:
            self._held.add(state)
        else:
            self._held.discard(state)
        for worker in self.workers.values():
            worker.hold(state, on)

    async def remove(self, repo_id: int) -> None:
        """An unregistered repository: its worker stopped, then it is closed in the pool (its
        packs unmapped: the drive holding it can be unmounted)."""
        worker = self.workers.pop(repo_id, None)
        self._stops.pop(repo_id, None)
        if worker is not None:
            await worker.stop(grace=0)
        await self.pool.discard(repo_id)

    def state(self, repo_id: int) -> RepoState:
        worker = self.workers.get(repo_id)
        return worker.state if worker is not None else RepoState.IDLE

    async def sync(self, repo_id: int, request: UserRequest | None = None) -> SyncReport:
        """A user's sync: before any background work queued for the repository; `request`:
        one the CLI asked for, with its own options and prompts."""
        return await self._worker(repo_id).submit(JobKind.USER_SYNC, request=request)

    async def auto_sync(
        self,
        repo_id: int,
        *,
        unsettled: frozenset[str] = frozenset(),
        settle_age: float | None = None,
        skip_remotes: frozenset[str] = frozenset(),
        snapshot: frozenset[str] = frozenset(),
    ) -> SyncReport:
        """Auto mode's sync (`core.engine.auto_sync`): the whole sync, unattended (nobody is
        asked to sign in), leaving the `unsettled` files and those modified less than
        `settle_age` seconds ago (still being written) for later, and the tripped
        `skip_remotes` out; the `snapshot` files (changing for `settle_max`) are committed
        from a verified snapshot."""
        return await self._worker(repo_id).submit(
            JobKind.AUTO_SYNC,
            unsettled=unsettled,
            settle_age=settle_age,
            skip_remotes=skip_remotes,
            snapshot=snapshot,
        )

    async def fetch(
        self, repo_id: int, *, skip_remotes: frozenset[str] = frozenset(), deadline: float | None = None
    ) -> SyncReport:
        """A background fetch (fetch and measure only), leaving out the `skip_remotes`.
        Past `deadline` seconds from its start its transfers are stopped: the remote in
        flight fails with `TransferStopped` (`core.engine.job_limits`)."""
        return await self._worker(repo_id).submit(
            JobKind.BACKGROUND_FETCH, skip_remotes=skip_remotes, deadline=deadline
        )

    def cancel(self, repo_id: int) -> bool:
        """Cancel the repository's running job: its transfer's connection is cut at once
        (or it stops at its next progress report), and the sync records `cancelled` once
        its threads are done."""
        worker = self.workers.get(repo_id)
        if worker is None:
            return False
        stop = self._stops.get(repo_id)
        if stop is not None:
            stop.stop(CANCELLED_MESSAGE)
        return worker.cancel_current()

    def withdraw(self, repo_id: int, request: UserRequest) -> bool:
        """Cancel the user's sync `request`: dropped if still queued, cancelled as `cancel`
        does if running; the repository's other jobs go on."""
        worker = self.workers.get(repo_id)
        if worker is None:
            return False
        if worker.running_request is request:
            return self.cancel(repo_id)
        return worker.withdraw(request)

    async def busy_report(self, repo_id: int, request: UserRequest) -> SyncReport:
        """The user's sync `request`, withdrawn after waiting the sync lock's time behind
        another job, ended as the CLI's own process ends it: the lock tried once more
        (`lock_wait` 0), `busy` with its owner's line, recorded as such. Run outside the
        worker: should the other job have ended that instant, the sync runs here, under
        the lock all the same."""
        record = await self.core.store.repo_by_id(repo_id)
        core = _asking(self.core, request)
        options = replace(
            self.options,
            fetch_only=request.fetch_only,
            push=self.options.push and request.push,
            lock_wait=0.0,
            on_skipped=self.options.on_skipped or self.bus.publish,
            ask=True,
        )
        return self._told(repo_id, await sync_repository(core, record, options))

    async def stop(self, grace: float = 3.0) -> None:
        """Running jobs get `grace` seconds to finish, then are cancelled; the pool is closed."""
        await asyncio.gather(*(worker.stop(grace) for worker in self.workers.values()))
        self.workers.clear()
        await self.pool.close_all()

    def _worker(self, repo_id: int) -> RepoWorker:
        worker = self.workers.get(repo_id)
        if worker is None:
            raise KeyError(f"no worker for repository {repo_id}")
        return worker

    async def _run(self, repo_id: int, job: Job) -> SyncReport:
        self._stops[repo_id] = stop = TransferStop()  # this job's own
        # The job's calls into the offload pools wait behind those of more urgent jobs
        # (a user's sync before background work); the job runs in a task of its own.
        priority = work_priority.set(job.kind.value)
        timer = None
        if job.deadline is not None:
            timer = asyncio.get_running_loop().call_later(
                job.deadline, self._deadline_passed, repo_id, stop, job.deadline
            )
        try:
            return await self._sync(repo_id, job, stop)
        except GitferryError as exc:
            # The store failed before the sync could start (it records its own failures):
            # a result for this job, never a crash of the worker.
            name = self.workers[repo_id].name if repo_id in self.workers else f"#{repo_id}"
            return SyncReport(name, exc.result, exc.message)
        finally:
            work_priority.reset(priority)
            if timer is not None:
                timer.cancel()

    def _deadline_passed(self, repo_id: int, stop: TransferStop, seconds: float) -> None:
        if stop.stop(f"the background fetch ran past its deadline ({seconds:g} s)"):
            name = self.workers[repo_id].name if repo_id in self.workers else f"#{repo_id}"
            log.warning("%s: background fetch stopped at its deadline (%g s)", name, seconds)

    async def _sync(self, repo_id: int, job: Job, stop: TransferStop) -> SyncReport:
        record = await self.core.store.repo_by_id(repo_id)

        def progress(remote: str, p: TransferProgress) -> None:
            stop.check(remote)
            self.bus.publish(
                PhaseProgress(repo_id, record.name, remote, str(p.phase), p.current, p.total, p.bytes)
            )

        request = job.request
        report = await sync_repository(
            self.core if request is None else _asking(self.core, request),
            record,
            replace(
                self.options,
                fetch_only=job.kind.fetch_only or (request is not None and request.fetch_only),
                push=self.options.push and (request is None or request.push),
                skip_remotes=job.skip_remotes,
                on_skipped=self.options.on_skipped or self.bus.publish,
                stop=stop,
                ask=job.kind is JobKind.USER_SYNC,
                unsettled=job.unsettled,
                settle_age=job.settle_age,
                snapshot=job.snapshot,
            ),
            progress,
            lease=self.lease,
        )
        if report.branches_changed:
            self.bus.publish(BranchStatusChanged(repo_id, record.name, tuple(report.branches)))
        return self._told(repo_id, report)

    def _told(self, repo_id: int, report: SyncReport) -> SyncReport:
        """`report`, once `on_pushed` heard of the remotes its push moved."""
        if report.pushed_remotes and self.on_pushed is not None:
            self.on_pushed(repo_id, list(report.pushed_remotes))
        return report

    def lease(self, _core: Core, record: RepoRecord) -> AbstractAsyncContextManager[Repo]:
        """The repository lent by the pool, for a sync or a measure (a `RepoLease`)."""
        return self.pool.lease(record.id, record.path)

    async def _record_state(self, repo_id: int, state: RepoState) -> None:
        try:
            await self.core.store.set_repo_state(repo_id, str(state))
        except StoreUnavailable as exc:  # said once where the store is reopened
            log.debug("state of repository %s not recorded: %s", repo_id, exc)

    async def _crashed(self, repo_id: int, exc: BaseException) -> None:
        entry = {
            "repo": self.workers[repo_id].name if repo_id in self.workers else f"#{repo_id}",
            "result": "error",
            "message": f"worker crashed: {type(exc).__name__}: {exc}",
        }
        await self.core.offload.io(self.core.journal.append, entry)


def _stored_state(record: RepoRecord) -> RepoState:
    try:
        return RepoState(record.state)
    except ValueError:
        return RepoState.IDLE


def _asking(core: Core, request: UserRequest) -> Core:
    """`core` whose questions go to whoever asked for the user's sync `request`."""
    return replace(
        core, sign_in_prompt=request.sign_in_prompt, ssh_prompt=request.ssh_prompt, askpass=request.askpass
    )
