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
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


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
        raise RuntimeError("the event loop stopped before the coroutine finished")
    return future.result()


async def cancel_other_tasks() -> None:
    """Cancel every task on the running loop but the caller, and wait until they have ended."""
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
