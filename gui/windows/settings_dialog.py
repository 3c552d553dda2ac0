"""The settings dialog: the registered repositories on the left, the selected one's
remotes, credentials and sync settings on the right, app-wide options below the list.

Every field is checked as it is typed (a red message beside it, Save disabled
while anything is bad); Save checks it all again, asks the remotes about typed
credentials, and only then writes (see `settings_save`). Every core call is
awaited from an async slot, so the GUI thread never waits on git, disk or keyring.
"""

from __future__ import annotations

import asyncio
import html
from typing import TypeVar

import qasync
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.api import Api, GitferryError, RemoteRecord, RepoRecord, UnknownBranch
from gui.models.engine_words import error_text, stored_message
from gui.widgets.auto_sync_fields import AutoSyncFields
from gui.widgets.credentials_panel import CredentialsPanel
from gui.widgets.field_error import FieldError, answer_of, confirm
from gui.widgets.palette_colors import hint_color, quiet
from gui.widgets.remotes_editor import RemotesEditor
from gui.widgets.repo_settings_form import RepoSettingsForm
from gui.widgets.whole_tabs import WholeTabs
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.clone_dialog import CloneDialog
from gui.windows.settings_save import AppChanges, CredentialsRefused, RepoChanges, save_app, save_repo
from gui.windows.start_syncing_dialog import StartSyncingDialog

REMOTES_TAB, SYNC_TAB = 0, 1
Adding = TypeVar("Adding", AddFolderDialog, CloneDialog, StartSyncingDialog)  # each emits `added(record)`


