"""The branch table: branch, upstream, ahead, behind, last fetched, state."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from core.model import CHECKED_OUT_USE, BranchStatus, in_worktree_said
from core.phrase import verbatim
from gui.models.engine_words import said
from gui.models.formatting import NO_VALUE, count, translate_n, when
from gui.models.table_model import Column, KeyedTableModel, time_column
from gui.translations import QT_TRANSLATE_NOOP
from gui.widgets.palette_colors import ATTENTION, on_table

NOT_PUBLISHED = QT_TRANSLATE_NOOP("BranchTable", "not published")
# Level with its upstream as this computer has it, which no fetch has checked: not "up to
# date" beside "Last fetched: never" (the repository's row says "Not synced yet").
NOT_FETCHED = QT_TRANSLATE_NOOP("BranchTable", "not fetched yet")
NO_UPSTREAM = QT_TRANSLATE_NOOP("BranchTable", "no upstream")
UPSTREAM_GONE = QT_TRANSLATE_NOOP("BranchTable", "upstream gone")
NOT_MEASURED = QT_TRANSLATE_NOOP("BranchTable", "not measured")
DIVERGED = QT_TRANSLATE_NOOP("BranchTable", "diverged")
AHEAD = QT_TRANSLATE_NOOP("BranchTable", "ahead")
BEHIND = QT_TRANSLATE_NOOP("BranchTable", "behind")
UP_TO_DATE = QT_TRANSLATE_NOOP("BranchTable", "up to date")
STATES = (
    NOT_PUBLISHED,
    NO_UPSTREAM,
    UPSTREAM_GONE,
    NOT_MEASURED,
    DIVERGED,
    AHEAD,
    BEHIND,
    NOT_FETCHED,
    UP_TO_DATE,
)
LAST_FETCHED, STATE = 4, 5  # columns


def branch_state(branch: BranchStatus) -> str:
    if branch.unpublished:
        return NOT_PUBLISHED
    if branch.upstream is None:
        return NO_UPSTREAM
    if branch.upstream_gone:
        return UPSTREAM_GONE
    if branch.ahead is None or branch.behind is None:
        return NOT_MEASURED
    if branch.ahead and branch.behind:
        return DIVERGED
    if branch.ahead:
        return AHEAD
    if branch.behind:
        return BEHIND
    if branch.last_fetch is None:
        return NOT_FETCHED
    return UP_TO_DATE


def any_row_texts() -> dict[int, list[str]]:
    """What the Last fetched and State columns may say of any branch, in the language in use
    (`BranchColumns`: the table's least width holds them whatever the rows shown)."""
    year = datetime.now(UTC).year
    moments = [
        datetime(when_year, month, 28, 23, 58, tzinfo=UTC)
        for when_year in (year, year - 1)
        for month in range(1, 13)
    ]
    return {
        LAST_FETCHED: [when(None), *(when(moment) for moment in moments)],
        STATE: [QCoreApplication.translate("BranchTable", word) for word in STATES],
    }


def state_word(branch: BranchStatus) -> str:
    """The branch's state in the user's words, as its State column says it."""
    return QCoreApplication.translate("BranchTable", branch_state(branch))


def _state_colour(branch: BranchStatus) -> QColor | None:
    """Amber, made to read on the table's base in the palette in use (light or dark)."""
    if branch_state(branch) not in ("diverged", "upstream gone", NOT_PUBLISHED):
        return None
    return on_table(ATTENTION)


def _state_tooltip(branch: BranchStatus) -> str:
    if branch.unpublished:
        text = translate_n(
            "BranchTable",
            "%n commit(s) of {branch} on no remote: Publish branch pushes it and sets its upstream",
            branch.unpublished,
        )
        return text.format(branch=branch.name)
    if branch.upstream is not None and branch.upstream_gone:
        gone = QCoreApplication.translate(
            "BranchTable",
            "%1 was deleted on the remote (or renamed): nothing of %2 is pushed "
            "until its upstream is changed",
        )
        return gone.replace("%1", branch.upstream).replace("%2", branch.name)
    if branch_state(branch) == NOT_FETCHED:
        text = QCoreApplication.translate(
            "BranchTable",
            "Level with %1 as this computer has it, but %1 has not been fetched yet: "
            "the next fetch or sync checks the remote",
        )
        return text.replace("%1", branch.upstream or "")
    if branch.worktree is not None:  # git never moves it from here, whatever the settings
        if branch.worktree_use == CHECKED_OUT_USE:
            text = QCoreApplication.translate(
                "BranchTable",
                "Checked out in %1: git moves it only there, a sync here leaves it as it is",
            )
        else:
            text = QCoreApplication.translate(
                "BranchTable",
                "Held by a rebase or bisect in %1: a sync here leaves it as it is until that ends",
            )
        return said(in_worktree_said(verbatim(text.replace("%1", branch.worktree)), branch.worktree))
    if branch.checked_out is False and branch.ahead and branch.behind:  # no sync integrates it here
        text = QCoreApplication.translate(
            "BranchTable",
            "Diverged from %1 and not checked out: a sync integrates only the checked-out branch; "
            "check %2 out (git switch %2), then sync",
        )
        return text.replace("%1", branch.upstream or "").replace("%2", branch.name)
    # Not checked out: a sync moves it only as the repository's settings say. Said here,
    # not in the state: "not checked out" ("nicht ausgecheckt") is wider than the column's
    # room in a German window and would be cut.
    if branch.checked_out is False and not (branch.ahead and branch.behind):
        if branch.behind:
            return QCoreApplication.translate(
                "BranchTable",
                "Not checked out: a sync moves it to its upstream only when “Fast-forward those "
                "that are only behind” is on in the repository's settings",
            )
        if branch.ahead:
            return QCoreApplication.translate(
                "BranchTable",
                "Not checked out: a sync pushes it only when “Every branch that is ahead” is on "
                "in the repository's settings",
            )
    return ""


BRANCH_COLUMNS: list[Column[BranchStatus]] = [
    Column(QT_TRANSLATE_NOOP("Columns", "Branch"), lambda b: b.name),
    Column(QT_TRANSLATE_NOOP("Columns", "Upstream"), lambda b: b.upstream or NO_VALUE),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Ahead"),
        lambda b: count(b.ahead),
        sort_key=lambda b: b.ahead,
        align_right=True,
    ),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Behind"),
        lambda b: count(b.behind),
        sort_key=lambda b: b.behind,
        align_right=True,
    ),
    time_column(
        QT_TRANSLATE_NOOP("Columns", "Last fetched"),
        lambda b: b.last_fetch,
        tooltip=lambda b: (
            b.last_fetch.isoformat(timespec="seconds")
            if b.last_fetch
            else QCoreApplication.translate("BranchTable", "never")
        ),
    ),
    Column(
        QT_TRANSLATE_NOOP("Columns", "State"),
        state_word,
        tooltip=_state_tooltip,
        foreground=_state_colour,
    ),
]


def branch_model() -> KeyedTableModel[BranchStatus]:
    return KeyedTableModel(BRANCH_COLUMNS, key=lambda b: b.name, header_text=_column_header)


def _column_header(header: str) -> str:
    return QCoreApplication.translate("Columns", header)
