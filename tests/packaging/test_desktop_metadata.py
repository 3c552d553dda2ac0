"""The desktop entry and the AppStream metainfo pass the validators desktops and software
centres use (`make test` installs desktop-file-utils and appstream)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def validate(*command: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is missing: `make deps` installs it")
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    done = validate("desktop-file-validate", str(RESOURCES / "gitferry.desktop"))
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    done = validate(
        "appstreamcli", "validate", "--no-net", str(RESOURCES / "io.gitferry.Gitferry.metainfo.xml")
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_desktop_entry_and_the_metainfo_name_the_same_launchable() -> None:
    metainfo = (RESOURCES / "io.gitferry.Gitferry.metainfo.xml").read_text()
    assert '<launchable type="desktop-id">gitferry.desktop</launchable>' in metainfo
    entry = (RESOURCES / "gitferry.desktop").read_text()
    assert "Exec=gitferry" in entry and "Icon=gitferry" in entry
