"""The GUI test base itself: the qasync loop drives the real engine."""

from __future__ import annotations

from tests.gui.conftest import Run, Running


def test_the_background_engine_runs_on_the_qasync_loop(run: Run, running: Running) -> None:
    async def check() -> None:
        assert running.api.started.is_set()
        scheduler = running.daemon.scheduler
        assert scheduler is not None and not scheduler.paused
        await running.api.pause()
        assert scheduler.paused
        await running.api.resume()
        assert not scheduler.paused
        assert await running.api.repos() == []

    run(check())


def test_qt_calls_keep_the_reference_counts_of_none_and_true(qapp: object) -> None:
    """PySide6 6.12's abi3 wheels on Python 3.11 drop a reference to None on every void call
    and to True on every emit, and the interpreter aborts after a few thousand (we pinned
    6.11.2 for that); this keeps an upgrade from bringing it back."""
    import sys

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QLabel

    class Emitter(QObject):
        fired = Signal(int)

    label, emitter = QLabel(), Emitter()
    emitter.fired.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(200):
        label.setText(str(i))
        emitter.fired.emit(i)
    assert sys.getrefcount(None) - none_before > -50
    assert sys.getrefcount(True) - true_before > -50
