"""The repository list: name, state with its live progress, last sync and result."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication

from core.model import DEFAULT_REACH, BranchStatus, RepoRecord, RepoState, SubmoduleStatus, SyncReach
from core.results import CANCELLED_MESSAGE
from gui.models.engine_words import stored_message
from gui.models.formatting import number, share, size, when
from gui.models.standing import Level, Standing, run_said_up_to_date, standing
from gui.models.table_model import Column, KeyedTableModel, time_column
from gui.translations import QT_TRANSLATE_NOOP
from gui.widgets.palette_colors import ATTENTION, on_table

if TYPE_CHECKING:  # the events module brings asyncio: not needed to paint the window
    from core.events import PhaseProgress

translate = QCoreApplication.translate  # by this name, pyside6-lupdate finds the texts


FAILED = QColor("#b91c1c")
CANCELLED = CANCELLED_MESSAGE

_STATE_TEXT: dict[str, str] = {
    RepoState.PAUSED: QT_TRANSLATE_NOOP(
        "RepoView", "Paused: syncing waits (Resume syncing, or a charged battery)"
    ),
    RepoState.OFFLINE: QT_TRANSLATE_NOOP(
        "RepoView", "Offline: no remote answers; fetches resume once one does"
    ),
    RepoState.TRIPPED: QT_TRANSLATE_NOOP(
        "RepoView", "Tripped: a remote keeps failing; background fetch leaves it out for a while"
    ),
}
_BRIEF_STATE: dict[str, str] = {
    RepoState.IDLE: QT_TRANSLATE_NOOP("RepoView", "Idle"),
    RepoState.PAUSED: QT_TRANSLATE_NOOP("RepoView", "Paused"),
    RepoState.OFFLINE: QT_TRANSLATE_NOOP("RepoView", "Offline"),
    RepoState.TRIPPED: QT_TRANSLATE_NOOP("RepoView", "Tripped"),
    RepoState.ERROR: QT_TRANSLATE_NOOP("RepoView", "Stopped"),
}
_PHASE_TEXT = {
    "connecting": QT_TRANSLATE_NOOP("RepoView", "Connecting"),
    "counting": QT_TRANSLATE_NOOP("RepoView", "Counting objects"),
    "compressing": QT_TRANSLATE_NOOP("RepoView", "Compressing objects"),
    "receiving": QT_TRANSLATE_NOOP("RepoView", "Receiving objects"),
    "resolving": QT_TRANSLATE_NOOP("RepoView", "Resolving deltas"),
    "indexing": QT_TRANSLATE_NOOP("RepoView", "Indexing objects"),
    "pushing": QT_TRANSLATE_NOOP("RepoView", "Pushing objects"),
}
_PHASE_VERB = {  # the repository list's short form
    "counting": QT_TRANSLATE_NOOP("RepoView", "Counting"),
    "compressing": QT_TRANSLATE_NOOP("RepoView", "Compressing"),
    "receiving": QT_TRANSLATE_NOOP("RepoView", "Receiving"),
    "resolving": QT_TRANSLATE_NOOP("RepoView", "Resolving"),
    "indexing": QT_TRANSLATE_NOOP("RepoView", "Indexing"),
    "pushing": QT_TRANSLATE_NOOP("RepoView", "Pushing"),
}


def progress_text(p: PhaseProgress) -> str:
    """ "Receiving objects 120/450 · 1.2 MiB (origin)"."""
    text = translate("RepoView", _PHASE_TEXT[p.phase]) if p.phase in _PHASE_TEXT else p.phase.capitalize()
    if p.total:
        text += f" {number(p.current)}/{number(p.total)}"
    elif p.current:
        text += f" {number(p.current)}"
    if p.bytes:
        text += f" · {size(p.bytes)}"
    return f"{text} ({p.remote})" if p.remote else text


def progress_brief(p: PhaseProgress) -> str:
    """The short form for the repository list: "Receiving 67%", "Counting 1,200"."""
    verb = _PHASE_VERB.get(p.phase) or _PHASE_TEXT.get(p.phase) or p.phase.capitalize()
    verb = translate("RepoView", verb)
    fraction = progress_fraction(p)
    if fraction is not None:
        return f"{verb} {fraction:.0%}"
    return f"{verb} {size(p.bytes)}" if p.bytes else f"{verb}…"


def progress_fraction(p: PhaseProgress) -> float | None:
    """Done share of the phase, or None when the phase has no known total."""
    return share(p.current, p.total)


@dataclass(frozen=True)
class RepoView:
    """A repository as the windows show it: its record plus what the engine says live."""

    record: RepoRecord
    state: str
    progress: PhaseProgress | None = None
    conflicts: int = 0
    branches: tuple[BranchStatus, ...] = ()
    skipped: int = 0
    reach: SyncReach = DEFAULT_REACH  # which branches besides the checked-out one a sync moves
    submodules: tuple[SubmoduleStatus, ...] = ()  # as the last sync saw them

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def busy(self) -> bool:
        return self.state in ("syncing", "fetching")

    def activity(self, *, brief: bool = False) -> str:
        if self.busy and self.progress is not None:
            return progress_brief(self.progress) if brief else progress_text(self.progress)
        if self.busy:
            return (
                translate("RepoView", "Syncing…")
                if self.state == "syncing"
                else translate("RepoView", "Fetching…")
            )
        state = self.state
        if state == RepoState.TRIPPED and self.record.last_result == "offline":
            state = RepoState.OFFLINE  # the breaker gave up on a host that does not answer
        if brief:
            return translate("RepoView", _BRIEF_STATE.get(state, state.capitalize()))
        return translate("RepoView", _STATE_TEXT.get(state, state.capitalize()))

    @property
    def cancelled(self) -> bool:
        """The last run was the user's Cancel: nothing for them to look at."""
        return self.record.last_message == CANCELLED

    def with_record(self, record: RepoRecord) -> RepoView:
        return replace(self, record=record, state=record.state if not self.busy else self.state)

    def standing(self, *, settled: bool = False) -> Standing:
        """Where it stands, true to its branch table (gui/models/standing.py); `settled`:
        leaving out a sync under way (the Result column, beside the Activity that shows it).
        Worked out once per view (a view is replaced, never changed): the table, the status
        bar and the tray's icon, tooltip and menu each ask on every event, for every view."""
        return self._settled_standing if settled else self._live_standing

    @cached_property
    def _live_standing(self) -> Standing:
        return self._standing(settled=False)

    @cached_property
    def _settled_standing(self) -> Standing:
        return self._standing(settled=True)

    def _standing(self, *, settled: bool) -> Standing:
        busy = self.busy and not settled
        return standing(
            self.record,
            RepoState.IDLE if self.busy and settled else self.state,
            self.branches,
            conflicts=self.conflicts,
            skipped=self.skipped,
            submodules=self.submodules,
            activity=self.activity(brief=True) if busy else "",
            reach=self.reach,
        )

    def needs_attention(self) -> bool:
        """A conflict, a tripped remote that answers, a result the user must act on or a
        failure; not `offline`: that is a state the tray shows once, not a stream of errors."""
        return self.standing().level is Level.ATTENTION


