"""Conflict and sign-in notices outside a Sync all, gathered for a few seconds: many
auto-mode repositories stopping on a conflict at the same time (their background syncs
end within seconds of one another) send one notice naming who needs you, not one each.

The first notice starts the window (`window_ms`, not restarted by later ones, so none
waits longer than that); when it ends, one notice waiting is sent as it was, several
as one summary ("3 repositories need you" - "Conflict: a, b, c; Sign-in needed: d",
three names a kind, then "…"). A repository noticed twice in a window counts once, with
its latest notice. Sync all's own summary already names those it synced (gui/desktop.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from gui.tray import Tray

WINDOW_MS = 3000
CONFLICT = "conflict"
SIGN_IN = "sign_in"


@dataclass(frozen=True)
class _Notice:
    kind: str  # CONFLICT or SIGN_IN
    title: str
    text: str


class AttentionNotices(QObject):
    """Notices of repositories that need the user, sent through `tray` once per window."""

    def __init__(self, tray: Tray, window_ms: int = WINDOW_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._waiting: dict[str, _Notice] = {}  # repository name -> its latest notice
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(window_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def waiting(self) -> list[str]:
        """The repositories whose notice waits for the window to end."""
        return sorted(self._waiting)

    def add(self, repo: str, kind: str, title: str, text: str) -> None:
        self._waiting.pop(repo, None)  # the latest notice of a repository, in arrival order
        self._waiting[repo] = _Notice(kind, title, text)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Send what waits: one notice as it is, several as one summary."""
        self._timer.stop()
        waiting, self._waiting = self._waiting, {}
        if len(waiting) == 1:
            (notice,) = waiting.values()
            self._tray.notify(notice.title, notice.text, warning=True)
        elif waiting:
            title = QCoreApplication.translate(
                "AttentionNotices", "%n repositories need you", None, len(waiting)
            )
            self._tray.notify(title, summary(waiting), warning=True)


def summary(waiting: dict[str, _Notice]) -> str:
    """ "Conflict: a, b, c…; Sign-in needed: d", names sorted within each kind."""
    labels = (
        (CONFLICT, QCoreApplication.translate("AttentionNotices", "Conflict: %1")),
        (SIGN_IN, QCoreApplication.translate("AttentionNotices", "Sign-in needed: %1")),
    )
    parts = []
    for kind, label in labels:
        names = sorted(repo for repo, notice in waiting.items() if notice.kind == kind)
        if names:
            parts.append(label.replace("%1", ", ".join(names[:3]) + ("…" if len(names) > 3 else "")))
    return "; ".join(parts)