class SettingsDialog(QDialog):
    repositories_changed = Signal()  # added or removed
    repo_shown = Signal(int)  # the right side now shows this repository's stored settings
    saved = Signal()

    def __init__(self, api: Api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.records: list[RepoRecord] = []
        self.shown: RepoRecord | None = None
        self.add_dialog: AddFolderDialog | None = None
        self.clone_dialog: CloneDialog | None = None
        self.start_dialog: StartSyncingDialog | None = None
        self._app_loaded = AppChanges()
        self._busy = False
        self._closing: asyncio.Task[None] | None = None  # asking whether to save before closing
        self.setWindowTitle(self.tr("Gitferry settings"))
        self.setMinimumSize(820, 560)
        self.resize(940, 600)
        self._build_left()
        self._build_right()
        self.status = FieldError()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.ApplyRole)
        columns = QHBoxLayout()
        columns.addLayout(self._left, 0)
        columns.addLayout(self._right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        # Enter in a field saves: made default only once in the dialog (a button made default
        # before has no dialog to tell), else the focused Add folder… button stayed default
        self.save_button.setDefault(True)
        self._connect()

    # Layout -----------------------------------------------------------------------

    def _build_left(self) -> None:
        self.repo_list = QListWidget()
        self.repo_list.setMinimumWidth(220)
        self.repo_list.setMaximumWidth(260)
        self.repo_list.setAccessibleName(self.tr("Repositories"))
        self.add_button = QPushButton(self.tr("Add folder…"))
        self.add_button.setToolTip(self.tr("Register a folder that already holds a git repository"))
        self.clone_button = QPushButton(self.tr("Clone from URL…"))
        self.clone_button.setToolTip(self.tr("Clone a remote repository into a new folder and register it"))
        # not only on the empty window's first-run screen: with one repository registered, a
        # folder of files that was not one yet had no way in (a user trial)
        self.start_button = QPushButton(self.tr("Start syncing a folder…"))
        self.start_button.setToolTip(
            self.tr(
                "A folder of files that is not a repository yet: Gitferry makes it one, "
                "commits its files and pushes them to an empty remote you name"
            )
        )
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(
            self.tr("Stop syncing the selected repository; its files stay where they are")
        )
        self.pause_battery_check = QCheckBox(self.tr("Pause on &battery below 20%"))
        self.pause_battery_check.setToolTip(
            self.tr("Background fetches wait while the machine runs on battery")
        )
        self.autostart_check = QCheckBox(self.tr("Start Gitferry at &login"))
        self.auto_fields = AutoSyncFields()
        app_box = QGroupBox(self.tr("Application"))
        app_layout = QVBoxLayout(app_box)
        app_layout.addWidget(self.pause_battery_check)
        app_layout.addWidget(self.auto_fields)
        app_layout.addWidget(self.autostart_check)
        adding = QHBoxLayout()
        adding.addWidget(self.add_button)
        adding.addWidget(self.clone_button)
        self._left = QVBoxLayout()
        self._left.addWidget(QLabel(self.tr("<b>Repositories</b>")))
        self._left.addWidget(self.repo_list, 1)
        self._left.addLayout(adding)
        self._left.addWidget(self.start_button)
        self._left.addWidget(self.remove_button)
        self._left.addWidget(app_box)

    def _build_right(self) -> None:
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.repo_error = FieldError()
        self.remotes = RemotesEditor()
        self.credentials = CredentialsPanel(self.api)
        remotes_page = QWidget()
        remotes_layout = QVBoxLayout(remotes_page)
        remotes_layout.addWidget(self.remotes, 1)
        credentials_box = QGroupBox(self.tr("Sign-ins"))  # a box's title never wraps: the rest is a label
        # As `save_credentials` keeps them: with no keyring, git's helpers are told `store` too.
        self.credentials_where = quiet(
            QLabel(
                self.tr(
                    "HTTP(S) secrets are kept in the system keyring (with none, in memory until"
                    " Gitferry quits and by git's credential helpers, if you set any up); ssh uses"
                    " your agent and keys"
                )
            )
        )
        self.credentials_where.setWordWrap(True)
        credentials_layout = QVBoxLayout(credentials_box)
        credentials_layout.addWidget(self.credentials_where)
        credentials_layout.addWidget(self.credentials)
        remotes_layout.addWidget(credentials_box, 0)
        self.form = RepoSettingsForm()
        sync_page = QWidget()
        sync_layout = QVBoxLayout(sync_page)
        sync_layout.addWidget(self.form)
        sync_layout.addStretch(1)
        self.tabs = WholeTabs()
        self.tabs.setAccessibleName(self.tr("The selected repository's settings"))
        self.tabs.addTab(remotes_page, self.tr("Remotes"))
        self.tabs.addTab(sync_page, self.tr("Sync"))
        self._right = QVBoxLayout()
        self._right.addWidget(self.title)
        self._right.addWidget(self.repo_error)
        self._right.addWidget(self.tabs, 1)

    def _connect(self) -> None:
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.add_button.clicked.connect(self.open_add_folder)
        self.clone_button.clicked.connect(self.open_clone)
        self.start_button.clicked.connect(self.open_start_syncing)
        self.remove_button.clicked.connect(self.remove_selected)
        self.repo_list.currentRowChanged.connect(self._row_changed)
        self.remotes.edited.connect(self._remotes_edited)
        self.remotes.secret_typed.connect(self.credentials.fill)
        self.form.edited.connect(self._update_buttons)
        self.auto_fields.edited.connect(self._update_buttons)
        for check in (self.pause_battery_check, self.autostart_check):
            check.toggled.connect(self._update_buttons)

    # Loading ----------------------------------------------------------------------

    async def load(self) -> None:
        """Fill from the store (and the autostart entry), showing the first repository."""
        settings = await self.api.app_settings()
        enabled = await self.api.starts_at_login()
        self._app_loaded = AppChanges(settings.pause_on_battery, enabled)
        self.pause_battery_check.setChecked(settings.pause_on_battery)
        self.auto_fields.load(settings)
        self.autostart_check.setChecked(enabled)
        await self._reload_list(self.shown.name if self.shown else None)

    async def _reload_list(self, select: str | None, *, show: bool = True) -> None:
        """The list from the store, `select` selected and (`show`) its settings shown."""
        self.records = await self.api.repos()
        self.repo_list.blockSignals(True)
        self.repo_list.clear()
        for record in self.records:
            item = QListWidgetItem(record.name)
            item.setToolTip(record.path)
            self.repo_list.addItem(item)
        names = [record.name for record in self.records]
        row = names.index(select) if select in names else (0 if names else -1)
        self.repo_list.setCurrentRow(row)
        self.repo_list.blockSignals(False)
        if show:
            await self._show(self.records[row] if row >= 0 else None)

    def select_repo(self, name: str) -> None:
        """Show `name` (the right side fills once its settings are read: `repo_shown`)."""
        for row, record in enumerate(self.records):
            if record.name == name:
                self.repo_list.setCurrentRow(row)

    @qasync.asyncSlot(int)
    async def _row_changed(self, row: int) -> None:
        record = self.records[row] if 0 <= row < len(self.records) else None
        if record == self.shown:
            return
        saved = False
        if self.shown is not None and self._repo_dirty():  # Save, Discard or Cancel, as Close asks
            question = self.tr("Save the changes to %1 before showing another repository?")
            valid = self._valid() and self.auto_fields.validate()
            answer = await ask_unsaved(self, valid, question.replace("%1", self.shown.name))
            saved = answer == QMessageBox.StandardButton.Save and await self._save()
            if not saved and answer != QMessageBox.StandardButton.Discard:
                self.repo_list.blockSignals(True)
                self.repo_list.setCurrentRow(self.records.index(self.shown))
                self.repo_list.blockSignals(False)
                return
        await self._show(record)
        if saved:
            self.status.show_ok(self.tr("Saved."))

    async def _show(self, record: RepoRecord | None) -> None:
        self.shown = record
        self.repo_error.clear_error()
        self.status.clear_error()
        self.tabs.setEnabled(record is not None)
        if record is None:
            self.title.setText(self.tr("<i>No repository yet: add a folder or clone one.</i>"))
            self.remotes.load([])
            await self.credentials.load("", [])
            self._update_buttons()
            return
        name, path = html.escape(record.name), html.escape(record.path)  # a path may hold "<" or "&"
        grey = hint_color(self.palette()).name()
        self.title.setText(f"<b>{name}</b> &nbsp; <span style='color: {grey}'>{path}</span>")
        remotes = await self._remotes_of(record)
        self.form.load(await self.api.repo_settings(record.id), await self.api.git_pull_strategy(record))
        self.remotes.load(remotes)
        await self.credentials.load(record.name, [(r.name, r.fetch_url) for r in remotes])
        if record.last_result == "auth_failed":
            said = stored_message(record.last_message, record.last_said)
            self.credentials.mark_refused(said or self.tr("the last sync could not sign in"))
        self._update_buttons()
        if record == self.shown:
            self.repo_shown.emit(record.id)

    # Validation -------------------------------------------------------------------

    def _remotes_edited(self) -> None:
        self.credentials.show_remotes([(name, fetch) for name, fetch, _push in self.remotes.rows()])
        self._update_buttons()

    def _app_changes(self) -> AppChanges:
        pause, login = self.pause_battery_check.isChecked(), self.autostart_check.isChecked()
        return AppChanges(
            pause if pause != self._app_loaded.pause_on_battery else None,
            login if login != self._app_loaded.start_at_login else None,
            self.auto_fields.changes(),
        )

    def _repo_dirty(self) -> bool:
        if self.shown is None:
            return False
        edited = self.form.changes() or self.remotes.edits() or self.credentials.pending()
        return bool(edited) or not self._valid()

    def _valid(self) -> bool:
        form_ok = self.form.validate()
        remotes_ok = self.remotes.validate()
        return form_ok and remotes_ok

    def _update_buttons(self) -> None:
        repo_ok = self.shown is None or self._valid()
        self.save_button.setEnabled(not self._busy and repo_ok and self.auto_fields.validate())
        for widget in (self.repo_list, self.add_button, self.clone_button):
            widget.setEnabled(not self._busy)
        self.remove_button.setEnabled(not self._busy and self.shown is not None)

    # Saving -----------------------------------------------------------------------

    @qasync.asyncSlot()
    async def save(self) -> None:
        await self._save()

    async def _save(self) -> bool:
        """Check and write everything; whether it was saved."""
        if self._busy:
            return False
        if not self.auto_fields.validate():
            self.status.show_error(self.tr("Nothing was saved: fix the fields marked in red first."))
            self._update_buttons()
            return False
        if self.shown is not None and not self._valid():
            self.tabs.setCurrentIndex(SYNC_TAB if self.form.values() is None else REMOTES_TAB)
            self.status.show_error(self.tr("Nothing was saved: fix the fields marked in red first."))
            self._update_buttons()
            return False
        if not self.unsaved():  # a trial's Save with nothing changed said "Saved."
            self.status.show_ok(self.tr("Nothing was changed: there is nothing to save."))
            return True
        self._busy = True
        self._update_buttons()
        self.status.show_ok(self.tr("Saving…"))
        try:
            await self._write()
        except CredentialsRefused as refused:
            self.tabs.setCurrentIndex(REMOTES_TAB)
            refused.row.status.show_error(error_text(refused.error))
            self.status.show_error(self.tr("Nothing was saved: the remote refused the credentials."))
        except UnknownBranch as unknown:
            self.tabs.setCurrentIndex(SYNC_TAB)
            self.form.refuse_branch(unknown.branch)
            self.status.show_error(self.tr("Nothing was saved: fix the fields marked in red first."))
        except GitferryError as exc:
            self.status.show_error(self.tr("Not saved: %1").replace("%1", error_text(exc)))
        else:
            self.status.show_ok(self.tr("Saved."))
            self.saved.emit()
            return True
        finally:
            self._busy = False
            self._update_buttons()
        return False

    async def _write(self) -> None:
        if self.shown is not None:
            changes = RepoChanges(
                self.shown, self.form.changes(), self.remotes.edits(), self.credentials.pending()
            )
            await save_repo(self.api, changes)
        app = self._app_changes()
        await save_app(self.api, app)
        self._app_loaded = AppChanges(self.pause_battery_check.isChecked(), self.autostart_check.isChecked())
        self.auto_fields.saved()
        if self.shown is not None:
            await self._refresh_shown()

    async def _remotes_of(self, record: RepoRecord) -> list[RemoteRecord]:
        """The remotes as the git config has them now, every URL of each; those last seen
        (first URLs only) when it cannot be read, saying why."""
        try:
            return await self.api.remotes(record)  # re-read: the git config is the truth
        except GitferryError as exc:
            self.repo_error.show_error(
                self.tr("%1 (showing the remotes last seen)").replace("%1", error_text(exc))
            )
            return await self.api.stored_remotes(record.id)

    async def _refresh_shown(self) -> None:
        """After a save: the stored values become the new baseline; typed text stays."""
        assert self.shown is not None
        self.form.load(
            await self.api.repo_settings(self.shown.id), await self.api.git_pull_strategy(self.shown)
        )
        remotes = await self._remotes_of(self.shown)
        self.remotes.load(remotes)
        await self.credentials.reread([(r.name, r.fetch_url) for r in remotes])

    # Closing ------------------------------------------------------------------------

    def unsaved(self) -> bool:
        """Anything typed or ticked that Save has not written (valid or not)."""
        app_dirty = self._app_changes() != AppChanges() or not self.auto_fields.validate()
        return self._repo_dirty() or app_dirty

    def reject(self) -> None:
        """Close, Escape or the window's close: with unsaved edits, ask first (Save,
        Discard, Cancel) instead of throwing them away."""
        if self._busy or (self._closing is not None and not self._closing.done()):
            return
        if not self.unsaved():
            super().reject()
            return
        self._closing = asyncio.ensure_future(self._close_asking())

    async def _close_asking(self) -> None:
        valid = (self.shown is None or self._valid()) and self.auto_fields.validate()
        question = (
            self.tr("Save the changes to %1 before closing?").replace("%1", self.shown.name)
            if self.shown
            else self.tr("Save the changes before closing?")
        )
        answer = await ask_unsaved(self, valid, question)
        save = answer == QMessageBox.StandardButton.Save
        if answer == QMessageBox.StandardButton.Discard or (save and await self._save()):
            super().reject()

    # Adding and removing ----------------------------------------------------------

    def open_add_folder(self) -> None:
        self.add_dialog = self._adding(AddFolderDialog(self.api, self))

    def open_clone(self) -> None:
        self.clone_dialog = self._adding(CloneDialog(self.api, self))

    def open_start_syncing(self) -> None:
        self.start_dialog = self._adding(StartSyncingDialog(self.api, self))

    def _adding(self, dialog: Adding) -> Adding:
        dialog.added.connect(self._added)
        dialog.open()
        return dialog

    @qasync.asyncSlot(object)
    async def _added(self, record: RepoRecord) -> None:
        """Registered (and watched by the engine) by the add or clone dialog. Unsaved edits
        of the repository shown stay shown (showing the new one threw them away unasked)."""
        if self.shown is not None and self._repo_dirty():
            shown = self.shown
            await self._reload_list(shown.name, show=False)
            self.shown = next((r for r in self.records if r.id == shown.id), shown)
            self.status.show_ok(
                self.tr("Added %1. The changes here are not saved yet.").replace("%1", record.name)
            )
        else:
            await self._reload_list(record.name)
        self.repositories_changed.emit()

    @qasync.asyncSlot()
    async def remove_selected(self) -> None:
        record = self.shown
        if record is None:
            return
        question = self.tr("Stop syncing %1?").replace("%1", record.name)
        detail = self.tr("Gitferry forgets the repository. Its files are never deleted:\n%1 stays as it is.")
        detail = detail.replace("%1", record.path)
        title, remove = self.tr("Remove repository"), self.tr("Remove")
        if not await confirm(self, title, question, remove, detail, enter_cancels=True):
            return
        try:
            await self.api.remove_repository(record)
        except GitferryError as exc:
            self.status.show_error(self.tr("Not removed: %1").replace("%1", error_text(exc)))
            return
        self.shown = None
        await self._reload_list(None)
        self.status.show_ok(self.tr("Removed %1; its files are untouched.").replace("%1", record.name))
        self.repositories_changed.emit()


async def ask_unsaved(parent: QWidget, valid: bool, question: str) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for edits about to be closed or switched away (no Save when a
    field is bad: it could not be saved), asked window-modal without a nested event loop."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("SettingsDialog", "Unsaved changes"))
    box.setText(question)
    if not valid:
        box.setInformativeText(
            QCoreApplication.translate(
                "SettingsDialog", "Some fields marked in red cannot be saved as they are."
            )
        )
    buttons = QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
    if valid:
        buttons |= QMessageBox.StandardButton.Save
    box.setStandardButtons(buttons)
    box.setDefaultButton(QMessageBox.StandardButton.Save if valid else QMessageBox.StandardButton.Cancel)
    clicked = await answer_of(box)
    return box.standardButton(clicked) if clicked is not None else QMessageBox.StandardButton.Cancel
