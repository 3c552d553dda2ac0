"""The user's way forward from a conflict (`core/git/merge/resolution.py` run for a
registered repository): each path's versions, a choice per path, the merge tool or a
file to edit, then Finish (the merge commit, under the sync lock, recorded as a run
of kind `resolve` for the history) or Abort. The sync that follows Finish is the
caller's: the CLI runs one, `Api.finish_resolution` asks the engine for one."""

from __future__ import annotations

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.history import record_done
from core.git.config.pull_config import strategy_in_effect
from core.git.locks.sync_lock import Holder, SyncLock, acquire_for_action
from core.git.merge.resolution import (
    Finished,
    Resolution,
    abort_resolution,
    choose,
    conflicts_to_resolve,
    finish_resolution,
    finished_already,
    merge_file_path,
    run_merge_tool,
)
from core.git.repository import in_worktree_repo
from core.git.worktree.switch_intent import intent_left
from core.model import RepoRecord
from core.phrase import phrase


async def resolution(core: Core, record: RepoRecord) -> Resolution:
    """The conflicted paths of the checked-out branch (where the strategy rebases: of the
    local commit the replay stops on), both sides' versions, the choices so far."""
    setting = await _setting(core, record)
    return await core.offload.cpu(
        in_worktree_repo, record.path, lambda repo: conflicts_to_resolve(repo, rebase=_rebases(repo, setting))
    )


async def _setting(core: Core, record: RepoRecord) -> str:
    return (await core.store.repo_settings(record.id)).strategy


def _rebases(repo: Repo, setting: str) -> bool:
    """Whether the strategy in effect now is rebase, as the sync integrated."""
    return strategy_in_effect(repo, setting)[0] == "rebase"


async def resolve_path(core: Core, record: RepoRecord, path: str, choice: str) -> Resolution:
    """`mine`, `theirs` or `both` for one path."""
    setting = await _setting(core, record)
    return await core.offload.cpu(
        in_worktree_repo, record.path, lambda repo: choose(repo, path, choice, rebase=_rebases(repo, setting))
    )


async def merge_file(core: Core, record: RepoRecord, path: str) -> str:
    """The file (with conflict markers) to merge `path` in with an editor."""
    setting = await _setting(core, record)
    return await core.offload.io(
        in_worktree_repo,
        record.path,
        lambda repo: merge_file_path(repo, path, rebase=_rebases(repo, setting)),
    )


async def merge_tool(core: Core, record: RepoRecord, path: str) -> Resolution:
    """Run git's configured merge tool on `path` (blocks one I/O thread while it runs)."""
    setting = await _setting(core, record)
    return await core.offload.io(
        in_worktree_repo, record.path, lambda repo: run_merge_tool(repo, path, rebase=_rebases(repo, setting))
    )


async def abort(core: Core, record: RepoRecord) -> bool:
    """Forget the choices; the repository was never changed by them."""
    return await core.offload.io(in_worktree_repo, record.path, abort_resolution)


def _recover(repo: Repo, lock: SyncLock) -> None:
    """What a Finish (or a sync) killed mid-way left, cleaned up as the sync does: its git
    lock files, a half switch (finished)."""
    if lock.taken_over is not None:
        from core.git.locks.stale_locks import remove_stale_leftovers

        remove_stale_leftovers(repo.commondir(), lock.taken_over.since)
    if intent_left(repo):
        from core.git.worktree.checkout import resume_interrupted_switch

        resume_interrupted_switch(repo)


async def finish(core: Core, record: RepoRecord) -> Finished:
    """Commit the merge as resolved (the local commits replayed, where the strategy in
    effect now rebases), under the sync lock; the branch's conflicts are cleared and the
    run is recorded for the history. A later local commit that stops on its own conflicts
    (`Finished.stopped`) lists those instead, and nothing is recorded yet."""
    setting = await _setting(core, record)

    def locked(repo: Repo) -> Finished:
        with acquire_for_action(repo.commondir(), record.path, Holder.FINISH) as lock:
            _recover(repo, lock)
            # a Finish killed once its switch was done (or resumed just now) is done
            already = finished_already(repo)
            return already or finish_resolution(repo, rebase=_rebases(repo, setting))

    done = await core.offload.cpu(in_worktree_repo, record.path, locked)
    if done.stopped is not None:
        await core.store.set_conflicts(record.id, done.branch, [p.path for p in done.stopped.paths])
        return done
    await core.store.set_conflicts(record.id, done.branch, [])
    if done.rebased:
        message = phrase("{branch}: rebased, %n conflict(s) resolved", len(done.choices), branch=done.branch)
    else:
        message = phrase("{branch}: merged, %n conflict(s) resolved", len(done.choices), branch=done.branch)
    details = {
        "came_in": [
            {"branch": done.branch, "from": done.old_head, "to": done.new_head, "arrived": done.arrived}
        ],
        "resolved": done.choices,
        "conflicts": sorted(done.choices),
    }
    await record_done(core, record, "resolve", message, details, resolved=done.choices)
    if done.unconverted:
        from core.engine.integrate_phase import list_unconverted

        await list_unconverted(core, record.id, done.unconverted)
    return done
