"""The integrate phase of a sync: the checked-out branch, then (by setting) the others.

A conflict, a diverged `ff-only` branch, local work in the way, a git command
the user has not finished in this worktree (a merge stopped on a conflict, a
rebase, ...) or another worktree using the branch stop only the checked-out
branch: the outcome carries that result and its paths, and the
sync still pushes the other branches that are ready. Anything else (detached
HEAD, unborn branch, unsafe path, locked index) stops the sync. In an
auto-commit repository a conflicting merge keeps both sides instead (the
conflict copies go to `report.conflicts` and `report.kept_both`) and the sync
goes on.

Paths the switch left as they were because their conversion is one Gitferry
cannot run (a filter, `ident`, `working-tree-encoding`) are listed as skipped
with the reason `unsupported_filter` (the status store, `skipped`, the report)
until git has checked them out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.report import SyncReport
from core.git.config.pull_config import autostash_setting, no_ff_setting, strategy_in_effect
from core.git.content.filters import UNSUPPORTED_FILTER, ContentSkipped
from core.git.merge.integrate import (
    BranchInUse,
    Conflict,
    Diverged,
    Integration,
    Strategy,
    fast_forward_others,
    integrate_current,
)
from core.git.worktree.checkout import WorktreeInTheWay, left_unconverted
from core.git.worktree.git_operation import OperationInProgress
from core.model import SkippedFile, utcnow
from core.phrase import phrase
from core.settings import RepoSettings

if TYPE_CHECKING:
    from core.git.history.generations import GenerationIndex
    from core.git.merge.conflict_copies import KeepBoth

_REPORT_FIELDS = {"fast_forward": "fast_forwarded", "merge": "merged", "rebase": "rebased"}


NotIntegrated = Conflict | Diverged | WorktreeInTheWay | OperationInProgress | BranchInUse
"""Why the checked-out branch was not integrated (the sync's result)."""

NotAttempted = (OperationInProgress, BranchInUse)
"""The stops where no integration was even tried: the branch's listed conflicts stand."""


async def integrate(
    core: Core,
    repo_id: int,
    repo: Repo,
    settings: RepoSettings,
    report: SyncReport,
    *,
    asked: bool = False,
    deleted: frozenset[str] = frozenset(),
) -> NotIntegrated | None:
    """`asked`: the user started the sync; only such a sync follows `merge.ff = false`
    (`_integrate_current`). `deleted`: branches whose upstream the remote deleted, their
    tracking ref kept stale: not integrated (`integrate_current`)."""
    stopped: NotIntegrated | None = None
    skipped: list[ContentSkipped] = []
    index = core.graph_index(repo_id, repo)
    keep_both = None
    if settings.auto_commit:  # conflicts kept as both sides' copies: auto-commit only
        from core.git.merge.conflict_copies import KeepBoth

        keep_both = KeepBoth.in_worktree(repo.path)
    try:
        done = await core.offload.cpu(
            partial(
                _integrate_current,
                repo,
                settings.strategy,
                index=index,
                keep_both=keep_both,
                asked=asked,
                deleted=deleted,
            )
        )
    except Conflict as exc:
        from core.git.merge.resolution import replay_stopped_on  # a conflict's only

        # a rebase resolution past its first commit: the conflicts it stopped on next
        paths = await core.offload.io(replay_stopped_on, repo)
        stopped = exc if paths is None else Conflict(exc.branch, exc.upstream, paths)
        report.conflicts = sorted(set(report.conflicts) | set(stopped.paths))
    except WorktreeInTheWay as exc:
        report.dirty = sorted(set(report.dirty) | set(exc.dirty) | set(exc.untracked))
        stopped = exc
    except (Diverged, OperationInProgress, BranchInUse) as exc:
        stopped = exc
    else:
        field = _REPORT_FIELDS.get(done.action)
        if field is not None:
            names: list[str] = getattr(report, field)
            if done.branch not in names:
                names.append(done.branch)
        skipped = done.skipped
        if done.stashed is not None and done.unstaged:
            report.note(
                phrase(
                    "{branch}: local changes stashed and re-applied after the move ({setting}), "
                    "as git pull does; what was staged is unstaged",
                    branch=done.branch,
                    setting=done.stashed,
                )
            )
        elif done.stashed is not None:
            report.note(
                phrase(
                    "{branch}: local changes stashed and re-applied after the move ({setting}), "
                    "as git pull does",
                    branch=done.branch,
                    setting=done.stashed,
                )
            )
        if done.action != "none" and done.new_head is not None:
            moved: dict[str, str | None] = {  # "from" None: the branch had no commit yet
                "branch": done.branch,
                "from": done.old_head.decode() if done.old_head is not None else None,
                "to": done.new_head.decode(),
                "arrived": done.arrived.decode() if done.arrived is not None else None,
            }
            report.came_in.append(moved)
        report.kept_both += [kept.to_json() for kept in done.copies]
        copies = {kept.copy for kept in done.copies if kept.copy is not None}
        report.conflicts = sorted(set(report.conflicts) | copies)
        if copies:
            await _list_copies(core, repo_id, done.branch, copies)
    if settings.fast_forward_all:
        others = await core.offload.io(partial(fast_forward_others, repo, index=index, deleted=deleted))
        for branch in others.moved:
            if branch not in report.fast_forwarded:
                report.fast_forwarded.append(branch)
        for branch, why in others.left_alone.items():
            report.leave_alone(branch, why)
    await _record_unconverted(core, repo_id, repo, skipped, report)
    return stopped


async def _record_unconverted(
    core: Core, repo_id: int, repo: Repo, skipped: list[ContentSkipped], report: SyncReport
) -> None:
    """List what this switch left unconverted; forget listed paths git has since checked out."""
    stored = [row for row in await core.store.skipped(repo_id) if row.reason == UNSUPPORTED_FILTER]
    fresh = {os.fsdecode(skip.path) for skip in skipped if skip.reason == UNSUPPORTED_FILTER}
    listed = {row.path: row for row in stored}
    if not fresh and not listed:
        return
    still = set(await core.offload.io(left_unconverted, repo, sorted(fresh | set(listed))))
    now = utcnow()
    rows = [
        SkippedFile(
            path, UNSUPPORTED_FILTER, None, 0, listed[path].first_seen if path in listed else now, now
        )
        for path in sorted(still)
    ]
    gone = [path for path in listed if path not in still]
    if gone:
        await core.store.clear_skipped(repo_id, gone)
    if rows:
        await core.store.record_skipped(repo_id, rows)
    shown = {entry["path"] for entry in report.skipped}
    report.skipped += [
        {"path": row.path, "reason": row.reason, "size": None} for row in rows if row.path not in shown
    ]


async def list_unconverted(core: Core, repo_id: int, paths: Sequence[str]) -> None:
    """Paths a clone's checkout or a Finish's switch left unwritten (a conversion Gitferry
    does not run), listed as a sync's switch lists them: Skipped files says why git status
    shows them changed or deleted, until git checks them out (`_record_unconverted`)."""
    now = utcnow()
    rows = [SkippedFile(path, UNSUPPORTED_FILTER, None, 0, now, now) for path in paths]
    await core.store.record_skipped(repo_id, rows)


async def _list_copies(core: Core, repo_id: int, branch: str, copies: set[str]) -> None:
    """List the conflict copies as soon as the merge made them, so that they stay
    listed even if a later step of the sync fails (an offline push)."""
    listed = await core.store.conflicted_paths(repo_id, branch)
    await core.store.set_conflicts(repo_id, branch, sorted(listed | copies))


def _integrate_current(
    repo: Repo,
    setting: str,
    *,
    index: GenerationIndex,
    keep_both: KeepBoth | None,
    asked: bool,
    deleted: frozenset[str],
) -> Integration:
    """`integrate_current` with the strategy in effect now: the setting, or git's pull
    settings as they are at this sync (`strategy = git`). A branch only behind gets the
    merge commit `merge.ff = false` (or `pull.ff = false`) makes `git pull` give it in a
    sync the user asked for only: unattended syncs on two machines would otherwise hand
    each other a new empty merge commit at every turn, for ever. Local changes in the way
    are stashed and re-applied where git's `autoStash` setting has `git pull` do so
    (`integrate_stashing`)."""
    strategy = Strategy(strategy_in_effect(repo, setting)[0])
    no_ff = asked and no_ff_setting(repo, setting) is not None

    def stash(refused: WorktreeInTheWay) -> str | None:
        return autostash_setting(repo, setting) if refused.dirty else None

    return integrate_current(
        repo, strategy, index=index, keep_both=keep_both, no_ff=no_ff, stash=stash, deleted=deleted
    )
