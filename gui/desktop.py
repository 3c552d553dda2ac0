"""The running desktop app: the background engine, the bridge, the tray and the windows.

Views ask for actions with signals; the slots here carry them out through the
core's façade, `core.api` (`@asyncSlot` coroutines on the qasync loop, so the
GUI thread never waits on git, the disk or the database), and events coming up
through the bridge are handed to the views. What each repository is doing, or
why nothing runs for it (paused, offline, tripped), is the state the engine
publishes: the views show it, the tray sums it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import QDialog

from core.api import (
    Api,
    BranchStatusChanged,
    FileSkipped,
    GitferryError,
    RemoteTripped,
    RepoState,
    ResultKind,
    StateChanged,
    SyncFinished,
    SyncReport,
)
from core.paths import data_dir
from core.results import CANCELLED_MESSAGE
from gui.attention_notices import CONFLICT, SIGN_IN, AttentionNotices
from gui.bridge import Bridge
from gui.conflict_flow import ConflictFlow
from gui.folder_launch import FolderLaunch, launch_xdg_open
from gui.in_flight import InFlight, counted
from gui.models.engine_words import error_text, in_language, said
from gui.models.formatting import first_upper
from gui.models.standing import Level, result_words
from gui.notifications import DesktopNotifications
from gui.remembered import Remembered
from gui.resources import icon_path
from gui.tray import Tray
from gui.windows.sign_in_dialog import SignInPrompt
from gui.windows.ssh_dialogs import ask_ssh
from gui.windows.status_window import StatusWindow

if TYPE_CHECKING:
    from gui.windows.about_dialog import AboutDialog
    from gui.windows.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)
NOTIFICATIONS_WAIT = 2.0  # seconds the session bus gets to say whether notifications are there
ACTIONS_AT_QUIT = 10.0  # seconds Quit gives the user's actions under way (the engine's last sync's bound)
NOTICES_AT_QUIT = 2.0  # seconds Quit gives the notices handed to D-Bus to be sent
PAUSE_LOOK_AGAIN = 3600.0  # a timed pause's end is looked at by then at the latest
translate = QCoreApplication.translate

OpenFolder = Callable[[str], "bool | FolderLaunch | None"]  # False: nothing could open it


def open_in_file_manager(path: str) -> bool | FolderLaunch:
    """Ask the desktop to show the folder: xdg-open, watched until it says whether anything
    could (gui/folder_launch.py), where there is one; else Qt's way (gio, kde-open...).
    False when nothing can."""
    launch = launch_xdg_open(path, QCoreApplication.instance())
    if launch is not None:
        return launch
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))


class Desktop(QObject):
    synced = Signal(int, object)  # repository id, SyncReport of a user's sync
    quitting = Signal()

    def __init__(
        self,
        api: Api,
        *,
        window: StatusWindow | None = None,
        open_folder: OpenFolder = open_in_file_manager,
    ) -> None:
        super().__init__()
        self.api = api
        self.bridge = Bridge(api)
        # the app paints the window before the engine exists
        self.window = window or StatusWindow(QIcon(str(icon_path("gitferry"))), Remembered(data_dir()))
        self.tray = Tray(self)
        self.notifications = DesktopNotifications(self)
        # conflict and sign-in notices outside a Sync all, one per few seconds (ten auto-mode
        # repositories conflicting at once: one notice naming them, not ten)
        self.attention = AttentionNotices(self.tray, parent=self)
        self.settings: SettingsDialog | None = None
        self.about: AboutDialog | None = None
        self._open_folder = open_folder
        self.folder_box: QDialog | None = None  # "could not open the folder", when shown
        self.adding: QDialog | None = None  # the first-run screen's dialog, when open
        self._engine_task: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        # the repositories a Sync all is syncing: its one summary names those needing you, so
        # their own conflict or sign-in notices are not sent too (50 at once flooded the desktop)
        self._summarised: set[int] = set()
        self._stopping = False
        self._tray_due = False  # a tray update queued for the next pass
        self._pauses_due = False  # a look at the stored pauses queued (one per burst of events)
        self._refresh_due = False  # a refresh for repositories registered elsewhere runs
        self._refresh_again = False  # and another was heard meanwhile
        self.in_flight = InFlight(self.window.memory)  # the user's actions under way, syncs owed
        self.conflict_flow = ConflictFlow(api, self.window, self.open_folder, self.in_flight)
        self._wire()

    def _wire(self) -> None:
        w, t, b = self.window, self.tray, self.bridge
        w.sync_requested.connect(self.sync)
        w.sync_all_requested.connect(self.sync_all)
        w.cancel_requested.connect(self.cancel)
        w.pause_requested.connect(self.set_paused)
        w.settings_requested.connect(self.show_settings)
        w.about_requested.connect(self.show_about)
        w.open_folder_requested.connect(self.open_folder)
        w.retry_requested.connect(self.retry_skipped)
        w.publish_requested.connect(self.publish)
        w.repo_selected.connect(self._on_repo_selected)
        t.sync_all_requested.connect(self.sync_all)
        t.sync_requested.connect(self.sync)
        t.open_folder_requested.connect(self.open_folder)
        t.status_requested.connect(self.show_status)
        t.pause_requested.connect(self.set_paused)
        t.pause_for_requested.connect(self.pause_for)
        t.repo_pause_requested.connect(self.set_repo_paused)
        t.settings_requested.connect(self.show_settings)
        t.about_requested.connect(self.show_about)
        t.quit_requested.connect(self.quit)
        self.notifications.show_requested.connect(lambda: self.show_status(0))
        w.first_run.add_folder_requested.connect(self.open_add_folder)
        w.first_run.clone_requested.connect(self.open_clone)
        w.first_run.start_syncing_requested.connect(self.open_start_syncing)
        b.state_changed.connect(self._state_changed)
        b.progress.connect(w.on_progress)
        b.branches_changed.connect(w.on_branches_changed)
        b.branches_changed.connect(self._on_branches_changed)
        b.sync_finished.connect(self._on_sync_finished)
        b.remote_tripped.connect(self._remote_tripped)
        b.file_skipped.connect(self._on_file_skipped)
        b.registration_changed.connect(self._registered_elsewhere)
        w.release_requests()  # the clicks made before this listened

    # Start and stop ---------------------------------------------------------------

    async def start(self, *, show_window: bool = False) -> None:
        """Paint the window from the status store, then start the engine behind it."""
        self.api.set_sign_in_prompt(SignInPrompt(self.window))
        self.api.set_ssh_prompt(lambda question: ask_ssh(question, self.window))
        painted = self.window.selected_id  # selected at first paint, before anyone listened
        await self.refresh()
        if painted is not None and painted == self.window.selected_id:
            await self.load_details(painted)
        self.bridge.start()
        self.tray.show()
        if show_window or not self.tray.available():
            self.show_status(0)
        self._engine_task = asyncio.ensure_future(self.api.run())
        await asyncio.wait(
            [asyncio.ensure_future(self.api.started.wait()), self._engine_task],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if self.api.started.is_set():
            await self.show_pauses()
            self._sync_what_is_owed()
        self._update_tray()
        await self._start_notifications()

    def _sync_what_is_owed(self) -> None:
        """The syncs the user asked for that the last Quit (or a crash) cut short: run now,
        so the merge a Finish committed is pushed."""
        known = {view.id for view in self.window.repos.rows}
        for repo_id in self.in_flight.owed():
            if repo_id in known:
                log.info("syncing repository %d: its last sync asked for did not end", repo_id)
                self.sync(repo_id)
            else:
                self.in_flight.paid(repo_id)

    async def _start_notifications(self) -> None:
        """Desktop notifications once the session bus says a service is there (meanwhile,
        and without one, the tray's balloons)."""
        with contextlib.suppress(TimeoutError):  # a bus that does not answer
            await asyncio.wait_for(self.notifications.start(), NOTIFICATIONS_WAIT)
        if self.notifications.available:
            self.tray.desktop_notifications = self.notifications

    async def refresh(self) -> None:
        """Every repository, branch and conflict from the status store (it never waits on
        git), in the state the engine publishes; repositories added or removed elsewhere
        (the CLI, the settings) are picked up."""
        snapshot = await self.api.snapshot()
        self.window.show_snapshot(snapshot)
        self._update_tray()
        await self.api.watch_registered(snapshot.repos)  # a new one's state then comes as an event

    async def stop(self) -> None:
        """Stop the engine (running jobs get a few seconds), then what handles its events."""
        self._stopping = True
        self.api.stop()
        if self._engine_task is not None:
            with contextlib.suppress(Exception):
                await self._engine_task
        await self.bridge.stop()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        # Notices still waiting for grouping (`AttentionNotices`' few seconds) go now, while
        # the bus and the tray icon are still there to carry them, not lost with the app.
        self.attention.flush()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(NOTICES_AT_QUIT):
                await self.tray.sent()
        await self.notifications.stop()
        self.tray.hide()

    def _spawn(self, handling: Coroutine[Any, Any, None]) -> None:
        """Handle an event in a task of its own, awaited by `stop` before the store closes."""
        task = asyncio.ensure_future(handling)
        self._handlers.add(task)
        task.add_done_callback(self._handled)

    def _handled(self, task: asyncio.Task[None]) -> None:
        self._handlers.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("handling an engine event failed", exc_info=task.exception())

    @qasync.asyncSlot()
    async def quit(self) -> None:
        """The user's actions under way end first (Finish's merge and its push, a sync they
        asked for), within `ACTIONS_AT_QUIT` seconds; then the engine stops, with its last
        auto sync."""
        self.window.hide()
        self.api.quitting()  # a `gitferry daemon` started now waits for this engine to end
        running = await self.in_flight.settle(ACTIONS_AT_QUIT)
        if running:  # what was cut short is left as a sync leaves it: committed, not pushed
            log.warning("quit with %d action(s) still running after %.0f s", running, ACTIONS_AT_QUIT)
            self.tray.notify(
                self.tr("Quit before a sync ended"),
                self.tr("What it committed is kept; it syncs again when Gitferry starts."),
                warning=True,
            )
        await self.stop()
        self.quitting.emit()

    # Commands from the views ---------------------------------------------------------

    @qasync.asyncSlot(int)
    @counted
    async def sync(self, repo_id: int) -> None:
        self.in_flight.owe(repo_id)
        report = await self._sync_owed(repo_id)
        self._notify_sync(report)
        self.synced.emit(repo_id, report)

    @qasync.asyncSlot()
    @counted
    async def sync_all(self) -> None:
        ids = [view.id for view in self.window.repos.rows]
        if not ids:
            self.tray.notify(
                self.tr("Sync all"), self.tr("No repositories to sync yet: add one in Settings.")
            )
            return
        self.in_flight.owe(*ids)  # one write of desktop.ini for them all, not one each
        self._summarised = set(ids)
        reports = await asyncio.gather(*(self._sync_owed(i) for i in ids), return_exceptions=True)
        need_you = any(isinstance(r, BaseException) or needs_you(r) for r in reports)
        self.tray.notify(self.tr("Sync all finished"), sync_all_summary(reports), warning=need_you)

    async def _sync_owed(self, repo_id: int) -> SyncReport:
        """The repository synced, the caller having remembered it as owed (`InFlight.owe`):
        paid once its sync ends."""
        report = await self.api.sync(repo_id)
        self.in_flight.paid(repo_id)
        return report

    def open_add_folder(self) -> None:
        from gui.windows.add_folder_dialog import AddFolderDialog

        self._adding(AddFolderDialog(self.api, self.window))

    def open_clone(self) -> None:
        from gui.windows.clone_dialog import CloneDialog

        self._adding(CloneDialog(self.api, self.window))

    def open_start_syncing(self) -> None:
        from gui.windows.start_syncing_dialog import StartSyncingDialog

        self._adding(StartSyncingDialog(self.api, self.window))

    def _adding(self, dialog: QDialog) -> None:
        """A dialog of the first-run screen: what it adds shows (and is watched) at once."""
        self.adding = dialog
        dialog.added.connect(lambda _record: self._spawn(self.refresh()))  # type: ignore[attr-defined]
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def open_folder(self, path: str) -> None:
        """Open Folder: where no file manager can be launched, or xdg-open finds none, say so
        and show the path."""
        opened = self._open_folder(path)
        if isinstance(opened, FolderLaunch):
            opened.failed.connect(lambda: self._folder_not_opened(path))
        elif opened is False:
            self._folder_not_opened(path)

    def _folder_not_opened(self, path: str) -> None:
        from gui.windows.folder_not_opened import FolderNotOpened

        self.folder_box = FolderNotOpened(path, self.window)
        self.folder_box.open()

    @qasync.asyncSlot(int)
    async def cancel(self, repo_id: int) -> None:
        self.api.cancel(repo_id)

    @qasync.asyncSlot(bool)
    async def set_paused(self, paused: bool) -> None:
        """The user's Pause or Resume; the repositories then publish `paused` (or not)."""
        await (self.api.pause() if paused else self.api.resume())
        self._show_pause(await self.api.paused())

    @qasync.asyncSlot(int)
    async def pause_for(self, seconds: int) -> None:
        """Pause everything for `seconds` (the tray's "Pause for 1 hour"); it resumes by itself."""
        await self.api.pause(seconds=seconds)
        self._show_pause(await self.api.paused())

    @qasync.asyncSlot(int, bool)
    async def set_repo_paused(self, repo_id: int, paused: bool) -> None:
        """One repository's own pause or resume (its tray submenu)."""
        await (self.api.pause(repo_id) if paused else self.api.resume(repo_id))
        self.tray.set_repo_paused(repo_id, paused)
        if repo_id == self.window.selected_id:
            await self.load_details(repo_id)

    async def show_pauses(self) -> None:
        """The pauses as stored (they outlive a restart, and a timed one runs out)."""
        self._show_pause(await self.api.paused())
        for repo_id in list(self.tray.repo_menus):
            self.tray.set_repo_paused(repo_id, bool(await self.api.paused(repo_id)))

    def _show_pause(self, until: str) -> None:
        """The stored pause ("" none, "always", or the epoch second it ends) in the window
        and the tray; a timed one is shown as over when it runs out."""
        self.window.set_paused(bool(until), until)
        self.tray.set_paused(bool(until), until)
        if until.isdigit():
            left = min(max(0.0, int(until) - time.time()), PAUSE_LOOK_AGAIN)
            QTimer.singleShot(int(left * 1000) + 500, self._pause_may_have_ended)

    def _pause_may_have_ended(self) -> None:
        if not self._stopping:
            self._spawn(self.show_pauses())

    async def load_skipped(self, repo_id: int) -> None:
        self.window.show_skipped(repo_id, await self.api.skipped(repo_id))

    async def load_details(self, repo_id: int) -> None:
        """What the detail pane shows beside the branches: skipped files, submodules."""
        await self.load_skipped(repo_id)
        await self.load_submodules(repo_id)
        await self.conflict_flow.load(repo_id)
        settings = await self.api.repo_settings(repo_id)
        paused = await self.api.paused(repo_id)
        self.window.show_sync_mode(repo_id, settings.sync_mode, paused, settings.auto_commit)

    @qasync.asyncSlot(int, list)
    @counted
    async def retry_skipped(self, repo_id: int, paths: list[str]) -> None:
        await self.api.retry_skipped(repo_id, paths)
        await self.load_skipped(repo_id)
        await self.sync(repo_id)

    @qasync.asyncSlot(int, str)
    @counted
    async def publish(self, repo_id: int, branch: str) -> None:
        """ "Publish branch": pushed and its upstream set as `git push -u` does (the table
        hears of it as an event), then a sync so the repository's result says so too."""
        try:
            published = await self.api.publish_branch(repo_id, branch)
        except GitferryError as exc:
            self.window.show_publish_result(repo_id, error_text(exc), failed=True)
            return
        self.window.show_publish_result(repo_id, f"{published.repo}: {said(published.said())}", failed=False)
        await self.sync(repo_id)

    def show_status(self, repo_id: int = 0) -> None:
        if repo_id:
            self.window.select_repo(repo_id)
        if self.window.isMinimized():  # a second launch, the tray, a notification: shown, not left an icon
            self.window.setWindowState(self.window.windowState() & ~Qt.WindowState.WindowMinimized)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    @qasync.asyncSlot()
    async def show_settings(self) -> None:
        from gui.windows.settings_dialog import SettingsDialog  # built on first use: a fast start

        if self.settings is not None and self.settings.isVisible():
            self.settings.raise_()
            self.settings.activateWindow()
            return
        await self.api.started.wait()
        dialog = SettingsDialog(self.api, self.window)
        dialog.setWindowIcon(self.window.windowIcon())
        self.settings = dialog
        await dialog.load()
        selected = self.window.selected()
        if selected is not None:
            dialog.select_repo(selected.name)
        for changed in (dialog.repositories_changed, dialog.saved, dialog.finished):
            changed.connect(self._on_settings_changed)
        dialog.show()
        dialog.raise_()

    def show_about(self) -> None:
        """About Gitferry: one dialog, raised again when it is open already."""
        from gui.windows.about_dialog import AboutDialog  # built on first use: a fast start

        if self.about is None:
            self.about = AboutDialog(data_dir(), self.window)
            self.about.setWindowIcon(self.window.windowIcon())
        self.about.show()
        self.about.raise_()
        self.about.activateWindow()

    # Events from the engine -------------------------------------------------------

    def _on_settings_changed(self, *_args: object) -> None:
        """A repository added, removed or re-set in the settings shows (and is watched) at once."""
        self._spawn(self.refresh())

    def _registered_elsewhere(self, _event: object) -> None:
        """Another process registered, removed or moved a repository (`gitferry add`,
        `remove`): the window shows it, or no longer, without a restart. Several at once
        share a refresh; one heard while a refresh runs gets one more after it."""
        if self._stopping:
            return
        if self._refresh_due:
            self._refresh_again = True
            return
        self._refresh_due = True

        async def refreshed() -> None:
            try:
                while True:
                    self._refresh_again = False
                    await self.refresh()
                    if not self._refresh_again or self._stopping:
                        break
            finally:
                self._refresh_due = False

        self._spawn(refreshed())

    def _on_sync_finished(self, event: SyncFinished) -> None:
        self._spawn(self._sync_finished(event))

    def _on_repo_selected(self, repo_id: int) -> None:
        self._spawn(self.load_details(repo_id))

    def _on_branches_changed(self, event: BranchStatusChanged) -> None:
        """Measured again outside a sync (the user's `git submodule update --init` too): the
        submodules' line follows, as the branches do."""
        self._spawn(self.load_submodules(event.repo_id))

    async def load_submodules(self, repo_id: int) -> None:
        self.window.show_submodules(repo_id, await self.api.submodules(repo_id))

    def _on_file_skipped(self, event: FileSkipped) -> None:
        self._spawn(self.load_skipped(event.repo_id))

    def _state_changed(self, event: StateChanged) -> None:
        self.window.on_state_changed(event)
        self._update_tray()
        if RepoState.PAUSED in (event.from_state, event.to_state) and not self._pauses_due:
            # Paused or resumed by another process (`gitferry pause`, read at once by the
            # engine): the toggles said "Pause syncing" while everything was paused.
            self._pauses_due = True
            self._spawn(self._show_pauses_once())

    async def _show_pauses_once(self) -> None:
        self._pauses_due = False
        await self.show_pauses()

    async def _sync_finished(self, event: SyncFinished) -> None:
        previous = self.window.repos.row_for(event.repo_id)
        record = await self.api.record(event.repo_id)
        if record is None:  # removed meanwhile
            return
        conflicts = await self.api.conflicts(event.repo_id)
        self.window.update_record(record, conflicts)
        if event.repo_id == self.window.selected_id:
            await self.load_details(event.repo_id)  # an auto-commit may have added or forgotten some
        else:  # the Result column and the tray count them
            await self.load_skipped(event.repo_id)
            await self.load_submodules(event.repo_id)
        summarised = event.repo_id in self._summarised
        self._summarised.discard(event.repo_id)
        if previous is not None and previous.record.last_result != str(event.result) and not summarised:
            self._notify_attention(event)
        self._update_tray()

    def _remote_tripped(self, event: RemoteTripped) -> None:
        view = self.window.repos.row_for(event.repo_id)
        if view is not None and view.standing().level is Level.OFFLINE:
            return  # no remote answers: the tray says offline once, not "keeps failing" per repository
        until = event.until.astimezone().strftime("%H:%M")
        self.tray.notify(
            self.tr("%1: %2 keeps failing").replace("%1", event.repo).replace("%2", event.remote),
            self.tr("Gitferry stops fetching from it until %1, then tries again.").replace("%1", until),
            warning=True,
        )

    # Notifications and the tray's look ------------------------------------------------

    def _notify_sync(self, report: SyncReport) -> None:
        if report.result.succeeded and report.kept_both:
            copies = ", ".join(str(entry["copy"]) for entry in report.kept_both if entry.get("copy"))
            self.tray.notify(
                self.tr("%1: both sides kept").replace("%1", report.name),
                self.tr("Conflicting edits were both kept (%1); compare them and delete the copy.").replace(
                    "%1", copies
                ),
                warning=True,
            )
        elif report.result.succeeded and report.skipped:  # said as a warning, not "synced" alone
            skipped = translate("Desktop", "%n file(s) skipped", None, len(report.skipped))
            self.tray.notify(
                self.tr("%1 synced; %2").replace("%1", report.name).replace("%2", skipped),
                _with_skipped_hint(_changes(report)),
                warning=True,
            )
        elif report.result.succeeded:
            self.tray.notify(self.tr("%1 synced").replace("%1", report.name), _what_changed(report))
        elif report.message == CANCELLED_MESSAGE:  # the user's own Cancel: not an error
            self.tray.notify(
                self.tr("%1: sync cancelled").replace("%1", report.name),
                self.tr("The repository was left as it was before the sync."),
            )
        elif report.result is ResultKind.OFFLINE:
            self.tray.notify(self.tr("%1: offline").replace("%1", report.name), in_language(report.parts()))
        elif report.result not in (ResultKind.CONFLICT, ResultKind.AUTH_FAILED):  # those notify anyway
            words = result_words(report.result, report.unfinished)
            # Local changes in the way: the message says what to do too, as git pull does (`way_on`).
            self.tray.notify(f"{report.name}: {words}", in_language(report.parts()), warning=True)

    def _notify_attention(self, event: SyncFinished) -> None:
        if event.result is ResultKind.CONFLICT:
            paths = event.details.get("conflicts") or []
            listed = ", ".join(paths[:3]) + ("…" if len(paths) > 3 else "")
            self.attention.add(
                event.repo,
                CONFLICT,
                self.tr("%1: conflict").replace("%1", event.repo),
                self.tr("Resolve %1 in %2.").replace("%1", listed).replace("%2", event.repo),
            )
        elif event.result is ResultKind.AUTH_FAILED:
            self.attention.add(
                event.repo,
                SIGN_IN,
                self.tr("%1: sign-in needed").replace("%1", event.repo),
                in_language(event.parts) or self.tr("Check the credentials in Settings."),
            )

    def _update_tray(self) -> None:
        """The tray from the window's rows, once per event loop pass (a queued call): fifty
        fetches at once change rows a hundred times a cycle, and each update retitled every
        repository's submenu (5,050 titles, 0.18 s of the GUI thread a cycle)."""
        if not self._tray_due:
            self._tray_due = True
            QTimer.singleShot(0, self, self._tray_now)

    def _tray_now(self) -> None:
        self._tray_due = False
        self.tray.show_repos_state(self.window.repos.rows)


def _changes(report: SyncReport) -> str:
    """ "Brought in drafts; pushed main", or "" when the sync moved nothing: in the order
    the sync did them, as its line says them (`gitferry sync`: "merged …; pushed …")."""
    parts = []
    integrated = report.fast_forwarded + report.merged + report.rebased
    if integrated:
        parts.append(translate("Desktop", "brought in %1").replace("%1", ", ".join(integrated)))
    if report.pushed:
        parts.append(translate("Desktop", "pushed %1").replace("%1", ", ".join(report.pushed)))
    return first_upper("; ".join(parts))


def _what_changed(report: SyncReport) -> str:
    """What the sync moved; else "Already up to date.", or, with a branch it left behind
    or ahead, that branch as the sync's line says it (never "up to date" then: SPEC)."""
    return _changes(report) or in_language(report.lags) or translate("Desktop", "Already up to date.")


def _with_skipped_hint(changes: str) -> str:
    """Not "Already up to date.. See Skipped files" (docs/walk.sh): a sync that skipped a
    file left something out, so only what it did move is said before the hint."""
    if not changes:
        return translate("Desktop", "See Skipped files in the status window.")
    return translate("Desktop", "%1. See Skipped files in the status window.").replace("%1", changes)


def needs_you(report: SyncReport) -> bool:
    """A run that ended neither synced, nor offline, nor cancelled by the user."""
    return not (
        report.result.succeeded or report.result is ResultKind.OFFLINE or report.message == CANCELLED_MESSAGE
    )


def sync_all_summary(reports: list[SyncReport | BaseException]) -> str:
    """'3 of 4 repositories synced; 1 offline', counting offline and cancelled runs apart
    from those that need the user."""
    done = [r for r in reports if isinstance(r, SyncReport)]
    synced = sum(1 for r in done if r.result.succeeded)
    offline = sum(1 for r in done if r.result is ResultKind.OFFLINE)
    cancelled = sum(1 for r in done if not r.result.succeeded and r.message == CANCELLED_MESSAGE)
    need_you = len(reports) - synced - offline - cancelled
    text = translate("Desktop", "%1 of %n repositories synced", None, len(reports)).replace("%1", str(synced))
    extra = [
        translate("Desktop", "%n offline", None, offline) if offline else "",
        translate("Desktop", "%n cancelled", None, cancelled) if cancelled else "",
        translate("Desktop", "%n need(s) you", None, need_you) if need_you else "",
    ]
    named = [r.name for r in done if needs_you(r)]  # which: no notice of their own during a Sync all
    if named:
        extra[-1] += ": " + ", ".join(named[:3]) + ("…" if len(named) > 3 else "")
    return "; ".join([text, *(e for e in extra if e)])
