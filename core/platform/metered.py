"""Is the network metered, as the desktop says: NetworkManager's `Metered` property
over D-Bus (jeepney, pure Python, already here as the keyring's dependency).

`watch_metered` subscribes to NetworkManager's `PropertiesChanged` signal, so that a
change is heard when it happens (a phone's hotspot joined); where the bus does not
allow it (no bus, a policy refusing the match) it raises `CannotSubscribe` and the
caller keeps polling `network_metered`.

Where NetworkManager does not answer (no system bus, another network daemon, macOS,
Windows) the answer is None, "unknown", and nothing is guessed: work goes on. A port
to another OS fills in its own question (Windows: the connection cost of
`NetworkInformation`; macOS: `NWPath.isExpensive`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

NM_NAME = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
# NMMetered: 0 unknown, 1 yes, 2 no, 3 guessed yes, 4 guessed no. NetworkManager's own
# guess (a phone's tethering, a mobile broadband modem) is the desktop's word too.
METERED = frozenset({1, 3})
NOT_METERED = frozenset({2, 4})
TIMEOUT_SECONDS = 2.0
PROPERTIES = "org.freedesktop.DBus.Properties"
ALIVE_SECONDS = 300.0  # without a signal for this long, the bus is asked whether it is still there


class CannotSubscribe(Exception):
    """No bus, or the bus refused the subscription: poll instead."""


def network_metered(bus: str = "SYSTEM") -> bool | None:
    """True or False as NetworkManager says, None when it cannot say or is not there.
    Blocking (a D-Bus round trip, at most a few seconds): call it off the event loop.
    `bus` is jeepney's: "SYSTEM" reads `DBUS_SYSTEM_BUS_ADDRESS` (tests point it at a
    bus of their own), or an address."""
    try:
        from jeepney import DBusAddress, Properties
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:  # not on Linux
        return None
    try:
        with open_dbus_connection(bus=bus) as connection:
            address = DBusAddress(NM_PATH, bus_name=NM_NAME, interface=NM_NAME)
            reply = connection.send_and_get_reply(Properties(address).get("Metered"), timeout=TIMEOUT_SECONDS)
    except Exception as exc:  # no bus, no NetworkManager, a refused call: not known
        log.debug("NetworkManager's Metered property not read: %s", exc)
        return None
    if reply.header.message_type.name != "method_return":
        return None
    value = reply.body[0][1] if reply.body and isinstance(reply.body[0], tuple) else None
    if value in METERED:
        return True
    if value in NOT_METERED:
        return False
    return None


async def watch_metered(on_change: Callable[[], None], bus: str = "SYSTEM") -> None:
    """Call `on_change` (on the loop) once subscribed, then each time NetworkManager
    says its `Metered` property changed, until cancelled; `CannotSubscribe` when that cannot be heard, and
    any other exception when the bus goes away later (the caller polls again).
    `bus` as for `network_metered`."""
    try:
        from jeepney import MatchRule, message_bus
        from jeepney.io.asyncio import Proxy, open_dbus_router
    except ImportError as exc:  # not on Linux
        raise CannotSubscribe("no D-Bus here") from exc
    # The bus matches the sender by NetworkManager's name; the signals arrive from its unique
    # name, so the filter here leaves the sender out (only this subscription's signals come).
    signal = {"type": "signal", "interface": PROPERTIES, "member": "PropertiesChanged", "path": NM_PATH}
    rule, arriving = MatchRule(sender=NM_NAME, **signal), MatchRule(**signal)
    try:
        router_context = open_dbus_router(bus=bus)
        router = await asyncio.wait_for(router_context.__aenter__(), TIMEOUT_SECONDS)
    except Exception as exc:  # no bus, refused
        raise CannotSubscribe(f"the bus is not there: {exc}") from exc
    try:
        bus_proxy = Proxy(message_bus, router)
        with router.filter(arriving, bufsize=16) as signals:
            try:
                await asyncio.wait_for(bus_proxy.AddMatch(rule), TIMEOUT_SECONDS)
            except Exception as exc:  # a policy refusing the match, a bus not answering
                raise CannotSubscribe(f"the bus refused the subscription: {exc}") from exc
            on_change()  # subscribed: what it says now
            while True:
                try:
                    message = await asyncio.wait_for(signals.get(), ALIVE_SECONDS)
                except TimeoutError:
                    await bus_proxy.GetId()  # the bus still there? (RouterClosed when not: poll again)
                    continue
                interface, changed, invalidated = message.body
                if interface == NM_NAME and ("Metered" in changed or "Metered" in invalidated):
                    on_change()
    finally:
        await router_context.__aexit__(None, None, None)
