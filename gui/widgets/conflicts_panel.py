"""The Conflicts tab: the selected repository's conflicted paths, and the way forward.

The list comes from the status store (it survives a restart and paints before
the engine is imported). When the desktop hands it the resolution
(`Api.resolution`), the selected path shows both sides' versions (each side's
diff against the base for text; sizes and dates for binary files) and the
actions: Use mine, Use theirs, Keep both, Open in merge tool; then Finish
(commit the merge and sync) or Abort (nothing changes). Copies an auto-commit
merge kept are listed too, with no resolution to make. A view: it asks
through signals and paints what it is handed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.model import ConflictRecord
from core.phrase import Phrase
from gui.models.formatting import escaped, size, when
from gui.models.standing import UNFINISHED_WORDS, result_words, way_on
from gui.models.table_model import ROW_ROLE, KeyedTableModel, SortFilterModel
from gui.models.worktree_issues import conflict_model
from gui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:  # core.api brings the engine: not needed to paint the window
    from core.api import ConflictedPath, Resolution, Version

# Diff lines are tinted, not coloured: the tint blends with the palette's own base, so
# the text (the palette's colour) stays readable in a light and a dark theme alike.
_ADDED = QColor(40, 200, 60, 70)
_REMOVED = QColor(230, 50, 50, 70)
_HUNK = QColor(90, 130, 240, 60)

# an auto-commit merge's copy, `name (conflict <machine> <date>).ext`: both sides are kept,
# there is nothing to choose between
COPY_MARK = " (conflict "
LIST_ROWS = 5  # conflicted paths the list shows before the detail takes the rest
_DECORATION, _TOOLTIP = int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole)


def kept_copies(records: list[ConflictRecord]) -> bool:
    """Every listed path is a copy an auto-commit merge kept (none to resolve)."""
    return bool(records) and all(COPY_MARK in record.path for record in records)


class DiffHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats = {}
        for prefix, tint in (("+", _ADDED), ("-", _REMOVED), ("@", _HUNK)):
            line = QTextCharFormat()
            line.setBackground(tint)
            self._formats[prefix] = line

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            return
        line = self._formats.get(text[:1])
        if line is not None:
            self.setFormat(0, len(text), line)


class EvenTitles(QObject):
    """The two sides' titles, wrapped, as tall as the taller one: the panes below them start
    on one line (German's "Meine (dieser Computer) gegenüber der Basis" takes two lines where
    "Ihre (das Remote) gegenüber der Basis" takes one)."""

    def __init__(self, titles: tuple[QLabel, QLabel]) -> None:
        super().__init__(titles[0])
        self._titles = titles
        for title in titles:
            title.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            tallest = max(title.heightForWidth(title.width()) for title in self._titles)
            for title in self._titles:
                if title.minimumHeight() != tallest:
                    title.setMinimumHeight(tallest)
        return False


class ResolvedMarks(SortFilterModel):
    """The conflicted paths, sorted, with a mark before each path resolved and its choice in
    the path's tooltip (`set_resolved`)."""

    def __init__(self, source: KeyedTableModel[ConflictRecord]) -> None:
        super().__init__(source)
        self.resolved: dict[str, str] = {}  # path: its choice, in words
        self._mark = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)

    def set_resolved(self, resolved: dict[str, str]) -> None:
        if resolved == self.resolved:
            return
        self.resolved = resolved
        if self.rowCount():
            roles = [_DECORATION, _TOOLTIP]
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0), roles)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role in (_DECORATION, _TOOLTIP) and index.column() == 0:
            row = super().data(index, ROW_ROLE)
            said = self.resolved.get(row.path) if isinstance(row, ConflictRecord) else None
            if said is not None:
                return self._mark if role == _DECORATION else said
        return super().data(index, role)


