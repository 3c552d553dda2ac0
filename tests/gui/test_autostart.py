"""The command the login entry starts: this interpreter with `-P -m gui`, or the frozen app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.platform.autostart import exec_value
from gui import autostart


def test_launch_command_runs_this_interpreter_or_the_frozen_app(monkeypatch: pytest.MonkeyPatch) -> None:
    assert autostart.launch_command() == [sys.executable, "-P", "-m", "gui"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.launch_command() == [sys.executable]


def test_the_app_enables_and_disables_the_platform_entry() -> None:
    path = autostart.enable([*autostart.launch_command(), "--hidden"])
    assert autostart.is_enabled() and path == autostart.autostart_path()
    expected = f"Exec={exec_value([sys.executable, '-P', '-m', 'gui', '--hidden'])}"
    assert expected in path.read_text(encoding="utf-8").splitlines()
    autostart.disable()
    assert not autostart.is_enabled() and not path.exists()


def test_a_package_named_gui_in_the_folder_it_starts_in_does_not_shadow_the_app(tmp_path: Path) -> None:
    """The session starts the entry in the home folder: a `gui` package of the user's
    there (a project of their own) is not what runs."""
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "__init__.py").write_text("raise SystemExit(42)\n")
    (tmp_path / "gui" / "__main__.py").write_text("raise SystemExit(43)\n")
    done = subprocess.run(
        [*autostart.launch_command(), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "The Gitferry desktop app." in done.stdout
