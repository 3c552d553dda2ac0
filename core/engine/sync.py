"""One sync of one repository: the phases of SPEC.md section 2, recorded.

This build runs the fetch and measure phases (`sync --fetch-only`);
integration and push build on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from dulwich.repo import Repo

from core.credentials import HttpAuth, KeyringUnavailable
from core.engine.core import Core
from core.engine.report import SyncReport
from core.errors import GitferryError
from core.git.branch_status import measure_branches
from core.git.fetch import FetchResult, TrackedBranches, fetch_remote
from core.git.progress import TransferProgress
from core.git.remote_config import list_remotes
from core.git.repository import open_worktree_repo
from core.results import ResultKind
from core.settings import RepoSettings
from core.store.records import BranchStatus, RepoRecord

ProgressSink = Callable[[str, TransferProgress], None]


@dataclass(frozen=True)
class SyncOptions:
    fetch_only: bool = True
    push: bool = True
    timeout: float = 30.0


def _tracked(settings: RepoSettings) -> TrackedBranches:
    listed = settings.tracked_list
    if listed is not None:
        return TrackedBranches.named(listed)
    return TrackedBranches.all() if settings.tracked_branches == "all" else TrackedBranches.upstreams()


class _Timer:
    def __init__(self, report: SyncReport, phase: str) -> None:
        self.report, self.phase = report, phase

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        self.report.add_time(self.phase, (time.perf_counter() - self.start) * 1000)


async def sync_repository(
    core: Core, record: RepoRecord, options: SyncOptions, progress: ProgressSink | None = None
) -> SyncReport:
    report = SyncReport(record.name)
    run_id = await core.store.create_run(record.id, "fetch" if options.fetch_only else "sync")
    await core.store.start_run(run_id, record.id, "fetching")
    try:
        await _run(core, record, options, report, progress)
    except GitferryError as exc:
        report.result, report.message = exc.result, exc.message
    except OSError as exc:
        report.result, report.message = ResultKind.ERROR, f"{record.path}: {exc.strerror or exc}"
    with _Timer(report, "store"):
        await core.store.finish_run(
            run_id,
            record.id,
            result=str(report.result),
            message=report.message,
            failed=not report.result.succeeded,
            details=report.to_json(),
            timings_ms=report.timings_ms,
        )
    await core.offload.io(core.journal.append, _journal_entry(report))
    return report


async def _run(
    core: Core,
    record: RepoRecord,
    options: SyncOptions,
    report: SyncReport,
    progress: ProgressSink | None,
) -> None:
    settings = await core.store.repo_settings(record.id)
    repo = await core.offload.io(open_worktree_repo, record.path)
    try:
        remotes = await core.offload.io(list_remotes, repo)
        failure: GitferryError | None = None
        fetched_remotes: list[str] = []
        for remote in remotes:
            try:
                fetched = await _fetch_one(core, repo, remote.name, remote.url, settings, options, progress)
            except GitferryError as exc:
                await core.store.remote_health.record(record.id, remote.name, exc.message)
                failure = failure or exc
                continue
            await core.store.remote_health.record(record.id, remote.name, None)
            fetched_remotes.append(remote.name)
            _account(report, fetched)
        with _Timer(report, "graph"):
            previous = await core.store.branches(record.id)
            index = core.graph_index(record.id, repo)
            statuses = await core.offload.cpu(measure_branches, repo, previous, index)
        with _Timer(report, "store"):
            await core.store.save_branches(record.id, _stamp_fetch(statuses, fetched_remotes))
    finally:
        await core.offload.io(repo.close)
    if failure is not None:
        raise failure
    _conclude(report, remotes_count=len(remotes))


async def _fetch_one(
    core: Core,
    repo: Repo,
    remote: str,
    url: str,
    settings: RepoSettings,
    options: SyncOptions,
    progress: ProgressSink | None,
) -> FetchResult:
    auth: HttpAuth | None = None
    if url.startswith(("http://", "https://")):
        try:
            auth = await core.offload.io(core.credentials.get, url)
        except KeyringUnavailable:
            auth = None  # try without; a 401 then says what is missing
    sink = None if progress is None else (lambda p: progress(remote, p))
    return await core.offload.io(
        fetch_remote,
        repo,
        remote,
        tracked=_tracked(settings),
        auth=auth,
        progress=sink,
        timeout=options.timeout,
    )


def _account(report: SyncReport, fetched: FetchResult) -> None:
    report.fetched_refs.extend(ref.removeprefix("refs/remotes/") for ref in sorted(fetched.updated))
    report.objects_received += fetched.objects_received
    for phase in ("connect", "negotiate", "receive"):
        report.add_time(phase, fetched.timings_ms.get(phase, 0.0))
    report.add_time("receive", fetched.timings_ms.get("index", 0.0) + fetched.timings_ms.get("refs", 0.0))


def _stamp_fetch(statuses: list[BranchStatus], remotes: list[str]) -> list[BranchStatus]:
    """Mark the branches whose upstream's remote was just fetched."""
    now = datetime.now(UTC).replace(tzinfo=None)
    prefixes = tuple(f"{remote}/" for remote in remotes)
    return [
        replace(s, last_fetch=now) if s.upstream and s.upstream.startswith(prefixes) else s for s in statuses
    ]


def _conclude(report: SyncReport, remotes_count: int) -> None:
    if remotes_count == 0:
        report.result, report.message = ResultKind.UP_TO_DATE, "no remotes to fetch from"
    elif report.fetched_refs:
        report.result = ResultKind.OK
        report.message = f"fetched {', '.join(report.fetched_refs)} ({report.objects_received} objects)"
    else:
        report.result, report.message = ResultKind.UP_TO_DATE, "nothing new on the remotes"


def _journal_entry(report: SyncReport) -> dict[str, Any]:
    return {
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "repo": report.name,
        "result": str(report.result),
        "message": report.message,
        "fetched_refs": report.fetched_refs,
        "objects_received": report.objects_received,
        "timings_ms": {k: round(v, 1) for k, v in report.timings_ms.items()},
    }


async def refresh_status(core: Core, record: RepoRecord) -> list[BranchStatus]:
    """Re-measure every branch from local refs (no network)."""

    def measure(previous: list[BranchStatus]) -> list[BranchStatus]:
        with open_worktree_repo(record.path) as repo:
            index = core.graph_index(record.id, repo)
            return measure_branches(repo, previous, index)

    previous = await core.store.branches(record.id)
    statuses = await core.offload.cpu(measure, previous)
    await core.store.save_branches(record.id, statuses)
    return statuses
