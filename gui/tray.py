"""The tray icon: its look says idle, syncing, attention, paused or offline, summed up
from the states the repositories publish; its menu: Sync all now, a submenu per
repository, Pause/Resume, Status window, Settings, About, Quit; it shows the desktop's
notifications.

Like the windows it is a view: menu actions become signals that the desktop
carries out. Offscreen (tests) or on a desktop without a tray the icon is never
shown, but the menu and its actions exist all the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from core.api import RepoState
from gui.models.formatting import first_upper
from gui.models.repos import RepoView
from gui.models.standing import Level, pause_end, pause_tooltip, syncing_state
from gui.resources import TrayState, tray_icon_path
from gui.translations import QT_TRANSLATE_NOOP

if TYPE_CHECKING:  # jeepney: loaded with the desktop, after the first paint
    from gui.notifications import DesktopNotifications

_HEADLINES = {
    TrayState.IDLE: QT_TRANSLATE_NOOP("Tray", "Gitferry: everything up to date"),
    TrayState.SYNCING: QT_TRANSLATE_NOOP("Tray", "Gitferry: syncing"),
    TrayState.WARNING: QT_TRANSLATE_NOOP("Tray", "Gitferry: worth a look"),
    TrayState.ATTENTION: QT_TRANSLATE_NOOP("Tray", "Gitferry: something needs you"),
    TrayState.PAUSED: QT_TRANSLATE_NOOP("Tray", "Gitferry: syncing paused"),
    TrayState.OFFLINE: QT_TRANSLATE_NOOP("Tray", "Gitferry: offline, no remote answers"),
}
TOOLTIP_LINES = 6  # repositories named in the tooltip; the rest are counted
NAME_CHARACTERS = 40
WORDS_CHARACTERS = 64  # what the tray menu says of a repository after its name, at most
# Repositories whose submenus the tray menu lists itself; past that they go into one
# "Repositories" submenu (50 of them made a menu of two screen-high columns, Quit in the second)
INLINE_REPOS = 12


translate = QCoreApplication.translate  # by this name, pyside6-lupdate finds the texts


def tray_state(views: Sequence[RepoView]) -> TrayState:
    """What the icon says, most urgent first: attention (a conflict, a failed sync, a
    tripped remote that answers), syncing, a warning (skipped files, a diverged branch),
    offline, paused, idle. From each repository's standing, as the window shows it."""
    levels = {view.standing().level for view in views}
    if Level.ATTENTION in levels:
        return TrayState.ATTENTION
    if any(view.busy for view in views):
        return TrayState.SYNCING
    if Level.WARNING in levels:
        return TrayState.WARNING
    if Level.OFFLINE in levels:
        return TrayState.OFFLINE
    return TrayState.PAUSED if any(view.state == RepoState.PAUSED for view in views) else TrayState.IDLE


def tray_tooltip(views: Sequence[RepoView], state: TrayState, paused: str | None = None) -> str:
    """The headline, then the repositories that are not up to date, most pressing first,
    each with what it is doing or what needs doing (the transfer under way, a conflict…);
    `paused` (the stored pause, "always" or when it ends): syncing is paused, said in the
    status bar's words under a headline that does not say it."""
    if state is TrayState.IDLE and any(not view.standing().in_sync for view in views):
        headline = translate(
            "Tray", "Gitferry: nothing needs you"
        )  # ahead, behind or never synced: not "up to date"
    else:
        headline = translate("Tray", _HEADLINES[state])
    if not views:
        return translate("Tray", "Gitferry: no repositories yet")
    standings = [(view, view.standing()) for view in views]
    named = sorted(
        ((v, s) for v, s in standings if not s.in_sync), key=lambda vs: (-vs[1].level, vs[0].name.lower())
    )
    lines = [headline]
    for view, _stands in named[:TOOLTIP_LINES]:
        lines.append(f"{short_name(view.name)}: {repo_words(view)}")
    if len(named) > TOOLTIP_LINES:
        lines.append(translate("Tray", "and %n more", None, len(named) - TOOLTIP_LINES))
    if paused is not None and (state is not TrayState.PAUSED or pause_end(paused)):
        lines.append(first_upper(syncing_state(True, paused)))
    return "\n".join(lines)


