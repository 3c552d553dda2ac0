"""A repository's branches measured from local refs, outside a sync or within one: ahead,
behind, unpublished, which worktree uses each (`measure_in_worktrees`), and the
store's rows written again, with its copy of the remotes (`refresh_status`: `status
--refresh`, a publish, the daemon's look at a moved HEAD, and `add` and `clone` as they register a repository,
so `status` lists its branches before the first sync). Apart from `core.engine.sync`
so that what registers a repository loads the measure without the sync's phases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.remotes_mirror import remote_records
from core.errors import GitferryError
from core.git.config.remote_config import list_remotes
from core.git.history.branch_status import measure_branches
from core.git.repository import open_worktree_repo
from core.git.worktree import submodules
from core.git.worktree.worktrees import branch_uses
from core.model import BranchStatus, RemoteRecord, RepoRecord, SubmoduleStatus, utcnow

if TYPE_CHECKING:
    from core.git.history.generations import GenerationIndex

RepoLease = Callable[[Core, RepoRecord], AbstractAsyncContextManager[Repo]]


@asynccontextmanager
async def fresh_repo(core: Core, record: RepoRecord) -> AsyncIterator[Repo]:
    """The repository opened for one sync and closed after it (the CLI's way)."""
    repo = await core.offload.io(open_worktree_repo, record.path)
    try:
        yield repo
    finally:
        await core.offload.io(repo.close)


def stamp_fetch(statuses: list[BranchStatus], remotes: list[str]) -> list[BranchStatus]:
    """Mark the branches whose upstream's remote was just fetched."""
    now = utcnow()
    prefixes = tuple(f"{remote}/" for remote in remotes)
    return [
        replace(s, last_fetch=now) if s.upstream and s.upstream.startswith(prefixes) else s for s in statuses
    ]


def measure_in_worktrees(
    repo: Repo, previous: Sequence[BranchStatus], index: GenerationIndex | None
) -> list[BranchStatus]:
    """`measure_branches`, each branch another worktree uses named with that worktree
    (`BranchStatus.worktree`): a sync never moves it, and the window says why."""
    statuses = measure_branches(repo, previous, index)
    uses = branch_uses(repo)
    return [
        replace(s, worktree=use.worktree.path, worktree_use=str(use.use))
        if (use := uses.elsewhere(s.name)) is not None
        else s
        for s in statuses
    ]


class _Measured(NamedTuple):
    branches: list[BranchStatus]
    remotes: list[RemoteRecord]
    submodules: list[SubmoduleStatus]


async def refresh_status(
    core: Core, record: RepoRecord, lease: RepoLease | None = None, *, fetched: Sequence[str] = ()
) -> list[BranchStatus]:
    """Re-measure every branch from local refs (no network), and the submodules' checkouts
    as a sync measures them (a `git submodule update` since: shown now); `lease` lends the open
    repository (the engine's pool: its packs already mapped), else it is opened for it.
    `fetched`: remotes just fetched outside a sync (a clone's `origin`): their branches'
    `last_fetch` is now.

    One measure of a repository at a time in this process (`Core.measure_lock`, taken
    after the lease): the engine's `status --refresh` (a lease), the daemon's look at
    HEAD and a publish (the sync lock) share its `GenerationIndex`, which one job uses
    at a time; a sync's own measure is kept apart from them by its lease and its lock."""

    def measure(repo: Repo, previous: list[BranchStatus]) -> _Measured:
        remotes = remote_records(list_remotes(repo))  # a `git remote add` since: shown now
        branches = measure_in_worktrees(repo, previous, core.graph_index(record.id, repo))
        return _Measured(branches, remotes, submodules.measured(repo))

    async with (lease or fresh_repo)(core, record) as repo, core.measure_lock(record.id):
        previous = await core.store.branches(record.id)
        statuses, remotes, in_submodules = await core.offload.cpu(measure, repo, previous)
        # when each was last fetched, as the store keeps it: the window shows what is returned
        fetched_at = {b.name: b.last_fetch for b in previous}
        statuses = [s if s.last_fetch else replace(s, last_fetch=fetched_at.get(s.name)) for s in statuses]
        if fetched:
            statuses = stamp_fetch(statuses, list(fetched))
        await core.store.save_measured(record.id, statuses, in_submodules, remotes)
    return statuses


async def measure_after(
    core: Core, record: RepoRecord, fetched: Sequence[str] = ()
) -> list[BranchStatus] | None:
    """`refresh_status` after something the user did (a registration, an undo), never its
    undoing: a store or a repository that cannot be measured leaves the branches for the
    next measure, a warning in the log, and None."""
    try:
        return await refresh_status(core, record, fetched=fetched)
    except GitferryError as exc:
        import logging  # only on this failure: the CLI's cold path does without it

        logging.getLogger(__name__).warning("%s: its branches were not measured: %s", record.name, exc)
        return None
