"""A fetch's "have" lines in git's windows (core/git/transfer/have_batches.py): every have
dulwich offers still sent, in its order, each window one write ending in a flush when the
request asked for multi_ack_detailed, so that the server can say `ready` as it says it to
git; over `git daemon` and ssh (the tests' sshd) the fetch brings what git's brings, also
when no flush got `ready`."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from dulwich.protocol import pkt_line

from core.git.transfer.advertisement import FLUSH
from core.git.transfer.have_batches import HaveBatches
from core.git.transfer.timed_ssh import _TimedSubprocess
from tests.gitcli import commit_file, fsck, git, rev_parse
from tests.integration.test_fetch import fast_import, fetched_as_git_fetches, local_clone
from tests.servers import Remote

DONE = pkt_line(b"done\n")


def _have(n: int) -> bytes:
    return pkt_line(b"have %040d\n" % n)


def _written(first_want: bytes, haves: int) -> tuple[list[bytes], HaveBatches]:
    writes: list[bytes] = []
    batches = HaveBatches(writes.append)
    batches(pkt_line(first_want))
    for n in range(haves):
        assert batches(_have(n)) == len(_have(n))
    batches(DONE)
    return writes, batches


def test_haves_go_in_gits_windows_each_ending_in_a_flush_under_multi_ack_detailed() -> None:
    want = b"want %s multi_ack_detailed side-band-64k\n" % (b"1" * 40)
    writes, batches = _written(want, 70)
    haves = [_have(n) for n in range(70)]
    assert writes == [
        pkt_line(want),
        b"".join(haves[:16]) + FLUSH,
        b"".join(haves[16:32]) + FLUSH,
        b"".join(haves[32:64]) + FLUSH,
        b"".join(haves[64:]) + DONE,
    ]
    assert batches.flushes == 3 and batches.done


def test_without_multi_ack_detailed_the_windows_carry_no_flush() -> None:
    """Protocol v2's request (no capabilities on its wants) is all the haves, then `done`."""
    writes, batches = _written(b"want %s\n" % (b"1" * 40), 20)
    haves = [_have(n) for n in range(20)]
    assert writes[1:] == [b"".join(haves[:16]), b"".join(haves[16:]) + DONE]
    assert batches.flushes == 0


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What this test writes to every socket and every ssh process."""
    seen: list[bytes] = []
    sendall = socket.socket.sendall
    to_ssh = _TimedSubprocess.write

    def spy(sock: socket.socket, data: bytes, *args: int) -> None:
        seen.append(bytes(data))
        sendall(sock, data, *args)

    def ssh_spy(ssh: _TimedSubprocess, data: bytes) -> int | None:
        seen.append(bytes(data))
        return to_ssh(ssh, data)

    monkeypatch.setattr(socket.socket, "sendall", spy)
    monkeypatch.setattr(_TimedSubprocess, "write", ssh_spy)
    return seen


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> bytearray:
    """What this test receives from every socket and every ssh process."""
    seen = bytearray()
    recv_into = socket.socket.recv_into
    from_ssh = _TimedSubprocess.read

    def spy(sock: socket.socket, buffer: bytearray, *args: int) -> int:
        count = recv_into(sock, buffer, *args)
        seen.extend(memoryview(buffer)[:count])
        return count

    def ssh_spy(ssh: _TimedSubprocess, size: int | None = -1) -> bytes:
        data = from_ssh(ssh, size)
        seen.extend(data)
        return data

    monkeypatch.setattr(socket.socket, "recv_into", spy)
    monkeypatch.setattr(_TimedSubprocess, "read", ssh_spy)
    return seen


STREAMS = ["git_daemon", pytest.param("sshd_server", marks=pytest.mark.sshd)]


def _fetched_as_git_fetches(remote: Remote, local: Path, bare: Path, tmp_path: Path) -> None:
    fetched_as_git_fetches(remote, local, bare, tmp_path)
    fsck(local)


@pytest.mark.parametrize("kind", STREAMS)
def test_the_server_says_ready_after_the_first_window(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, writes: list[bytes], received: bytearray
) -> None:
    """Eighty local branches on eighty commits the server has: not eighty haves, one write
    each, but a window or a few, since the server says `ready` at the first flush. How
    many windows go before that answer is read depends on when it arrives (dulwich reads
    only what is there; git waits for it after its second window): a loaded machine
    sends more of them, so their count is not what this checks."""
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    fast_import(bare, 81)
    local = local_clone(remote, bare, tmp_path)
    for n in range(1, 81):
        git("branch", f"topic-{n:02d}", f"main~{n}", cwd=local)
    fast_import(bare, 1, first=81, parent=rev_parse(bare, "main"))
    _fetched_as_git_fetches(remote, local, bare, tmp_path)
    with_haves = [data for data in writes if b"have " in data]
    haves = sum(data.count(b"have ") for data in with_haves)
    assert with_haves[0].count(b"have ") == 16 and with_haves[0].endswith(FLUSH)
    assert re.search(rb"ACK [0-9a-f]{40} ready", received)  # what git's windows earn
    assert 16 <= haves <= 80 and len(with_haves) < haves / 4
    assert all(data.endswith(FLUSH) or data.endswith(DONE) for data in with_haves)


@pytest.mark.parametrize("kind", STREAMS)
def test_flushes_the_server_answers_without_ready_leave_the_pack_whole(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, writes: list[bytes]
) -> None:
    """Forty local commits the server lacks come first: no window earns `ready`, each
    flush's NAK is read past, and the pack after them is read as git's."""
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    fast_import(bare, 20)
    local = local_clone(remote, bare, tmp_path)
    for n in range(40):
        git("checkout", "-q", "-b", f"mine-{n:02d}", "main", cwd=local)
        commit_file(local, f"mine-{n}.txt", f"{n}\n")
    git("checkout", "-q", "main", cwd=local)
    fast_import(bare, 1, first=20, parent=rev_parse(bare, "main"))
    _fetched_as_git_fetches(remote, local, bare, tmp_path)
    flushes = sum(data.count(FLUSH) for data in writes if b"have " in data)
    assert flushes >= 2
