"""The status window: the repositories, and for the selected one its branches,
progress, conflicts, skipped files, and a line for submodules not at the commit
the repository records.

It is a view: it paints what it is handed (a snapshot of the status store,
then live events through the bridge) and asks for actions with signals; the
desktop (gui/desktop.py) carries them out through the core. Updates change
rows in place, so the selection and the sort order survive them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QEvent,
    QItemSelection,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QHideEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.model import (
    CHECKOUT_REASONS,
    BranchStatus,
    ConflictRecord,
    RepoRecord,
    RepoState,
    SkippedFile,
    SubmoduleStatus,
    SyncReach,
)
from gui.models.branches import any_row_texts, branch_model
from gui.models.engine_words import stored_parts
from gui.models.formatting import escaped
from gui.models.repos import ACTIVITY_COLUMN, LAST_SYNC_COLUMN, RESULT_COLUMN, RepoView, repo_model
from gui.models.standing import overview, pause_tooltip
from gui.models.table_model import ROW_ROLE, KeyedTableModel, SortFilterModel
from gui.models.worktree_issues import skipped_model
from gui.remembered import Remembered
from gui.screen_fit import default_size, fit_to_screen
from gui.weakly import weakly
from gui.widgets.activity_delegate import ActivityDelegate
from gui.widgets.branch_columns import BranchColumns
from gui.widgets.elided_label import ElidedLabel
from gui.widgets.lazy_page import LazyPage
from gui.widgets.palette_colors import attention_color
from gui.widgets.progress_panel import ProgressPanel
from gui.widgets.repo_columns import RepoColumns
from gui.widgets.result_delegate import ResultDelegate, least_width
from gui.widgets.whole_tabs import WholeTabs

if TYPE_CHECKING:  # the events module brings asyncio: not needed to paint the window
    from core.events import BranchStatusChanged, PhaseProgress, StateChanged
    from core.first_paint import Snapshot

    # built on first use (gui/widgets/lazy_page.py): not needed to paint the window
    from gui.widgets.conflicts_panel import ConflictsPanel
    from gui.widgets.first_run import FirstRunPanel
    from gui.widgets.history_panel import HistoryPanel


def _table(model: SortFilterModel, name: str, *, stretch: int = 0) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move within it
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
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


MIN_COLUMN_WIDTH = 60
NAME_WIDTH = 160
ACTIVITY_WIDTH = 100
RESULT_MIN_WIDTH = 100  # at least; "Needs you" (German "Braucht dich") beside its icon: `least_width`
LIST_WIDTH = 620  # the Result column holds "2 branches diverged, 1 more to sync"
# The first width: the list's, and the detail pane's least, the same for any rows
# (`BranchColumns.minimum_width`; German's is the wider). At 1,120 the detail's least
# put the split on it, and each sync's rows moved it.
WINDOW_WIDTH = 1200
# The most of the screen's width the window's frame, the split's handle and the detail
# pane's margins take (28 px in Qt's own style, a window manager's frame a few more)
AROUND_TABLES = 64
GEOMETRY_KEY, SPLITTER_KEY, SELECTED_KEY, TAB_KEY = "geometry", "splitter", "selected", "tab"


class StatusWindow(QMainWindow):
    sync_requested = Signal(int)
    sync_all_requested = Signal()
    cancel_requested = Signal(int)
    pause_requested = Signal(bool)  # True: pause syncing (background fetches and auto syncs)
    settings_requested = Signal()
    about_requested = Signal()
    open_folder_requested = Signal(str)
    retry_requested = Signal(int, list)  # repository id, paths
    publish_requested = Signal(int, str)  # repository id, branch
    repo_selected = Signal(int)
    activated = Signal()  # the window became the active one again (back from an editor…)

    def __init__(self, icon: QIcon | None = None, memory: Remembered | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Gitferry")
        self.memory = memory
        self._remembered_repo = memory.text(SELECTED_KEY) if memory is not None else None
        if icon is not None:
            self.setWindowIcon(icon)
        self.repos: KeyedTableModel[RepoView] = repo_model()
        self.branches: KeyedTableModel[BranchStatus] = branch_model()
        # The tabs the first paint does not show are built on first use (shown, or asked for)
        self._conflicts_page = LazyPage(weakly(self._conflicts_tab))
        self._skipped_page = LazyPage(weakly(self._skipped_tab))
        self._history_page = LazyPage(weakly(self._history_tab))
        self._first_run: FirstRunPanel | None = None
        self.skipped: KeyedTableModel[SkippedFile] = skipped_model()
        self._conflicts_of: dict[int, list[ConflictRecord]] = {}
        self.selected_id: int | None = None
        # What is asked before the desktop listens is held, then asked again (`release_requests`)
        self._held: list[tuple[SignalInstance, tuple[object, ...]]] | None = []
        self._holders: list[tuple[SignalInstance, Callable[..., None]]] = []
        for request in (
            self.sync_requested,
            self.sync_all_requested,
            self.cancel_requested,
            self.pause_requested,
            self.settings_requested,
            self.about_requested,
            self.open_folder_requested,
            self.retry_requested,
            self.publish_requested,
        ):  # not repo_selected: `Desktop.start` loads what is selected when it starts
            self._hold(request)
        self._build_actions()
        self._build_layout()
        enter_presses(self)
        self.resize(default_size(QSize(WINDOW_WIDTH, 640)))
        self._restore()

    # Layout ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        bar = QToolBar(self.tr("Actions"))
        bar.setObjectName("actions")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sync_action = QAction(self.tr("&Sync now"), self, shortcut=QKeySequence("Ctrl+S"))
        self.sync_action.setToolTip(self.tr("Sync the selected repository (Ctrl+S, or Enter in the list)"))
        self.sync_action.triggered.connect(self._sync_selected)
        self.sync_all_action = QAction(self.tr("Sync &all"), self, shortcut=QKeySequence("Ctrl+Shift+S"))
        self.sync_all_action.triggered.connect(self.sync_all_requested)
        self.pause_action = QAction(self.tr("&Pause syncing"), self, checkable=True)
        self.pause_action.setToolTip(pause_tooltip(False))
        self.pause_action.toggled.connect(self._pause_toggled)
        self._paused_until = ""  # the stored pause's end, while paused
        self.settings_action = QAction(self.tr("S&ettings…"), self, shortcut=QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.settings_requested)
        # the window has no menu bar: About is the toolbar's last button (F1), as Settings is one
        self.about_action = QAction(self.tr("A&bout"), self, shortcut=QKeySequence("F1"))
        self.about_action.setToolTip(self.tr("About Gitferry: its version, where its data and log live (F1)"))
        self.about_action.triggered.connect(self.about_requested)
        actions = (self.sync_action, self.sync_all_action, self.pause_action, self.settings_action)
        for action in (*actions, self.about_action):
            bar.addAction(action)
            button = bar.widgetForAction(action)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable with Tab, as the other controls
            button.setAccessibleName(action.text().replace("&", ""))
            button.installEventFilter(self)  # Enter presses it, as Space does (`eventFilter`)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_layout(self) -> None:
        self.repo_table = _table(SortFilterModel(self.repos), self.tr("Repositories"), stretch=RESULT_COLUMN)
        self.repo_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.repo_table.setItemDelegateForColumn(ACTIVITY_COLUMN, ActivityDelegate(self.repo_table))
        self.repo_table.setItemDelegateForColumn(RESULT_COLUMN, ResultDelegate(self.repo_table))
        header = self.repo_table.horizontalHeader()
        header.setMinimumSectionSize(MIN_COLUMN_WIDTH)
        # The name's and the Activity's widths (the user may drag them): a long name is cut,
        # never widens the list; the Result column takes what is left, and in a narrow list
        # (2x on a small screen) they give way so that it keeps RESULT_MIN_WIDTH in sight.
        self.repo_columns = RepoColumns(
            self.repo_table,
            content=[LAST_SYNC_COLUMN],
            widths={0: NAME_WIDTH, ACTIVITY_COLUMN: ACTIVITY_WIDTH},
            result_min=max(RESULT_MIN_WIDTH, least_width(self.repo_table)),
        )
        header.sectionResized.connect(self._list_column_resized)
        self.repo_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.repo_table.doubleClicked.connect(self._double_clicked)
        self.repo_table.installEventFilter(self)  # Enter syncs the selected repository

        self.title = ElidedLabel()
        title_font = self.title.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.path_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # grey in light and dark
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # its own length
        heading.addWidget(self.title)
        heading.addSpacing(12)
        heading.addWidget(self.path_label, 1)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self._cancel_selected)
        self.mode_note = QLabel()  # the selected repository's sync mode, and its own pause
        self.mode_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # wraps: on one line German's automatic-sync note took the Result column's room
        self.mode_note.setWordWrap(True)
        self.submodule_note = QLabel()  # shown only when a submodule is not at its recorded commit
        self.submodule_note.setWordWrap(True)
        self.submodule_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.submodule_note.hide()

        self.tabs = WholeTabs()
        self.tabs.setAccessibleName(self.tr("Details of the selected repository"))
        self.tabs.addTab(self._branches_tab(), self.tr("Branches"))
        self.tabs.addTab(self._conflicts_page, self.tr("Conflicts"))
        self.tabs.addTab(self._skipped_page, self.tr("Skipped files"))
        self.tabs.addTab(self._history_page, self.tr("History"))
        self.tabs.tabBar().setAccessibleName(self.tr("Detail tabs"))
        self.tabs.currentChanged.connect(self._tab_changed)

        detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(8, 4, 4, 4)
        column.addLayout(heading)
        column.addWidget(self.mode_note)
        column.addWidget(self.submodule_note)
        column.addWidget(self.progress)
        column.addWidget(self.tabs, 1)

        splitter = QSplitter()
        splitter.addWidget(self.repo_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([LIST_WIDTH, WINDOW_WIDTH - LIST_WIDTH])
        splitter.setChildrenCollapsible(False)
        splitter.splitterMoved.connect(self._room_for_branches)
        self.splitter = splitter
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.setCentralWidget(self.pages)
        self.summary = ElidedLabel()
        self.summary.setAccessibleName(self.tr("Summary"))
        self.statusBar().addWidget(self.summary, 1)
        # Tab follows the order the controls were made in, which is the screen's: the toolbar,
        # the list, Cancel (while a sync runs), the tabs and each tab's controls.

    def _branches_tab(self) -> QWidget:
        self.branch_proxy = SortFilterModel(self.branches)
        self.branch_table = _table(self.branch_proxy, self.tr("Branches"), stretch=1)
        branch_header = self.branch_table.horizontalHeader()
        branch_header.setMinimumSectionSize(MIN_COLUMN_WIDTH)
        self.branch_columns = BranchColumns(
            self.branch_table,
            cap=weakly(self._branch_cap),
            texts=any_row_texts,
            fitted=weakly(self._room_for_branches),
        )
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter branches"))
        self.filter.setAccessibleName(self.tr("Filter branches"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.branch_proxy.setFilterFixedString)
        return _page(self.filter, self.branch_table, self._publish_row())

    def _branch_cap(self) -> int:
        """The most the branch table holds as its minimum width: its share of the window's
        least (`_leasts`). A wider window gives it its whole need through the split
        (`_room_for_branches`)."""
        return self._leasts()[1]

    def _leasts(self) -> tuple[int, int]:
        """The list's least width and the branch table's: side by side, the window's least,
        one width whatever the window's width now (the table's cap was half the window: its
        least followed its width, and each drag narrower only halved the way there, a trial's
        1600 px window narrowing to 795, then 737…). The list's: its columns given way, Result
        whole (a trial's 480 px window gave the list 165 px, Result behind its scroll bar);
        the table's: its need, at most the list's; each at most half of what the screen has
        beside `AROUND_TABLES` (German's least was 830 px, wider than an 800 px screen)."""
        list_need = max(0, self.repo_columns.minimum_width())  # before the first layout: less than 0
        branch_need = max(0, min(self.branch_columns.minimum_width(), list_need))
        screen = self.screen()
        if screen is None:
            return list_need, branch_need
        half = (screen.availableGeometry().width() - AROUND_TABLES) // 2
        return min(list_need, half), min(branch_need, half)

    def _publish_row(self) -> QWidget:
        """ "Publish branch": a button under the table, the same action in its context menu
        (and Ctrl+Shift+P there), and one line saying how the last publish went."""
        self.publish_action = QAction(self.tr("Publish branch"), self.branch_table)
        self.publish_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.publish_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.publish_action.triggered.connect(self._publish_selected)
        self.branch_table.addAction(self.publish_action)
        self.branch_table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.publish_button = QPushButton(self.tr("Publish branch"))
        self.publish_button.setAccessibleName(self.tr("Publish the selected branch"))
        self.publish_button.setToolTip(
            self.tr("Push the selected branch where git push would, and set its upstream (Ctrl+Shift+P)")
        )
        self.publish_button.clicked.connect(self._publish_selected)
        self.publish_note = QLabel()
        self.publish_note.setAccessibleName(self.tr("Last publish"))
        self.publish_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.publish_note.hide()
        self.branch_table.selectionModel().selectionChanged.connect(self._update_publish)
        self.branches.modelReset.connect(self._update_publish)
        self.branches.dataChanged.connect(self._update_publish)
        self._update_publish()
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.publish_note, 1)
        layout.addWidget(self.publish_button)
        return row

    def selected_branch(self) -> BranchStatus | None:
        rows = self.branch_table.selectionModel().selectedRows()
        branch = rows[0].data(ROW_ROLE) if rows else None
        return branch if isinstance(branch, BranchStatus) else None

    def _update_publish(self, *_args: object) -> None:
        """Enabled for a selected branch with no upstream on a remote (never published, no
        upstream, or one the remote deleted)."""
        branch = self.selected_branch()
        can = branch is not None and branch.state != "tracking" and self.selected_id is not None
        self.publish_button.setEnabled(can)
        self.publish_action.setEnabled(can)

    def _publish_selected(self) -> None:
        branch = self.selected_branch()
        if branch is None or self.selected_id is None or branch.state == "tracking":
            return
        self.publish_button.setEnabled(False)
        self.publish_note.setText(self.tr("Publishing {branch}…").format(branch=branch.name))
        self.publish_note.setStyleSheet("")
        self.publish_note.show()
        self.publish_requested.emit(self.selected_id, branch.name)

    def show_publish_result(self, repo_id: int, line: str, *, failed: bool) -> None:
        """How a publish went, in one line (an error in the attention colour)."""
        if repo_id != self.selected_id:
            return
        self.publish_note.setText(line.splitlines()[0] if line else "")
        self.publish_note.setToolTip(line)
        self.publish_note.setStyleSheet(f"color: {attention_color(self.palette()).name()}" if failed else "")
        self.publish_note.show()
        self._update_publish()

    # The parts built on first use ----------------------------------------------------

    @property
    def conflicts_panel(self) -> ConflictsPanel:
        return self._conflicts_page.content

    @property
    def conflicts(self) -> KeyedTableModel[ConflictRecord]:
        return self.conflicts_panel.records

    @property
    def conflict_hint(self) -> QLabel:
        return self.conflicts_panel.hint

    @property
    def history_panel(self) -> HistoryPanel:
        return self._history_page.content

    @property
    def first_run(self) -> FirstRunPanel:
        """Shown instead of the list while nothing is registered."""
        if self._first_run is None:
            from gui.widgets.first_run import FirstRunPanel

            self._first_run = enter_presses(FirstRunPanel())
            self.pages.addWidget(self._first_run)
            if self._held is not None:
                for request in (
                    self._first_run.add_folder_requested,
                    self._first_run.clone_requested,
                    self._first_run.start_syncing_requested,
                ):
                    self._hold(request)
        return self._first_run

    # Asked before anyone listens ------------------------------------------------------

    def _hold(self, request: SignalInstance) -> None:
        def held(*args: object) -> None:
            if self._held is not None:
                self._held.append((request, args))

        request.connect(held)
        self._holders.append((request, held))

    def release_requests(self) -> None:
        """The desktop listens now: what was asked before it did is asked again, in order.
        The window is shown before the engine is imported, and a click in the seconds that
        takes (Sync now, Add a folder…) was lost."""
        held, self._held = self._held or [], None
        for request, holder in self._holders:
            request.disconnect(holder)
        self._holders.clear()
        for request, args in held:
            request.emit(*args)

    def _conflicts_tab(self) -> ConflictsPanel:
        """The list and the way forward: `gui/widgets/conflicts_panel.py`."""
        from gui.widgets.conflicts_panel import ConflictsPanel

        panel = ConflictsPanel()
        panel.open_folder_requested.connect(self._open_selected_folder)
        view = self.selected()
        if view is not None:
            self._paint_conflicts(panel, view)
        return enter_presses(panel)

    def _paint_conflicts(self, panel: ConflictsPanel, view: RepoView) -> None:
        record = view.record
        conflicts = self._conflicts_of.get(view.id, [])
        said = stored_parts(record.last_message, record.last_said) or ()
        panel.show_conflicts(view.id, conflicts, record.last_unfinished, record.last_result, said)

    def _history_tab(self) -> HistoryPanel:
        """Recent syncs: `gui/widgets/history_panel.py` (the desktop loads them)."""
        from gui.widgets.history_panel import HistoryPanel

        panel = HistoryPanel()
        if self.selected_id is not None:
            panel.show_history(self.selected_id, [])
        return enter_presses(panel)

    def _skipped_tab(self) -> QWidget:
        self.skipped_table = _table(SortFilterModel(self.skipped), self.tr("Skipped files"))
        self.skipped_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # the reason whole ("LFS-Objekt fehlt", "a repository of its own (nested)"): the path cuts
        self.skipped_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.skipped_hint = QLabel()
        self.skipped_hint.setWordWrap(True)  # never widens the pane (German is long)
        self.retry_button = _button(self.tr("Retry"), self._retry)
        self.retry_button.setToolTip(
            self.tr("Try the selected files (or all of them) again on the next sync")
        )
        self.skipped_open_folder = _button(self.tr("Open folder"), self._open_selected_folder)
        for signal in (self.skipped.modelReset, self.skipped.rowsInserted, self.skipped.rowsRemoved):
            signal.connect(self._update_retry)
        self._update_retry()
        return enter_presses(
            _page(
                self.skipped_hint, self.skipped_table, _buttons(self.retry_button, self.skipped_open_folder)
            )
        )

    # What the desktop hands the window ----------------------------------------------

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """The whole picture the status store's snapshot holds (`show_repos`)."""
        self.show_repos(
            snapshot.repos,
            snapshot.branches,
            snapshot.conflicts,
            snapshot.skipped,
            snapshot.reaches,
            snapshot.submodules,
        )

    def show_repos(
        self,
        records: Sequence[RepoRecord],
        branches: dict[int, list[BranchStatus]],
        conflicts: dict[int, list[ConflictRecord]],
        skipped: dict[int, int] | None = None,
        reaches: dict[int, SyncReach] | None = None,
        submodules: dict[int, list[SubmoduleStatus]] | None = None,
    ) -> None:
        """The whole picture from the status store (first paint, or after a repository came
        or went); `skipped`: how many files each repository skipped, `reaches`: which of
        its branches a sync moves (`Snapshot.reaches`), `submodules`: their states (when the
        snapshot read them)."""
        self._conflicts_of = dict(conflicts)
        skipped, reaches = skipped or {}, reaches or {}
        views = []
        for record in records:
            known = self.repos.row_for(record.id)
            view = known.with_record(record) if known is not None else RepoView(record, record.state)
            count = len(conflicts.get(record.id, []))
            views.append(
                replace(
                    view,
                    conflicts=count,
                    branches=tuple(branches.get(record.id, [])),
                    skipped=skipped.get(record.id, view.skipped),
                    reach=reaches.get(record.id, view.reach),
                    submodules=tuple(submodules[record.id])
                    if submodules is not None and record.id in submodules
                    else view.submodules,
                )
            )
        self.repos.set_rows(views)
        self.pages.setCurrentWidget(self.splitter if views else self.first_run)
        # with nothing registered the first-run page shows the ways in; "Sync all" only
        # answered with a notice that there was nothing to sync
        self.sync_all_action.setEnabled(bool(views))
        if self.selected_id is None and views:
            remembered = [v for v in views if v.name == self._remembered_repo]
            self.select_repo((remembered or [min(views, key=lambda v: v.name.lower())])[0].id)
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
        self.repos.upsert(replace(view, record=record, progress=None, conflicts=len(conflicts)))
        if record.id == self.selected_id:
            self._show_selected()
        self._update_summary()

    def on_state_changed(self, event: StateChanged) -> None:
        view = self.repos.row_for(event.repo_id)
        if view is None:
            return
        busy = str(event.to_state) in ("syncing", "fetching")
        self.repos.upsert(replace(view, state=str(event.to_state), progress=view.progress if busy else None))
        if busy:
            self.conflicts_panel.sync_began(event.repo_id)
        self._refresh_if_selected(event.repo_id)
        self._update_summary()

    def on_progress(self, event: PhaseProgress) -> None:
        view = self.repos.row_for(event.repo_id)
        if view is None or not view.busy:
            return
        self.repos.upsert(replace(view, progress=event))
        self._refresh_if_selected(event.repo_id)

    def on_branches_changed(self, event: BranchStatusChanged) -> None:
        view = self.repos.row_for(event.repo_id)
        if view is not None:
            self.repos.upsert(replace(view, branches=tuple(event.branches)))
        if event.repo_id == self.selected_id:
            self.branches.set_rows(event.branches)
            self._refresh_if_selected(event.repo_id)
            self._update_publish()
        self._update_summary()

    def show_skipped(self, repo_id: int, skipped: list[SkippedFile]) -> None:
        view = self.repos.row_for(repo_id)
        if view is not None and view.skipped != len(skipped):
            self.repos.upsert(replace(view, skipped=len(skipped)))
            self._refresh_if_selected(repo_id)
            self._update_summary()
        if repo_id == self.selected_id:
            self.skipped.set_rows(skipped)
            counted = self.tr("Skipped files (%1)").replace("%1", str(len(skipped)))
            self.tabs.setTabText(2, counted if skipped else self.tr("Skipped files"))

    def show_submodules(self, repo_id: int, submodules: Sequence[SubmoduleStatus]) -> None:
        """The row's standing from them (a submodule off its commit, or with local changes, is
        worth a look: never "Up to date"); for the selected repository one line per submodule
        not at its recorded commit, clean, saying what to do; nothing when all are."""
        view = self.repos.row_for(repo_id)
        if view is not None and view.submodules != tuple(submodules):
            self.repos.upsert(replace(view, submodules=tuple(submodules)))
            self._refresh_if_selected(repo_id)
            self._update_summary()
        if repo_id != self.selected_id:
            return
        lines = [_submodule_line(s) for s in submodules if s.state != "ok"]
        self.submodule_note.setText("<br>".join(lines))
        self.submodule_note.setToolTip(
            self.tr(
                "Submodules whose checked-out commit is not the one this repository records"
                " (git submodule status shows them with + or -), or with local changes"
                " (git status: modified or untracked content)"
            )
        )
        self.submodule_note.setVisible(bool(lines))

    def show_sync_mode(self, repo_id: int, mode: str, paused_until: str, auto_commit: bool) -> None:
        """ "Automatic sync" or "Manual sync" for the selected repository, and its own pause."""
        if repo_id != self.selected_id:
            return
        if mode == "auto" and auto_commit:
            text = self.tr("Automatic sync: commits, integrates and pushes a few seconds after changes")
        elif mode == "auto":  # changed files wait for a commit: never said to be committed
            text = self.tr("Automatic sync: integrates and pushes your commits; auto-commit is off")
        else:
            text = self.tr("Manual sync: fetched in the background, synced when you ask")
        if paused_until == "always":
            text += self.tr(" — paused")
        elif paused_until:
            end = QDateTime.fromSecsSinceEpoch(int(paused_until)).toString("HH:mm")
            text += self.tr(" — paused until %1").replace("%1", end)
        self.mode_note.setText(text)

    def set_paused(self, paused: bool, until: str = "") -> None:
        """Syncing paused or on, as stored (`until`: "always" or the epoch second it ends)."""
        self._paused_until = until if paused else ""
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)
        self._pause_text(paused)
        self._update_summary()

    def _pause_toggled(self, paused: bool) -> None:
        self._paused_until = ""
        self._pause_text(paused)
        self.pause_requested.emit(paused)

    def _pause_text(self, paused: bool) -> None:
        """The toggle says what pressing it does now, never "Pause" while paused."""
        text = self.tr("&Resume syncing") if paused else self.tr("&Pause syncing")
        self.pause_action.setText(text)
        self.pause_action.setToolTip(pause_tooltip(paused))
        button = self.toolbar.widgetForAction(self.pause_action)
        if button is not None:
            button.setAccessibleName(text.replace("&", ""))

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
            self._remember(SELECTED_KEY, view.name)
            self.skipped.set_rows([])
            if self._skipped_page.built:  # the hint too: an empty list set empty is no reset
                self._update_retry()
            if self._history_page.built:
                self.history_panel.show_history(view.id, [])
            self.submodule_note.hide()
            self.publish_note.hide()
            self._show_selected()
            self.repo_selected.emit(view.id)

    def _show_selected(self) -> None:
        view = self.selected()
        self.progress.show_view(view)
        self.sync_action.setEnabled(view is not None)
        if view is None:
            self.title.set_full_text(self.tr("No repository"))
            self.path_label.set_full_text(self.tr("Add one in Settings"))
            self.branches.set_rows([])
            if self._conflicts_page.built:
                self.conflicts_panel.show_conflicts(None, [])
            if self._history_page.built:
                self.history_panel.show_history(None, [])
            return
        self.title.set_full_text(view.name)
        self.path_label.set_full_text(view.record.path)
        self.branches.set_rows(view.branches)
        conflicts = self._conflicts_of.get(view.id, [])
        if self._conflicts_page.built:
            self._paint_conflicts(self.conflicts_panel, view)
        counted = self.tr("Conflicts (%1)").replace("%1", str(len(conflicts)))
        self.tabs.setTabText(1, counted if conflicts else self.tr("Conflicts"))

    def _refresh_if_selected(self, repo_id: int) -> None:
        if repo_id == self.selected_id:
            self.progress.show_view(self.selected())

    def _double_clicked(self, _index: object) -> None:
        self._sync_selected()

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

    def _update_retry(self) -> None:
        """Retry only where something was skipped that a sync can try again (the walk showed
        it enabled over an empty list): not a file whose Git LFS object is missing, which
        each sync asks for again by itself (its reason's tooltip); and the hint above the
        list, which says when there is nothing in it."""
        retry = any(s.reason not in CHECKOUT_REASONS for s in self.skipped.rows)
        if not retry and self.retry_button.hasFocus():
            # Qt hands a disabled button's focus on, to Open folder: a trial's Retry, then a
            # second Space, would open the file manager. The list has it: nothing left there.
            self.skipped_table.setFocus()
        self.retry_button.setEnabled(retry)
        view = self.selected()
        if self.skipped.rows or view is None or view.skipped:  # listed, or still being read
            self.skipped_hint.setText(
                self.tr("Files a sync left out, and why (a reason's tooltip says what to do).")
            )
        else:  # an empty list under "Files a sync left out, and why" (a newcomer's trial) said nothing
            self.skipped_hint.setText(
                self.tr(
                    "No files skipped. A file a sync leaves out (too large, unreadable) is listed here,"
                    " and why."
                )
            )

    def _retry(self) -> None:
        if self.selected_id is None:
            return
        rows = {index.row() for index in self.skipped_table.selectionModel().selectedRows()}
        proxy = self.skipped_table.model()
        paths = [proxy.index(row, 0).data() for row in sorted(rows)] or [s.path for s in self.skipped.rows]
        self.retry_requested.emit(self.selected_id, paths)

    def _update_summary(self) -> None:
        """From where each repository stands (gui/models/standing.py); a low battery pauses
        them too, so the published states count as much as the toolbar's toggle."""
        views = self.repos.rows
        # One repository under its own pause is not "syncing paused"; all of them (a low
        # battery, a metered network) are.
        every_one = bool(views) and all(v.state == RepoState.PAUSED for v in views)
        paused = self.pause_action.isChecked() or every_one
        until = self._paused_until if self.pause_action.isChecked() else ""
        parts = overview([(v.name, v.standing()) for v in views], fetch_paused=paused, until=until)
        tripped = sum(1 for v in views if v.state == RepoState.TRIPPED and v.needs_attention())
        if tripped:
            parts.insert(-1, self.tr("%n with a tripped remote", "", tripped))
        unpublished = self.unpublished_count()
        if unpublished:
            parts.insert(-1, self.tr("%n branch(es) not published", "", unpublished))
        self.summary.set_full_text("  ·  ".join(parts))

    def unpublished_count(self) -> int:
        """Branches of every repository holding commits no remote has."""
        return sum(1 for view in self.repos.rows for b in view.branches if b.unpublished)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window hides it; the app lives on in the tray (Quit ends it)."""
        event.ignore()
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.activated.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Return on the repository list syncs the selected repository; on a
        toolbar button it presses it, as Space does (a trial's Tab onto Settings, then
        Enter, did nothing: Qt's tool buttons take Space only, see `enter_presses`)."""
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if watched is self.repo_table:
                    self._sync_selected()
                    return True
                if isinstance(watched, QToolButton) and watched.parent() is self.toolbar:
                    watched.click()
                    return True
        return super().eventFilter(watched, event)

    # Remembered across a restart ------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._hold_list()
        fit_to_screen(self)
        if not self.branch_table.isVisible():  # another tab remembered: fitted when first shown,
            QTimer.singleShot(0, self._fit_hidden_branches)  # its least moved the split then

    def _fit_hidden_branches(self) -> None:
        """The branch table's least width (`BranchColumns.minimum_width`) while another tab is
        shown: the split holds it from the start. A hidden widget's new minimum reaches the
        layouts only once they are told."""
        if self.branch_table.isVisible() or not self.isVisible():
            return
        self.branch_columns.fit()
        page = self.branch_table.parentWidget()
        layout = page.layout() if page is not None else None
        if layout is not None:
            layout.invalidate()
        self.tabs.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.branch_columns.recap()  # its cap (`_branch_cap`) follows the list's least
        self._hold_list()
        self._room_for_branches()

    def _list_column_resized(self, column: int, _old: int, _new: int) -> None:
        """Last sync fitted to its content: the list's least, and the branch table's cap with
        it, moved (at the first paint "never" made way for a time: a first drag stopped 24 px
        short of the least)."""
        if column == LAST_SYNC_COLUMN:
            self.branch_columns.recap()
            self._hold_list()

    def _room_for_branches(self) -> None:
        """The branch table's need (`BranchColumns.minimum_width`), up to half the window, taken
        from the list down to its least: what the table's minimum held before its least was
        one width (`_leasts`); German's columns whole at 1,120 px. The split's handle stops
        there too, as it stopped at the minimum."""
        page, shown = self.branch_table.parentWidget(), self.tabs.currentWidget()
        layout = page.layout() if page is not None else None
        if not self.isVisible() or layout is None or shown is None:
            return
        margins = layout.contentsMargins()  # the table's width, its tab shown or not
        width = shown.width() - margins.left() - margins.right()
        want = min(self.branch_columns.minimum_width(), self.width() // 2)
        move = min(want - width, self.repo_table.width() - self.repo_table.minimumWidth())
        if move > 0:
            list_width, detail_width = self.splitter.sizes()
            self.splitter.setSizes([list_width - move, detail_width + move])

    def _hold_list(self) -> None:
        """The list's least width (`_leasts`)."""
        least = self._leasts()[0]
        if least != self.repo_table.minimumWidth():
            self.repo_table.setMinimumWidth(least)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self.memory is not None:
            self.memory.save(GEOMETRY_KEY, self.saveGeometry())
            self.memory.save(SPLITTER_KEY, self.splitter.saveState())
            self.memory.sync()

    def _restore(self) -> None:
        if self.memory is None:
            return
        geometry = self.memory.data(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.memory.data(SPLITTER_KEY)
        if splitter is not None:
            self.splitter.restoreState(splitter)
        tab = self.memory.number(TAB_KEY)
        if tab is not None and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _tab_changed(self, index: int) -> None:
        self._remember(TAB_KEY, index)

    def _remember(self, key: str, value: str | int) -> None:
        if self.memory is not None:
            self.memory.save(key, value)


def _page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 6, 4, 4)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QTableView) else 0)
    return page


