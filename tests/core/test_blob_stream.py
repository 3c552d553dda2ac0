"""write_blob / hash_file against the git CLI: same ids, valid loose objects, no torn reads."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.objects import blob_stream
from core.git.objects.blob_stream import FileChanged, StreamedBlob, hash_file, write_blob
from tests.gitcli import fsck, git


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    git("init", "-q", str(root))
    return root


def write(repo_dir: Path, name: str) -> StreamedBlob:
    path = repo_dir / name
    with Repo(str(repo_dir)) as repo:
        return write_blob(repo, os.fsencode(path), os.lstat(path))


def leftovers(repo_dir: Path) -> list[str]:
    return [p.name for p in (repo_dir / ".git/objects").rglob("tmp_obj_*")]


def test_regular_file_matches_git(repo_dir: Path) -> None:
    data = os.urandom(300_000) + b"tail"
    (repo_dir / "f.bin").write_bytes(data)
    blob = write(repo_dir, "f.bin")
    assert blob.sha.decode() == git("hash-object", "f.bin", cwd=repo_dir)
    assert (blob.size, blob.mode) == (len(data), 0o100644)
    out = subprocess.run(
        ["git", "cat-file", "blob", blob.sha.decode()], cwd=repo_dir, capture_output=True, check=True
    )
    assert out.stdout == data
    assert (
        oct(
            (repo_dir / ".git/objects" / blob.sha[:2].decode() / blob.sha[2:].decode()).stat().st_mode & 0o777
        )
        == "0o444"
    )
    assert leftovers(repo_dir) == []
    fsck(repo_dir)


def test_empty_executable_and_symlink(repo_dir: Path) -> None:
    (repo_dir / "empty").write_bytes(b"")
    (repo_dir / "run.sh").write_text("#!/bin/sh\n")
    (repo_dir / "run.sh").chmod(0o755)
    (repo_dir / "link").symlink_to("some/where")
    empty, run, link = (write(repo_dir, n) for n in ("empty", "run.sh", "link"))
    assert empty.sha.decode() == git("hash-object", "empty", cwd=repo_dir) and empty.mode == 0o100644
    assert run.mode == 0o100755
    assert link.mode == 0o120000 and link.size == len("some/where")
    assert git("cat-file", "-p", link.sha.decode(), cwd=repo_dir) == "some/where"
    git("add", "-A", cwd=repo_dir)
    staged = git("ls-files", "-s", cwd=repo_dir).splitlines()
    assert sorted(staged) == sorted(
        f"{oct(b.mode)[2:]} {b.sha.decode()} 0\t{n}"
        for b, n in ((empty, "empty"), (run, "run.sh"), (link, "link"))
    )
    fsck(repo_dir)


def test_existing_object_is_not_rewritten(repo_dir: Path) -> None:
    (repo_dir / "a").write_text("same\n")
    first = write(repo_dir, "a")
    obj = repo_dir / ".git/objects" / first.sha[:2].decode() / first.sha[2:].decode()
    before = obj.stat()
    (repo_dir / "b").write_text("same\n")
    assert write(repo_dir, "b") == first
    assert obj.stat().st_ino == before.st_ino and obj.stat().st_mtime_ns == before.st_mtime_ns
    assert leftovers(repo_dir) == []


def test_packed_object_gets_no_loose_copy(repo_dir: Path) -> None:
    (repo_dir / "a").write_text("packed\n")
    git("add", "a", cwd=repo_dir)
    git("commit", "-q", "-m", "a", cwd=repo_dir)
    git("gc", "-q", "--prune=now", cwd=repo_dir)
    sha = write(repo_dir, "a").sha.decode()
    assert not (repo_dir / ".git/objects" / sha[:2] / sha[2:]).exists()
    assert leftovers(repo_dir) == []


def test_stale_stat_raises_file_changed(repo_dir: Path) -> None:
    path = repo_dir / "grows.log"
    path.write_text("one\n")
    st = os.lstat(path)
    with path.open("a") as f:
        f.write("two\n")
    with Repo(str(repo_dir)) as repo, pytest.raises(FileChanged):
        write_blob(repo, os.fsencode(path), st)
    with pytest.raises(FileChanged):
        hash_file(os.fsencode(path), st, object_format=Repo(str(repo_dir)).object_format)
    assert leftovers(repo_dir) == []


@pytest.mark.parametrize("streamed", [False, True], ids=["read-whole", "streamed"])
@pytest.mark.parametrize("change", ["append", "truncate", "rewrite"])
def test_file_changing_during_the_read_is_not_stored(
    repo_dir: Path, monkeypatch: pytest.MonkeyPatch, change: str, streamed: bool
) -> None:
    """Another process writes the file after the first chunk was read: nothing torn is kept."""
    if streamed:
        monkeypatch.setattr(blob_stream, "WHOLE_FILE_LIMIT", 0)
    path = repo_dir / "busy.bin"
    path.write_bytes(b"a" * 10_000)
    st = os.lstat(path)
    real_read = os.read
    calls = []

    def read_then_write(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        calls.append(n)
        if len(calls) == 1:
            with open(path, "r+b") as other:
                if change == "append":
                    other.seek(0, os.SEEK_END)
                    other.write(b"more")
                elif change == "truncate":
                    other.truncate(5_000)
                else:  # same size, new bytes, and a new mtime
                    other.seek(9_000)
                    other.write(b"b" * 1_000)
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        return data

    monkeypatch.setattr(blob_stream.os, "read", read_then_write)
    with Repo(str(repo_dir)) as repo, pytest.raises(FileChanged):
        write_blob(repo, os.fsencode(path), st, chunk=1_000)
    monkeypatch.undo()
    assert leftovers(repo_dir) == []
    assert git("count-objects", cwd=repo_dir).startswith("0 objects")


def test_vanished_file_raises_file_not_found(repo_dir: Path) -> None:
    path = repo_dir / "gone"
    path.write_text("x")
    st = os.lstat(path)
    path.unlink()
    with Repo(str(repo_dir)) as repo, pytest.raises(FileNotFoundError):
        write_blob(repo, os.fsencode(path), st)
    assert leftovers(repo_dir) == []


MEMORY_PROBE = textwrap.dedent(
    """
    import os, sys
    from dulwich.repo import Repo
    from core.git.objects.blob_stream import write_blob

    def kib(field):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

    def growth(run):
        # VmHWM is this process's own peak (ru_maxrss would start at the parent's through exec);
        # writing 5 to clear_refs resets it to the current RSS
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = kib("VmRSS")
        result = run()
        return result, (kib("VmHWM") - before) * 1024

    path = sys.argv[1].encode()
    repo = Repo(sys.argv[2])
    blob, grown = growth(lambda: write_blob(repo, path, os.lstat(path)))
    _, control = growth(lambda: bytearray(48 * 1024 * 1024))  # the probe does see memory grow
    print(blob.sha.decode(), grown, control)
    """
)


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc/self/clear_refs")
@pytest.mark.slow
def test_a_large_blob_streams_in_bounded_memory(repo_dir: Path) -> None:
    # three times the 32 MiB allowed: a file held once, whole, is over it (200 MiB before)
    size = 96 * 1024 * 1024
    path = repo_dir / "big.bin"
    expected = hashlib.sha256()
    with path.open("wb") as f:
        block = os.urandom(1 << 20)
        for i in range(size >> 20):
            chunk = block[i:] + block[:i]  # not a repeated block: zlib cannot shrink it to nothing
            f.write(chunk)
            expected.update(chunk)
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path), str(repo_dir)],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    sha, grown, control = proc.stdout.split()
    assert int(control) > 40 * 1024 * 1024  # the measure works
    assert int(grown) < 32 * 1024 * 1024, f"peak RSS grew by {int(grown) / 2**20:.1f} MiB"
    assert sha == git("hash-object", "big.bin", cwd=repo_dir)
    got = hashlib.sha256()
    with subprocess.Popen(["git", "cat-file", "blob", sha], cwd=repo_dir, stdout=subprocess.PIPE) as cat:
        assert cat.stdout is not None
        while data := cat.stdout.read(1 << 20):
            got.update(data)
    assert cat.returncode == 0
    assert got.hexdigest() == expected.hexdigest()
    fsck(repo_dir)


@pytest.mark.parametrize("streamed", [False, True], ids=["read-whole", "streamed"])
def test_compressible_data_is_compressed_and_random_data_stored(
    repo_dir: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    if streamed:
        monkeypatch.setattr(blob_stream, "WHOLE_FILE_LIMIT", 0)
    text = b"".join(b"line %d of a text file\n" % i for i in range(40_000))
    (repo_dir / "text.txt").write_bytes(text)
    (repo_dir / "noise.bin").write_bytes(os.urandom(len(text)))
    sizes = {}
    for name, data in (("text.txt", text), ("noise.bin", (repo_dir / "noise.bin").read_bytes())):
        blob = write(repo_dir, name)
        obj = repo_dir / ".git/objects" / blob.sha[:2].decode() / blob.sha[2:].decode()
        sizes[name] = obj.stat().st_size / len(data)
        got = subprocess.run(
            ["git", "cat-file", "blob", blob.sha.decode()], cwd=repo_dir, capture_output=True
        )
        assert got.stdout == data
    assert sizes["text.txt"] < 0.3
    assert 1.0 <= sizes["noise.bin"] < 1.01  # stored: deflate would only have spent time
    fsck(repo_dir)
