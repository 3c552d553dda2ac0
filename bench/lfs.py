"""Git LFS, a large file both ways: Gitferry's memory and time against git with git-lfs.

`python -m bench.lfs [--mib 500]`. One loopback server (tests/servers/lfs.py: git
http-backend and the LFS batch API, Basic auth) holds the repository. Down: git with
git-lfs pushes a commit with a MIB-MiB file; a Gitferry clone fast-forwards to it (the
object downloaded, then smudged into the working tree), against `git pull` + `git lfs
pull` in a clone of git's own. Up: a commit with another such file (git-lfs's clean)
is pushed by Gitferry (the object uploaded before the pack), against `git push` with
git-lfs's pre-push hook. Gitferry runs in a process of its own (tests/lfs_child.py)
whose peak RSS is read from /proc (VmHWM, and its growth during the sync); git's side
from `getrusage(RUSAGE_CHILDREN)` of a wrapper (the largest of git and git-lfs).
Memory, not wall time, is the claim here (the issue's bound: under 64 MiB); times are
printed as a ratio to git's, on this shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.children import peak_and_cpu, peak_measured
from tests.servers.lfs import LfsHttpServer

MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
CREDENTIALS = ("bench", "lfs-bench-secret")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lfs", description=__doc__)
    parser.add_argument("--mib", type=int, default=500, help="size of the LFS file each way (default 500)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gitferry-bench-lfs-") as scratch:
        run(Path(scratch), args.mib)


def run(scratch: Path, mib: int) -> None:
    home = scratch / "home"
    home.mkdir()
    os.environ.update(HOME=str(home), GITFERRY_HOME=str(home / "gitferry"), GIT_CONFIG_NOSYSTEM="1", LANG="C")
    (home / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.invalid\n")
    with LfsHttpServer(scratch / "server", CREDENTIALS) as server:
        base = f"http://127.0.0.1:{server.port}/bench"
        user, password = CREDENTIALS
        secret = f"http://{user}:{password}@127.0.0.1:{server.port}/bench/origin.git"
        url = f"{base}/origin.git"
        (scratch / "server" / "bench").mkdir(parents=True)
        _git("init", "-q", "--bare", "-b", "main", str(scratch / "server" / "bench" / "origin.git"))
        pub = _publisher(scratch / "publisher", secret)
        mine = _gitferry_clone(scratch / "mine", secret, url)
        theirs = _git_lfs_clone(scratch / "theirs", secret)

        _big_file(pub / "down.bin", mib)
        _git("add", "down.bin", cwd=pub)
        _git("commit", "-q", "-m", "down", cwd=pub)
        git_up_kib, git_up_s = _measured(["git", "push", "-q", "origin", "main"], pub)
        gitferry_down = _gitferry_sync("mine", url)
        git_down_kib, git_down_s = _measured(["git", "pull", "-q", "origin", "main"], theirs)
        _check_same(mine / "down.bin", theirs / "down.bin", pub / "down.bin")

        _big_file(mine / "up.bin", mib)
        _git("add", "up.bin", cwd=mine)
        _git("commit", "-q", "-m", "up", cwd=mine)
        gitferry_up = _gitferry_sync("mine", url)
        _git("pull", "-q", "origin", "main", cwd=pub)
        _check_same(mine / "up.bin", pub / "up.bin")

    print(f"Git LFS, one {mib} MiB file each way over loopback HTTP (peak RSS of the whole process)")
    print(f"{'':28} {'Gitferry peak':>14} {'(growth)':>10} {'git+git-lfs peak':>17} {'time ratio':>11}")
    for label, ours, kib, seconds in (
        ("download + checkout", gitferry_down, git_down_kib, git_down_s),
        ("upload before the push", gitferry_up, git_up_kib, git_up_s),
    ):
        growth = (ours["peak_kib"] - ours["rss_kib_before"]) / 1024
        print(
            f"{label:28} {ours['peak_kib'] / 1024:>10.1f} MiB {growth:>6.1f} MiB {kib / 1024:>13.1f} MiB "
            f"{ours['seconds'] / seconds:>10.2f}x"
        )


def _publisher(path: Path, url: str) -> Path:
    _git("init", "-q", "-b", "main", str(path))
    _git("lfs", "install", "--local", cwd=path)
    _git("lfs", "track", "*.bin", cwd=path)
    (path / "a.bin").write_bytes(b"small\n")
    _git("add", "-A", cwd=path)
    _git("commit", "-q", "-m", "start", cwd=path)
    _git("remote", "add", "origin", url, cwd=path)
    _git("push", "-q", "-u", "origin", "main", cwd=path)
    return path


def _gitferry_clone(path: Path, secret_url: str, url: str) -> Path:
    """A git clone (pointers, no git-lfs), registered with Gitferry; git-lfs's filter
    configured so that commits made by git in it are cleaned, none of its hooks."""
    from core.cli import main as gitferry

    _git("clone", "-q", secret_url, str(path))
    _git("remote", "set-url", "origin", url, cwd=path)
    for key, value in (("clean", "git-lfs clean -- %f"), ("smudge", "git-lfs smudge -- %f"),
                       ("process", "git-lfs filter-process"), ("required", "true")):  # fmt: skip
        _git("config", f"filter.lfs.{key}", value, cwd=path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert gitferry(["add", str(path), "--name", path.name]) == 0
    return path


def _git_lfs_clone(path: Path, url: str) -> Path:
    _git("clone", "-q", url, str(path))
    _git("lfs", "install", "--local", cwd=path)
    return path


def _gitferry_sync(name: str, url: str) -> dict[str, float]:
    user, password = CREDENTIALS
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.lfs_child", name, url, user, password, out.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"gitferry sync failed: {proc.stderr.strip()}")
        result: dict[str, float] = json.loads(Path(out.name).read_text())
    if result["code"] != 0:
        raise SystemExit(f"gitferry sync ended with status {result['code']}")
    return result


def _measured(command: list[str], cwd: Path) -> tuple[int, float]:
    """(the largest peak RSS, in KiB, of `command` and every process it ran; seconds)."""
    started = time.perf_counter()
    proc = subprocess.run(peak_measured(command), cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.strip()}")
    return peak_and_cpu(proc.stderr)[0], seconds


def _big_file(path: Path, mib: int) -> None:
    block = os.urandom(MIB)
    with path.open("wb") as f:
        for i in range(mib):
            f.write(block[i % MIB :] + block[: i % MIB])


def _check_same(*paths: Path) -> None:
    digests = set()
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(MIB):
                digest.update(chunk)
        digests.add(digest.hexdigest())
    if len(digests) != 1:
        raise SystemExit(f"the copies differ: {', '.join(map(str, paths))}")


def _git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


if __name__ == "__main__":
    main()
