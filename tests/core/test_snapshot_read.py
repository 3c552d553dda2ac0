"""The verified snapshot read of a file that never stops changing (`read_snapshot`),
alone and inside auto-commit, with real files rewritten during the read."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.objects.blob_stream import FileChanged
from core.git.worktree.autocommit import auto_commit
from core.git.worktree.snapshot_read import ATTEMPTS, read_snapshot
from core.git.worktree.state import fingerprint
from tests.gitcli import fsck, git


def aged(path: Path, data: bytes) -> None:
    """Write `data` and date the file a minute back (still for long enough)."""
    path.write_bytes(data)
    old = time.time_ns() - 60 * 10**9
    os.utime(path, ns=(old, old))


def rewrite_in_place(path: Path, data: bytes) -> None:
    """The same size, same inode: only the times say it changed."""
    with path.open("r+b") as f:
        f.write(data)


def test_a_still_file_is_read_under_the_stat_taken_before(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    aged(path, b"version 1\n")
    before = os.lstat(path)
    read = read_snapshot(bytes(path), lambda st: Path(os.fsdecode(path)).read_bytes())
    assert read is not None
    st, data = read
    assert data == b"version 1\n" and fingerprint(st) == fingerprint(before)


def test_a_read_the_file_changed_under_is_refused_and_tried_again(tmp_path: Path) -> None:
    """The first two reads see the file rewritten (same size) while they read: neither
    counts; the third, undisturbed, returns what it read, under its own before-stat."""
    path = tmp_path / "notes.txt"
    aged(path, b"version 1\n")
    reads: list[bytes] = []

    def read(st: os.stat_result) -> bytes:
        data = path.read_bytes()
        reads.append(data)
        if len(reads) <= 2:
            rewrite_in_place(path, b"version %d\n" % (len(reads) + 1))
        return data

    result = read_snapshot(bytes(path), read)
    assert result is not None
    st, data = result
    assert reads == [b"version 1\n", b"version 2\n", b"version 3\n"]
    assert data == b"version 3\n" and fingerprint(st) == fingerprint(os.lstat(path))


def test_a_file_changed_under_every_read_is_given_up(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    aged(path, b"version 0\n")
    reads: list[int] = []

    def read(_st: os.stat_result) -> bytes:
        reads.append(1)
        rewrite_in_place(path, b"version %d\n" % len(reads))
        return b"torn"

    assert read_snapshot(bytes(path), read) is None
    assert len(reads) == ATTEMPTS


def test_a_stat_that_moved_between_the_two_looks_is_refused(tmp_path: Path) -> None:
    """Deterministically: the second lstat of every attempt reports a later mtime."""
    path = tmp_path / "notes.txt"
    aged(path, b"version 1\n")
    calls: list[int] = []

    def lstat(p: bytes) -> os.stat_result:
        real = os.lstat(p)
        calls.append(1)
        if len(calls) % 2 == 0:  # the look after the read: 1 ns later, all else the same
            times = {"st_atime_ns": real.st_atime_ns, "st_ctime_ns": real.st_ctime_ns}
            return os.stat_result(tuple(real), {**times, "st_mtime_ns": real.st_mtime_ns + 1})
        return real

    assert read_snapshot(bytes(path), lambda _st: b"x", lstat=lstat) is None
    assert len(calls) == 2 * ATTEMPTS


def test_a_read_that_raises_file_changed_is_tried_again(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    aged(path, b"v\n")
    raised: list[int] = []

    def read(_st: os.stat_result) -> bytes:
        if not raised:
            raised.append(1)
            raise FileChanged(bytes(path), "it grew")
        return b"v\n"

    result = read_snapshot(bytes(path), read)
    assert result is not None and result[1] == b"v\n" and raised == [1]


def test_a_file_dated_in_the_future_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"from the future\n")
    later = time.time_ns() + 3600 * 10**9
    os.utime(path, ns=(later, later))
    reads: list[int] = []
    assert read_snapshot(bytes(path), lambda _st: reads.append(1)) is None
    assert reads == []


def test_a_just_written_file_waits_until_it_has_stood_still(tmp_path: Path) -> None:
    """Its mtime is fresh: the read starts only once the state is old enough (so a
    writer's truncate-then-write is not caught between its two steps)."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"fresh\n")
    seen: list[int] = []

    def read(st: os.stat_result) -> bytes:
        seen.append(time.time_ns() - st.st_mtime_ns)
        return path.read_bytes()

    result = read_snapshot(bytes(path), read, still=0.05)
    assert result is not None and result[1] == b"fresh\n"
    assert seen[0] >= 50_000_000  # nanoseconds the state had stood when its read began


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    (path / "notes.txt").write_text("start\n")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    yield path
    fsck(path)


def test_auto_commit_takes_a_young_snapshot_file_and_leaves_other_young_ones(repo: Path) -> None:
    (repo / "notes.txt").write_text("saved a moment ago\n")
    (repo / "other.txt").write_text("also a moment ago\n")
    with Repo(str(repo)) as r:
        outcome = auto_commit(
            r, max_file_size=1 << 20, host="h", young_after=time.time() - 60, snapshot=["notes.txt"]
        )
    assert outcome.young == ["other.txt"] and outcome.paths == ["notes.txt"]
    assert git("show", "HEAD:notes.txt", cwd=repo) == "saved a moment ago"
    assert "notes.txt" not in git("status", "--porcelain", cwd=repo)  # the index entry is its stat


def test_auto_commit_leaves_a_snapshot_file_changed_under_every_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.git.worktree.autocommit as autocommit

    real = autocommit.write_blob
    n: list[int] = []

    def rewriting(r: Repo, path: bytes, st: os.stat_result, **kw: int) -> object:
        blob = real(r, path, st, **kw)
        n.append(1)
        rewrite_in_place(repo / "notes.txt", b"write %03d\n" % len(n))
        return blob

    monkeypatch.setattr(autocommit, "write_blob", rewriting)
    (repo / "notes.txt").write_text("write 000\n")
    with Repo(str(repo)) as r:
        outcome = auto_commit(r, max_file_size=1 << 20, host="h", snapshot=["notes.txt"])
    assert outcome.retry_later == ["notes.txt"] and outcome.commit is None and len(n) == ATTEMPTS
    assert git("show", "HEAD:notes.txt", cwd=repo) == "start"
