"""The selected repository's sync progress: phase, a bar (objects n/N, bytes) and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from core.phrase import SEPARATOR, Phrase, verbatim
from core.results import ResultKind
from gui.models.engine_words import in_language, stored_parts
from gui.models.repos import RepoView, progress_fraction
from gui.models.standing import left_alone_line, run_said_up_to_date
from gui.widgets.elided_label import ElidedLabel

BAR_STEPS = 1000
# what a run says that did not sync: no remote answered, a sign-in refused, another git
# process in the way, an error
_FAILED = frozenset({ResultKind.OFFLINE, ResultKind.AUTH_FAILED, ResultKind.BUSY, ResultKind.ERROR})


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # a long message wraps onto up to three lines, then is cut: it never widens the window
        self.phase = ElidedLabel(lines=3)
        self.phase.setMinimumWidth(160)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr("Sync progress"))
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(160)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setAccessibleName(self.tr("Cancel the sync"))
        self.cancel.setToolTip(self.tr("Stop this sync; the repository is left as it was before it"))
        self.cancel.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.phase, 2)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel)
        self.show_view(None)

    def show_view(self, view: RepoView | None) -> None:
        busy = view is not None and view.busy
        self.cancel.setEnabled(busy)
        self.bar.setVisible(busy)
        if view is None:
            self.phase.set_full_text("")
            return
        if busy:
            self.phase.set_full_text(view.activity())
        else:
            text, tooltip = _idle_text(view)
            self.phase.set_full_text(text, tooltip)
        fraction = progress_fraction(view.progress) if busy and view.progress else None
        if fraction is None:
            self.bar.setRange(0, 0)  # busy, no known total: an indeterminate bar
        else:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(round(fraction * BAR_STEPS))
            self.bar.setFormat(f"{fraction:.0%}")


def _idle_text(view: RepoView) -> tuple[str, str]:
    """The header's line for an idle repository and its tooltip: where it stands (true to
    its branch table), then what the last run said."""
    stands = view.standing()
    text = stands.text
    if stands.details:  # every other thing worth saying: each branch ahead or behind, …
        text += "  ·  " + "  ·  ".join(stands.details)
    parts = stored_parts(view.record.last_message, view.record.last_said) or []
    message = in_language(_not_said_again(parts, view, (stands.text, *stands.details)))
    said = {stands.text.lower(), *(d.lower() for d in stands.details)}
    stale = run_said_up_to_date(view.record, stands)
    if message and not view.cancelled and not stale and message.lower() not in said:
        last = _last_run(view.record.last_result).replace("%1", message)
        return f"{text}  ·  {last}", "\n".join((stands.tooltip(), last))
    return text, stands.tooltip()


def _last_run(result: str | None) -> str:
    """How the header introduces the last run's message: "Last sync: …" only when a sync
    happened (it went well, or stopped at a conflict or a diverged branch, every remote
    answering); "Last sync failed: …" when it did not (a remote unreachable, a refused
    sign-in, an error), which "Last sync: origin is unreachable" made read as synced."""
    if result in _FAILED:
        return QCoreApplication.translate("ProgressPanel", "Last sync failed: %1")
    return QCoreApplication.translate("ProgressPanel", "Last sync: %1")


def _not_said_again(parts: list[Phrase], view: RepoView, said: tuple[str, ...]) -> list[Phrase]:
    """The last run's message (the engine's `; `-joined parts, core/engine/sync.py) without
    the parts the header already says: a branch's line ("drafts: 1 behind, not checked
    out", the sync's words and the window's), and a message stored before them, "left
    topic alone: checked out in the worktree at …", for a branch the header says is
    checked out in another worktree ("topic: 1 behind, checked out in …"): one fact once,
    and the rest of the message not pushed past the cut. A message stored as English only
    is split at its "; "."""
    held = [b.name for b in view.branches if b.worktree is not None and left_alone_line(b) in said]
    if not parts:
        return parts
    if len(parts) == 1 and parts[0].template is None:
        parts = [verbatim(text) for text in parts[0].text.split(SEPARATOR)]
    return [
        p
        for p in parts
        if in_language([p]) not in said
        and not any(p.english().startswith(f"left {name} alone: ") for name in held)
    ]