def _result_colour(view: RepoView) -> QColor | None:
    """Red for a failure, amber for the rest that needs a look, made to read on the table's
    base in the palette in use (a light or a dark theme)."""
    level = view.standing(settled=True).level
    if level not in (Level.ATTENTION, Level.WARNING):
        return None
    hue = FAILED if level is Level.ATTENTION and view.record.last_result == "error" else ATTENTION
    return on_table(hue)


_MARKS = {  # the Result column's icon (the style's pixmap so named), the word the status bar counts it by
    Level.ATTENTION: ("SP_MessageBoxCritical", QT_TRANSLATE_NOOP("RepoView", "Needs you: %1")),
    Level.WARNING: ("SP_MessageBoxWarning", QT_TRANSLATE_NOOP("RepoView", "Warning: %1")),
}
_icons: dict[Level, QIcon] = {}
_icons_drawn_for: list[tuple[int, int]] = []  # the (style, palette) the cached icons are of


def _result_icon(view: RepoView) -> QIcon | None:
    """A repository the status bar counts as needing the user or with a warning carries
    that mark in its Result cell, seen on a selected row too (whose colour is the
    selection's): the style's own pixmaps, no SVG to load before the first paint. They
    are asked of the style again once the style or the palette changes (light to dark):
    a style may draw them in the palette's colours."""
    level = view.standing(settled=True).level
    if level not in _MARKS:
        return None
    style = QApplication.style()
    drawn_for = (id(style), QApplication.palette().cacheKey())
    if _icons_drawn_for != [drawn_for]:
        _icons.clear()
        _icons_drawn_for[:] = [drawn_for]
    if level not in _icons:
        # QStyle's Python type (its many enum types, 4 ms to make) once a row carries a mark,
        # not for every first paint
        from PySide6.QtWidgets import QStyle

        pixmap = QStyle.StandardPixmap[_MARKS[level][0]]
        _icons[level] = style.standardIcon(pixmap)
    return _icons[level]


