"""What the Conflicts and History tabs ask, carried out through `core.api`: the
resolution of the selected repository loaded, a choice per path, the merge tool (or
the desktop's editor on a file with conflict markers when git names no tool),
Finish and Abort; the history loaded and "Undo last integration". The desktop owns
one; every call runs on the qasync loop, never blocking the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

import qasync
from PySide6.QtCore import QObject

from core.api import Api, GitferryError, NoMergeTool
from gui.in_flight import InFlight, counted
from gui.models.engine_words import error_text, in_language, said
from gui.widgets.conflicts_panel import kept_copies
from gui.windows.status_window import StatusWindow


class ConflictFlow(QObject):
    def __init__(
        self, api: Api, window: StatusWindow, open_path: Callable[[str], None], in_flight: InFlight
    ) -> None:
        super().__init__(window)
        self.api = api
        self.in_flight = in_flight  # Finish, Undo…: Quit lets them end first
        self.window = window
        self.open_path = open_path
        conflicts, history = window.conflicts_panel, window.history_panel
        conflicts.choose_requested.connect(self.choose)
        conflicts.merge_tool_requested.connect(self.merge_tool)
        conflicts.finish_requested.connect(self.finish)
        conflicts.abort_requested.connect(self.abort)
        history.undo_requested.connect(self.undo)
        history.refresh_requested.connect(self.refresh_history)
        window.activated.connect(self._back_from_the_editor)

    @qasync.asyncSlot()
    async def _back_from_the_editor(self) -> None:
        """The window is active again while a path is being merged in an editor: what the
        file holds now is shown (resolved once saved without conflict markers)."""
        panel = self.window.conflicts_panel
        resolution = panel.resolution
        if (
            panel.repo_id is not None
            and resolution is not None
            and any(p.markers_left for p in resolution.paths)
        ):
            await self.load_resolution(panel.repo_id)

    async def load(self, repo_id: int) -> None:
        """The selected repository's resolution (when it lists conflicts) and history."""
        await self.load_resolution(repo_id)
        await self.load_history(repo_id)

    async def load_resolution(self, repo_id: int) -> None:
        panel = self.window.conflicts_panel
        if repo_id != panel.repo_id:
            return
        if not panel.records.rows:
            # what Finish said ("main merged as …; the sync said: pushed main") stays: the
            # reload its sync's end brings came after it and wiped it
            panel.show_resolution(repo_id, None, panel.status.text() if panel.resolution is None else "")
            return
        if kept_copies(panel.records.rows):  # nothing to resolve: the panel's hint says what to do
            panel.show_resolution(repo_id, None)
            return
        try:
            panel.show_resolution(repo_id, await self.api.resolution(repo_id))
        except GitferryError as exc:
            panel.show_resolution(repo_id, None, error_text(exc))

    async def load_history(self, repo_id: int) -> None:
        if repo_id != self.window.history_panel.repo_id:
            return
        panel = self.window.history_panel
        try:
            entries = await self.api.history(repo_id)
            refusal = await self.api.undo_refusal(repo_id)
        except GitferryError as exc:
            panel.show_message(repo_id, error_text(exc))
            panel.show_undo(repo_id, error_text(exc))
            return
        if repo_id != panel.repo_id:  # another repository was selected meanwhile: its own load shows it
            return
        view = self.window.repos.row_for(repo_id)
        panel.show_history(repo_id, entries, view.record.last_sync if view is not None else None)
        panel.show_undo(repo_id, None if refusal is None else said(refusal))

    @qasync.asyncSlot(int, str, str)
    @counted
    async def choose(self, repo_id: int, path: str, choice: str) -> None:
        panel = self.window.conflicts_panel
        try:
            panel.show_resolution(repo_id, await self.api.resolve_path(repo_id, path, choice))
        except GitferryError as exc:
            panel.show_message(repo_id, error_text(exc))

    @qasync.asyncSlot(int, str)
    @counted
    async def merge_tool(self, repo_id: int, path: str) -> None:
        panel = self.window.conflicts_panel
        try:
            panel.show_resolution(repo_id, await self.api.run_merge_tool(repo_id, path))
            return
        except NoMergeTool:  # no tool git would run: the desktop's editor on a file with markers
            if panel.is_binary(path):  # ... which a binary file has none of
                said = self.tr(
                    "No merge tool is configured (git's merge.tool), and %1 is not text: no editor "
                    "can merge it. Choose Use mine, Use theirs or Keep both."
                )
                panel.show_message(repo_id, said.replace("%1", path))
                return
        except GitferryError as exc:
            panel.show_message(repo_id, error_text(exc))
            return
        try:
            file = await self.api.merge_file(repo_id, path)
            resolution = await self.api.resolution(repo_id)
        except GitferryError as exc:
            panel.show_message(repo_id, error_text(exc))
            return
        self.open_path(file)
        message = self.tr(
            "No merge tool is configured (git's merge.tool): %1 is open in your editor. "
            "Remove the conflict markers, save it, then Finish."
        ).replace("%1", file)
        panel.show_resolution(repo_id, resolution, message)

    @qasync.asyncSlot(int)
    @counted
    async def finish(self, repo_id: int) -> None:
        panel = self.window.conflicts_panel
        self.in_flight.owe(repo_id)  # the merge's push: done at the next start if Quit cuts it short
        try:
            done, report = await self.api.finish_resolution(repo_id)
        except GitferryError as exc:
            self.in_flight.paid(repo_id)
            panel.show_message(repo_id, error_text(exc))
            return
        self.in_flight.paid(repo_id)
        record = await self.api.record(repo_id)
        if record is not None:
            self.window.update_record(record, await self.api.conflicts(repo_id))
        if report is None or done.stopped is not None:  # a later commit of the rebase conflicts too
            stopped = done.stopped.replaying if done.stopped is not None else None
            line = self.tr("Commit %1 of %2 stops on conflicts of its own: resolve them, then Finish again.")
            if stopped is not None:
                line = line.replace("%1", str(stopped.step)).replace("%2", str(stopped.steps))
            panel.show_resolution(repo_id, done.stopped, line)
            return
        if done.rebased:
            line = self.tr("%1 rebased as %2; the sync said: %3")
        else:
            line = self.tr("%1 merged as %2; the sync said: %3")
        line = line.replace("%1", done.branch).replace("%2", done.new_head[:10])
        panel.show_resolution(repo_id, None, line.replace("%3", in_language(report.parts())))
        await self.load_history(repo_id)

    @qasync.asyncSlot(int)
    @counted
    async def abort(self, repo_id: int) -> None:
        panel = self.window.conflicts_panel
        try:
            await self.api.abort_resolution(repo_id)
        except GitferryError as exc:
            panel.show_message(repo_id, error_text(exc))
            return
        await self.load_resolution(repo_id)
        panel.show_message(repo_id, self.tr("Aborted: nothing in the repository was changed."))

    @qasync.asyncSlot(int)
    @counted
    async def undo(self, repo_id: int) -> None:
        history = self.window.history_panel
        try:
            done = await self.api.undo_last_integration(repo_id)
        except GitferryError as exc:
            history.show_message(repo_id, error_text(exc))
            await self.load_history(repo_id)  # Undo as it stands now
            return
        await self.load_history(repo_id)
        line = self.tr("%1 is back at %2; the undone head is kept as a backup ref.")
        history.show_message(repo_id, line.replace("%1", done.branch).replace("%2", done.restored[:10]))

    @qasync.asyncSlot(int)
    async def refresh_history(self, repo_id: int) -> None:
        await self.load_history(repo_id)
