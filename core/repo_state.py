"""A repository's state and the store's clock: the two things every writer of a run's
rows needs, kept apart from `core.model`'s dataclasses so that a cold replayed fetch
(`core/cli_replay.py`) can record a run without defining them (`core.model` names both
too, for everyone else)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum


def utcnow() -> datetime:
    """Now as the store keeps times: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class RepoState(StrEnum):
    """The state one repository's worker publishes (docs/ARCHITECTURE.md, "The sync contract")."""

    IDLE = "idle"
    FETCHING = "fetching"
    SYNCING = "syncing"
    PAUSED = "paused"
    OFFLINE = "offline"
    ERROR = "error"
    TRIPPED = "tripped"
