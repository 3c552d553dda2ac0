"""Stopping a tree watch while files change logs no error (watchdog's real inotify
observer on a real directory)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from core.platform.tree_watch import TreeWatch


@pytest.mark.slow
def test_a_watch_stopped_while_files_change_logs_no_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """watchdog's emitter, stopped mid-read, logs "queue_events() called when the thread
    is inactive" at ERROR (seen in a daemon's log at every SIGTERM): nothing is lost
    there, so no error reaches the user's log; other watchdog errors still do."""
    caplog.set_level(logging.INFO, logger="watchdog")
    for round_ in range(100):
        tree = tmp_path / f"tree{round_}"
        tree.mkdir()
        seen = threading.Event()
        watch = TreeWatch()
        watch.watch(str(tree), lambda _paths, seen=seen: seen.set())
        done = threading.Event()

        def churn(tree: Path = tree, done: threading.Event = done) -> None:
            n = 0
            while not done.is_set():
                (tree / f"f{n % 5}").write_text(str(n))
                n += 1

        writer = threading.Thread(target=churn)
        writer.start()
        try:
            assert seen.wait(10), "the watch saw the writes"
            if round_ % 2:
                watch.unwatch(str(tree))
            watch.stop()
        finally:
            done.set()
            writer.join()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    logging.getLogger("watchdog.observers.inotify").error("another failure")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == ["another failure"]
