"""A fetch's "have" lines go to the stream in growing batches (core/git/transfer/have_batches.py):
every have still sent, in dulwich's order, each other packet sending what is held first; over
`git daemon` the fetch brings what git's brings."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from core.git.transfer.have_batches import HaveBatches
from tests.gitcli import fsck, git, rev_parse
from tests.integration.test_fetch import fast_import, fetch, local_clone, loose_objects
from tests.servers import Remote


def _have(n: int) -> bytes:
    return b"0032have %040d\n" % n


def test_haves_are_held_in_growing_batches_and_sent_before_any_other_packet() -> None:
    writes: list[bytes] = []
    batches = HaveBatches(writes.append, largest=4)
    assert batches(b"0009done\n") == 9
    haves = [_have(n) for n in range(12)]
    for have in haves:
        assert batches(have) == len(have)
    batched = [haves[0], b"".join(haves[1:3]), b"".join(haves[3:7]), b"".join(haves[7:11])]
    assert writes == [b"0009done\n", *batched]
    batches(b"0009done\n")
    batches(b"0000")
    assert writes[5:] == [haves[11] + b"0009done\n", b"0000"]


def test_a_fetch_over_git_daemon_sends_its_haves_in_few_writes(
    git_daemon: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eighty local branches on eighty commits are eighty haves: a dozen writes, not eighty."""
    bare = git_daemon.create("origin")
    fast_import(bare, 81)
    local = local_clone(git_daemon, bare, tmp_path)
    for n in range(1, 81):
        git("branch", f"topic-{n:02d}", f"main~{n}", cwd=local)
    referee = tmp_path / "referee"
    subprocess.run(["cp", "-a", str(local), str(referee)], check=True, timeout=60)
    fast_import(bare, 1, first=81, parent=rev_parse(bare, "main"))
    new = rev_parse(bare, "main")
    before = loose_objects(referee)
    git("fetch", "-q", str(bare), "+refs/heads/*:refs/remotes/origin/*", cwd=referee)
    by_git = loose_objects(referee) - before
    writes: list[bytes] = []
    sendall = socket.socket.sendall

    def seen(sock: socket.socket, data: bytes, *args: int) -> None:
        writes.append(bytes(data))
        sendall(sock, data, *args)

    monkeypatch.setattr(socket.socket, "sendall", seen)
    result = fetch(local, git_daemon)
    monkeypatch.undo()
    with_haves = [data for data in writes if b"have " in data]
    haves = sum(data.count(b"have ") for data in with_haves)
    assert haves >= 80  # every tip (and what is under them), newest first
    assert len(with_haves) <= haves // 4
    assert rev_parse(local, "refs/remotes/origin/main") == new
    assert result.objects_received == by_git == 3  # a commit, its tree, a blob
    fsck(local)
