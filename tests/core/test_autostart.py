"""Start at login: the XDG autostart entry, checked by desktop-file-validate and launched by GLib."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from core.platform import autostart

# Arguments that exercise every quoting rule of the Desktop Entry spec's Exec key.
AWKWARD_ARGS = [
    "plain",
    "two words",
    'say "hi"',
    "$HOME",
    "back\\slash",
    "c:\\\\share",
    "100%",
    "%f",
    "tab\there",
    "new\nline",
    "it's",
    "",
    "~",
    "a;b|c&d",
    "`cmd`",
]

RECORDER = """#!/bin/sh
out="$(dirname "$0")/argv"
for a in "$@"; do printf '%s\\0' "$a"; done > "$out.tmp" && mv "$out.tmp" "$out"
"""


def write_recorder(directory: Path) -> Path:
    """A program that writes the arguments it was started with, NUL-separated, beside itself."""
    directory.mkdir(parents=True)
    script = directory / "record args.sh"
    script.write_text(RECORDER)
    script.chmod(0o755)
    return script


def test_the_entry_lives_under_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert autostart.autostart_path() == tmp_path / "config" / "autostart" / "gitferry.desktop"
    assert autostart.enable(["gitferry-app"]) == autostart.autostart_path()
    assert autostart.autostart_path().is_file()


def test_without_xdg_config_home_the_entry_lives_under_dot_config(clean_env: Path) -> None:
    assert autostart.autostart_path() == clean_env / ".config" / "autostart" / "gitferry.desktop"


def test_enable_writes_a_complete_desktop_entry() -> None:
    path = autostart.enable(["/usr/bin/python3", "-m", "gui"])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    for line in [
        "Type=Application",
        "Name=Gitferry",
        "Exec=/usr/bin/python3 -m gui",
        "Icon=gitferry",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "Categories=Development;RevisionControl;",
    ]:
        assert line in lines
    assert any(line.startswith("Comment=") for line in lines)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_path_with_spaces_is_quoted() -> None:
    path = autostart.enable(["/opt/my apps/bin/python", "-m", "gui"])
    assert 'Exec="/opt/my apps/bin/python" -m gui' in path.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_file_validate_accepts_the_entry(tmp_path: Path) -> None:
    path = autostart.enable([str(tmp_path / "my apps" / "python"), "-m", "gui", *AWKWARD_ARGS])
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


@pytest.mark.skipif(shutil.which("gio") is None, reason="gio (libglib2.0-bin) not installed")
def test_glib_launches_the_entry_with_the_exact_arguments(tmp_path: Path) -> None:
    recorder = write_recorder(tmp_path / "with space")
    path = autostart.enable([str(recorder), *AWKWARD_ARGS])
    subprocess.run(["gio", "launch", str(path)], capture_output=True, timeout=30, check=True)
    argv_file = recorder.parent / "argv"
    deadline = time.monotonic() + 10
    while not argv_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    recorded = argv_file.read_bytes().decode("utf-8").split("\0")[:-1]
    assert recorded == AWKWARD_ARGS


def test_is_enabled_follows_enable_and_disable() -> None:
    assert not autostart.is_enabled()
    autostart.enable(["gitferry-app"])
    assert autostart.is_enabled()
    autostart.disable()
    assert not autostart.is_enabled()
    assert not autostart.autostart_path().exists()


def test_disable_removes_only_our_entry() -> None:
    directory = autostart.autostart_path().parent
    autostart.enable(["gitferry-app"])
    other = directory / "other-app.desktop"
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    autostart.disable()
    assert sorted(p.name for p in directory.iterdir()) == ["other-app.desktop"]
    autostart.disable()  # already gone: nothing to do, no error
    assert other.exists()


@pytest.mark.parametrize("switch", ["Hidden=true", "X-GNOME-Autostart-enabled=false"])
def test_an_entry_switched_off_in_place_is_not_enabled(switch: str) -> None:
    path = autostart.enable(["gitferry-app"])
    text = path.read_text(encoding="utf-8").replace("X-GNOME-Autostart-enabled=true\n", "")
    path.write_text(text + switch + "\n", encoding="utf-8")
    assert not autostart.is_enabled()


def test_enable_replaces_the_entry_and_leaves_no_temporary_file() -> None:
    autostart.enable(["first-command"])
    path = autostart.enable(["second-command"])
    assert "Exec=second-command" in path.read_text(encoding="utf-8").splitlines()
    assert [p.name for p in path.parent.iterdir()] == ["gitferry.desktop"]


def test_an_empty_command_is_refused() -> None:
    with pytest.raises(ValueError):
        autostart.enable([])
    assert not autostart.autostart_path().exists()
