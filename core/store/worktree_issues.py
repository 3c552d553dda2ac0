"""What a repository's working tree needs from the user: conflicted paths, skipped files.

Conflicts are kept per branch, as the last integration of that branch left them;
a path still conflicted keeps the time it was first seen (`since`). Skipped
files are bounded per repository (`MAX_SKIPPED`): the oldest sighting goes first.
Their reads (a branch's conflicts, a repository's or every repository's, the skipped
files) are plain `sqlite3` (`status_reader.py`), so an integration that changes neither
never imports the ORM, and the status window reading a repository's conflicts after
each of its syncs costs the event loop no ORM session; the writes are here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert

from core.model import SkippedFile
from core.store.database import Database
from core.store.schema import ConflictRow, SkippedFileRow

MAX_SKIPPED = 1000
SKIP_REASONS = frozenset(
    {
        "too_large",
        "unreadable",
        "failing",
        "lfs_missing",
        "unsupported_filter",
        "safecrlf",
        "nested_repository",
    }
)


class WorktreeIssues:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Conflicts ------------------------------------------------------------

    async def set_conflicts(self, repo_id: int, branch: str, paths: Sequence[str], now: datetime) -> None:
        """Replace the branch's rows; `StatusStore.set_conflicts` has already skipped the
        usual case (the same paths as listed) with a plain read."""
        wanted = set(paths)
        async with self.db.write() as s:
            rows = (
                await s.execute(
                    select(ConflictRow).where(ConflictRow.repo_id == repo_id, ConflictRow.branch == branch)
                )
            ).scalars()
            kept = set()
            for row in rows:
                if row.path in wanted:
                    kept.add(row.path)
                else:
                    await s.delete(row)
            s.add_all(
                ConflictRow(repo_id=repo_id, branch=branch, path=path, since=now)
                for path in sorted(wanted - kept)
            )

    # Skipped files ----------------------------------------------------------

    async def record_skipped(self, repo_id: int, entries: Sequence[SkippedFile]) -> None:
        """Upsert by path: the entry's values replace the row's, except `first_seen`,
        which keeps the earliest; then drop the oldest rows past `MAX_SKIPPED`."""
        if not entries:
            return
        unknown = {e.reason for e in entries} - SKIP_REASONS
        if unknown:
            raise ValueError(f"unknown skip reasons: {sorted(unknown)}")
        statement = insert(SkippedFileRow)
        statement = statement.on_conflict_do_update(
            index_elements=[SkippedFileRow.repo_id, SkippedFileRow.path],
            set_={
                "reason": statement.excluded.reason,
                "size": statement.excluded.size,
                "failures": statement.excluded.failures,
                "first_seen": func.min(SkippedFileRow.first_seen, statement.excluded.first_seen),
                "last_seen": statement.excluded.last_seen,
                "retry_after": statement.excluded.retry_after,
            },
        )
        kept = (
            select(SkippedFileRow.path)
            .where(SkippedFileRow.repo_id == repo_id)
            .order_by(SkippedFileRow.last_seen.desc(), SkippedFileRow.path)
            .limit(MAX_SKIPPED)
        )
        async with self.db.write() as s:
            await s.execute(statement, [_skipped_values(repo_id, e) for e in entries])
            await s.execute(
                delete(SkippedFileRow).where(
                    SkippedFileRow.repo_id == repo_id, SkippedFileRow.path.not_in(kept.scalar_subquery())
                )
            )

    async def clear_skipped(self, repo_id: int, paths: Sequence[str] | None = None) -> None:
        """Forget the named paths, or every skipped file of the repository (`None`)."""
        condition = SkippedFileRow.repo_id == repo_id
        async with self.db.write() as s:
            if paths is None:
                await s.execute(delete(SkippedFileRow).where(condition))
            elif paths:
                await s.execute(delete(SkippedFileRow).where(condition, SkippedFileRow.path.in_(paths)))


def _skipped_values(repo_id: int, entry: SkippedFile) -> dict[str, object]:
    return {"repo_id": repo_id, **asdict(entry)}