def _result_tooltip(view: RepoView) -> str:
    message = view.record.last_message
    stands = view.standing(settled=True)
    if message and message != CANCELLED:
        message = stored_message(message, view.record.last_said)
    tooltip = stands.tooltip()
    if stands.level in _MARKS:
        tooltip = translate("RepoView", _MARKS[stands.level][1]).replace("%1", tooltip)
    lines = [tooltip]
    if message and message != CANCELLED and not run_said_up_to_date(view.record, stands):
        lines.append(message)  # local changes in the way: it says what to do too (`way_on`)
    return "\n".join(lines)


def _last_sync_tooltip(view: RepoView) -> str:
    """Last sync counts a background check that found nothing new (or failed as the one
    before did), which History leaves out (a user saw 20:21 here and 20:16 as History's
    newest): said where the time is, true of a failed one too (a trial's "Sign-in needed"
    row read "Last synced with its remotes at 23:18")."""
    if view.record.last_sync is None:
        return ""
    return translate(
        "RepoView",
        "The last sync, a background check included, ended at %1; how it ended is under Result."
        " History lists only the syncs that brought, sent or said something new.",
    ).replace("%1", when(view.record.last_sync))


REPO_COLUMNS: list[Column[RepoView]] = [
    Column(QT_TRANSLATE_NOOP("Columns", "Repository"), lambda v: v.name, tooltip=lambda v: v.record.path),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Activity"),
        lambda v: v.activity(brief=True),
        tooltip=RepoView.activity,
        drawn=lambda v: progress_fraction(v.progress) if v.busy and v.progress else None,  # its bar
    ),
    time_column(QT_TRANSLATE_NOOP("Columns", "Last sync"), lambda v: v.record.last_sync, _last_sync_tooltip),
    Column(
        QT_TRANSLATE_NOOP("Columns", "Result"),
        lambda v: v.standing(settled=True).text,
        sort_key=lambda v: (-v.standing(settled=True).level, v.standing(settled=True).text),
        tooltip=_result_tooltip,
        foreground=_result_colour,
        decoration=_result_icon,
        brief=lambda v: v.standing(settled=True).brief,
    ),
]
ACTIVITY_COLUMN, LAST_SYNC_COLUMN, RESULT_COLUMN = 1, 2, 3


def repo_model() -> KeyedTableModel[RepoView]:
    return KeyedTableModel(REPO_COLUMNS, key=lambda v: v.id, header_text=_column_header)


def _column_header(header: str) -> str:
    return QCoreApplication.translate("Columns", header)
