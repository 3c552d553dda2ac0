"""A fetch's "have" lines written in git's windows, each ending in a flush, over a stream
(git://: `timed_clients.py`; ssh: `timed_ssh.py`).

dulwich writes every `have` packet of a negotiation as a write of its own (a TCP
segment that wakes the server) and never a flush between them, so the server, which
says `ready` only at a flush, never does: `bench.real_fetch` offered all 1,818 local
tips, one `sendall` and one acknowledgement each, where git's `fetch-pack` sends 16
and a flush, and the server answers `ready`. Here the haves are held and written as
git's `fetch-pack` writes them on a stream (16, 32, 64, then 32 more at a time,
cumulatively: its `next_flush`), each window one write; when the request asked for
`multi_ack_detailed` (protocol v0: the capabilities ride on its first `want`) each
window ends in a flush, and the server answers it as it answers git's: `ACK <id>
ready` once what it has seen is enough, then `NAK`. dulwich's loop stops offering at
`ready` and sends `done`; the `NAK` each flush earns is dropped before dulwich's
tail reads the final acknowledgement (which a `NAK` would end early, reading the
rest as the pack). Any packet other than a have sends what is held first, in the
same write, but for `done` after `ready`, which goes alone as git's does (the haves
dulwich drew while it read the answer were never git's to send).

The answers are read when git's `find_common` reads them: it keeps one window ahead,
so it reads nothing after the first window and, after each later one, blocks until
the answer to the window before it (its acknowledgements, then its `NAK`) has come.
dulwich's loop asks `can_read()` after each have and reads one packet when told yes:
under `multi_ack_detailed` the answer is yes exactly while such an answer is owed
(`BatchedHavesProtocol.when_to_read`), so its read waits for it as git's does, and the
windows sent before `ready` is read are git's, however late the answer arrives.
Each packet read lets dulwich draw one more have, held until its window is full; a
read never waits for an answer to a window not yet written.

Protocol v2 (a fetch that does not follow tags) keeps dulwich's one request of all
the haves and `done`: only their writes are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from dulwich.protocol import Protocol

from core.git.transfer.advertisement import FLUSH

Connected = tuple[Protocol, Callable[[], bool], IO[bytes] | None]  # what a client's `_connect` returns
FIRST_WINDOW = 16  # git's INITIAL_FLUSH
STEADY_WINDOW = 32  # git's PIPESAFE_FLUSH
DONE = b"0009done\n"
NAK = b"NAK\n"
READY = b" ready\n"


class HaveBatches:
    """`write` (a transport's), with have packets held and sent in git's windows."""

    def __init__(self, write: Callable[[bytes], Any]) -> None:
        self._write = write
        self._held: list[bytes] = []
        self._haves = 0
        self._next_flush = FIRST_WINDOW
        self.flushing = False  # the request asked for multi_ack_detailed
        self.flushes = 0  # flushes written between haves, each answered by a NAK
        self.ready = False  # the server said `ready`
        self.done = False

    def __call__(self, data: bytes) -> int:
        if data[4:9] == b"have ":
            self._held.append(data)
            self._haves += 1
            if self._haves >= self._next_flush:
                self._next_flush = _next_flush(self._next_flush)
                if self.flushing:
                    self._held.append(FLUSH)
                    self.flushes += 1
                self._send(b"")
            return len(data)
        if data[4:9] == b"want " and b" multi_ack_detailed" in data:
            self.flushing = True
        elif data == DONE:
            self.done = True
            if self.ready:
                self._held.clear()
        self._send(data)
        return len(data)

    def _send(self, data: bytes) -> None:
        if self._held:
            self._held.append(data)
            data = b"".join(self._held)
            self._held.clear()
        if data:
            self._write(data)


class BatchedHavesProtocol(Protocol):
    """dulwich's `Protocol` writing through `batches` (`write` is it, or wraps it): once
    `done` is written, the `NAK`s its flushes earned that dulwich has not read are dropped;
    `when_to_read` gives what dulwich's loop over the haves should ask."""

    def __init__(
        self,
        read: Callable[[int], bytes],
        write: Callable[[bytes], Any],
        *,
        batches: HaveBatches,
        **kwargs: Any,
    ) -> None:
        super().__init__(read, write, **kwargs)
        self._batches = batches
        self._naks = 0  # NAKs read so far, each a flush's

    def when_to_read(self, arrived: Callable[[], bool]) -> Callable[[], bool]:
        """Under `multi_ack_detailed`, whether the answer to a window before the last is
        still to be read (git's `find_common` reads it then, blocking); otherwise whether
        something has `arrived`."""
        batches = self._batches

        def can_read() -> bool:
            if batches.flushing:
                return self._naks < batches.flushes - 1
            return arrived()

        return can_read

    def read_pkt_line(self) -> bytes | None:
        pkt = super().read_pkt_line()
        if pkt is not None and pkt.startswith(b"ACK ") and pkt.endswith(READY):
            self._batches.ready = True
        while pkt == NAK and self._naks < self._batches.flushes:
            self._naks += 1
            if not self._batches.done:
                return pkt  # dulwich's loop over the haves passes a NAK by
            pkt = super().read_pkt_line()
        return pkt


def batched_haves(
    proto: Protocol, arrived: Callable[[], bool]
) -> tuple[BatchedHavesProtocol, Callable[[], bool]]:
    """`proto`'s transport (a stream's: git://, ssh) writing a fetch's haves in git's windows
    (closing it closes `proto`), and the `can_read` for dulwich's loop; `arrived`: the
    transport's own (whether a byte is there to read)."""
    batches = HaveBatches(proto.write)
    batched = BatchedHavesProtocol(
        proto.read,
        batches,
        batches=batches,
        close=proto.close,
        report_activity=proto.report_activity,
        shutdown_write=proto.shutdown_write,
    )
    return batched, batched.when_to_read(arrived)


def _next_flush(count: int) -> int:
    """fetch-pack.c's `next_flush` for a stateful connection."""
    return count * 2 if count < STEADY_WINDOW else count + STEADY_WINDOW
