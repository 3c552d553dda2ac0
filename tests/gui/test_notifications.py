"""Desktop notifications over D-Bus against a real notification server: a private
`dbus-daemon --session` and dunst (on its own Xvfb display), both started and stopped by
the test under the servers' keeper. A notification of the app reaches dunst; dunst's
default action (a click, or "Show") opens the status window. With no notification
service on the bus, the tray's balloon is used instead."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gui.conftest import Run, start_desktop, stop_desktop
from tests.gui.waiting import until
from tests.servers.host import start_process, stop_process, wait_until
from tests.servers.xvfb import start_xvfb

START_SECONDS = 10.0


def _dunstctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dunstctl", *args], env=env, capture_output=True, text=True, timeout=10, check=False
    )


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private session bus; the test process (and what it starts) uses it."""
    socket = tmp_path / "bus"
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={socket}"}
    bus = start_process(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address=unix:path={socket}"],
        env,
        tmp_path / "dbus.log",
    )
    wait_until(socket.exists, "dbus-daemon", START_SECONDS)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])
    yield env
    stop_process(bus)


@pytest.fixture
def dunst(session_bus: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """dunst, a real notification server, on the private bus and its own Xvfb display."""
    xvfb, display = start_xvfb(session_bus, tmp_path / "xvfb.log")
    env = {**session_bus, "DISPLAY": display}
    server = start_process(["dunst"], env, tmp_path / "dunst.log")
    wait_until(lambda: _dunstctl(env, "count", "displayed").returncode == 0, "dunst", START_SECONDS)
    yield env
    stop_process(server)
    stop_process(xvfb)


@pytest.mark.slow
def test_a_notification_reaches_dunst_and_show_opens_the_window(run: Run, dunst: dict[str, str]) -> None:
    desktop = run(start_desktop([], show_window=False))
    try:
        run(until(lambda: desktop.tray.desktop_notifications is not None))
        desktop.window.hide()
        desktop.tray.notify("notes: conflict", "Resolve a.txt in notes.", warning=True)
        run(until(lambda: desktop.tray.route == "dbus"))
        assert _dunstctl(dunst, "count", "displayed").stdout.strip() == "1"
        assert not desktop.window.isVisible()
        assert _dunstctl(dunst, "action", "0").returncode == 0  # the user clicks it
        run(until(desktop.window.isVisible), 10)
    finally:
        run(stop_desktop(desktop))


def test_without_a_notification_service_the_tray_is_used(run: Run, session_bus: dict[str, str]) -> None:
    desktop = run(start_desktop([], show_window=False))
    try:
        run(until(lambda: desktop.notifications.asked))
        assert not desktop.notifications.available  # a bus, but nobody owns the name
        assert desktop.tray.desktop_notifications is None
        notified: list[tuple[str, str]] = []
        desktop.tray.notified.connect(lambda title, text: notified.append((title, text)))
        desktop.tray.notify("notes synced", "Pushed main.")
        assert notified == [("notes synced", "Pushed main.")]
        assert desktop.tray.route in ("tray", "none")  # offscreen: no tray icon to show a balloon
    finally:
        run(stop_desktop(desktop))
