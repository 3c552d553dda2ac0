"""The conflicts list and the skipped files panel, from the status store."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.model import ConflictRecord, SkippedFile
from gui.models.formatting import size, when
from gui.models.table_model import Column, KeyedTableModel, time_column
from gui.translations import QT_TRANSLATE_NOOP

REASONS = {
    "too_large": QT_TRANSLATE_NOOP("SkippedFiles", "too large"),
    "unreadable": QT_TRANSLATE_NOOP("SkippedFiles", "unreadable"),
    "failing": QT_TRANSLATE_NOOP("SkippedFiles", "keeps failing"),
    "lfs_missing": QT_TRANSLATE_NOOP("SkippedFiles", "LFS object missing"),
    "unsupported_filter": QT_TRANSLATE_NOOP("SkippedFiles", "filter not run here"),
    "safecrlf": QT_TRANSLATE_NOOP("SkippedFiles", "line endings (safecrlf)"),
    "nested_repository": QT_TRANSLATE_NOOP("SkippedFiles", "a repository of its own (nested)"),
}

CONFLICT_COLUMNS: list[Column[ConflictRecord]] = [
    Column(QT_TRANSLATE_NOOP("Columns", "Path"), lambda c: c.path),
    Column(QT_TRANSLATE_NOOP("Columns", "Branch"), lambda c: c.branch),
    time_column(QT_TRANSLATE_NOOP("Columns", "Since"), lambda c: c.since),
]

SKIPPED_COLUMNS: list[Column[SkippedFile]] = [
    Column(QT_TRANSLATE_NOOP("Columns", "Path"), lambda s: s.path),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Reason"),
        lambda s: (
            QCoreApplication.translate("SkippedFiles", REASONS[s.reason]) if s.reason in REASONS else s.reason
        ),
        tooltip=lambda s: QCoreApplication.translate(
            "SkippedFiles", "%n failure(s) since %1", None, s.failures
        ).replace("%1", when(s.first_seen)),
    ),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Size"),
        lambda s: size(s.size),
        sort_key=lambda s: s.size,
        align_right=True,
    ),
    time_column(QT_TRANSLATE_NOOP("Columns", "When"), lambda s: s.last_seen),
]


def conflict_model() -> KeyedTableModel[ConflictRecord]:
    return KeyedTableModel(CONFLICT_COLUMNS, key=lambda c: (c.branch, c.path), header_text=_column_header)


def skipped_model() -> KeyedTableModel[SkippedFile]:
    return KeyedTableModel(SKIPPED_COLUMNS, key=lambda s: s.path, header_text=_column_header)


def _column_header(header: str) -> str:
    return QCoreApplication.translate("Columns", header)
