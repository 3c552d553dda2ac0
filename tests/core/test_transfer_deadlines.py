"""git's low-speed limit and the phase deadlines, on a fake clock; the settings read from git's config."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.transfer.deadlines import RemoteTooSlow, TransferDeadlines, TransferPhase, TransferWatch
from core.git.transfer.errors import TransferStopped
from core.git.transfer.stop import TransferStop
from core.results import ResultKind
from tests.gitcli import git
from tests.waiting import wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def watch(deadlines: TransferDeadlines, parent: TransferStop | None = None) -> tuple[TransferWatch, Clock]:
    clock = Clock()
    return TransferWatch("origin", deadlines, parent, clock=clock), clock


def test_a_trickle_under_the_limit_expires_after_the_low_speed_time() -> None:
    w, clock = watch(TransferDeadlines(low_speed_limit=1000, low_speed_time=60))
    w.enter(TransferPhase.RECEIVE)
    start, why = clock.now, None
    while why is None and clock.now - start < 1000:  # a byte every 0.9 s
        clock.now += 0.9
        w.moved(1)
        why = w.expired()
    assert 60 <= clock.now - start < 61
    assert why is not None and why.startswith("under 1,000 bytes a second received for 60 s")


def test_a_transfer_at_the_limit_never_expires_and_progress_text_does_not_count() -> None:
    w, clock = watch(TransferDeadlines(low_speed_limit=1000, low_speed_time=5))
    w.enter(TransferPhase.RECEIVE)
    for _ in range(200):
        clock.now += 0.5
        w.moved(600)
        assert w.expired() is None
    clock.now += 5.1  # nothing more of the pack, whatever the progress said
    assert w.expired() is not None


def test_each_phase_has_its_deadline_and_our_own_work_is_not_counted() -> None:
    w, clock = watch(TransferDeadlines(advertise=10, prepare=20, low_speed_limit=0))
    clock.now += 9.9
    assert w.expired() is None
    clock.now += 0.2
    assert w.expired() == "it did not list its refs within 10 s"
    w.enter(TransferPhase.PREPARE)
    with w.ours():  # waiting for a pack slot
        clock.now += 1000
    clock.now += 19.9
    assert w.expired() is None
    clock.now += 0.2
    assert w.expired() == "it did not start sending the pack within 20 s"
    w.enter(TransferPhase.IDLE)  # indexing
    clock.now += 10**6
    assert w.expired() is None


def test_an_expiry_stops_only_this_transfer_and_a_job_stop_reaches_it() -> None:
    job = TransferStop()
    w, _clock = watch(TransferDeadlines(), job)
    w.stop.stop_with(RemoteTooSlow("origin", "it did not list its refs within 1 s"))
    assert not job.requested
    with pytest.raises(RemoteTooSlow) as caught:
        w.stop.check("origin")
    assert caught.value.result is ResultKind.OFFLINE
    assert str(caught.value) == "origin is too slow: it did not list its refs within 1 s; nothing was kept"

    other, _ = watch(TransferDeadlines(), job)
    job.stop("cancelled")
    with pytest.raises(TransferStopped):
        other.stop.check("origin")
    other.stop.unlink()


def test_settings_come_from_git_config_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert TransferDeadlines.from_config(None) == TransferDeadlines()
    assert TransferDeadlines().low_speed_limit == 1000 and TransferDeadlines().low_speed_time == 60
    git("init", "-q", str(tmp_path))
    git("config", "http.lowSpeedLimit", "2k", cwd=tmp_path)
    git("config", "http.lowSpeedTime", "7", cwd=tmp_path)
    git("config", "gitferry.receiveDeadline", "0", cwd=tmp_path)
    with Repo(str(tmp_path)) as repo:
        found = TransferDeadlines.from_config(repo.get_config_stack())
        assert (found.low_speed_limit, found.low_speed_time) == (2048, 7)
        assert (
            found.deadline(TransferPhase.RECEIVE) is None and found.deadline(TransferPhase.ADVERTISE) == 300
        )
        monkeypatch.setenv("GIT_HTTP_LOW_SPEED_LIMIT", "0")  # the environment first, as git reads it
        assert TransferDeadlines.from_config(repo.get_config_stack()).low_speed_limit == 0
        git("config", "http.lowSpeedTime", "soon", cwd=tmp_path)
        with pytest.raises(BadInput, match=r"http\.lowSpeedTime: 'soon' is not a whole number"):
            TransferDeadlines.from_config(repo.get_config_stack())


def test_the_users_time_at_a_sign_in_is_not_the_remotes_and_pauses_nest() -> None:
    w, clock = watch(TransferDeadlines(advertise=10))
    with w.stop.paused():  # the sign-in prompt, through the stop the transfer's SignIn holds
        clock.now += 600
        with w.ours():  # nested: an LFS upload's own sign-in inside a push's hooks
            clock.now += 5
        clock.now += 600
    clock.now += 9.9
    assert w.expired() is None
    clock.now += 0.2
    assert w.expired() == "it did not list its refs within 10 s"
    assert TransferStop().paused is not None
    with TransferStop().paused():  # no deadlines: nothing to pause
        pass


def test_transfers_at_once_are_watched_from_one_thread_and_none_is_stopped_after_its_end() -> None:
    """The real clock: a stalled transfer is cut within a few looks; one that ended
    before its deadline never is; a single watching thread, gone once none is left."""
    stalled = TransferWatch("stalled", TransferDeadlines(advertise=0.3, low_speed_limit=0))
    ended = TransferWatch("ended", TransferDeadlines(advertise=0.3, low_speed_limit=0))
    running = [TransferWatch(f"r{n}", TransferDeadlines(advertise=60)) for n in range(5)]
    with contextlib.ExitStack() as transfers:
        for w in (stalled, ended, *running):
            transfers.enter_context(w)
        assert sum(t.name == "transfer-watch" for t in threading.enumerate()) == 1
        ended.__exit__(None, None, None)
        wait_until(lambda: stalled.stop.requested, "the stalled transfer stopped")
        time.sleep(0.5)  # past the deadline the ended one would have had
        assert not ended.stop.requested and not any(w.stop.requested for w in running)
    with pytest.raises(RemoteTooSlow):
        stalled.stop.check("stalled")
    wait_until(
        lambda: "transfer-watch" not in {t.name for t in threading.enumerate()}, "the watch thread gone"
    )


def test_a_finished_watch_is_freed_without_the_cyclic_collector() -> None:
    """A daemon fetching every few seconds left each transfer's watch, its stop and their
    locks as cyclic garbage (watch -> stop -> `ours` -> watch) until a collection; the
    collector runs rarely in the daemon (`core.platform.collector`): bench.soak's RSS."""
    import gc
    import weakref

    parent = TransferStop()
    gc.disable()
    try:
        with TransferWatch("origin", TransferDeadlines(), parent) as w:
            with w.stop.paused():
                pass
            gone = weakref.ref(w), weakref.ref(w.stop)
        del w
        # the deadlines' thread lets go of it within a tick; only refcounting can free it
        wait_until(lambda: [ref() for ref in gone] == [None, None], "the watch and its stop freed")
    finally:
        gc.enable()
