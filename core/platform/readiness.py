"""Wait, with a timeout, until a socket or a pipe has data to read.

`poll`, not `select.select`: select fails on descriptor numbers of 1024 and
above (FD_SETSIZE), which a long-lived engine with many open packs reaches. poll
needs no descriptor of its own (epoll would open one per wait). `select.poll`
itself, not through `selectors.PollSelector`: a negotiation asks once a have
(1,818 times in `bench.real_fetch`), and the selector's object, key and mapping
took 7.3 us a call against 2.2.

Windows port: there is no poll, and `select` (what `DefaultSelector` falls back
to) takes sockets only, so the socket case works but an ssh child's stdout pipe
does not; a port reads the pipe on a thread with a deadline, or peeks at it
with `PeekNamedPipe`.
"""

from __future__ import annotations

import math
import select
import selectors


def readable(fd: int, timeout: float) -> bool:
    """Whether `fd` has data (or end of file) within `timeout` seconds; 0 asks without waiting."""
    if not hasattr(select, "poll"):
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            return bool(selector.select(timeout))
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    # any event counts, as for the selector: a hang-up or an error is read as end of file
    return bool(poll.poll(math.ceil(timeout * 1000) if timeout > 0 else 0))
