"""git_bool against git's own reading of the same values (`git config --type=bool`)."""

from __future__ import annotations

import subprocess

import pytest

from core.git.config.values import git_bool

VALUES = [
    *("true", "TRUE", "yes", "on", "false", "No", "off", ""),
    *("0", "1", "2", "-1", "0x10", "010", "maybe", "1.5"),
]


@pytest.mark.parametrize("value", VALUES)
def test_git_bool_reads_as_git_reads(value: str) -> None:
    proc = subprocess.run(
        ["git", "-c", f"x.y={value}", "config", "--type=bool", "x.y"], capture_output=True, text=True
    )
    expected = None if proc.returncode != 0 else proc.stdout.strip() == "true"
    assert git_bool(value) == expected
