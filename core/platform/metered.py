"""Is the network metered, as the desktop says: NetworkManager's `Metered` property
over D-Bus (jeepney, pure Python, already here as the keyring's dependency).

Where NetworkManager does not answer (no system bus, another network daemon, macOS,
Windows) the answer is None, "unknown", and nothing is guessed: work goes on. A port
to another OS fills in its own question (Windows: the connection cost of
`NetworkInformation`; macOS: `NWPath.isExpensive`).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

NM_NAME = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
# NMMetered: 0 unknown, 1 yes, 2 no, 3 guessed yes, 4 guessed no. NetworkManager's own
# guess (a phone's tethering, a mobile broadband modem) is the desktop's word too.
METERED = frozenset({1, 3})
NOT_METERED = frozenset({2, 4})
TIMEOUT_SECONDS = 2.0


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
