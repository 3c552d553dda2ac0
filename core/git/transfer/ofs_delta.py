"""Asking for OFS_DELTA in a protocol v2 fetch, as git does.

dulwich 1.2.21 writes a v2 fetch's arguments with `thin-pack` but never
`ofs-delta` (its v0 request has it among the capabilities), so a server sends
every delta as a REF_DELTA, naming its base by a 20-byte id where an OFS_DELTA
takes two or three bytes of offset. On `bench.real_history`'s 251,539 objects
(181,026 of them deltas) a clone's pack was 89.3 MB against git's 85.9 MB
(+3.9%), the same objects in both (`git verify-pack -v`, entry types counted).

The argument goes in on the way out: every transport writes a v2 fetch's
`thin-pack` argument as one packet of its own (TCP and ssh: one write; smart
HTTP: inside the request body, right after the delimiter), and nothing else
is ever written as exactly that packet. A fetch without thin packs is left
as dulwich writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dulwich.protocol import pkt_line

THIN_PACK = pkt_line(b"thin-pack\n")
OFS_DELTA = pkt_line(b"ofs-delta\n")
_V2_FETCH = pkt_line(b"command=fetch\n")
_ARGUMENTS = b"0001" + THIN_PACK


def with_ofs_delta(data: bytes) -> bytes:
    """One write to a TCP or ssh stream: a v2 fetch's `thin-pack` packet gets `ofs-delta` after it."""
    return data + OFS_DELTA if data == THIN_PACK else data


def asking_ofs_delta(write: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """`write`, through `with_ofs_delta`."""

    def wrapped(data: bytes) -> Any:
        return write(with_ofs_delta(data))

    return wrapped


def http_body_asking_ofs_delta(data: Any) -> Any:
    """A smart-HTTP request body, with `ofs-delta` after `thin-pack` when it is a v2 fetch."""
    if isinstance(data, bytes) and data.startswith(_V2_FETCH) and _ARGUMENTS in data:
        return data.replace(_ARGUMENTS, _ARGUMENTS + OFS_DELTA, 1)
    return data
