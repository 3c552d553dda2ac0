"""The GUI test base itself: the qasync loop drives the real engine."""

from __future__ import annotations

from tests.gui.conftest import Run, Running


def test_the_background_engine_runs_on_the_qasync_loop(run: Run, running: Running) -> None:
    async def check() -> None:
        assert running.daemon.started.is_set()
        assert not running.daemon.paused
        running.daemon.pause()
        assert running.daemon.paused
        running.daemon.resume()
        assert await running.core.store.repos() == []

    run(check())
