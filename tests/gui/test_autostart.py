"""The command the login entry starts: this interpreter with `-m gui`, or the frozen app."""

from __future__ import annotations

import sys

import pytest

from core.platform.autostart import exec_value
from gui import autostart


def test_launch_command_runs_this_interpreter_or_the_frozen_app(monkeypatch: pytest.MonkeyPatch) -> None:
    assert autostart.launch_command() == [sys.executable, "-m", "gui"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.launch_command() == [sys.executable]


def test_the_app_enables_and_disables_the_platform_entry() -> None:
    path = autostart.enable([*autostart.launch_command(), "--hidden"])
    assert autostart.is_enabled() and path == autostart.autostart_path()
    expected = f"Exec={exec_value([sys.executable, '-m', 'gui', '--hidden'])}"
    assert expected in path.read_text(encoding="utf-8").splitlines()
    autostart.disable()
    assert not autostart.is_enabled() and not path.exists()
