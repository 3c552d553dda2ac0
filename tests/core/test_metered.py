"""NetworkManager's metered flag over D-Bus, against a real `dbus-daemon` and a small
service of the test's own exporting NetworkManager's `Metered` property and sending
its PropertiesChanged signal."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from core.engine.core import Core
from core.engine.daemon import Daemon
from core.platform.metered import (
    NM_NAME,
    NM_PATH,
    PROPERTIES,
    CannotSubscribe,
    network_metered,
    watch_metered,
)
from tests.core.scheduler_fakes import FakeClock
from tests.waiting import CAP

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

    def changes(self, metered: int | None, **others: int) -> None:
        """Metered becomes `metered` (None: unchanged) and PropertiesChanged says so."""
        changed = {name: ("u", value) for name, value in others.items()}
        if metered is not None:
            self.metered = metered
            changed["Metered"] = ("u", metered)
        signal = new_signal(
            DBusAddress(NM_PATH, interface=PROPERTIES),
            "PropertiesChanged",
            "sa{sv}as",
            (NM_NAME, changed, []),
        )
        self._conn.send(signal)

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


async def _until(condition: object, what: str) -> None:
    async with asyncio.timeout(CAP):  # past it: `what` never happened
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110 (a D-Bus signal, no event)
            await asyncio.sleep(0.02)


def test_a_change_is_heard_when_networkmanager_signals_it(bus: str) -> None:
    service = FakeNetworkManager(bus, 2)

    async def scenario() -> None:
        heard: list[bool | None] = []

        def changed() -> None:
            heard.append(network_metered(bus))  # blocking, for the test only

        task = asyncio.create_task(watch_metered(changed, bus))
        try:
            await _until(lambda: heard == [False], "subscribed: what it says now")
            service.changes(None, State=70)  # another property: not a metered change
            service.changes(1)
            await _until(lambda: len(heard) == 2, "the signal heard")
            assert heard == [False, True]
            service.changes(4)
            await _until(lambda: len(heard) == 3, "the next signal heard")
            assert heard == [False, True, False]
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    try:
        asyncio.run(scenario())
    finally:
        service.close()


def test_where_no_bus_answers_the_subscription_says_so(tmp_path: Path) -> None:
    with pytest.raises(CannotSubscribe):
        asyncio.run(watch_metered(lambda: None, f"unix:path={tmp_path / 'no-bus'}"))


@pytest.mark.slow
def test_the_daemon_holds_background_work_once_networkmanager_signals_metered(bus: str) -> None:
    """On a clock that never moves the daemon's minute poll never comes: only the
    signal can tell it; the hotspot left, it goes on."""
    service = FakeNetworkManager(bus, 2)

    async def scenario() -> None:
        core = await Core.open()
        daemon = Daemon(core, clock=FakeClock(), metered_bus=bus)
        task = asyncio.create_task(daemon.run())
        try:
            await asyncio.wait_for(daemon.started.wait(), CAP)
            scheduler = daemon.scheduler
            assert scheduler is not None
            await _until(lambda: service.asked >= 1, "asked once subscribed")
            assert not scheduler.metered
            service.changes(1)
            await _until(lambda: scheduler.metered, "held on a metered network")
            service.changes(2)
            await _until(lambda: not scheduler.metered, "going on off it")
        finally:
            daemon.stop()
            await asyncio.wait_for(task, CAP)
            await core.close()

    try:
        asyncio.run(scenario())
    finally:
        service.close()