class Tray(QObject):
    sync_all_requested = Signal()
    sync_requested = Signal(int)
    open_folder_requested = Signal(str)
    status_requested = Signal(int)  # a repository id, or 0 for the window as it is
    pause_requested = Signal(bool)
    pause_for_requested = Signal(int)  # seconds: pause everything for that long
    repo_pause_requested = Signal(int, bool)  # a repository id; True: pause it, False: resume it
    settings_requested = Signal()
    about_requested = Signal()
    quit_requested = Signal()
    notified = Signal(str, str)  # title, message: every notification, shown or not

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desktop_notifications: DesktopNotifications | None = None  # set once the bus answered
        self.route = ""  # where the last notification went: "dbus", "tray", "none" (tests, logs)
        self._sending: set[asyncio.Future[None]] = set()
        self.state = TrayState.IDLE
        self._paused = False
        self._paused_until = ""
        self._views: list[RepoView] = []
        self._repo_paused: set[int] = set()
        self._icons = {state: QIcon(str(tray_icon_path(state))) for state in TrayState}
        self.icon = QSystemTrayIcon(self._icons[self.state], self)
        self.menu = QMenu()
        self.sync_all_action = QAction(self.tr("Sync all now"), self.menu)
        self.sync_all_action.triggered.connect(self.sync_all_requested)
        self.repo_menus: dict[int, QMenu] = {}
        self._order: list[int] = []  # repo_menus' ids as the menu lists them
        self._repos_separator = QAction(self.menu)
        self._repos_separator.setSeparator(True)
        self.repos_menu = QMenu(self.menu)  # the submenus, past INLINE_REPOS of them
        self.repos_menu.menuAction().setVisible(False)
        self.pause_action = QAction(self.tr("Pause syncing"), self.menu)
        self.pause_action.setToolTip(pause_tooltip(False))
        self.pause_action.triggered.connect(lambda: self.pause_requested.emit(not self._paused))
        self.pause_hour_action = QAction(self.tr("Pause syncing for 1 hour"), self.menu)
        self.pause_hour_action.triggered.connect(lambda: self.pause_for_requested.emit(3600))
        self.status_action = QAction(self.tr("Status window"), self.menu)
        self.status_action.triggered.connect(lambda: self.status_requested.emit(0))
        self.settings_action = QAction(self.tr("Settings…"), self.menu)
        self.settings_action.triggered.connect(self.settings_requested)
        self.about_action = QAction(self.tr("About Gitferry"), self.menu)
        self.about_action.triggered.connect(self.about_requested)
        self.quit_action = QAction(self.tr("Quit Gitferry"), self.menu)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.sync_all_action)
        self.menu.addAction(self.repos_menu.menuAction())
        self.menu.addAction(self._repos_separator)
        self.menu.addSeparator()
        for action in (self.pause_action, self.pause_hour_action, self.status_action, self.settings_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.about_action)
        self.menu.addAction(self.quit_action)
        self.menu.setToolTipsVisible(True)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        # its balloon (no notification service) opens the window when clicked, as a notification does
        self.icon.messageClicked.connect(lambda: self.status_requested.emit(0))
        self.set_state(TrayState.IDLE)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: TrayState, tooltip: str | None = None) -> None:
        self.state = state
        self.icon.setIcon(self._icons[state])
        self.icon.setToolTip(tooltip if tooltip is not None else translate("Tray", _HEADLINES[state]))

    def show_repos_state(self, views: Sequence[RepoView]) -> None:
        """The icon and the tooltip from where the repositories stand."""
        self._views = list(views)
        self._show_state()
        self.set_repos(views)

    def _show_state(self) -> None:
        """The icon and the tooltip from the repositories last shown and the pause."""
        state = tray_state(self._views)
        self.set_state(state, tray_tooltip(self._views, state, self._paused_until if self._paused else None))

    def set_paused(self, paused: bool, until: str = "") -> None:
        """Syncing paused or on, as stored (`until`: "always" or the epoch second it ends)."""
        self._paused = paused
        self._paused_until = (until or "always") if paused else ""
        text = self.tr("Resume syncing") if paused else self.tr("Pause syncing")
        self.pause_action.setText(text)
        self.pause_action.setToolTip(pause_tooltip(paused))
        self.pause_hour_action.setVisible(not paused)
        self._show_state()  # the submenus say nothing of the pause: not retitled

    def set_repo_paused(self, repo_id: int, paused: bool) -> None:
        """Whether the repository is under its own pause: its submenu offers the other way."""
        if paused:
            self._repo_paused.add(repo_id)
        else:
            self._repo_paused.discard(repo_id)
        menu = self.repo_menus.get(repo_id)
        if menu is not None:
            menu.actions()[-1].setText(self._repo_pause_text(repo_id))

    def _repo_pause_text(self, repo_id: int) -> str:
        if repo_id in self._repo_paused:
            return self.tr("Resume syncing this repository")
        return self.tr("Pause syncing this repository")

    def _toggle_repo_pause(self, repo_id: int) -> None:
        self.repo_pause_requested.emit(repo_id, repo_id not in self._repo_paused)

    def set_repos(self, views: Sequence[RepoView]) -> None:
        """One submenu per repository (Sync, Open folder, Status), in name order."""
        wanted = {view.id: view for view in views}
        self.sync_all_action.setEnabled(bool(views))  # nothing to sync yet: not offered
        for repo_id in [i for i in self.repo_menus if i not in wanted]:
            menu = self.repo_menus.pop(repo_id)
            self.menu.removeAction(menu.menuAction())
            self.repos_menu.removeAction(menu.menuAction())
            menu.deleteLater()
        ordered = sorted(views, key=lambda v: v.name.lower())
        for view in ordered:
            if view.id not in self.repo_menus:
                self.repo_menus[view.id] = self._repo_menu(view)
            self.repo_menus[view.id].setTitle(_menu_title(view))
        order = [view.id for view in ordered]
        grouped = len(order) > INLINE_REPOS
        self.repos_menu.setTitle(self.tr("Repositories (%1)").replace("%1", str(len(order))))
        self.repos_menu.menuAction().setVisible(grouped)
        if order != self._order:  # most calls (every state change) only retitle
            for repo_id in order:
                action = self.repo_menus[repo_id].menuAction()
                self.menu.removeAction(action)
                self.repos_menu.removeAction(action)
                if grouped:
                    self.repos_menu.addAction(action)
                else:
                    self.menu.insertAction(self._repos_separator, action)
            self._order = order

    def notify(self, title: str, message: str, *, warning: bool = False) -> None:
        """A desktop notification over D-Bus where a notification service runs (it reaches
        a desktop without a tray), else the tray icon's balloon."""
        self.notified.emit(title, message)
        notifier = self.desktop_notifications
        if notifier is not None and notifier.available:
            self._sending.add(
                task := asyncio.ensure_future(self._over_dbus(notifier, title, message, warning))
            )
            task.add_done_callback(self._sending.discard)
        else:
            self._balloon(title, message, warning)

    async def sent(self) -> None:
        """Wait for the notifications handed to D-Bus to be sent (at Quit: the bus closes
        next; the caller bounds the wait)."""
        if self._sending:
            await asyncio.wait(set(self._sending))

    async def _over_dbus(
        self, notifier: DesktopNotifications, title: str, message: str, warning: bool
    ) -> None:
        if await notifier.notify(title, message, warning=warning):
            self.route = "dbus"
        else:
            self._balloon(title, message, warning)

    def _balloon(self, title: str, message: str, warning: bool) -> None:
        self.route = "none"
        if self.icon.isVisible() and self.icon.supportsMessages():
            kind = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
            self.icon.showMessage(title, message, kind, 8000)
            self.route = "tray"

    def _repo_menu(self, view: RepoView) -> QMenu:
        menu = QMenu(self.menu)
        for text, handler in (
            (self.tr("Sync"), partial(self.sync_requested.emit, view.id)),
            (self.tr("Open folder"), partial(self.open_folder_requested.emit, view.record.path)),
            (self.tr("Status"), partial(self.status_requested.emit, view.id)),
        ):
            action = QAction(text, menu)
            action.triggered.connect(handler)
            menu.addAction(action)
        pause = QAction(self._repo_pause_text(view.id), menu)  # last: `set_repo_paused` retitles it
        pause.triggered.connect(partial(self._toggle_repo_pause, view.id))
        menu.addAction(pause)
        return menu

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.status_requested.emit(0)


def repo_words(view: RepoView, *, brief: bool = False) -> str | None:
    """What the tray says of a repository after its name, the tooltip and the menu alike:
    the transfer under way while it is busy (`brief`: the menu's short form of it), else
    its standing's line ("Paused", "Not synced yet", "main: 3 behind", "Conflict: 1
    file"); None when it is in sync (the headline says so)."""
    if view.busy:
        return view.activity(brief=brief)
    stands = view.standing()
    return None if stands.in_sync else stands.text


def _menu_title(view: RepoView) -> str:
    name = short_name(view.name)
    words = repo_words(view, brief=True)
    # cut in the middle as a name is: a branch checked out in another worktree names its
    # folder's whole path, which made the menu as wide as the screen (the tooltip and the
    # window say it whole)
    return name if words is None else f"{name} — {short_name(words, WORDS_CHARACTERS)}"


def short_name(name: str, most: int = NAME_CHARACTERS) -> str:
    """A name as the tooltip and the menu show it: cut in the middle past `most` characters
    (a menu or a tooltip as wide as the screen helps nobody)."""
    if len(name) <= most:
        return name
    head = (most - 1) * 2 // 3
    return f"{name[:head]}…{name[-(most - 1 - head) :]}"
