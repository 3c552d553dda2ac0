"""How the CLI shows things: JSON documents on stdout, people's text, progress on stderr."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.engine.report import SyncReport
from core.git.progress import TransferProgress
from core.model import BranchStatus, RepoRecord, SkippedFile


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


def repo_json(record: RepoRecord, branches: list[BranchStatus]) -> dict[str, Any]:
    return {
        "name": record.name,
        "path": record.path,
        "state": record.state,
        "last_sync": iso(record.last_sync),
        "last_result": record.last_result,
        "branches": [branch_json(b) for b in branches],
    }


def branch_json(b: BranchStatus) -> dict[str, Any]:
    return {
        "name": b.name,
        "upstream": b.upstream,
        "ahead": b.ahead,
        "behind": b.behind,
        "head": b.head,
        "upstream_head": b.upstream_head,
        "upstream_gone": b.upstream_gone,
        "last_fetch": iso(b.last_fetch),
    }


def print_status(record: RepoRecord, branches: list[BranchStatus]) -> None:
    last = f"last sync {iso(record.last_sync)}: {record.last_result}" if record.last_sync else "never synced"
    print(f"{record.name}  {record.path}  [{record.state}]  {last}")
    for b in branches:
        if b.upstream is None:
            where = "(no upstream)"
        elif b.upstream_gone:
            where = f"{b.upstream} [gone]"
        elif b.ahead is None:
            where = f"{b.upstream} (not measured)"
        else:
            where = f"{b.upstream}  ahead {b.ahead}, behind {b.behind}"
        print(f"  {b.name:<24} {where}")


def skipped_json(record: RepoRecord, rows: list[SkippedFile]) -> dict[str, Any]:
    return {
        "name": record.name,
        "skipped": [
            {
                "path": s.path,
                "reason": s.reason,
                "size": s.size,
                "since": iso(s.first_seen),
                "failures": s.failures,
                "retry_after": iso(s.retry_after),
            }
            for s in rows
        ],
    }


def print_skipped(record: RepoRecord, rows: list[SkippedFile]) -> None:
    print(f"{record.name}: {len(rows)} skipped" if rows else f"{record.name}: nothing skipped")
    for s in rows:
        size = "" if s.size is None else f"  {s.size} bytes"
        until = f"  until {iso(s.retry_after)}" if s.reason == "failing" and s.retry_after else ""
        print(f"  {s.path}  [{s.reason}]{size}  since {iso(s.first_seen)}{until}")


def print_report(report: SyncReport) -> None:
    print(f"{report.name}: {report.result} - {report.message}")


class ProgressView:
    """A progress bar per remote on stderr when it is a terminal; silent otherwise."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> ProgressView:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def sink(self, repo: str) -> Callable[[str, TransferProgress], None]:
        """The progress callback for one repository's remotes."""
        return lambda remote, p: self.update(repo, remote, p)

    def update(self, repo: str, remote: str, p: TransferProgress) -> None:
        if self._progress is None:
            return
        key = f"{repo}/{remote}"
        with self._lock:
            task = self._tasks.get(key)
            if task is None:
                task = self._tasks[key] = self._progress.add_task(key, total=None)
            self._progress.update(
                task,
                description=f"{key}: {p.phase} {p.bytes / 1048576:.1f} MiB",
                completed=p.current,
                total=p.total,
            )