class ConflictsPanel(QWidget):
    choose_requested = Signal(int, str, str)  # repository id, path, mine | theirs | both
    merge_tool_requested = Signal(int, str)
    finish_requested = Signal(int)
    abort_requested = Signal(int)
    open_folder_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: KeyedTableModel[ConflictRecord] = conflict_model()
        self.repo_id: int | None = None
        self.resolution: Resolution | None = None
        self.unfinished: str | None = None  # a git command left unfinished (the last sync's `dirty`)
        self.last_result: str | None = None  # how the last sync ended (`RepoRecord.last_result`)
        self.said: tuple[Phrase, ...] = ()  # its message's parts (what was in the way)
        self._busy = False
        self._refocus: QWidget | None = None  # the button pressed, given the focus back once done
        self._build()
        self.show_conflicts(None, [])

    # Layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # a commit's subject, a branch: never markup
        self.hint.setAccessibleName(self.tr("Conflicts summary"))
        self.table = QTableView()
        self.marks = ResolvedMarks(self.records)
        self.table.setModel(self.marks)
        self.table.setSortingEnabled(True)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAccessibleName(self.tr("Conflicted paths"))
        self.table.selectionModel().selectionChanged.connect(self._path_selected)

        # The path is cut in the middle with "…" (whole in its tooltip): a deep one widened
        # the window and squeezed the repository list
        self.choice_path = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        bold = self.choice_path.font()
        bold.setBold(True)
        self.choice_path.setFont(bold)
        self.choice_path.setAccessibleName(self.tr("Selected path"))
        # its whole length when there is room; down to a few characters when not
        self.choice_path.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.choice = QLabel()
        self.choice.setAccessibleName(self.tr("Choice for the selected path"))
        self.mine_label, self.mine_view = self._side(self.tr("Mine (this computer) against the base"))
        self.theirs_label, self.theirs_view = self._side(self.tr("Theirs (the remote) against the base"))
        EvenTitles((self.mine_label, self.theirs_label))
        text_sides = QSplitter(Qt.Orientation.Horizontal)
        for label, view in ((self.mine_label, self.mine_view), (self.theirs_label, self.theirs_view)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(label)
            column.addWidget(view, 1)
            text_sides.addWidget(box)
        self.binary_sides = QWidget()
        grid = QGridLayout(self.binary_sides)
        self.binary_cells: dict[str, QLabel] = {}
        headers = (self.tr("Version"), self.tr("Size"), self.tr("Last changed"))
        for at, header in enumerate(headers):
            grid.addWidget(QLabel(f"<b>{header}</b>"), 0, at)
        names = (("base", self.tr("Base")), ("ours", self.tr("Mine")), ("theirs", self.tr("Theirs")))
        for row, (key, name) in enumerate(names, start=1):
            grid.addWidget(QLabel(name), row, 0)
            for at, part in enumerate(("size", "when"), start=1):
                cell = QLabel()
                cell.setAccessibleName(f"{name} {headers[at]}")
                grid.addWidget(cell, row, at)
                self.binary_cells[f"{key}.{part}"] = cell
        grid.setRowStretch(len(names) + 1, 1)
        self.sides = QStackedWidget()
        self.sides.addWidget(text_sides)
        self.sides.addWidget(self.binary_sides)

        # their tooltips say what each does for the selected path (`_say_choices`)
        self.use_mine = self._button(self.tr("Use mine"), "mine")
        self.use_theirs = self._button(self.tr("Use theirs"), "theirs")
        self.keep_both = self._button(self.tr("Keep both"), "both")
        self.merge_tool = QPushButton(self.tr("Open in merge tool"))
        self.merge_tool.setToolTip(
            self.tr(
                "git's merge.tool when one is configured, else your editor on a file with conflict markers"
            )
        )
        self.merge_tool.setAccessibleName(self.merge_tool.text())
        self.merge_tool.clicked.connect(self._merge_tool)
        self.finish = QPushButton(self.tr("Finish"))
        self.finish.setToolTip(
            self.tr("Commit the merge as resolved (the old head is kept as a backup), then sync")
        )
        self.finish.setAccessibleName(self.tr("Finish: commit the merge and sync"))
        self.finish.clicked.connect(self._finish)
        self.abort = QPushButton(self.tr("Abort"))
        self.abort.setToolTip(self.tr("Forget these choices; nothing in the repository changes"))
        self.abort.setAccessibleName(self.tr("Abort the resolution"))
        self.abort.clicked.connect(self._abort)
        self.open_folder = QPushButton(self.tr("Open folder"))
        self.open_folder.setAccessibleName(self.tr("Open the repository's folder"))
        self.open_folder.clicked.connect(self.open_folder_requested)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Resolution status"))

        chosen = QHBoxLayout()  # the path and its choice on a line of their own: beside the
        chosen.addWidget(self.choice_path)  # four buttons they made the details' least width
        chosen.addWidget(self.choice)  # grow with every choice, and the repository list move
        chosen.addStretch(1)
        per_path = QHBoxLayout()
        for button in (self.use_mine, self.use_theirs, self.keep_both, self.merge_tool):
            per_path.addWidget(button)
        per_path.addStretch(1)
        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 0, 0, 0)
        detail.addLayout(chosen)
        detail.addLayout(per_path)
        detail.addWidget(self.sides, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for button in (self.open_folder, self.abort, self.finish):
            bottom.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    def _side(self, title: str) -> tuple[QLabel, QPlainTextEdit]:
        label = QLabel(title)
        # wrapped: unwrapped, the longer title (German's) held its pane wider than the other's
        # and ran into the other title (`EvenTitles` keeps the two as tall)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)  # on its pane
        view = QPlainTextEdit()
        view.setReadOnly(True)
        view.setTabChangesFocus(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setAccessibleName(title)
        view.highlighter = DiffHighlighter(view.document())  # type: ignore[attr-defined]
        label.setBuddy(view)
        return label, view

    def _button(self, text: str, choice: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    # What the desktop hands the panel ---------------------------------------------------

    def show_conflicts(
        self,
        repo_id: int | None,
        conflicts: list[ConflictRecord],
        unfinished: str | None = None,
        last_result: str | None = None,
        said: Sequence[Phrase] = (),
    ) -> None:
        """The listed conflicts of the selected repository (from the status store), the
        git command its last sync found left unfinished there (`RepoRecord.last_unfinished`):
        a merge begun with `git pull` is no conflict of Gitferry's, nor a clean one; and how
        that sync ended (`RepoRecord.last_result`): one stopped on local changes integrated
        nothing, so the empty list is not "every branch integrated cleanly"; `said`, its
        message's parts, what was in the way (changes or untracked files: `way_on`)."""
        if repo_id != self.repo_id:
            self.resolution = None
            self.status.clear()
        self.repo_id = repo_id
        self.unfinished = unfinished
        self.last_result = last_result
        self.said = tuple(said)
        self.records.set_rows(conflicts)
        self._fit_list(len(conflicts))
        if conflicts and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._paint()

    def _fit_list(self, count: int) -> None:
        """The list shows every path up to `LIST_ROWS` before the detail takes the rest
        (three conflicts showed one and a half rows, at the window's default size and at
        1024x600): its least height, header and frame included."""
        rows = min(max(count, 1), LIST_ROWS)
        table = self.table
        header = table.horizontalHeader().sizeHint().height()
        table.setMinimumHeight(
            header + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth()
        )

    def show_resolution(self, repo_id: int, resolution: Resolution | None, message: str = "") -> None:
        """The resolution under way (None: there is none to make, `message` says why)."""
        if repo_id != self.repo_id:
            return
        self._busy = False
        self.resolution = resolution
        self.status.setText(message)
        self._paint()

    def show_message(self, repo_id: int, message: str) -> None:
        """The outcome of the last action, one line (an error, or what was done)."""
        if repo_id == self.repo_id:
            self._busy = False
            self.status.setText(message)
            self._paint()

    def sync_began(self, repo_id: int) -> None:
        """A sync or fetch of `repo_id` began: what the last action said (Finish's "main merged
        as …; the sync said: …", Abort's) was about the repository before it, and goes; a
        sync the action itself runs (Finish's, the panel busy) leaves it."""
        if repo_id == self.repo_id and not self._busy:
            self.status.clear()

    # Painting ---------------------------------------------------------------------------

    def selected_path(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].data(ROW_ROLE) if rows else None
        return row.path if isinstance(row, ConflictRecord) else None

    def is_binary(self, path: str) -> bool:
        """The conflicted path is shown as binary (sizes and dates, no text to merge)."""
        conflicted = self._conflicted(path)
        return conflicted is not None and conflicted.binary

    def _conflicted(self, path: str | None) -> ConflictedPath | None:
        if self.resolution is None or path is None:
            return None
        return next((p for p in self.resolution.paths if p.path == path), None)

    def _paint(self) -> None:
        count = len(self.records.rows)
        resolution = self.resolution
        copies = kept_copies(self.records.rows)
        if not count and self.unfinished in UNFINISHED_WORDS:
            words = result_words("dirty", self.unfinished)  # "Merge in progress", as git status says
            self.hint.setText(
                self.tr(
                    "%1, left by a git command here, not by a sync: nothing for Gitferry to resolve. "
                    "Finish or abort it with git (git status says how); the next sync goes on."
                ).replace("%1", words)
            )
        elif not count and (stopped := way_on(self.last_result, self.unfinished, self.said)):
            said = self.tr(
                "No conflicts: the last sync stopped on local changes in the way and integrated nothing."
            )
            self.hint.setText(f"{said} {stopped}")
        elif not count:  # "every branch integrated cleanly" stood above a branch never synced, or behind
            self.hint.setText(self.tr("No conflicts. A sync that stops on one lists its files here."))
        elif copies:  # said above the list: "select it to see both versions" led nowhere
            self.hint.setText(
                self.tr(
                    "Both sides were kept: each copy holds this computer's version. "
                    "Compare it with its file, then delete the copy."
                )
            )
        elif resolution is None:
            self.hint.setText(self.tr("%n conflicted path(s). Select one to see both versions.", "", count))
        else:
            self.hint.setText(self._resolution_hint(resolution))
        self._mark_resolved(resolution)
        conflicted = self._conflicted(self.selected_path())
        resolvable = conflicted is not None and not self._busy
        for button in (self.use_mine, self.use_theirs, self.keep_both, self.merge_tool):
            button.setEnabled(resolvable)
        self._say_choices(conflicted)
        self.finish.setEnabled(resolution is not None and not resolution.unresolved and not self._busy)
        self.abort.setEnabled(begun(resolution) and not self._busy)
        self.open_folder.setEnabled(self.repo_id is not None)
        self.detail.setVisible(count > 0 and not copies)
        self._paint_sides(conflicted)
        self._give_focus_back()

    def _resolution_hint(self, resolution: Resolution) -> str:
        """How far the resolution is and what Finish does; under the rebase strategy, which
        local commit's conflicts these are (n of m), as git rebase says at each stop."""
        # a file still holding conflict markers (an editor open on it) is not resolved yet
        left = len(resolution.unresolved) + sum(1 for p in resolution.paths if p.markers_left)
        replaying = resolution.replaying
        if replaying is None:
            text = self.tr(
                "%1 with %2: %3 of %4 resolved. Choose a version for each path, then Finish: "
                "it commits a merge of the two, then syncs."
            )
        elif replaying.step < replaying.steps:
            text = self.tr(
                "%1 onto %2: replaying commit %5 of %6, “%7”: %3 of %4 resolved. Choose a version "
                "for each path (mine: this commit's), then Finish: it replays this commit and the "
                "next ones, stopping again where one conflicts, then syncs."
            )
        else:
            text = self.tr(
                "%1 onto %2: replaying commit %5 of %6, “%7”: %3 of %4 resolved. Choose a version "
                "for each path (mine: this commit's), then Finish: it replays this last commit, then syncs."
            )
        text = (
            text.replace("%3", str(len(resolution.paths) - left))
            .replace("%4", str(len(resolution.paths)))
            .replace("%1", resolution.branch)
            .replace("%2", resolution.upstream)
        )
        if replaying is not None:  # the commit's own words last: a "%1" in them stays as it is
            text = text.replace("%5", str(replaying.step)).replace("%6", str(replaying.steps))
            text = text.replace("%7", replaying.subject)
        return text

    def _say_choices(self, conflicted: ConflictedPath | None) -> None:
        """What each choice does for the selected path. A file one side deleted (git's
        modify/delete) has one version, not two: Keep both would only keep it, as one of
        Use mine and Use theirs does, so it is not offered and its tooltip says why."""
        mine = self.tr("Keep this computer's version")
        theirs = self.tr("Take the remote's version")
        both = self.tr("Theirs at the path, mine beside it as a conflict copy")
        deleted_by = conflicted.deleted_by if conflicted is not None else None  # as `resolve --both` refuses
        never_there = conflicted is not None and not conflicted.base.present  # a rename/rename's new name
        if deleted_by == "theirs" and never_there:
            theirs = self.tr("Leave the file out: the remote has no file at this path")
            both = self.tr(
                "Only this computer has a file at this path: there is one version, not two to keep. "
                "Use mine keeps it; Use theirs leaves it out"
            )
        elif deleted_by == "ours" and never_there:
            mine = self.tr("Leave the file out: this computer has no file at this path")
            both = self.tr(
                "Only the remote has a file at this path: there is one version, not two to keep. "
                "Use theirs takes it; Use mine leaves it out"
            )
        elif deleted_by == "theirs":
            theirs = self.tr("Delete the file, as the remote did")
            both = self.tr(
                "The remote deleted this file: there is one version, not two to keep. "
                "Use mine keeps it; Use theirs deletes it"
            )
        elif deleted_by == "ours":
            mine = self.tr("Leave the file deleted, as this computer did")
            both = self.tr(
                "This computer deleted this file: there is one version, not two to keep. "
                "Use theirs takes the remote's back; Use mine leaves it deleted"
            )
        if deleted_by is not None:
            self.keep_both.setEnabled(False)
        for button, tip in ((self.use_mine, mine), (self.use_theirs, theirs), (self.keep_both, both)):
            button.setToolTip(tip)

    def _choice_words(self, conflicted: ConflictedPath) -> str:
        """The path's choice as the line above its versions says it ("Resolved: mine")."""
        if conflicted.markers_left:
            return self.tr("Being merged: remove the conflict markers, save, then Finish")
        choices = {
            None: self.tr("Not resolved yet"),
            "mine": self.tr("Resolved: mine"),
            "theirs": self.tr("Resolved: theirs"),
            "both": self.tr("Resolved: keep both"),
            "merged": self.tr("Resolved: merged file"),
        }
        return choices.get(conflicted.choice, conflicted.choice or "")

    def _mark_resolved(self, resolution: Resolution | None) -> None:
        """A mark on each path of the list that is resolved, its choice in the tooltip: the
        hint's "2 of 3 resolved" named none, and finding the one left took a click on each."""
        paths = resolution.paths if resolution is not None else ()
        self.marks.set_resolved(
            {p.path: self._choice_words(p) for p in paths if p.choice is not None and not p.markers_left}
        )

    def _paint_sides(self, conflicted: ConflictedPath | None) -> None:
        if conflicted is None:
            self.choice_path.set_full_text("")
            self.choice.setText("")
            self.choice.setToolTip("")
            _show_text(self.mine_view, "")
            _show_text(self.theirs_view, "")
            self.sides.setCurrentIndex(0)
            return
        self.choice_path.set_full_text(conflicted.path)
        self.choice.setText(f"— {escaped(self._choice_words(conflicted))}")
        merged = conflicted.merge_file if conflicted.choice == "merged" else None
        self.choice.setToolTip(merged or "")  # not the file of the path shown before
        if conflicted.binary:
            self.sides.setCurrentIndex(1)
            for key, version in (
                ("base", conflicted.base),
                ("ours", conflicted.ours),
                ("theirs", conflicted.theirs),
            ):
                self.binary_cells[f"{key}.size"].setText(self._size(version))
                self.binary_cells[f"{key}.when"].setText(when(version.when) if version.when else "")
            return
        self.sides.setCurrentIndex(0)
        _show_text(self.mine_view, self._diff_text(conflicted, "ours"))
        _show_text(self.theirs_view, self._diff_text(conflicted, "theirs"))

    def _diff_text(self, conflicted: ConflictedPath, side: str) -> str:
        version = conflicted.ours if side == "ours" else conflicted.theirs
        if not version.present and not conflicted.base.present:  # never there: not "deleted"
            return self.tr("(not on this computer)") if side == "ours" else self.tr("(not on the remote)")
        if not version.present:  # "this side" in the remote's pane read as this computer
            return (
                self.tr("(deleted on this computer)")
                if side == "ours"
                else self.tr("(deleted on the remote)")
            )
        return "\n".join(conflicted.diff("ours" if side == "ours" else "theirs")) or self.tr(
            "(same as the base)"
        )

    def _size(self, version: Version) -> str:
        return size(version.size) if version.present else self.tr("deleted")

    # Actions ----------------------------------------------------------------------------

    def _path_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._paint()

    def _ask(self) -> tuple[int, str] | None:
        path = self.selected_path()
        if self.repo_id is None or path is None:
            return None
        self._busy = True
        self._hold_focus()
        self._paint()
        return self.repo_id, path

    def _choose(self, choice: str) -> None:
        asked = self._ask()
        if asked is not None:
            self.choose_requested.emit(asked[0], asked[1], choice)

    def _merge_tool(self) -> None:
        asked = self._ask()
        if asked is not None:
            self.status.setText(self.tr("Waiting for the merge tool to close…"))
            self.merge_tool_requested.emit(*asked)

    def _hold_focus(self) -> None:
        """The button with the focus, disabled while busy, would hand it on to the next one
        (Open folder: a second Space opened the file manager); it gets it back once done."""
        focused = QApplication.focusWidget()
        self._refocus = focused if isinstance(focused, QPushButton) and self.isAncestorOf(focused) else None

    def _give_focus_back(self) -> None:
        if self._refocus is not None and not self._busy:
            if self._refocus.isEnabled() and self._refocus.isVisible():
                self._refocus.setFocus()
            self._refocus = None

    def _finish(self) -> None:
        if self.repo_id is not None:
            self._busy = True
            rebasing = self.resolution is not None and self.resolution.replaying is not None
            if rebasing:  # Finish replays the commit (and the next ones), it commits no merge
                self.status.setText(self.tr("Replaying the commits and syncing…"))
            else:
                self.status.setText(self.tr("Committing the merge and syncing…"))
            self._paint()
            self.finish_requested.emit(self.repo_id)

    def _abort(self) -> None:
        if self.repo_id is not None:
            self._busy = True
            self._hold_focus()
            self._paint()
            self.abort_requested.emit(self.repo_id)


def begun(resolution: Resolution | None) -> bool:
    """Whether there is a resolution to abort: a choice made, a file being merged, or under
    the rebase strategy a commit before this one resolved. After an Abort (or before any
    choice) there is none: Abort stayed enabled and did nothing (a newcomer's trial)."""
    if resolution is None:
        return False
    replayed = resolution.replaying is not None and resolution.replaying.step > 1
    return replayed or any(p.choice is not None or p.merge_file is not None for p in resolution.paths)


def _show_text(view: QPlainTextEdit, text: str) -> None:
    """Set only when it changed: the panel is painted again on every refresh of the selected
    repository, and setting the same diff again scrolled it back to the top."""
    if view.toPlainText() != text:
        view.setPlainText(text)
