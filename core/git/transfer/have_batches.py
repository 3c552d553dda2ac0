"""A fetch's "have" lines written to the stream in growing batches, not one write each.

dulwich writes every `have` packet of a negotiation as a write of its own (a TCP
segment, or a pipe write that ssh encrypts and sends), and the server wakes up for
each: `bench.real_fetch` offers 1,818 haves, one `sendall` each. Here a have packet
is held and sent with the ones after it, in batches of 1, 2, 4, ... up to 64 (git's
`fetch-pack` likewise sends its haves in growing windows); any other packet (the
`done` that ends the haves, a flush, a want) sends what is held first, in the same
write. The haves, their order and every read are dulwich's as before: dulwich reads
an acknowledgement only when one is already there, so holding a have back never
makes a read wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LARGEST = 64


class HaveBatches:
    """`write` (a transport's), with have packets held and sent in batches."""

    def __init__(self, write: Callable[[bytes], Any], largest: int = LARGEST) -> None:
        self._write = write
        self._largest = largest
        self._window = 1
        self._held: list[bytes] = []

    def __call__(self, data: bytes) -> int:
        if data[4:9] == b"have ":
            self._held.append(data)
            if len(self._held) >= self._window:
                self._window = min(self._window * 2, self._largest)
                self._send(b"")
            return len(data)
        self._send(data)
        return len(data)

    def _send(self, data: bytes) -> None:
        if self._held:
            self._held.append(data)
            data = b"".join(self._held)
            self._held.clear()
        if data:
            self._write(data)
