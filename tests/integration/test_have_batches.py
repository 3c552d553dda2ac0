"""A fetch's "have" lines in git's windows (core/git/transfer/have_batches.py): every have
dulwich offers still sent, in its order, each window one write ending in a flush when the
request asked for multi_ack_detailed, so that the server can say `ready` as it says it to
git; over `git daemon` and ssh (the tests' sshd) the fetch brings what git's brings, also
when no flush got `ready`."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from dulwich.protocol import pkt_line

from core.git.transfer.advertisement import FLUSH
from core.git.transfer.have_batches import NAK, BatchedHavesProtocol, HaveBatches
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


def test_after_ready_done_goes_without_the_held_haves() -> None:
    """git sends `done` alone once the server said `ready`: the haves dulwich drew while
    it read that answer stay unsent."""
    writes: list[bytes] = []
    batches = HaveBatches(writes.append)
    batches(pkt_line(b"want %s multi_ack_detailed\n" % (b"1" * 40)))
    for n in range(20):
        batches(_have(n))
    batches.ready = True
    batches(DONE)
    assert writes[-1] == DONE and sum(data.count(b"have ") for data in writes) == 16


def test_the_answer_to_a_window_is_read_after_the_next_as_git_reads_it() -> None:
    """Under multi_ack_detailed nothing is read after the first window; after the second,
    the loop is told to read (and waits) until the first's answer, up to its NAK, is in;
    what has merely arrived is not read before git would read it."""
    answer = pkt_line(b"ACK %s common\n" % (b"2" * 40)) + pkt_line(NAK)
    batches = HaveBatches(lambda data: len(data))
    proto = BatchedHavesProtocol(io.BytesIO(answer).read, batches, batches=batches)
    can_read = proto.when_to_read(lambda: True)
    batches(pkt_line(b"want %s multi_ack_detailed\n" % (b"1" * 40)))
    told = []
    for n in range(32):
        batches(_have(n))
        told.append(can_read())
    assert told == [False] * 31 + [True]
    assert proto.read_pkt_line() == b"ACK %s common\n" % (b"2" * 40) and can_read()
    assert proto.read_pkt_line() == NAK and not can_read()


def test_without_multi_ack_detailed_what_arrived_is_read() -> None:
    batches = HaveBatches(lambda data: len(data))
    proto = BatchedHavesProtocol(io.BytesIO().read, batches, batches=batches)
    batches(pkt_line(b"want %s multi_ack\n" % (b"1" * 40)))
    assert proto.when_to_read(lambda: True)() and not proto.when_to_read(lambda: False)()


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


def _windows_of_git(remote: Remote, local: Path, tmp_path: Path) -> list[int]:
    """The haves `git fetch` (protocol v0, as a fetch following tags) sends from a copy of
    `local` over `remote`'s own transport: how many before each flush, then with `done`."""
    copy, trace = tmp_path / "git-windows", tmp_path / "git-windows.trace"
    subprocess.run(["cp", "-a", str(local), str(copy)], check=True, timeout=60)
    env = {**os.environ, "GIT_TRACE_PACKET": str(trace)}
    if remote.ssh_command:
        env["GIT_SSH_COMMAND"] = remote.ssh_command
    subprocess.run(
        ["git", "-c", "protocol.version=0", "fetch", "-q", "origin"],
        cwd=copy,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    windows, haves = [], 0
    for line in trace.read_text().splitlines():
        sent = line.partition(" fetch> ")[2]
        if sent.startswith("have "):
            haves += 1
        elif sent in ("0000", "done") and haves:
            windows.append(haves)
            haves = 0
    return windows


def _windows(writes: list[bytes]) -> list[int]:
    """Ours, from what was written: each write of haves is a window."""
    return [data.count(b"have ") for data in writes if b"have " in data]


@pytest.mark.parametrize("kind", STREAMS)
def test_the_server_says_ready_after_the_first_window_and_two_go_as_with_git(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, writes: list[bytes], received: bytearray
) -> None:
    """Eighty local branches on eighty commits the server has: not eighty haves, one write
    each, but git's two windows: the server says `ready` at the first flush, and that
    answer is read, as git reads it, after the second window and before a third, however
    late it comes; `done` goes alone."""
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    fast_import(bare, 81)
    local = local_clone(remote, bare, tmp_path)
    for n in range(1, 81):
        git("branch", f"topic-{n:02d}", f"main~{n}", cwd=local)
    fast_import(bare, 1, first=81, parent=rev_parse(bare, "main"))
    by_git = _windows_of_git(remote, local, tmp_path)
    _fetched_as_git_fetches(remote, local, bare, tmp_path)
    assert _windows(writes) == by_git == [16, 16]
    assert all(data.endswith(FLUSH) for data in writes if b"have " in data)
    assert DONE in writes  # alone: the haves drawn while the answer was read are not sent
    assert re.search(rb"ACK [0-9a-f]{40} ready", received)  # what git's windows earn


@pytest.mark.parametrize("kind", STREAMS)
def test_flushes_the_server_answers_without_ready_leave_the_pack_whole(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, writes: list[bytes]
) -> None:
    """Forty local commits the server lacks come first: no window earns `ready`, each
    flush's NAK is read past, and the pack after them is read as git's; the windows are
    git's."""
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    fast_import(bare, 20)
    local = local_clone(remote, bare, tmp_path)
    for n in range(40):
        git("checkout", "-q", "-b", f"mine-{n:02d}", "main", cwd=local)
        commit_file(local, f"mine-{n}.txt", f"{n}\n")
    git("checkout", "-q", "main", cwd=local)
    fast_import(bare, 1, first=20, parent=rev_parse(bare, "main"))
    by_git = _windows_of_git(remote, local, tmp_path)
    _fetched_as_git_fetches(remote, local, bare, tmp_path)
    assert _windows(writes) == by_git  # [16, 16, 28]: the walk ends before a fourth
    flushes = sum(data.count(FLUSH) for data in writes if b"have " in data)
    assert flushes >= 2
