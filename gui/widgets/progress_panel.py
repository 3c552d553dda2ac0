"""The selected repository's sync progress: phase, a bar (objects n/N, bytes) and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from gui.models.repos import RepoView, progress_fraction, progress_text

BAR_STEPS = 1000


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = QLabel("Idle")
        self.phase.setMinimumWidth(260)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(160)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop this sync; the repository is left as it was before it")
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
            self.phase.setText("")
            return
        self.phase.setText(view.activity() if busy else _idle_text(view))
        fraction = progress_fraction(view.progress) if busy and view.progress else None
        if fraction is None:
            self.bar.setRange(0, 0)  # busy, no known total: an indeterminate bar
        else:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(round(fraction * BAR_STEPS))
            self.bar.setFormat(f"{fraction:.0%}")
        if busy and view.progress is not None:
            self.phase.setToolTip(progress_text(view.progress))


def _idle_text(view: RepoView) -> str:
    message = view.record.last_message
    result = (view.record.last_result or "not synced yet").replace("_", " ")
    return f"{result.capitalize()}: {message}" if message and message != result else result.capitalize()
