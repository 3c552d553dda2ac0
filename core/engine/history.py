"""A repository's history as the user sees it: its recent syncs (and conflict
resolutions) with what came in and went out, the files each skipped or found
conflicted; and undoing the last integration.

The runs are the status store's (`sync_runs`, their report in `details`: the
`came_in` and `went_out` ranges, `skipped`, `conflicts`); the commits and files of
each range are read from the repository when asked, so the store keeps only ids.
The last integration is the newest run that moved the checked-out branch
(`came_in`); undoing it is recorded as a run of kind `undo`, after which there is
nothing more to undo until the next integration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.engine.branch_measure import measure_after
from core.engine.core import Core
from core.errors import GitferryError
from core.git.history.commit_range import CommitRange, CommitSummary, commit_range
from core.git.locks.sync_lock import Holder, acquire_for_action
from core.git.merge.undo import Undone, UndoRefused, undo_integration
from core.git.merge.undo import undo_refusal as refusal
from core.git.repository import current_branch, in_worktree_repo
from core.model import BranchStatus, RepoRecord, SyncRun
from core.phrase import Phrase, phrase, to_json

__all__ = [
    "BranchChange",
    "CommitSummary",
    "HistoryEntry",
    "Undone",
    "history",
    "record_done",
    "undo_last_integration",
]

UNDO_LOOKBACK = 50  # runs looked through for the last integration (the undo and its refusal alike)


@dataclass(frozen=True)
class BranchChange:
    """One branch moved by a run: `old` to `new`, the commits between, the files changed."""

    branch: str
    old: str | None
    new: str
    commits: list[CommitSummary]
    more: int  # commits not listed
    files: list[str]
    missing: bool  # the commits are no longer in the repository
    made_here: list[str] = field(default_factory=list)  # added by the integration: neither side had them


@dataclass(frozen=True)
class HistoryEntry:
    run_id: int
    kind: str  # sync, fetch, resolve, undo
    result: str | None
    message: str | None
    when: datetime | None
    came_in: list[BranchChange]
    went_out: list[BranchChange]
    committed: int
    skipped: list[str]  # "path (reason)"
    conflicts: list[str]
    said: str | None = None  # `message` as its templates and fields (`core.phrase.to_json`)


async def history(core: Core, record: RepoRecord, limit: int = 20) -> list[HistoryEntry]:
    """The repository's last `limit` finished runs that did something, newest first (a
    background fetch that found nothing is left out)."""
    runs = [
        run
        for run in await core.store.runs(record.id, limit, eventful=True)
        if run.state in ("done", "failed")
    ]

    def read(repo: Repo) -> list[HistoryEntry]:
        return [_entry(repo, run) for run in runs]

    return await core.offload.cpu(in_worktree_repo, record.path, read)


async def undo_last_integration(core: Core, record: RepoRecord) -> tuple[Undone, list[BranchStatus]]:
    """Move the checked-out branch back to its head before the last integration, if
    nothing of it has been pushed (`UndoRefused` otherwise, one line, nothing changed);
    with the branches measured again after it (the window read "main: 2 ahead" for an
    undone merge until a watcher's look measured them)."""
    runs = await core.store.runs(record.id, UNDO_LOOKBACK, eventful=True)

    def locked(repo: Repo) -> Undone:
        with acquire_for_action(repo.commondir(), record.path, Holder.UNDO):
            last = _integrated(runs, current_branch(repo))
            return undo_integration(repo, str(last["branch"]), str(last["from"]), str(last["to"]))

    done = await core.offload.io(in_worktree_repo, record.path, locked)
    message = phrase(
        "{branch}: undid the last integration (back to {commit})",
        branch=done.branch,
        commit=done.restored[:10],
    )
    details = {"undone": {"branch": done.branch, "from": done.undone, "to": done.restored}}
    await record_done(core, record, "undo", message, details)
    measured = await measure_after(core, record)
    return done, await core.store.branches(record.id) if measured is None else measured


async def record_done(
    core: Core, record: RepoRecord, kind: str, message: Phrase, details: dict[str, Any], **journal: Any
) -> None:
    """A run the user did outside a sync (`resolve`, `undo`): in the store's history as
    done, and in the activity journal (with `journal`'s fields)."""
    english = message.english()
    await core.store.record_done_run(record.id, kind, english, details, said=to_json([message]))
    entry = {"repo": record.name, "result": "ok", "message": english, **journal}
    await core.offload.io(core.journal.append, entry)


async def undo_refusal(core: Core, record: RepoRecord) -> Phrase | None:
    """Why "Undo last integration" would be refused now (one line, without the refusal's
    "not undone: "), or None: it would run. Read without the sync lock (a sync may move
    the branch meanwhile: the undo itself checks again under it)."""
    runs = await core.store.runs(record.id, UNDO_LOOKBACK, eventful=True)

    def check(repo: Repo) -> Phrase | None:
        try:
            last = _integrated(runs, current_branch(repo))
        except UndoRefused as nothing:
            return nothing.why_said
        refused = refusal(repo, str(last["branch"]), str(last["from"]), str(last["to"]))
        return None if refused is None else refused.why_said

    return await core.offload.cpu(in_worktree_repo, record.path, check)


def _integrated(runs: Sequence[SyncRun], branch: str | None) -> Mapping[str, Any]:
    """The last integration of `branch` there is to undo (`UndoRefused`: none)."""
    last = _last_integration(runs, branch)
    if last is None:
        if branch is None:
            raise UndoRefused(phrase("no integration of the checked-out branch is recorded to undo"))
        raise UndoRefused(phrase("no integration of {branch} is recorded to undo", branch=branch))
    return last


def _last_integration(runs: Sequence[SyncRun], branch: str | None) -> Mapping[str, Any] | None:
    """The newest `came_in` of `branch`, unless an undo came after it."""
    for run in runs:  # newest first
        undone = run.details.get("undone")
        if isinstance(undone, dict) and undone.get("branch") == branch:
            return None
        for moved in reversed(run.details.get("came_in") or []):
            if isinstance(moved, dict) and moved.get("branch") == branch and moved.get("from"):
                return moved
    return None


def _entry(repo: Repo, run: SyncRun) -> HistoryEntry:
    details = run.details
    skipped = [
        f"{s.get('path')} ({s.get('reason')})" for s in details.get("skipped") or [] if isinstance(s, dict)
    ]
    return HistoryEntry(
        run.id,
        run.kind,
        run.result,
        run.message,
        run.finished_at or run.started_at or run.requested_at,
        _changes(repo, details.get("came_in"), came_in=True),
        _changes(repo, details.get("went_out")),
        int(details.get("committed") or 0),
        skipped,
        [str(path) for path in details.get("conflicts") or []],
        run.said,
    )


def _arrived(repo: Repo, moved: Mapping[str, Any]) -> str | None:
    """The upstream head a move integrated (None: the move's own end, as for a push or
    a fast-forward). Runs recorded before it was kept: a merge's second parent."""
    if moved.get("arrived"):
        return str(moved["arrived"])
    to = repo.object_store[ObjectID(str(moved["to"]).encode())]
    parents = getattr(to, "parents", [])
    if len(parents) == 2 and moved.get("from") and parents[0].decode() == moved["from"]:
        return str(parents[1].decode())
    return None


def _changes(repo: Repo, moves: object, *, came_in: bool = False) -> list[BranchChange]:
    changes = []
    for moved in moves if isinstance(moves, list) else []:
        if not isinstance(moved, dict) or not moved.get("to"):
            continue
        old = moved.get("from")
        try:
            found = commit_range(repo, old, moved["to"], arrived=_arrived(repo, moved) if came_in else None)
        except (KeyError, ValueError, GitferryError):
            found = CommitRange([], 0, [], missing=True)
        changes.append(
            BranchChange(
                str(moved.get("branch")),
                old,
                moved["to"],
                found.commits,
                found.more,
                found.files,
                found.missing,
                found.made_here,
            )
        )
    return changes
