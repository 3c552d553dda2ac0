"""A dialog that asks the user something for the core: shown without a nested event loop,
its answer awaited on the qasync loop (the core's question waits in another thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog

T = TypeVar("T")


async def answer_of(dialog: QDialog, answer: Callable[[], T], forget: Callable[[], None]) -> T:
    """Open `dialog`, wait until it is closed, and return `answer()`; `forget` then clears
    what was typed (a secret) and the dialog goes. A cancelled wait (the app quitting)
    forgets and removes it too."""
    answered: asyncio.Future[T] = asyncio.get_running_loop().create_future()

    def finished(_code: int) -> None:
        if not answered.done():
            answered.set_result(answer())

    dialog.finished.connect(finished)
    dialog.open()
    dialog.raise_()
    dialog.activateWindow()
    try:
        return await answered
    finally:
        forget()
        dialog.deleteLater()
