"""The explicit state of one repository's worker (SPEC.md section 3)."""

from __future__ import annotations

from enum import StrEnum


class RepoState(StrEnum):
    IDLE = "idle"
    FETCHING = "fetching"
    SYNCING = "syncing"
    PAUSED = "paused"
    OFFLINE = "offline"
    ERROR = "error"
    TRIPPED = "tripped"
