"""Waiting in GUI tests without blocking the qasync loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)


async def next_emit(
    signal: SignalInstance, predicate: Callable[..., bool] = lambda *_: True
) -> tuple[Any, ...]:
    """The arguments of `signal`'s next emission that satisfies `predicate`."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def seen(*args: Any) -> None:
        if not future.done() and predicate(*args):
            future.set_result(args)

    signal.connect(seen)
    try:
        return await future
    finally:
        with contextlib.suppress(RuntimeError):  # the sender may be gone (a dialog deleted once closed)
            signal.disconnect(seen)


async def until(check: Callable[[], bool], step: float = 0.02) -> None:
    """Wait, driving the loop, until `check()` holds (bound it with the caller's `run` timeout)."""
    while not check():  # noqa: ASYNC110 (a plain predicate over widgets: nothing to wait on)
        await asyncio.sleep(step)


def shown_window(kind: type[W]) -> W | None:
    """The window of `kind` on screen (a dialog the app opened), or None."""
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[0] if found else None
