"""NetworkManager's metered flag over D-Bus, against a real `dbus-daemon` and a small
service of the test's own exporting NetworkManager's `Metered` property."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from core.platform.metered import NM_NAME, NM_PATH, network_metered

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed")


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    """A bus of the test's own (`dbus-daemon --session`); its address."""
    socket = tmp_path / "bus"
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            f"--address=unix:path={socket}",
            "--print-address=1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


class FakeNetworkManager:
    """Owns NetworkManager's name on the bus and answers Properties.Get for `Metered`."""

    def __init__(self, address: str, metered: int) -> None:
        self.metered = metered
        self.asked = 0
        self._conn = open_dbus_connection(bus=address)
        reply = self._conn.send_and_get_reply(message_bus.RequestName(NM_NAME), timeout=5)
        assert reply.body == (1,)  # the primary owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            header = msg.header
            if header.message_type is not MessageType.method_call:
                continue
            fields = header.fields
            if (
                fields.get(2) == "org.freedesktop.DBus.Properties"
                and fields.get(3) == "Get"
                and fields.get(1) == NM_PATH
            ):
                interface, name = msg.body
                if interface == NM_NAME and name == "Metered":
                    self.asked += 1
                    self._conn.send(new_method_return(msg, "v", (("u", self.metered),)))
                    continue
            self._conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._conn.close()


@pytest.mark.parametrize(("value", "expected"), [(1, True), (3, True), (2, False), (4, False), (0, None)])
def test_the_metered_property_as_networkmanager_says_it(bus: str, value: int, expected: bool | None) -> None:
    service = FakeNetworkManager(bus, value)
    try:
        assert network_metered(bus) is expected
        assert service.asked == 1
    finally:
        service.close()


def test_without_networkmanager_nothing_is_guessed(bus: str, tmp_path: Path) -> None:
    assert network_metered(bus) is None  # a bus, nobody owning the name
    assert network_metered(f"unix:path={tmp_path / 'no-bus'}") is None  # no bus at all
