"""Test-wide set-up: a scrubbed environment, an in-memory keyring, and a run that ends."""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# A run that ends, whatever a test does. pytest-timeout's `signal` method fails a test at
# its timeout only when the main thread next runs Python: one held in C code (Qt's event
# loop with no Python callback due, a lock) never sees the alarm, and under xdist the
# run then waits for that worker for ever (CI at 6f6a56f, after a worker's segfault, sat
# at 97% until it was killed; what it waited for is not known). faulthandler's watchdog
# is a thread of C code that needs nothing from the interpreter: it writes every
# thread's stack to the run's stderr and ends the process (exit status 1). A worker so
# ended is reported by xdist as a crash of the test it was running, and replaced.
TEARDOWN_GRACE = 60.0  # past a test's timeout: its teardown after pytest-timeout failed it
SILENCE_LIMIT = 900.0  # xdist's controller with no report from any worker: past the longest timeout
# from the end of the session to the process's exit (not a worker's): pytest's own clean-up
# of older runs' temporary folders runs in it too, and deleting a few GB of test repositories
# took over two minutes on a developer's machine (the watchdog ended a passing run there)
SESSION_END_LIMIT = 600.0
EXIT_LIMIT = 30.0  # from the interpreter's shutdown to the process's end


class Watchdog:
    """faulthandler's watchdog over each test (its timeout and a grace), in xdist's
    controller over its workers' silence and over the end of the session, and over the
    interpreter's exit, which waits for every non-daemon thread a test left running."""

    def __init__(self) -> None:
        self.stderr = os.dup(2)  # the run's own, not a test's captured one
        self.controller = False
        # at the start of the interpreter's shutdown, before it joins the threads (as
        # concurrent.futures registers its own); the stacks then name the one left
        threading._register_atexit(self.arm, EXIT_LIMIT)  # type: ignore[attr-defined]

    def arm(self, seconds: float) -> None:
        faulthandler.dump_traceback_later(seconds, exit=True, file=self.stderr)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.controller = session.config.pluginmanager.get_plugin("dsession") is not None
        if self.controller:  # it runs no test: its workers report
            self.arm(SILENCE_LIMIT)

    def pytest_runtest_logreport(self) -> None:
        if self.controller:
            self.arm(SILENCE_LIMIT)

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_set_timer(self, settings: Any) -> None:
        """Beside pytest-timeout's own timer (None: it still sets it)."""
        self.arm(settings.timeout + TEARDOWN_GRACE)

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_cancel_timer(self) -> None:
        faulthandler.cancel_dump_traceback_later()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """The session's end: the controller waits for each worker's exit. (An xdist worker
        that is done waits for the controller, as long as the others' tests take.)"""
        if not hasattr(session.config, "workerinput"):
            self.arm(SESSION_END_LIMIT)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Watchdog(), "watchdog")  # capture is off here, not while conftests load
