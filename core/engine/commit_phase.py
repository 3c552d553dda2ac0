"""Step 2 of a sync: commit the working tree's changes (auto-commit repositories).

The circuit breaker for files: a path that fails to be read (unreadable, or
changing while it is read) `FAILURE_LIMIT` times within `FAILURE_WINDOW` is
`failing`: later syncs leave it alone until `COOL_DOWN` has passed or the user
clicks Retry (which forgets its row). One more failure after the cool-down
trips it again at once. The counts live in the status store's skipped files,
which always say what the last auto-commit left out: a row whose file was
committed, deleted or fixed is forgotten.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dulwich.repo import Repo

from core.engine.clock import Clock, SystemClock, wall_datetime
from core.engine.core import Core
from core.engine.report import SyncReport
from core.events import FileSkipped
from core.git.worktree.autocommit import AutoCommit, AutoCommitRefused, auto_commit
from core.model import CHECKOUT_REASONS, RepoRecord, SkippedFile
from core.settings import RepoSettings
from core.store.worktree_issues import MAX_SKIPPED

FAILURE_LIMIT = 3
FAILURE_WINDOW = timedelta(hours=1)
COOL_DOWN = timedelta(hours=1)

SkipSink = Callable[[FileSkipped], None]


async def retry_skipped(core: Core, repo_id: int, paths: Collection[str] | None = None) -> list[str]:
    """Forget the named skipped files (all: None), so that the next auto-commit tries them
    again. A row the checkout keeps stays (`CHECKOUT_REASONS`: each sync asks for the LFS
    objects of the listed paths again, `lfs_phase.py`, and the row goes once the file holds
    its content): those paths are returned. Forgotten, the file would stay a pointer."""
    rows = [row for row in await core.store.skipped(repo_id) if paths is None or row.path in paths]
    retried = [row.path for row in rows if row.reason not in CHECKOUT_REASONS]
    if retried:
        await core.store.clear_skipped(repo_id, retried)
    return [row.path for row in rows if row.reason in CHECKOUT_REASONS]


@dataclass
class Verdict:
    """What the breaker makes of one auto-commit: rows to forget, then rows to write."""

    forget: list[str] = field(default_factory=list)
    record: list[SkippedFile] = field(default_factory=list)
    held: list[SkippedFile] = field(default_factory=list)  # failing, in their cool-down: untouched

    @property
    def skipped(self) -> list[SkippedFile]:
        return sorted(self.record + self.held, key=lambda s: s.path)


def held_paths(stored: Iterable[SkippedFile], now: datetime) -> set[str]:
    """Paths the next auto-commit must not read: failing, cool-down not over."""
    return {s.path for s in stored if _cooling(s, now)}


def judge(stored: Collection[SkippedFile], outcome: AutoCommit, now: datetime) -> Verdict:
    """The breaker: the store's rows after `outcome`, given the rows before it."""
    before = {s.path: s for s in stored}
    verdict = Verdict(held=[s for s in stored if _cooling(s, now)])
    held = {s.path for s in verdict.held}
    failures = [(s.path, s.size) for s in outcome.skipped if s.reason == "unreadable"]
    failures += [(path, None) for path in outcome.retry_later]
    seen: set[str] = set()
    for skip in outcome.skipped:
        # Left out by rule (too large, a conversion Gitferry cannot run, ...): no failure counted.
        if skip.reason != "unreadable" and skip.path not in held:
            seen.add(skip.path)
            verdict.record.append(SkippedFile(skip.path, skip.reason, skip.size, 0, now, now))
    for path, size in failures:
        if path in held or path in seen:
            continue
        seen.add(path)
        row, restart = _failure(before.get(path), path, size, now)
        if restart:
            verdict.forget.append(path)
        verdict.record.append(row)
    checkout = {p for p, row in before.items() if row.reason in CHECKOUT_REASONS}  # not the auto-commit's
    verdict.forget.extend(p for p in before if p not in seen and p not in held and p not in checkout)
    return verdict


def _cooling(row: SkippedFile, now: datetime) -> bool:
    return row.reason == "failing" and row.retry_after is not None and row.retry_after > now


