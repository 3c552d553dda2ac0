"""Wait, with a timeout, until a socket or a pipe has data to read.

`poll` (through `selectors.PollSelector`), not `select.select`: select fails on
descriptor numbers of 1024 and above (FD_SETSIZE), which a long-lived engine
with many open packs reaches. poll needs no descriptor of its own (epoll would
open one per wait).

Windows port: there is no poll, and `select` (what `DefaultSelector` falls back
to) takes sockets only, so the socket case works but an ssh child's stdout pipe
does not; a port reads the pipe on a thread with a deadline, or peeks at it
with `PeekNamedPipe`.
"""

from __future__ import annotations

import selectors

_Selector: type[selectors.BaseSelector] = getattr(selectors, "PollSelector", selectors.DefaultSelector)


def readable(fd: int, timeout: float) -> bool:
    """Whether `fd` has data (or end of file) within `timeout` seconds; 0 asks without waiting."""
    with _Selector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        return bool(selector.select(timeout))
