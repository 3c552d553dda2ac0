"""Test-wide set-up: a scrubbed environment and an in-memory keyring."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Bytecode is written and read, as an installed app has it: the Python processes the tests
# start (the CLI, the daemon, probes; some 270 a run) otherwise compiled the checkout's
# modules again each, about 0.25 s of CPU for the engine's, when the shell says not to
# write it (PYTHONDONTWRITEBYTECODE; the benches drop it too, bench/cold_start.py).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

pytest_plugins = ("tests.servers.fixtures",)


@pytest.fixture(autouse=True)
def clean_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the developer's own git config, data or keyring."""
    for key in list(os.environ):
        if key.startswith(("GIT_", "XDG_", "GITFERRY_", "SSH_")):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GITFERRY_HOME", str(home / "gitferry"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n'
        "[gc]\n\tauto = 0\n"
    )
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A safety net, not a fix: an aiosqlite connection some test left open keeps a
    non-daemon worker thread, and the interpreter would then wait for it forever after
    the last test (seen once in CI under load, 4 threads; no test has been found to
    leave one on its own). Each such thread is told to stop, and the run says so."""
    import threading

    from aiosqlite import core as aiosqlite_core

    left = [
        thread
        for thread in threading.enumerate()
        if getattr(getattr(thread, "_target", None), "__name__", "") == "_connection_worker_thread"
    ]
    for thread in left:
        thread._args[0].put((None, lambda: aiosqlite_core._STOP_RUNNING_SENTINEL))  # type: ignore[attr-defined]
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"aiosqlite connections left open by the tests: {len(left)} (stopped)")
