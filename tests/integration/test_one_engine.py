"""One engine per data directory (`core.engine.engine_lock`): real `gitferry daemon`
processes on the test's GITFERRY_HOME, a real `git daemon` remote, the CLI as fresh
processes. A second daemon refuses at once, naming the first; a killed one never blocks
the next; the app's engine (`Api.run`) is never a second one; taking over stops only the
daemon that holds the lock."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from core.api import APP, DAEMON, Api, EngineHeld, EngineHolder, claim_engine, take_over
from core.engine.engine_lock import engine_holder, lock_path
from tests.integration.clones import Clones, run
from tests.integration.engine_process import EngineProcess, answering, gitferry, refused_daemon
from tests.waiting import CAP, eventually


@pytest.mark.slow
def test_a_second_daemon_refuses_at_once_and_the_first_keeps_syncing(engine: EngineProcess) -> None:
    first = engine_holder(engine.home)
    assert first is not None and (first.pid, first.kind) == (engine.proc.pid, DAEMON)
    assert refused_daemon() == (
        3,
        f"gitferry: another `gitferry daemon` (pid {engine.proc.pid}) already syncs this data directory "
        f"({engine.home})\n",
    )
    assert engine_holder(engine.home) == first
    ran = gitferry("sync", "--fetch-only", "mine")
    assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", True)
    assert engine.proc.poll() is None


@pytest.mark.slow
def test_a_daemon_killed_with_9_never_blocks_the_next(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "pause")[0] == 0
    killed = EngineProcess()
    killed.kill()
    assert lock_path(killed.home).read_text()  # its record stays: only informative
    assert engine_holder(killed.home) is None  # its process is gone
    engine = EngineProcess()
    try:
        holder = engine_holder(engine.home)
        assert holder is not None and holder.pid == engine.proc.pid
        assert gitferry("sync", "--fetch-only", "mine").in_engine
    finally:
        assert "Traceback" not in engine.stop()
    assert not lock_path(engine.home).exists()  # a clean stop takes its record with it


@pytest.mark.slow
def test_the_apps_engine_is_never_a_second_one(engine: EngineProcess) -> None:
    """`Api.run` without a lock of its own takes it first: held by the daemon, it raises
    before watching anything, and the daemon goes on."""

    async def scenario() -> EngineHeld:
        api = await Api.open()
        try:
            with pytest.raises(EngineHeld) as held:
                await api.run()
            assert not api.started.is_set() and api.daemon.engine is None
            return held.value
        finally:
            await api.close()

    held = asyncio.run(scenario())
    assert held.holder is not None and held.holder.pid == engine.proc.pid
    assert answering(engine.home) and engine.proc.poll() is None
    assert gitferry("sync", "--fetch-only", "mine").in_engine


@pytest.mark.slow
def test_taking_over_stops_the_daemon_that_holds_the_lock_and_no_other(engine: EngineProcess) -> None:
    home = engine.home
    holder = engine_holder(home)
    assert holder is not None
    with pytest.raises(EngineHeld) as held:
        claim_engine(home, APP)
    assert held.value.holder == holder

    # A record that is not the holder's (the pid reused by another process, a holder of
    # another kind) is never signalled.
    for stranger in (replace(holder, pid_started=holder.pid_started - 5), replace(holder, kind=APP)):
        with pytest.raises(EngineHeld):
            asyncio.run(take_over(home, stranger, APP))
    assert engine.proc.poll() is None and answering(home)

    lock = asyncio.run(take_over(home, holder, APP))
    try:
        assert engine.proc.wait(CAP) == 0  # SIGTERM: a clean stop
        assert "gitferry daemon: stopped" in engine.stop()
        mine = engine_holder(home)
        assert mine is not None and (mine.pid, mine.kind) == (os.getpid(), APP)
        code, said = refused_daemon()  # a daemon started now meets the app
        assert (code, said) == (
            3,
            f"gitferry: the Gitferry app (pid {os.getpid()}) already syncs this data directory ({home})\n",
        )
    finally:
        lock.release()
    assert engine_holder(home) is None


def test_a_daemon_gone_meanwhile_is_not_signalled(tmp_path: Path) -> None:
    """The lock came free between the question and the answer: taken, nobody signalled
    (the record names this very test process, which must not get a SIGTERM)."""
    home = tmp_path / "data"
    me = EngineHolder.me(DAEMON)
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: seen.append(number))
    try:
        lock = asyncio.run(take_over(home, me, APP))
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        assert seen == []
        assert engine_holder(home) == replace(me, kind=APP)
    finally:
        lock.release()


def test_a_holder_still_quitting_past_the_wait_refuses_in_one_line(tmp_path: Path) -> None:
    """A holder that says it is quitting is waited for only as long as asked: then the
    one line names it as quitting. One that is not quitting is never waited for."""
    home = tmp_path / "data"
    lock = claim_engine(home, APP)
    try:
        with pytest.raises(EngineHeld) as held:
            claim_engine(home, DAEMON, quitting_wait=60.0)  # not quitting: at once
        assert held.value.message.startswith(f"the Gitferry app (pid {os.getpid()}) already syncs")
        lock.quitting()
        told: list[EngineHolder] = []
        with pytest.raises(EngineHeld) as held:
            claim_engine(home, DAEMON, quitting_wait=0.2, waiting=told.append)
        assert held.value.message == (
            f"the Gitferry app (pid {os.getpid()}) is quitting but still syncs this data directory ({home})"
        )
        assert [(holder.pid, holder.quitting) for holder in told] == [(os.getpid(), True)]
        with pytest.raises(EngineHeld):  # the app's own claim never waits
            claim_engine(home, APP)
    finally:
        lock.release()


@pytest.mark.slow
def test_a_daemon_started_while_the_app_quits_waits_and_takes_over(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user trial: quit the app to let `gitferry daemon` (the systemd unit) take over,
    the daemon started within the app's last sync. It exited 3, "the Gitferry app already
    syncs this data directory", and the unit does not retry after 3 (its
    RestartPreventExitStatus). The app's Quit now says it is quitting (the lock's record):
    the daemon waits for the lock, bounded, then runs. The app here is `Api` in this
    process, its Quit's steps as `Desktop.quit` takes them; the daemon a real process."""
    assert run(capsys, "pause")[0] == 0
    home = Path(os.environ["GITFERRY_HOME"])

    async def scenario() -> EngineProcess:
        api = await Api.open()
        running = asyncio.create_task(api.run())
        try:
            await api.started.wait()
            await eventually(lambda: answering(home), "the app's engine answers")
            api.quitting()  # Quit: before the actions under way end and the engine stops
            daemon = EngineProcess(answered=False)
            await asyncio.to_thread(
                daemon.logged,
                f"gitferry daemon: waiting for the Gitferry app (pid {os.getpid()}), which is quitting",
            )
            assert daemon.proc.poll() is None  # waiting, not refused
            holder = engine_holder(home)
            assert holder is not None and (holder.pid, holder.quitting) == (os.getpid(), True)
        finally:
            api.stop()
            await running
            await api.close()
        return daemon

    daemon = asyncio.run(scenario())
    try:
        daemon.answers()
        holder = engine_holder(home)
        assert holder is not None and (holder.pid, holder.kind, holder.quitting) == (
            daemon.proc.pid,
            DAEMON,
            False,
        )
        ran = gitferry("sync", "--fetch-only", "mine")
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", True)
    finally:
        log = daemon.stop()
    assert daemon.proc.returncode == 0 and "Traceback" not in log, log
