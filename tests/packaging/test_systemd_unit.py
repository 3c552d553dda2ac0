"""The systemd user unit in packaging/: valid for systemd, installed by the wheel's data
files, and its command starts `gitferry daemon`, which stops cleanly on its KillSignal."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core.cli_output import EXIT_HELD
from tests.waiting import CAP

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "packaging" / "gitferry.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(UNIT)
    return parser


def test_the_wheel_installs_the_unit_where_systemd_looks_for_user_units() -> None:
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert data_files["share/systemd/user"] == ["packaging/gitferry.service"]
    parsed = unit()
    assert parsed["Install"]["WantedBy"] == "default.target"
    assert parsed["Service"]["KillSignal"] == "SIGTERM"
    # A daemon refused because the app (or another daemon) syncs the data directory is not retried.
    assert parsed["Service"]["RestartPreventExitStatus"] == str(EXIT_HELD)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit() -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", str(UNIT)], capture_output=True, text=True, timeout=CAP
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_its_command_runs_the_daemon_until_its_kill_signal(tmp_path: Path) -> None:
    """ExecStart as systemd would run it: a login shell finds `gitferry` (this checkout's)
    in ~/.local/bin, where `pip install --user` puts it and Debian's ~/.profile adds it."""
    home = Path(os.environ["HOME"])
    (home / ".profile").write_text('if [ -d "$HOME/.local/bin" ] ; then PATH="$HOME/.local/bin:$PATH"; fi\n')
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    launcher = bin_dir / "gitferry"
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m core.cli "$@"\n')
    launcher.chmod(0o755)
    command = shlex.split(unit()["Service"]["ExecStart"])
    assert command[:2] == ["/bin/sh", "-lc"]
    env = {**os.environ, "PATH": "/usr/bin:/bin", "GITFERRY_HOME": str(tmp_path / "home")}
    daemon = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert daemon.stderr is not None
        line = daemon.stderr.readline()
        assert "gitferry daemon: running" in line, line
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=CAP)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0, err
    assert "gitferry daemon: stopped" in err
