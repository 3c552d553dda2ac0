"""The repository list: name, state with its live progress, last sync and result."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from core.model import RepoRecord, RepoState
from core.results import CANCELLED_MESSAGE
from gui.models.formatting import NO_VALUE, size, when
from gui.models.table_model import Column, KeyedTableModel

if TYPE_CHECKING:  # the events module brings asyncio: not needed to paint the window
    from core.events import PhaseProgress

FAILED = QColor("#b91c1c")
ATTENTION = QColor("#b45309")
ATTENTION_RESULTS = ("conflict", "diverged", "unpublished", "dirty", "auth_failed")
FAILED_RESULTS = ("error", "offline")
CANCELLED = CANCELLED_MESSAGE

_STATE_TEXT: dict[str, str] = {
    RepoState.PAUSED: "Paused: background fetch waits (Resume, or a charged battery)",
    RepoState.OFFLINE: "Offline: no remote answers; fetches resume once one does",
    RepoState.TRIPPED: "Tripped: a remote keeps failing; background fetch leaves it out for a while",
}
_PHASE_TEXT = {
    "connecting": "Connecting",
    "counting": "Counting objects",
    "compressing": "Compressing objects",
    "receiving": "Receiving objects",
    "resolving": "Resolving deltas",
    "indexing": "Indexing objects",
    "pushing": "Pushing objects",
}


def progress_text(p: PhaseProgress) -> str:
    """ "Receiving objects 120/450 · 1.2 MiB (origin)"."""
    text = _PHASE_TEXT.get(p.phase, p.phase.capitalize())
    if p.total:
        text += f" {p.current:,}/{p.total:,}"
    elif p.current:
        text += f" {p.current:,}"
    if p.bytes:
        text += f" · {size(p.bytes)}"
    return f"{text} ({p.remote})" if p.remote else text


def progress_brief(p: PhaseProgress) -> str:
    """The short form for the repository list: "Receiving 67%", "Counting 1,200"."""
    verb = _PHASE_TEXT.get(p.phase, p.phase.capitalize()).split()[0]
    fraction = progress_fraction(p)
    if fraction is not None:
        return f"{verb} {fraction:.0%}"
    return f"{verb} {size(p.bytes)}" if p.bytes else f"{verb}…"


def progress_fraction(p: PhaseProgress) -> float | None:
    """Done share of the phase, or None when the phase has no known total."""
    if not p.total:
        return None
    return min(1.0, p.current / p.total)


@dataclass(frozen=True)
class RepoView:
    """A repository as the windows show it: its record plus what the engine says live."""

    record: RepoRecord
    state: str
    progress: PhaseProgress | None = None
    conflicts: int = 0

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
            return "Syncing…" if self.state == "syncing" else "Fetching…"
        return self.state.capitalize() if brief else _STATE_TEXT.get(self.state, self.state.capitalize())

    @property
    def cancelled(self) -> bool:
        """The last run was the user's Cancel: nothing for them to look at."""
        return self.record.last_message == CANCELLED

    def with_record(self, record: RepoRecord) -> RepoView:
        return replace(self, record=record, state=record.state if not self.busy else self.state)

    def needs_attention(self) -> bool:
        """A conflict, a tripped remote, a result the user must act on or a failure; not
        `offline`: that is a state the tray shows once, not a stream of errors."""
        if self.conflicts > 0 or self.state == RepoState.TRIPPED:
            return True
        return not self.cancelled and self.record.last_result in (*ATTENTION_RESULTS, "error")


def _result_colour(view: RepoView) -> QColor | None:
    if view.cancelled:
        return None
    result = view.record.last_result
    if result in FAILED_RESULTS:
        return FAILED
    return ATTENTION if result in ATTENTION_RESULTS or view.conflicts else None


def _result_text(view: RepoView) -> str:
    result = CANCELLED if view.cancelled else (view.record.last_result or NO_VALUE).replace("_", " ")
    return f"{result} · {view.conflicts} conflicted" if view.conflicts else result


REPO_COLUMNS: list[Column[RepoView]] = [
    Column("Repository", lambda v: v.name, tooltip=lambda v: v.record.path),
    Column("Activity", lambda v: v.activity(brief=True), tooltip=RepoView.activity),
    Column(
        "Last sync",
        lambda v: when(v.record.last_sync),
        sort_key=lambda v: v.record.last_sync.isoformat() if v.record.last_sync else "",
    ),
    Column(
        "Result",
        _result_text,
        tooltip=lambda v: v.record.last_message or "",
        foreground=_result_colour,
    ),
]
ACTIVITY_COLUMN = 1


def repo_model() -> KeyedTableModel[RepoView]:
    return KeyedTableModel(REPO_COLUMNS, key=lambda v: v.id)