Built = TypeVar("Built", bound=QWidget)


def enter_presses(built: Built) -> Built:
    """Enter on a focused button presses it, as Space does: outside a dialog Qt leaves Enter
    to the window, and Tab onto Use theirs (or Retry, Undo…) then Enter did nothing."""
    for button in built.findChildren(QPushButton):
        button.setAutoDefault(True)
    return built


def _button(text: str, clicked: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.clicked.connect(clicked)
    return button


def _buttons(*buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    for button in buttons:
        layout.addWidget(button)
    return row


def _submodule_line(sub: SubmoduleStatus) -> str:
    path = f"<b>{escaped(sub.path)}</b>"
    if sub.state == "uninitialised":
        text = QCoreApplication.translate(
            "StatusWindow", "Submodule %1 is not checked out: git submodule update --init checks it out"
        )
        return text.replace("%1", path)
    if sub.state == "changed":
        text = QCoreApplication.translate(
            "StatusWindow", "Submodule %1 has local changes: commit or discard them inside it"
        )
        return text.replace("%1", path)
    at = f"<tt>{escaped((sub.checked_out or '')[:10])}</tt>"
    recorded = f"<tt>{escaped(sub.recorded[:10])}</tt>"
    # the way on, as for the other states (a newcomer's trial found the line ended on the hashes)
    text = QCoreApplication.translate(
        "StatusWindow",
        "Submodule %1 is at %2, not the recorded %3: git submodule update checks out the recorded one",
    )
    return text.replace("%1", path).replace("%2", at).replace("%3", recorded)
