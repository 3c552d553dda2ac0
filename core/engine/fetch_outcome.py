"""What the scheduler asks of a background fetch, and what it gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Reason(StrEnum):
    """Why the scheduler starts a background fetch."""

    SCHEDULE = "schedule"  # the repository's regular slot
    RETRY = "retry"  # a backoff retry after a failure
    CATCH_UP = "catch_up"  # overdue after a clock jump or a pause
    REMOTE_MOVED = "remote_moved"  # early: another registered repository pushed to its remote


@dataclass(frozen=True)
class FetchJob:
    """One request to the trigger: why, which remotes the breaker has tripped, and how
    long it may run."""

    reason: Reason
    skip_remotes: frozenset[str] = frozenset()
    deadline: float | None = None  # seconds the fetch may run (`job_limits.py`)


class OutcomeKind(StrEnum):
    OK = "ok"  # every remote tried answered
    FAILED = "failed"  # at least one remote failed (see `failed`)
    OFFLINE = "offline"  # no remote could be reached at all


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class FetchOutcome:
    """`answered`: remotes that answered; `failed`: remote -> error of those that did not.

    Failures of an OFFLINE outcome do not count against the remotes: the
    machine, not the remote, is the likely cause. `error` is a failure of the
    fetch itself rather than of one remote (the trigger raised).
    """

    kind: OutcomeKind
    answered: tuple[str, ...] = ()
    failed: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    error: str | None = None

    @classmethod
    def ok(cls, *answered: str) -> FetchOutcome:
        return cls(OutcomeKind.OK, tuple(answered))

    @classmethod
    def failure(cls, failed: Mapping[str, str], answered: tuple[str, ...] = ()) -> FetchOutcome:
        return cls(OutcomeKind.FAILED, answered, _frozen(failed))

    @classmethod
    def offline(cls, failed: Mapping[str, str] | None = None) -> FetchOutcome:
        return cls(OutcomeKind.OFFLINE, (), _frozen(failed or {}))

    @classmethod
    def crashed(cls, error: str) -> FetchOutcome:
        return cls(OutcomeKind.FAILED, error=error)

    @property
    def succeeded(self) -> bool:
        return self.kind is OutcomeKind.OK
