"""The CLI's logging: `--verbose` puts debug records on stderr; `gitferry daemon` keeps
the rotating log file in the data directory, as the desktop app does."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.logs import LOG_BYTES, LOG_FILES, configure_logging, log_file
from core.paths import data_dir
from core.version import version_line
from tests.gitcli import commit_file, git

CLI = [sys.executable, "-m", "core.cli"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def added_repo(tmp_path: Path) -> Path:
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "-q", "--bare", str(remote))
    git("clone", "-q", str(remote), str(work))
    commit_file(work, "a.txt", "one\n")
    git("push", "-q", "origin", "HEAD", cwd=work)
    assert cli("add", str(work)).returncode == 0
    return work


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.slow
def test_verbose_logs_debug_records_to_stderr(added_repo: Path, where: str) -> None:
    args = ["--verbose", "sync"] if where == "before" else ["sync", "--verbose"]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    # The first record says what runs where; dulwich's config lines that this looked for went
    # with its config loading (core/git/global_config.py): a plain sync may log nothing else.
    first = proc.stderr.splitlines()[0]
    assert " DEBUG " in first and first.endswith(f": {version_line()}; sync, data in {data_dir()}"), first
    assert "aiosqlite" not in proc.stderr  # one record per database call: kept quiet


@pytest.mark.slow
def test_quiet_without_verbose(added_repo: Path) -> None:
    proc = cli("sync")
    assert proc.returncode == 0 and "up to date" in proc.stdout
    assert proc.stderr == ""
    assert not log_file(Path(os.environ["GITFERRY_HOME"])).exists()  # short commands keep no log file


@pytest.mark.slow
def test_daemon_writes_the_log_file(added_repo: Path) -> None:
    log = log_file(Path(os.environ["GITFERRY_HOME"]))
    daemon = subprocess.Popen([*CLI, "daemon"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while "watching 1 repositories" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the daemon wrote no log record in 30 s"
            assert daemon.poll() is None, "the daemon stopped"
            time.sleep(0.1)
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=30)
    finally:
        daemon.kill()
    assert daemon.returncode == 0
    assert "INFO core.engine.daemon: watching 1 repositories" in stderr


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger's handlers and level, restored after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_log_file_rotates_and_keeps_three_old_files(tmp_path: Path, root_logger: logging.Logger) -> None:
    configure_logging(tmp_path, verbose=False)
    configure_logging(tmp_path, verbose=False)  # a second call replaces the handler
    assert sum(h.get_name() == "gitferry-file" for h in root_logger.handlers) == 1
    record = "x" * 1000
    for _ in range(LOG_BYTES * (LOG_FILES + 2) // 1000):
        logging.getLogger("gitferry.test").info(record)
    logging.getLogger("gitferry.test").debug("not at INFO")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["gitferry.log", *(f"gitferry.log.{n}" for n in range(1, LOG_FILES + 1))]
    assert all(p.stat().st_size <= LOG_BYTES for p in tmp_path.iterdir())
    assert "not at INFO" not in log_file(tmp_path).read_text()
