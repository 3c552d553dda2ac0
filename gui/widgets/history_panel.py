"""The History tab: the selected repository's recent syncs, what came in and went out
(commits: subject, author, when; the files changed), the files each skipped or found
conflicted, and "Undo last integration" (refused, with the reason, once pushed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.models.engine_words import stored_message
from gui.models.formatting import when

if TYPE_CHECKING:  # core.api brings the engine: not needed to paint the window
    from core.api import BranchChange, HistoryEntry

_SHOWN_FILES = 50


class HistoryPanel(QWidget):
    undo_requested = Signal(int)  # repository id
    refresh_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo_id: int | None = None
        self.entries: list[HistoryEntry] = []
        self.hint = QLabel(self._hint(None))
        self.hint.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("What"), self.tr("When")])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(self.tr("Sync history"))
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Undo status"))
        self.undo = QPushButton(self.tr("Undo last integration"))
        self.undo.setToolTip(self._undo_help())
        self.undo.setAccessibleName(self.undo.text())
        self.undo.clicked.connect(self._undo)
        self.refresh = QPushButton(self.tr("Refresh"))
        self.refresh.setAccessibleName(self.tr("Refresh the history"))
        self.refresh.clicked.connect(self._refresh)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.refresh)
        bottom.addWidget(self.undo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)
        self.show_history(None, [])
        self.show_undo(None, None)

    def show_history(
        self, repo_id: int | None, entries: list[HistoryEntry], last_sync: datetime | None = None
    ) -> None:
        """The runs, newest first, the newest one opened. The same repository's runs shown
        again (after each of its syncs) keep their items, and so what the user opened
        and where the list is scrolled: only runs new or changed are built. `last_sync`
        (the repository list's Last sync): when it is later than the newest run listed, a
        check that found nothing new, the hint says so (a user saw 20:21 in the list and
        20:16 as History's newest)."""
        newest = entries[0].when if entries else None
        self.hint.setText(self._hint(last_sync if _later(last_sync, newest) else None, newest))
        if repo_id != self.repo_id:
            self.status.clear()
            self.undo.setEnabled(False)  # until `show_undo` says it would run for this one
        kept = self.entries if repo_id == self.repo_id else []
        self.repo_id = repo_id
        self.entries = list(entries)
        if not self._update(kept, entries):
            self.tree.clear()
            for entry in entries:
                self.tree.addTopLevelItem(self._run_item(entry))
            if not entries:
                self.tree.addTopLevelItem(QTreeWidgetItem([self.tr("No syncs recorded yet.")]))
            first = self.tree.topLevelItem(0)
            if first is not None:
                first.setExpanded(True)
        self.refresh.setEnabled(repo_id is not None)
        self.tree.resizeColumnToContents(1)

    def _hint(self, unlisted: datetime | None, newest: datetime | None = None) -> str:
        """`unlisted`: the end of a sync later than the `newest` listed. Its time is said
        only when it reads other than the newest's: a quiet check seconds after the listed
        sync, both at 00:50, had the hint say "ended at 00:50" above an entry at 00:50."""
        hint = self.tr("Recent syncs of the selected repository, newest first.")
        if unlisted is None:
            return hint
        left_out = self.tr(
            "Syncs that found nothing new, or said again what the one before said, are not listed."
        )
        if newest is not None and when(unlisted) == when(newest):
            return f"{hint} {left_out}"
        last = self.tr("The last sync, the list's Last sync, ended at %1.").replace("%1", when(unlisted))
        return f"{hint} {left_out} {last}"

    def show_undo(self, repo_id: int | None, refusal: str | None) -> None:
        """Undo enabled only when it would run; else disabled, its tooltip saying why
        (pushed since, the branch moved, nothing to undo), as the core would refuse it."""
        if repo_id != self.repo_id:
            return
        self.undo.setEnabled(repo_id is not None and refusal is None)
        why = "" if refusal is None else self.tr("Not possible now: %1").replace("%1", refusal)
        self.undo.setToolTip("\n".join(line for line in (self._undo_help(), why) if line))
        self.undo.setAccessibleDescription(why)

    def _undo_help(self) -> str:
        return self.tr(
            "Move the branch back to where it was before the last integration, if it was not pushed since"
        )

    def _update(self, shown: list[HistoryEntry], entries: list[HistoryEntry]) -> bool:
        """Bring the shown runs' items to `entries` in place: those gone or changed taken out,
        the new ones put in where they belong. False (nothing touched) where that cannot
        be done: nothing was shown, nothing is to be, or the runs kept changed their order."""
        if not shown or not entries:
            return False
        before = {entry.run_id: entry for entry in shown}
        unchanged = {entry.run_id for entry in entries if before.get(entry.run_id) == entry}
        kept = [entry.run_id for entry in shown if entry.run_id in unchanged]
        if kept != [entry.run_id for entry in entries if entry.run_id in unchanged]:
            return False
        for row in reversed(range(len(shown))):
            if shown[row].run_id not in unchanged:
                self.tree.takeTopLevelItem(row)
        for row, entry in enumerate(entries):
            if entry.run_id not in unchanged:
                item = self._run_item(entry)
                self.tree.insertTopLevelItem(row, item)
                item.setExpanded(row == 0)
        return True

    def show_message(self, repo_id: int, message: str) -> None:
        if repo_id == self.repo_id:
            self.status.setText(message)

    def _run_item(self, entry: HistoryEntry) -> QTreeWidgetItem:
        kinds = {
            "sync": self.tr("Sync"),
            "fetch": self.tr("Fetch"),
            "resolve": self.tr("Conflicts resolved"),
            "undo": self.tr("Undo"),
            "clone": self.tr("Cloned"),
            "start": self.tr("Started syncing"),
        }
        message = stored_message(entry.message, entry.said)
        title = f"{kinds.get(entry.kind, entry.kind)}: {message or entry.result or ''}"
        item = QTreeWidgetItem([title, when(entry.when)])
        item.setToolTip(0, title)
        for label, changes in ((self.tr("Came in"), entry.came_in), (self.tr("Went out"), entry.went_out)):
            for change in changes:
                item.addChild(self._change_item(label, change))
        for change in entry.came_in:  # a keep-both copy: made here, never came in (a newcomer's trial)
            if change.made_here:
                made = self.tr(
                    "Made here · %1: %n copies of this computer's version (keep both)",
                    "",
                    len(change.made_here),
                )
                copies = QTreeWidgetItem([made.replace("%1", change.branch)])
                copies.addChildren([QTreeWidgetItem([path]) for path in change.made_here])
                item.addChild(copies)
        if entry.committed:
            item.addChild(QTreeWidgetItem([self.tr("Committed %n file(s)", "", entry.committed)]))
        if entry.skipped:
            skipped = QTreeWidgetItem([self.tr("Skipped %n file(s)", "", len(entry.skipped))])
            skipped.addChildren([QTreeWidgetItem([path]) for path in entry.skipped])
            item.addChild(skipped)
        if entry.conflicts:
            conflicted = QTreeWidgetItem([self.tr("Conflicted %n file(s)", "", len(entry.conflicts))])
            conflicted.addChildren([QTreeWidgetItem([path]) for path in entry.conflicts])
            item.addChild(conflicted)
        return item

    def _change_item(self, label: str, change: BranchChange) -> QTreeWidgetItem:
        total = len(change.commits) + change.more
        commits = self.tr("%n commit(s)", "", total)
        files = self.tr("%n file(s) changed", "", len(change.files))
        item = QTreeWidgetItem([f"{label} · {change.branch}: {commits}, {files}"])
        if change.missing:
            item.addChild(QTreeWidgetItem([self.tr("(these commits are no longer in the repository)")]))
        for commit in change.commits:
            line = QTreeWidgetItem(
                [f"{commit.subject} — {commit.author} · {commit.sha[:10]}", when(commit.when)]
            )
            line.setToolTip(0, commit.sha)
            item.addChild(line)
        if change.more:
            item.addChild(QTreeWidgetItem([self.tr("…and %n more commit(s)", "", change.more)]))
        if change.files:
            files_item = QTreeWidgetItem([self.tr("Files changed")])
            files_item.addChildren([QTreeWidgetItem([path]) for path in change.files[:_SHOWN_FILES]])
            if len(change.files) > _SHOWN_FILES:
                more = len(change.files) - _SHOWN_FILES
                files_item.addChild(QTreeWidgetItem([self.tr("…and %n more file(s)", "", more)]))
            item.addChild(files_item)
        return item

    def _undo(self) -> None:
        if self.repo_id is not None:
            self.undo.setEnabled(False)
            self.status.setText(self.tr("Undoing the last integration…"))
            self.undo_requested.emit(self.repo_id)

    def _refresh(self) -> None:
        if self.repo_id is not None:
            self.refresh_requested.emit(self.repo_id)


def _later(moment: datetime | None, than: datetime | None) -> bool:
    """`moment` is later than `than` (the store keeps both to the microsecond: a listed
    run's end is the repository's last sync to the microsecond)."""
    if moment is None:
        return False
    return than is None or _aware(moment) > _aware(than)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
