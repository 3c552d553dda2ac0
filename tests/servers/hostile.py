"""A `git://` server that sends what no git server would: any refs, any pack.

It speaks upload-pack as `git daemon` does with protocol v0 (a client asking
for v2 is answered in v0, as an old server would): it advertises the refs it
is given, byte for byte (a name like `refs/heads/a..b` included), reads the
client's wants and haves up to `done`, answers `NAK` and sends one prepared
pack file over side-band-64k, whatever was asked for. The pack is read from
disk in pieces, so a pack of any size costs the test run no memory.

`stall` makes it a server that never finishes, each way staying under any
read timeout: `TRICKLE_PACK` sends the pack one byte every 0.9 s;
`CHATTER_LINES` sends progress lines ("Counting objects: ...\n") forever and
no pack; `CHATTER_ENDLESS` sends one progress line that never ends (64 KiB of
text every 10 ms, no `\r` or `\n`); `ENDLESS_REFS` lists one more ref every
0.9 s and never ends the list. `KEEPALIVE` is no stall but a slow server as `git daemon`
is while `pack-objects` compresses large files: empty side-band 1 packets (upload-pack's
keep-alive, `uploadpack.keepAlive`) every `KEEPALIVE_PAUSE` for `keepalive_for` seconds,
then the pack. A push (`git-receive-pack`) is answered with
the refs and then never read from nor answered: the pack waits in the
socket's buffers until they are full; with `PUSH_CHATTER` the push is answered, unread,
with progress lines on side band 2 every 0.9 s and never a verdict (the client waits
in its verdict phase, its socket never idle).
"""

from __future__ import annotations

import socket
import time
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from tests.servers.faults import _Acceptor, _close
from tests.servers.host import LOOPBACK

_BAND_DATA = 65515  # payload of one side-band-64k pkt-line, after its length and band byte
CAPABILITIES = b"side-band-64k ofs-delta thin-pack agent=gitferry-tests-hostile/1"


TRICKLE_PAUSE = 0.9  # seconds between the bytes of a stalling server: under a 1 s read timeout


class Stall(StrEnum):
    TRICKLE_PACK = "trickle the pack"
    CHATTER_LINES = "progress lines, no pack"
    CHATTER_ENDLESS = "one endless progress line"
    ENDLESS_REFS = "a ref list that never ends"
    PUSH_CHATTER = "a push answered with progress lines, never a verdict"
    KEEPALIVE = "keep-alive packets while it prepares, then the pack"


KEEPALIVE_PAUSE = 0.5  # seconds between upload-pack's keep-alive packets (git's default: 5)


def pkt_line(payload: bytes) -> bytes:
    return b"%04x" % (len(payload) + 4) + payload


