"""auto_commit in a child process: a file root cannot read (capabilities dropped),
and the peak memory of committing a large file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gitcli import fsck, git

MIB = 1024 * 1024
# Three times the 32 MiB the commit may add: a file held once, whole, is over it (each adds
# under 1 MiB). 200 MiB before: as much again of writing, hashing and deflating for the same check.
LARGE_MIB = 96
ROOT = Path(__file__).resolve().parents[2]

# The peak (VmHWM) is reset to the current RSS just before the commit
# (`5 > /proc/self/clear_refs`), so the growth is the commit's own, not hidden
# under the imports' peak.
CHILD = """
import json, sys
from dulwich.repo import Repo
from core.git.worktree.autocommit import auto_commit

def kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

path, max_size = sys.argv[1], int(sys.argv[2])
repo = Repo(path)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = kib("VmRSS")
outcome = auto_commit(repo, max_file_size=max_size, host="child")
after = kib("VmHWM")
repo.close()
print(json.dumps({
    "commit": outcome.commit.decode() if outcome.commit else None,
    "paths": outcome.paths,
    "skipped": [[s.path, s.reason, s.detail] for s in outcome.skipped],
    "rss_kib_before": before,
    "peak_kib_during": after,
}))
"""


def run_child(repo: Path, *, max_size: int = 1 << 40, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    proc = subprocess.run(
        [*prefix, sys.executable, "-c", CHILD, str(repo), str(max_size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def new_repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    (path / "a.txt").write_text("a\n")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    return path


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv")
def test_permission_denied_is_unreadable_and_the_rest_committed(tmp_path: Path) -> None:
    """Root reads a mode-000 file anyway; without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (dropped for the child with setpriv) the open fails with
    EACCES, exactly as for a normal user."""
    repo = new_repo(tmp_path)
    (repo / "locked.txt").write_text("private\n")
    (repo / "locked.txt").chmod(0)
    (repo / "b.txt").write_text("b\n")
    drop = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")
    result = run_child(repo, prefix=drop)
    assert result["skipped"] == [["locked.txt", "unreadable", "Permission denied"]]
    assert result["paths"] == ["b.txt"]
    assert git("ls-tree", "-r", "--name-only", "HEAD", cwd=repo).split() == ["a.txt", "b.txt"]
    fsck(repo)


@pytest.mark.slow
def test_a_large_file_is_committed_in_bounded_memory(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    block = os.urandom(MIB)
    with open(repo / "big.bin", "wb") as f:
        for i in range(LARGE_MIB):
            f.write(block[i:] + block[:i])  # incompressible within zlib's 32 KiB window
    result = run_child(repo)
    assert result["paths"] == ["big.bin"]
    growth_mib = (result["peak_kib_during"] - result["rss_kib_before"]) / 1024
    print(f"peak RSS growth committing {LARGE_MIB} MiB: {growth_mib:.1f} MiB")
    assert growth_mib < 32
    assert git("rev-parse", "HEAD:big.bin", cwd=repo) == git("hash-object", "big.bin", cwd=repo)


@pytest.mark.slow
def test_a_large_file_converted_to_lf_is_committed_in_bounded_memory(tmp_path: Path) -> None:
    """`* text`: every CRLF goes, read twice (statistics, then conversion), never whole."""
    repo = new_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.txt text\n")
    line = b"%08d a line of a large text file that ends the way Windows ends lines\r\n"
    with open(repo / "big.txt", "wb") as f:
        block = b"".join(line % i for i in range(14_000))
        for i in range(LARGE_MIB * MIB // len(block)):
            f.write(block.replace(b"00000000", b"%08d" % i, 1))
    result = run_child(repo)
    assert result["paths"] == [".gitattributes", "big.txt"]
    growth_mib = (result["peak_kib_during"] - result["rss_kib_before"]) / 1024
    print(f"peak RSS growth committing {LARGE_MIB} MiB converted: {growth_mib:.1f} MiB")
    assert growth_mib < 32
    assert git("rev-parse", "HEAD:big.txt", cwd=repo) == git("hash-object", "big.txt", cwd=repo)
    assert (
        b"\r"
        not in subprocess.run(
            ["git", "cat-file", "blob", "HEAD:big.txt"], cwd=repo, capture_output=True, check=True
        ).stdout[:4096]
    )
