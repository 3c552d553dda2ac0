"""The circuit breaker: a remote that keeps failing is left alone for a while.

`threshold` consecutive failures within `window` trip the remote until
`cooldown` has passed; background fetches skip a tripped remote, a user's sync
still tries it. Once the cool-down is over the count starts afresh. Counts and
trip times live in the status store (`RemoteHealth`), so a restart keeps them;
the breaker holds a copy per repository, loaded on first use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from core.engine.fetch_outcome import FetchOutcome, OutcomeKind
from core.store.remote_failure import RemoteFailure

OnTrip = Callable[[int, str, datetime], None]


class FailureLedger(Protocol):
    """Where failure streaks persist: `StatusStore.remote_health` in the app."""

    async def failure_states(self, repo_id: int) -> list[RemoteFailure]: ...

    async def save_failure(self, repo_id: int, failure: RemoteFailure, error: str | None) -> None: ...

    async def record(self, repo_id: int, remote: str, error: str | None) -> int: ...


class RemoteBreaker:
    def __init__(
        self,
        ledger: FailureLedger | None = None,
        *,
        threshold: int = 3,
        window: timedelta = timedelta(hours=1),
        cooldown: timedelta = timedelta(hours=1),
        on_trip: OnTrip | None = None,
    ) -> None:
        if threshold < 1:
            raise ValueError("the breaker threshold is at least 1")
        self.threshold = threshold
        self.window = window
        self.cooldown = cooldown
        self._ledger = ledger
        self._on_trip = on_trip
        self._states: dict[int, dict[str, RemoteFailure]] = {}
        # Per repository: how often its copy changed, and its streaks being written to the
        # ledger now (what the ledger holds lags behind the copy until they are written).
        self._changes: dict[int, int] = {}
        self._writing: dict[int, int] = {}

    async def load(self, repo_id: int) -> None:
        if repo_id in self._states:
            return
        stored = await self._ledger.failure_states(repo_id) if self._ledger else []
        if repo_id not in self._states:
            self._set(repo_id, stored)

    def forget(self, repo_id: int) -> None:
        self._states.pop(repo_id, None)
        self._changed(repo_id)

    async def trips_ended(self, now: datetime) -> list[int]:
        """The repositories tripped at `now` whose trips the ledger says have ended: another
        process (a `gitferry sync` in its own) that the remote answered cleared the streak
        there. Their copies are read again, each kept as it is when this breaker changed or
        was writing it while the ledger was read (that read may predate its own write, a
        trip just made looking like none): the next call reads it again."""
        ended = []
        for repo_id in self.tripped_repositories(now):
            if await self._reread(repo_id) and not self.tripped(repo_id, now):
                ended.append(repo_id)
        return ended

    async def _reread(self, repo_id: int) -> bool:
        if self._ledger is None or self._writing.get(repo_id):
            return False
        before = self._changes.get(repo_id, 0)
        stored = await self._ledger.failure_states(repo_id)
        if self._writing.get(repo_id) or self._changes.get(repo_id, 0) != before:
            return False
        self._set(repo_id, stored)
        return True

    def _set(self, repo_id: int, stored: list[RemoteFailure]) -> None:
        self._states[repo_id] = {f.remote: f for f in stored}
        self._changed(repo_id)

    def _changed(self, repo_id: int) -> None:
        self._changes[repo_id] = self._changes.get(repo_id, 0) + 1

    def tripped(self, repo_id: int, now: datetime) -> frozenset[str]:
        states = self._states.get(repo_id, {})
        return frozenset(name for name, f in states.items() if f.tripped_at(now))

    def tripped_repositories(self, now: datetime) -> list[int]:
        """The repositories with a remote tripped at `now`, as this breaker holds them."""
        return [repo_id for repo_id in self._states if self.tripped(repo_id, now)]

    def failures(self, repo_id: int, remote: str) -> int:
        state = self._states.get(repo_id, {}).get(remote)
        return state.failures if state else 0

    async def record(self, repo_id: int, outcome: FetchOutcome, now: datetime) -> None:
        await self.load(repo_id)
        for remote in outcome.answered:
            await self._clear(repo_id, remote)
        if outcome.kind is OutcomeKind.OFFLINE:
            return
        for remote, error in outcome.failed.items():
            await self._fail(repo_id, remote, error, now)

    async def _clear(self, repo_id: int, remote: str) -> None:
        if self._states[repo_id].pop(remote, None) is not None:
            self._changed(repo_id)
            if self._ledger:
                await self._writing_to(repo_id, self._ledger.record(repo_id, remote, None))

    async def _fail(self, repo_id: int, remote: str, error: str, now: datetime) -> None:
        before = self._states[repo_id].get(remote)
        after = self._next_state(before, remote, now)
        self._states[repo_id][remote] = after
        self._changed(repo_id)
        if self._ledger:
            await self._writing_to(repo_id, self._ledger.save_failure(repo_id, after, error))
        newly_tripped = after.tripped_until is not None and (before is None or before.tripped_until is None)
        if newly_tripped and self._on_trip and after.tripped_until:
            self._on_trip(repo_id, remote, after.tripped_until)

    async def _writing_to(self, repo_id: int, write: Awaitable[object]) -> None:
        self._writing[repo_id] = self._writing.get(repo_id, 0) + 1
        try:
            await write
        finally:
            self._writing[repo_id] -= 1

    def _next_state(self, before: RemoteFailure | None, remote: str, now: datetime) -> RemoteFailure:
        if before is None or self._expired(before, now):
            before = RemoteFailure(remote, 0, now, now)
        state = replace(before, failures=before.failures + 1, last_failure_at=now)
        if state.tripped_until is None and state.failures >= self.threshold:
            state = replace(state, tripped_until=now + self.cooldown)
        return state

    def _expired(self, state: RemoteFailure, now: datetime) -> bool:
        """A streak ends when its cool-down is over or its first failure left the window."""
        if state.tripped_until is not None:
            return now >= state.tripped_until
        return now - state.first_failure_at > self.window
