"""A file that never stops changing still syncs, never torn: a real `gitferry daemon` in
auto mode (settle 0.3 s, at most 1 s) and a `git daemon` remote; a writer rewrites the file
every 0.05 s for several `settle_max` periods. The remote receives a commit of it while the
writer is still at it, and every version ever committed is one complete version (git show
as referee), whether the writer saves atomically (write aside, rename) or in place
(overwriting the file's bytes)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.auto_machines import Machine, lone_machine, remote_head, wait_until
from tests.servers import Remote
from tests.waiting import CAP

LINES = 4096  # 64 KiB a version: more than one read of the file


def version(n: int) -> bytes:
    return b"version %09d\n" % n * LINES


def complete(data: bytes) -> bool:
    """One whole version: every line the same number, all of them."""
    lines = data.split(b"\n")
    return len(lines) == LINES + 1 and lines[-1] == b"" and len(set(lines[:-1])) == 1


@pytest.fixture
def lone(git_daemon: Remote, tmp_path: Path) -> Iterator[Machine]:
    yield from lone_machine(git_daemon, tmp_path)


def synced(m: Machine) -> bool:
    status = git("status", "--porcelain", cwd=m.tree)
    return not status and remote_head(m) == git("rev-parse", "HEAD", cwd=m.tree)


def atomic_save(path: Path, aside: Path, n: int) -> None:
    aside.write_bytes(version(n))
    os.replace(aside, path)


def in_place_save(path: Path, _aside: Path, n: int) -> None:
    """The new version written over the old one's bytes (every version has the same length),
    in one write: no moment when the file holds no version at all, as a truncate before the
    write would make (a snapshot of that moment is an empty file, which the daemon could
    commit were the writer descheduled between the two on a loaded machine)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, version(n), 0)
    finally:
        os.close(fd)


def keep_saving(m: Machine, aside: Path, save: Callable[[Path, Path, int], None]) -> int:
    """Save a new version every 0.05 s until a commit holding the file reached the remote,
    then 20 more; the last version's number."""
    wait_until(lambda: m.results() and synced(m), "the start-up sync", [m])
    start = remote_head(m)
    path = m.tree / "notes.txt"
    deadline = time.monotonic() + CAP
    n, reached_at = 0, None
    while reached_at is None or n < reached_at + 20:
        save(path, aside, n)
        time.sleep(0.05)
        if reached_at is None and n % 10 == 0 and remote_head(m) != start:
            reached_at = n  # pushed while the writer is still at it
        assert time.monotonic() < deadline, "nothing synced while the file kept changing"
        n += 1
    return n - 1


@pytest.mark.slow
@pytest.mark.parametrize("save", [atomic_save, in_place_save], ids=["rename", "in_place"])
def test_a_file_that_never_stops_changing_syncs_whole_versions(
    lone: Machine, tmp_path: Path, save: Callable[[Path, Path, int], None]
) -> None:
    m = lone
    last = keep_saving(m, tmp_path / "aside", save)
    wait_until(lambda: synced(m), "the file synced once still", [m])
    git("fetch", "-q", "origin", cwd=m.tree)
    commits = git("log", "--format=%H", "origin/main", "--", "notes.txt", cwd=m.tree).split()
    assert len(commits) >= 2  # at least one while it was changing, and its last state
    for sha in commits:
        data = git_bytes(m.tree, f"{sha}:notes.txt")
        assert complete(data), (sha, data[:40], data[-40:])
    assert git_bytes(m.tree, "origin/main:notes.txt") == version(last)


def git_bytes(repo: Path, spec: str) -> bytes:
    return subprocess.run(["git", "show", spec], cwd=repo, check=True, capture_output=True).stdout
