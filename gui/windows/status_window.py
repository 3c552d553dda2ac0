"""The status window: the repositories, and for the selected one its branches,
progress, conflicts, skipped files, and a line for submodules not at the commit
the repository records.

It is a view: it paints what it is handed (a snapshot of the status store,
then live events through the bridge) and asks for actions with signals; the
desktop (gui/desktop.py) carries them out through the core. Updates change
rows in place, so the selection and the sort order survive them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.model import BranchStatus, ConflictRecord, RepoRecord, RepoState, SkippedFile, SubmoduleStatus
from gui.models.branches import branch_model
from gui.models.repos import ACTIVITY_COLUMN, RepoView, repo_model
from gui.models.table_model import ROW_ROLE, KeyedTableModel, SortFilterModel
from gui.models.worktree_issues import conflict_model, skipped_model
from gui.widgets.activity_delegate import ActivityDelegate
from gui.widgets.progress_panel import ProgressPanel

if TYPE_CHECKING:  # the events module brings asyncio: not needed to paint the window
    from core.events import BranchStatusChanged, PhaseProgress, StateChanged


def _table(model: SortFilterModel, *, stretch: int = 0) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


class StatusWindow(QMainWindow):
    sync_requested = Signal(int)
    sync_all_requested = Signal()
    cancel_requested = Signal(int)
    pause_requested = Signal(bool)  # True: pause the background fetches
    settings_requested = Signal()
    open_folder_requested = Signal(str)
    retry_requested = Signal(int, list)  # repository id, paths
    repo_selected = Signal(int)

    def __init__(self, icon: QIcon | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Gitferry")
        if icon is not None:
            self.setWindowIcon(icon)
        self.repos: KeyedTableModel[RepoView] = repo_model()
        self.branches: KeyedTableModel[BranchStatus] = branch_model()
        self.conflicts: KeyedTableModel[ConflictRecord] = conflict_model()
        self.skipped: KeyedTableModel[SkippedFile] = skipped_model()
        self._branches_of: dict[int, list[BranchStatus]] = {}
        self._conflicts_of: dict[int, list[ConflictRecord]] = {}
        self.selected_id: int | None = None
        self._build_actions()
        self._build_layout()
        self.resize(QSize(1120, 640))

    # Layout ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        bar = QToolBar("Actions")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sync_action = QAction("Sync now", self, shortcut=QKeySequence("Ctrl+S"))
        self.sync_action.triggered.connect(self._sync_selected)
        self.sync_all_action = QAction("Sync all", self)
        self.sync_all_action.triggered.connect(self.sync_all_requested)
        self.pause_action = QAction("Pause background fetch", self, checkable=True)
        self.pause_action.toggled.connect(self.pause_requested)
        self.settings_action = QAction("Settings…", self, shortcut=QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.settings_requested)
        for action in (self.sync_action, self.sync_all_action, self.pause_action, self.settings_action):
            bar.addAction(action)
        self.addToolBar(bar)

    def _build_layout(self) -> None:
        self.repo_table = _table(SortFilterModel(self.repos))
        self.repo_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.repo_table.setItemDelegateForColumn(ACTIVITY_COLUMN, ActivityDelegate(self.repo_table))
        self.repo_table.horizontalHeader().setSectionResizeMode(
            ACTIVITY_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        self.repo_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.repo_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.repo_table.doubleClicked.connect(lambda _index: self._sync_selected())

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self._cancel_selected)
        self.submodule_note = QLabel()  # shown only when a submodule is not at its recorded commit
        self.submodule_note.setWordWrap(True)
        self.submodule_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.submodule_note.hide()

        self.tabs = QTabWidget()
        self.tabs.addTab(self._branches_tab(), "Branches")
        self.tabs.addTab(self._conflicts_tab(), "Conflicts")
        self.tabs.addTab(self._skipped_tab(), "Skipped files")

        detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(8, 4, 4, 4)
        column.addWidget(self.title)
        column.addWidget(self.submodule_note)
        column.addWidget(self.progress)
        column.addWidget(self.tabs, 1)

        splitter = QSplitter()
        splitter.addWidget(self.repo_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([440, 680])
        self.setCentralWidget(splitter)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)

    def _branches_tab(self) -> QWidget:
        self.branch_proxy = SortFilterModel(self.branches)
        self.branch_table = _table(self.branch_proxy)
        self.branch_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter branches")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.branch_proxy.setFilterFixedString)
        return _page(self.filter, self.branch_table)

    def _conflicts_tab(self) -> QWidget:
        self.conflict_table = _table(SortFilterModel(self.conflicts))
        self.conflict_hint = QLabel("No conflicts: every branch integrated cleanly.")
        open_folder = QPushButton("Open folder")
        open_folder.clicked.connect(self._open_selected_folder)
        return _page(self.conflict_hint, self.conflict_table, _buttons(open_folder))

    def _skipped_tab(self) -> QWidget:
        self.skipped_table = _table(SortFilterModel(self.skipped))
        self.skipped_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.skipped_hint = QLabel("Files left out of auto-commit, and why.")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Try the selected files (or all of them) again on the next sync")
        self.retry_button.clicked.connect(self._retry)
        open_folder = QPushButton("Open folder")
        open_folder.clicked.connect(self._open_selected_folder)
        return _page(self.skipped_hint, self.skipped_table, _buttons(self.retry_button, open_folder))

    # What the desktop hands the window ----------------------------------------------

    def show_repos(
        self,
        records: Sequence[RepoRecord],
        branches: dict[int, list[BranchStatus]],
        conflicts: dict[int, list[ConflictRecord]],
    ) -> None:
        """The whole picture from the status store (first paint, or after a repository came or went)."""
        self._branches_of = dict(branches)
        self._conflicts_of = dict(conflicts)
        views = []
        for record in records:
            known = self.repos.row_for(record.id)
            count = len(conflicts.get(record.id, []))
            view = RepoView(record, record.state, conflicts=count)
            views.append(known.with_record(record) if known is not None else view)
        self.repos.set_rows(views)
        if self.selected_id is None and views:
            self.select_repo(min(views, key=lambda v: v.name.lower()).id)
        elif self.selected_id is not None and self.repos.row_for(self.selected_id) is None:
            self.selected_id = None
            self._show_selected()
        else:
            self._show_selected()
        self._update_summary()

    def update_record(self, record: RepoRecord, conflicts: list[ConflictRecord]) -> None:
        view = self.repos.row_for(record.id)
        if view is None:
            return
        self._conflicts_of[record.id] = conflicts
        self.repos.upsert(RepoView(record, view.state, None, len(conflicts)))
        if record.id == self.selected_id:
            self._show_selected()

    def on_state_changed(self, event: StateChanged) -> None:
        view = self.repos.row_for(event.repo_id)
        if view is None:
            return
        busy = str(event.to_state) in ("syncing", "fetching")
        self.repos.upsert(
            RepoView(view.record, str(event.to_state), view.progress if busy else None, view.conflicts)
        )
        self._refresh_if_selected(event.repo_id)
        self._update_summary()

    def on_progress(self, event: PhaseProgress) -> None:
        view = self.repos.row_for(event.repo_id)
        if view is None or not view.busy:
            return
        self.repos.upsert(RepoView(view.record, view.state, event, view.conflicts))
        self._refresh_if_selected(event.repo_id)

    def on_branches_changed(self, event: BranchStatusChanged) -> None:
        self._branches_of[event.repo_id] = list(event.branches)
        if event.repo_id == self.selected_id:
            self.branches.set_rows(event.branches)

    def show_skipped(self, repo_id: int, skipped: list[SkippedFile]) -> None:
        if repo_id == self.selected_id:
            self.skipped.set_rows(skipped)
            self.tabs.setTabText(2, f"Skipped files ({len(skipped)})" if skipped else "Skipped files")

    def show_submodules(self, repo_id: int, submodules: Sequence[SubmoduleStatus]) -> None:
        """One line per submodule not at its recorded commit; nothing when all are."""
        if repo_id != self.selected_id:
            return
        lines = [_submodule_line(s) for s in submodules if s.state != "ok"]
        self.submodule_note.setText("<br>".join(lines))
        self.submodule_note.setToolTip(
            "Submodules whose checked-out commit is not the one this repository records"
            " (git submodule status shows them with + or -)"
        )
        self.submodule_note.setVisible(bool(lines))

    def set_paused(self, paused: bool) -> None:
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)
        self._update_summary()

    # Selection and actions -----------------------------------------------------------

    def select_repo(self, repo_id: int) -> None:
        position = self.repos.position_of(repo_id)
        if position is None:
            return
        proxy = self.repo_table.model()
        assert isinstance(proxy, SortFilterModel)
        index = proxy.mapFromSource(self.repos.index(position, 0))
        self.repo_table.selectRow(index.row())

    def selected(self) -> RepoView | None:
        return None if self.selected_id is None else self.repos.row_for(self.selected_id)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        view = indexes[0].data(ROW_ROLE) if indexes else None
        if isinstance(view, RepoView) and view.id != self.selected_id:
            self.selected_id = view.id
            self.skipped.set_rows([])
            self.submodule_note.hide()
            self._show_selected()
            self.repo_selected.emit(view.id)

    def _show_selected(self) -> None:
        view = self.selected()
        self.progress.show_view(view)
        self.sync_action.setEnabled(view is not None)
        if view is None:
            self.title.setText("<b>No repository</b> — add one in Settings")
            self.branches.set_rows([])
            self.conflicts.set_rows([])
            return
        self.title.setText(
            f"<b>{_escape(view.name)}</b>&nbsp;&nbsp;<span style='color:gray'>"
            f"{_escape(view.record.path)}</span>"
        )
        self.branches.set_rows(self._branches_of.get(view.id, []))
        conflicts = self._conflicts_of.get(view.id, [])
        self.conflicts.set_rows(conflicts)
        self.tabs.setTabText(1, f"Conflicts ({len(conflicts)})" if conflicts else "Conflicts")

    def _refresh_if_selected(self, repo_id: int) -> None:
        if repo_id == self.selected_id:
            self.progress.show_view(self.selected())

    def _sync_selected(self) -> None:
        if self.selected_id is not None:
            self.sync_requested.emit(self.selected_id)

    def _cancel_selected(self) -> None:
        if self.selected_id is not None:
            self.cancel_requested.emit(self.selected_id)

    def _open_selected_folder(self) -> None:
        view = self.selected()
        if view is not None:
            self.open_folder_requested.emit(view.record.path)

    def _retry(self) -> None:
        if self.selected_id is None:
            return
        rows = {index.row() for index in self.skipped_table.selectionModel().selectedRows()}
        proxy = self.skipped_table.model()
        paths = [proxy.index(row, 0).data() for row in sorted(rows)] or [s.path for s in self.skipped.rows]
        self.retry_requested.emit(self.selected_id, paths)

    def _update_summary(self) -> None:
        """From the states the repositories publish (a low battery pauses them too)."""
        views = self.repos.rows
        busy = sum(1 for v in views if v.busy)
        states = {v.state for v in views}
        parts = [f"{len(views)} repositories"]
        if busy:
            parts.append(f"{busy} syncing")
        paused = self.pause_action.isChecked() or RepoState.PAUSED in states
        parts.append("background fetch paused" if paused else "background fetch on")
        if RepoState.OFFLINE in states:
            parts.append("offline")
        tripped = sum(1 for v in views if v.state == RepoState.TRIPPED)
        if tripped:
            parts.append(f"{tripped} with a tripped remote")
        self.summary.setText("  ·  ".join(parts))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window hides it; the app lives on in the tray (Quit ends it)."""
        event.ignore()
        self.hide()


def _page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 6, 4, 4)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QTableView) else 0)
    return page


def _buttons(*buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    for button in buttons:
        layout.addWidget(button)
    return row


def _submodule_line(sub: SubmoduleStatus) -> str:
    path = f"<b>{_escape(sub.path)}</b>"
    if sub.state == "uninitialised":
        return f"Submodule {path} is not checked out"
    at = _escape((sub.checked_out or "")[:10])
    return f"Submodule {path} is at <tt>{at}</tt>, not the recorded <tt>{_escape(sub.recorded[:10])}</tt>"


def _escape(text: str) -> str:
    """Not `html.escape`: the html module (and its entity tables) would slow the first paint."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
