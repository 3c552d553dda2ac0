"""The conflicts list and the skipped files panel, from the status store."""

from __future__ import annotations

from core.model import ConflictRecord, SkippedFile
from gui.models.formatting import size, when
from gui.models.table_model import Column, KeyedTableModel

REASONS = {
    "too_large": "too large",
    "unreadable": "unreadable",
    "failing": "keeps failing",
    "lfs_missing": "LFS object missing",
    "unsupported_filter": "filter not run here",
    "safecrlf": "line endings (safecrlf)",
}

CONFLICT_COLUMNS: list[Column[ConflictRecord]] = [
    Column("Path", lambda c: c.path),
    Column("Branch", lambda c: c.branch),
    Column("Since", lambda c: when(c.since), sort_key=lambda c: c.since.isoformat()),
]

SKIPPED_COLUMNS: list[Column[SkippedFile]] = [
    Column("Path", lambda s: s.path),
    Column(
        "Reason",
        lambda s: REASONS.get(s.reason, s.reason),
        tooltip=lambda s: f"{s.failures} failure(s) since {when(s.first_seen)}",
    ),
    Column("Size", lambda s: size(s.size), sort_key=lambda s: s.size, align_right=True),
    Column("When", lambda s: when(s.last_seen), sort_key=lambda s: s.last_seen.isoformat()),
]


def conflict_model() -> KeyedTableModel[ConflictRecord]:
    return KeyedTableModel(CONFLICT_COLUMNS, key=lambda c: (c.branch, c.path))


def skipped_model() -> KeyedTableModel[SkippedFile]:
    return KeyedTableModel(SKIPPED_COLUMNS, key=lambda s: s.path)
