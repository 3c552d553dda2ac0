"""`StatusStore.remote_health`: the remote_failures table, kept out of status_store.py.

Every fetch records its outcome, and the usual one (a healthy remote still healthy)
is a plain read (`failing`, `StatusReader.failing`) that writes nothing: only a
failure streak, its start or its end, goes through the ORM, so a cold no-change
`gitferry sync` does not import SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from core.model import utcnow
from core.store.database import Database

if TYPE_CHECKING:  # made where a streak is read back (a no-change fetch reads none)
    from core.store.remote_failure import RemoteFailure

Failing = Callable[[int, str], Awaitable[bool]]


class RemoteHealth:
    """Failure counts per remote (the scheduler's backoff and circuit breaker read them)."""

    def __init__(self, db: Database, failing: Failing) -> None:
        self.db = db
        self._failing = failing  # (repo_id, remote) -> has a streak on record, a plain read

    async def record(self, repo_id: int, remote: str, error: str | None) -> int:
        """Record one attempt's outcome; returns the consecutive failure count."""
        if error is None and not await self._failing(repo_id, remote):
            return 0  # the usual case: a healthy remote stays healthy, no write needed
        from core.store.schema import RemoteFailureRow

        now = utcnow()
        async with self.db.write() as s:
            row = await s.get(RemoteFailureRow, (repo_id, remote))
            if error is None:
                if row is not None:
                    await s.delete(row)
                return 0
            if row is None:
                row = RemoteFailureRow(repo_id=repo_id, remote=remote, failures=0, first_failure_at=now)
                s.add(row)
            row.failures += 1
            row.last_failure_at = now
            row.last_error = error
            return row.failures

    async def failures(self, repo_id: int) -> dict[str, int]:
        from sqlalchemy import select

        from core.store.schema import RemoteFailureRow

        async with self.db.read() as s:
            rows = await s.execute(
                select(RemoteFailureRow.remote, RemoteFailureRow.failures).where(
                    RemoteFailureRow.repo_id == repo_id
                )
            )
            return {remote: count for remote, count in rows}

    async def failure_states(self, repo_id: int) -> list[RemoteFailure]:
        """Every remote of the repository with a failure streak (the breaker's persisted state)."""
        from sqlalchemy import select

        from core.store.remote_failure import RemoteFailure
        from core.store.schema import RemoteFailureRow

        async with self.db.read() as s:
            rows = (
                await s.execute(select(RemoteFailureRow).where(RemoteFailureRow.repo_id == repo_id))
            ).scalars()
            return [
                RemoteFailure(
                    remote=row.remote,
                    failures=row.failures,
                    first_failure_at=row.first_failure_at or row.last_failure_at or utcnow(),
                    last_failure_at=row.last_failure_at or utcnow(),
                    tripped_until=row.tripped_until,
                )
                for row in rows
            ]

    async def save_failure(self, repo_id: int, failure: RemoteFailure, error: str | None) -> None:
        """Store one remote's streak as the breaker computed it (times from its clock)."""
        from core.store.schema import RemoteFailureRow

        async with self.db.write() as s:
            row = await s.get(RemoteFailureRow, (repo_id, failure.remote))
            if row is None:
                row = RemoteFailureRow(repo_id=repo_id, remote=failure.remote)
                s.add(row)
            row.failures = failure.failures
            row.first_failure_at = failure.first_failure_at
            row.last_failure_at = failure.last_failure_at
            row.tripped_until = failure.tripped_until
            row.last_error = error
