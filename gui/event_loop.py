"""Running a coroutine to its end on the qasync loop, every step of every task on the running loop.

qasync's `QEventLoop.run_until_complete` stops the loop and then has Qt process
its pending events once more, after the running loop was unset. The asyncio
callbacks among them (a task's next step, a thread's result handed back) then
run with no running loop: a task that makes a task or asks for the loop there
(SQLAlchemy closing a session, a repository's worker starting a job, a store
write going to its thread) dies half-way with "no running event loop". In the
tests, whose `run` starts and stops the loop many times, that lost a worker's
job (the daemon's stop then waited out the last sync's bound) and the handler
that shows a pause (the window never said it); in the app, it met whatever
was still pending at exit.

`run_until_complete` here stops the loop the same way and leaves those
callbacks queued: they run, on the loop, the next time it runs. At exit the app
first ends what is still pending (`cancel_other_tasks`: a click's slot still
reading the store, say) while the loop runs and before the store closes, rather
than leave it to be destroyed pending with the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("gitferry.gui")
# seconds a desktop whose event loop ended has to quit: Quit's bound for the user's actions
# (`ACTIONS_AT_QUIT`, 10 s) and the engine's stop with its last sync, with room
LOOP_ENDED_BOUND = 60.0


def run_until_complete(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T]) -> T:
    """`awaitable`'s result, the loop running until it is done (not one step longer)."""
    future = asyncio.ensure_future(awaitable, loop=loop)

    def stop(_future: asyncio.Future[Any]) -> None:
        loop.stop()

    future.add_done_callback(stop)
    try:
        loop.run_forever()
    finally:
        future.remove_done_callback(stop)
    if not future.done():
        raise LoopEnded("the event loop stopped before the coroutine finished")
    return future.result()


class LoopEnded(RuntimeError):
    """Qt ended the event loop before the coroutine finished."""


def quit_after_loop_ended(
    loop: asyncio.AbstractEventLoop, desktop: asyncio.Future[int], quit_hook: list[Callable[[], object]]
) -> int:
    """The desktop's end when Qt ended its event loop under it: the window system went away
    (the X connection broke: a logout that ends X first, a crash), and Qt's xcb plugin ends
    every event loop it runs from then on, each at its first step. Without this the process
    waited for good on the engine's threads, holding the app's and the engine's locks, and
    no last sync ran. Here the desktop quits as Quit does (`quit_hook`: the user's actions
    and the engine's last sync each bounded), the loop run again step after step, within
    `LOOP_ENDED_BOUND`; past it the process ends as a kill would end it (what the engine
    writes survives a kill: a sync interrupted at any point is taken up at the next start),
    so a `gitferry daemon` or a new app can take the locks over."""
    log.warning("the event loop ended under the desktop (did the window system go away?): quitting")
    for quit in quit_hook:
        loop.call_soon(quit)
    deadline = time.monotonic() + LOOP_ENDED_BOUND
    while not desktop.done() and time.monotonic() < deadline:
        with contextlib.suppress(LoopEnded):
            run_until_complete(loop, desktop)
    if not desktop.done():
        log.error("the desktop did not end %.0f s after its event loop: ending the process", LOOP_ENDED_BOUND)
        logging.shutdown()
        os._exit(1)
    return 1 if desktop.cancelled() or desktop.exception() is not None else desktop.result()


async def cancel_other_tasks() -> None:
    """Cancel every task on the running loop but the caller, and wait until they have ended."""
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
