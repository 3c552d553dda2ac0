"""Desktop notifications over D-Bus (`org.freedesktop.Notifications`), which reach the
user where no tray icon is shown (GNOME without the AppIndicator extension), with a
"Show" action that opens the status window.

The session bus is spoken to with jeepney on the qasync loop (no thread, no blocking
call): `start` connects and asks whether a notification service owns its name; while
one does, the tray hands every notification here (`Tray.notify`), and falls back to
its own balloon when none does, when the bus is gone, or when a call fails. A click on
the notification or its "Show" action comes back as the service's `ActionInvoked`
signal, for the notifications sent from here only (`shown`).

jeepney and not PySide6's QtDBus: QtDBus's Python binding cannot build the `u`
(unsigned) argument that `Notify` requires, nor declare a slot for a `uint` signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, message_bus, new_method_call
from jeepney.io.asyncio import DBusRouter, open_dbus_router
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
NOTIFICATIONS = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
TIMEOUT_MS = 8000
SHOW = "default"  # the spec's key for a click on the notification; its label names it


class DesktopNotifications(QObject):
    """The session bus's notification service, once `start` found one (`available`)."""

    show_requested = Signal()  # the user clicked a notification of ours, or its "Show"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = False
        self.asked = False  # `start` has asked the bus (and knows `available`)
        self.shown: set[int] = set()  # ids of our notifications the service returned
        self._context: Any = None
        self._router: DBusRouter | None = None
        self._listening: asyncio.Task[None] | None = None

    async def start(self) -> bool:
        """Connect to the session bus; whether a notification service is there."""
        try:
            self._context = open_dbus_router(bus="SESSION")
            self._router = await self._context.__aenter__()
            owner = await self._router.send_and_get_reply(message_bus.NameHasOwner(SERVICE))
            self.available = bool(owner.body[0])
            if self.available:
                rule = MatchRule(type="signal", interface=SERVICE, path=PATH, member="ActionInvoked")
                await self._router.send_and_get_reply(message_bus.AddMatch(rule))
                self._listening = asyncio.ensure_future(self._listen(rule))
        except (OSError, KeyError, ValueError, RuntimeError) as exc:  # no bus, or none reachable
            log.info("no desktop notifications over D-Bus: %s", exc)
            await self.stop()
        self.asked = True
        return self.available

    async def notify(self, title: str, message: str, *, warning: bool = False) -> bool:
        """Show a notification; False when it could not be (the tray's balloon then)."""
        router = self._router
        if not self.available or router is None:
            return False
        actions = [SHOW, self.tr("Show")]
        hints = {"urgency": ("y", 1 if warning else 0), "desktop-entry": ("s", "gitferry")}
        call = new_method_call(
            NOTIFICATIONS,
            "Notify",
            "susssasa{sv}i",
            ("Gitferry", 0, "gitferry", title, message, actions, hints, TIMEOUT_MS),
        )
        try:
            reply = await asyncio.wait_for(router.send_and_get_reply(call), 5)
        except (OSError, TimeoutError, RuntimeError) as exc:
            log.warning("a desktop notification failed: %s", exc)
            return False
        if reply.header.fields.get(HeaderFields.error_name):
            log.warning("the notification service refused: %s", reply.body)
            return False
        self.shown.add(int(reply.body[0]))
        return True

    async def _listen(self, rule: MatchRule) -> None:
        router = self._router
        assert router is not None
        with router.filter(rule) as queue:
            while True:
                signal = await queue.get()
                notification, key = signal.body
                if notification in self.shown and key == SHOW:
                    self.show_requested.emit()

    async def stop(self) -> None:
        self.available = False
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listening
            self._listening = None
        if self._context is not None:
            with contextlib.suppress(Exception):
                await self._context.__aexit__(None, None, None)
            self._context = None
            self._router = None