class HostileServer:
    """`serve(refs, pack)` sets what every connection gets; `url()` is a `git://` URL to it."""

    def __init__(self) -> None:
        self.refs: dict[bytes, str] = {}
        self.head: bytes | None = None
        self.pack: Path | None = None
        self.fetches = 0  # connections that asked for a pack
        self.pushes = 0  # connections that asked to push
        self.stall: Stall | None = None
        self.keepalive_for = 0.0  # seconds of keep-alive packets before the pack (`KEEPALIVE`)
        self._acceptor = _Acceptor(self._on_accept)
        self.port = self._acceptor.port

    def serve(
        self, refs: dict[bytes, str], pack: Path | None, head: bytes | None = b"refs/heads/main"
    ) -> None:
        self.refs, self.pack, self.head = refs, pack, head

    def url(self, name: str = "hostile.git") -> str:
        return f"git://{LOOPBACK}:{self.port}/{name}"

    def stop(self) -> None:
        self._acceptor.stop()

    def _on_accept(self, conn: socket.socket) -> None:
        self._acceptor.spawn(self._session, conn)

    def _session(self, conn: socket.socket) -> None:
        try:
            reader = conn.makefile("rb")
            request = _read_pkt(reader)
            if request is None:
                return
            if request.startswith(b"git-receive-pack "):
                self._silent_receive(conn)
                return
            if self.stall is Stall.ENDLESS_REFS:
                self._endless_refs(conn)
                return
            conn.sendall(self._advertisement())
            if _read_pkt(reader) is None:
                return  # the client only wanted the refs
            while (line := _read_pkt(reader, flush=b"")) != b"done\n":
                if line is None:
                    return
            self.fetches += 1
            conn.sendall(pkt_line(b"NAK\n"))
            if self.stall in (Stall.CHATTER_LINES, Stall.CHATTER_ENDLESS):
                self._chatter(conn)
                return
            self._send_pack(conn)
        except OSError:
            pass
        finally:
            _close(conn)

    def _advertisement(self) -> bytes:
        refs = list(self.refs.items())
        head = self.refs.get(self.head) if self.head is not None else None
        if head is not None:
            refs.insert(0, (b"HEAD", head))
        caps = CAPABILITIES + (b" symref=HEAD:" + self.head if head is not None and self.head else b"")
        lines = [
            pkt_line(b"%s %s%s\n" % (sha.encode(), name, b"\0" + caps if i == 0 else b""))
            for i, (name, sha) in enumerate(refs)
        ]
        return b"".join(lines) + b"0000"

    def _send_pack(self, conn: socket.socket) -> None:
        if self.stall is Stall.KEEPALIVE:
            end = time.monotonic() + self.keepalive_for
            while time.monotonic() < end:
                conn.sendall(pkt_line(b"\x01"))  # upload-pack's keep-alive: band 1, no data
                if self._paused(KEEPALIVE_PAUSE):
                    return
        if self.pack is not None:
            with self.pack.open("rb") as pack:
                while data := pack.read(1 if self.stall is Stall.TRICKLE_PACK else _BAND_DATA):
                    conn.sendall(pkt_line(b"\x01" + data))
                    if self.stall is Stall.TRICKLE_PACK and self._paused():
                        return
        conn.sendall(b"0000")

    def _paused(self, seconds: float = TRICKLE_PAUSE) -> bool:
        """Wait `seconds`; True once the server is stopping."""
        return self._acceptor.stopping.wait(seconds)

    def _chatter(self, conn: socket.socket) -> None:
        count = 0
        while not self._acceptor.stopping.is_set():
            count += 1
            if self.stall is Stall.CHATTER_LINES:
                text = b"Counting objects: %d\r" % count + b"Compressing objects: 0%% (0/%d)\n" % count
                conn.sendall(pkt_line(b"\x02" + text))
                time.sleep(0.01)
            else:
                text = (b"Counting objects: 1" if count == 1 else b"") + b"9" * (_BAND_DATA - 20)
                conn.sendall(pkt_line(b"\x02" + text))
                time.sleep(0.01)

    def _silent_receive(self, conn: socket.socket) -> None:
        """A push's refs listed, then no read and no verdict until the end (`PUSH_CHATTER`:
        progress lines meanwhile)."""
        chatter = self.stall is Stall.PUSH_CHATTER
        caps = b"report-status delete-refs ofs-delta agent=gitferry-tests-hostile/1"
        caps += b" side-band-64k" if chatter else b""
        lines = [
            pkt_line(b"%s %s%s\n" % (sha.encode(), name, b"\0" + caps if i == 0 else b""))
            for i, (name, sha) in enumerate(self.refs.items())
        ]
        conn.sendall(b"".join(lines) + b"0000")
        self.pushes += 1
        if not chatter:
            self._acceptor.stopping.wait()
            return
        count = 0
        while not self._paused():
            count += 1
            conn.sendall(pkt_line(b"\x02Checking connectivity: %d\r" % count))

    def _endless_refs(self, conn: socket.socket) -> None:
        sha = next(iter(self.refs.values()), "1" * 40).encode()
        conn.sendall(pkt_line(b"%s refs/heads/main\0%s\n" % (sha, CAPABILITIES)))
        count = 0
        while not self._paused():
            count += 1
            conn.sendall(pkt_line(b"%s refs/tags/t%d\n" % (sha, count)))


def _read_pkt(reader: BinaryIO, flush: bytes | None = None) -> bytes | None:
    """The next pkt-line's payload; `flush` for a flush-pkt; None at the end of the stream."""
    head = reader.read(4)
    if len(head) < 4:
        return None
    length = int(head, 16)
    if length == 0:
        return flush
    return reader.read(length - 4)
