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

# What each reason means and what the user can do about it (the Reason cell's tooltip).
REMEDIES = {
    "too_large": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "Larger than this repository's maximum file size: raise Max file size in Settings"
        " (or list the file in .gitignore), then Retry.",
    ),
    "unreadable": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "Could not be read: permission denied, gone while read, or a name git cannot store."
        " Fix that, then Retry.",
    ),
    "failing": QT_TRANSLATE_NOOP(
        "SkippedFiles", "Failed three times within an hour: held back for an hour, or until Retry."
    ),
    "lfs_missing": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "Its Git LFS content could not be downloaded (the LFS server lacks it or cannot be"
        " reached): the file holds its pointer. Each sync asks for it again and writes the"
        " file once the server has it (Retry is not needed).",
    ),
    "unsupported_filter": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "Needs a conversion (a git filter) Gitferry does not run: git checkout or git add,"
        " which run it, write or commit it.",
    ),
    "safecrlf": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "git add would refuse it (core.safecrlf): its line endings would not come back as they are.",
    ),
    "nested_repository": QT_TRANSLATE_NOOP(
        "SkippedFiles",
        "A folder with a .git of its own: git add would record only a link to it, so it is left out.",
    ),
}


def _reason_tooltip(s: SkippedFile) -> str:
    """What the reason means and what to do; how often it failed when it did."""
    lines = [QCoreApplication.translate("SkippedFiles", REMEDIES[s.reason])] if s.reason in REMEDIES else []
    if s.failures:
        failures = QCoreApplication.translate("SkippedFiles", "%n failure(s) since %1", None, s.failures)
        lines.append(failures.replace("%1", when(s.first_seen)))
    return "\n".join(lines)


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
        tooltip=_reason_tooltip,
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