def _failure(
    previous: SkippedFile | None, path: str, size: int | None, now: datetime
) -> tuple[SkippedFile, bool]:
    """The row after one more failure of `path`; and whether its old row must go first
    (a new streak: the store keeps the earliest `first_seen` of an upserted row)."""
    if previous is not None and _continues(previous, now):
        count, first = previous.failures + 1, previous.first_seen
    else:
        count, first = 1, now
    tripped = count >= FAILURE_LIMIT
    reason = "failing" if tripped else "unreadable"
    row = SkippedFile(path, reason, size, count, first, now, retry_after=now + COOL_DOWN if tripped else None)
    return row, previous is not None and count == 1


def _continues(previous: SkippedFile, now: datetime) -> bool:
    """A failing file that fails again after its cool-down trips at once (half-open)."""
    if previous.reason == "failing":
        return True
    return previous.reason == "unreadable" and now - previous.first_seen <= FAILURE_WINDOW


def skip_json(row: SkippedFile) -> dict[str, Any]:
    return {"path": row.path, "reason": row.reason, "size": row.size}


async def commit_changes(
    core: Core,
    record: RepoRecord,
    repo: Repo,
    settings: RepoSettings,
    report: SyncReport,
    *,
    clock: Clock | None = None,
    publish: SkipSink | None = None,
    host: str | None = None,
    unsettled: Collection[str] = (),
    settle_age: float | None = None,
    snapshot: Collection[str] = (),
) -> AutoCommit | None:
    """Auto-commit under the caller's sync lock; None when the repository's state
    forbids it (detached HEAD, a merge in progress: the later phases report that).
    `unsettled` files (still being written, by auto mode's watch) are not read: a
    later sync commits them once they are still, as are files modified less than
    `settle_age` seconds ago (`report.unsettled` names both). `snapshot` files (changing
    for `settle_max` already) are committed from a verified snapshot instead, or, when
    they changed under every read, named in `report.unsettled` too."""
    clock = clock or SystemClock()
    now = wall_datetime(clock)
    stored = await core.store.skipped(record.id)
    young_after = None if settle_age is None else clock.wall() - settle_age
    if unsettled and young_after is not None:
        unsettled = await core.offload.io(still_changing, repo.path, unsettled, young_after)
    try:
        outcome = await core.offload.io(
            auto_commit,
            repo,
            max_file_size=settings.max_file_size,
            hold=held_paths(stored, now) | set(unsettled),
            host=host or socket.gethostname(),
            now=clock.wall(),
            workers=core.offload.cpu_workers,
            young_after=young_after,
            snapshot=snapshot,
            settling=unsettled,
        )
    except AutoCommitRefused:
        return None
    verdict = judge(stored, outcome, now)
    await core.store.clear_skipped(record.id, verdict.forget)
    await core.store.record_skipped(record.id, verdict.record)
    report.committed = outcome.files
    torn = set(outcome.retry_later) & set(snapshot)  # changed under every snapshot read
    report.unsettled = sorted({*outcome.young, *unsettled, *torn})
    report.skipped = [skip_json(row) for row in verdict.skipped[:MAX_SKIPPED]]
    if publish is not None:
        for row in _news(stored, verdict.record):
            publish(FileSkipped(record.id, record.name, row.path, row.reason, row.size))
    return outcome


def still_changing(worktree: str, paths: Collection[str], since: float) -> set[str]:
    """Those of `paths` (held back by auto mode's watch as still being written) whose file
    changed at or after the wall time `since` (lstat's mtime or ctime: a write, a rename
    into place, a chmod all move ctime), or that are gone. An event that arrived late (the
    daemon was stopped, SIGSTOP or a suspended process, or far behind) names a file that
    has long stood still: it is committed now, not left in the way of what the remote
    brought at that path ("untracked files are in the way") until a later round."""
    changing = set()
    for path in paths:
        try:
            st = os.lstat(os.path.join(worktree, path))
        except OSError:
            changing.add(path)
            continue
        if max(st.st_mtime, st.st_ctime) >= since:
            changing.add(path)
    return changing


def _news(stored: Iterable[SkippedFile], rows: Iterable[SkippedFile]) -> list[SkippedFile]:
    """Rows that are new, or whose reason changed: what the user has not been told."""
    before = {s.path: s.reason for s in stored}
    return [row for row in rows if before.get(row.path) != row.reason]
