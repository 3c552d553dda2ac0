"""Peak memory of every path a 200 MiB file takes, each in a child process running the
CLI: fetch, fast-forward, merge, push and the checkout of a clone must each add under
64 MiB (blobs streamed pack to disk and disk to pack; dulwich alone held the whole
blob two or three times over). The remote is `git daemon`; git checks every result.

The child first runs the same command on a twin whose file is 1 MiB (so every module
the path imports is loaded and every cache warm), then resets its peak (`5 >
/proc/self/clear_refs`) and runs the 200 MiB one: the growth measured is what the
file's size adds. The content is generated, compressible (fast to deflate) and
deterministic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.gitcli import commit_file, fsck, git, rev_parse
from tests.servers import Remote

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
BIG = 200 * MIB
SMALL = MIB
BUDGET_KIB = 64 * 1024
ROOT = Path(__file__).resolve().parents[2]
SIZES = {"small": SMALL, "big": BIG}

CHILD = """
import json, sys
from core.cli import main

def kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

plan = json.loads(sys.argv[1])
for argv in plan["before"]:
    code = main(argv)
    if code != 0:
        sys.exit(f"warm-up {argv} exited {code}")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = kib("VmRSS")
code = main(plan["measured"])
peak = kib("VmHWM")
print()
print(json.dumps({"code": code, "rss_kib_before": before, "peak_kib": peak}))
"""


def write_content(path: Path, size: int) -> None:
    """`size` bytes of numbered 4 KiB lines (deflate finds the repeats within its window)."""
    body = bytes(range(256)) * 15 + b"-" * (4096 - 256 * 15 - 10)
    with path.open("wb") as f:
        for number in range(size // 4096):
            f.write(b"%08d\n" % number + body + b"\n")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per size, a repository: `main` one small commit, `big` adding the file to it."""
    found = {}
    for label, size in SIZES.items():
        work = tmp_path_factory.mktemp(f"source-{label}")
        git("init", "-q", "-b", "main", str(work))
        commit_file(work, "a.txt", "one\n")
        git("checkout", "-q", "-b", "big", cwd=work)
        write_content(work / "big.bin", size)
        git("add", "big.bin", cwd=work)
        git("commit", "-q", "-m", "a large file", cwd=work)
        git("checkout", "-q", "main", cwd=work)
        found[label] = work
    return found


def run_cli(home: Path, before: list[list[str]], measured: list[str]) -> dict[str, Any]:
    plan = json.dumps({"before": before, "measured": measured})
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, plan],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "GITFERRY_HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, proc.stdout[-2000:]
    return result


def assert_within_budget(result: dict[str, Any], what: str) -> None:
    growth = (result["peak_kib"] - result["rss_kib_before"]) / 1024
    print(f"{what}: a 200 MiB file added {growth:.1f} MiB of peak RSS")  # shown with -s
    assert growth < BUDGET_KIB / 1024, f"{what} added {growth:.1f} MiB"


Setup = Callable[[str, Path], tuple[Path, Path]]  # (label, tmp) -> (server, local)


def behind(remote: Remote, sources: dict[str, Path]) -> Setup:
    """A server whose main has the file, and a clone one commit behind it."""

    def make(label: str, tmp: Path) -> tuple[Path, Path]:
        server = remote.create(label)
        git("push", "-q", str(server), "main", cwd=sources[label])
        local = tmp / f"local-{label}"
        git("clone", "-q", str(server), str(local))
        git("remote", "set-url", "origin", remote.url(label), cwd=local)
        git("push", "-q", str(server), "big:main", cwd=sources[label])
        return server, local

    return make


def measure(tmp: Path, setup: Setup, command: Callable[[str, Path], list[list[str]]]) -> dict[str, Any]:
    """`command(label, local)`'s steps on the small twin (unmeasured), then on the big one."""
    home = tmp / "home"
    made = {label: setup(label, tmp) for label in SIZES}
    before = [*command("small", made["small"][1]), *command("big", made["big"][1])[:-1]]
    result = run_cli(home, before, command("big", made["big"][1])[-1])
    result["server"], result["local"] = made["big"]
    return result


def registered(label: str, local: Path, *extra: list[str]) -> list[list[str]]:
    return [["add", str(local), "--name", label], *extra]


def assert_has_the_file(local: Path, sources: dict[str, Path]) -> None:
    assert (local / "big.bin").stat().st_size == BIG
    assert git("hash-object", "big.bin", cwd=local) == git("rev-parse", "big:big.bin", cwd=sources["big"])
    assert git("status", "--porcelain", cwd=local) == ""


def test_fetch(git_daemon: Remote, sources: dict[str, Path], tmp_path: Path) -> None:
    result = measure(
        tmp_path,
        behind(git_daemon, sources),
        lambda label, local: registered(label, local, ["sync", "--fetch-only", label]),
    )
    local = result["local"]
    assert rev_parse(local, "origin/main") == rev_parse(sources["big"], "big")
    fsck(local)
    assert_within_budget(result, "fetch")


def test_fast_forward(git_daemon: Remote, sources: dict[str, Path], tmp_path: Path) -> None:
    result = measure(
        tmp_path,
        behind(git_daemon, sources),
        lambda label, local: registered(label, local, ["sync", label]),
    )
    local = result["local"]
    assert rev_parse(local, "HEAD") == rev_parse(sources["big"], "big")
    assert_has_the_file(local, sources)
    fsck(local)
    assert_within_budget(result, "fast-forward")


def test_merge(git_daemon: Remote, sources: dict[str, Path], tmp_path: Path) -> None:
    make = behind(git_daemon, sources)

    def diverged(label: str, tmp: Path) -> tuple[Path, Path]:
        server, local = make(label, tmp)
        commit_file(local, "local.txt", "a local change\n")
        return server, local

    result = measure(
        tmp_path,
        diverged,
        lambda label, local: registered(label, local, ["set", label, "strategy", "merge"], ["sync", label]),
    )
    server, local = result["server"], result["local"]
    parents = git("rev-list", "--parents", "-n1", "HEAD", cwd=local).split()[1:]
    assert rev_parse(sources["big"], "big") in parents and len(parents) == 2
    assert rev_parse(server, "main") == rev_parse(local, "HEAD")  # pushed after the merge
    assert_has_the_file(local, sources)
    fsck(local)
    assert_within_budget(result, "merge")


def test_push(git_daemon: Remote, sources: dict[str, Path], tmp_path: Path) -> None:
    def ahead(label: str, tmp: Path) -> tuple[Path, Path]:
        server = git_daemon.create(label)
        git("push", "-q", str(server), "main", cwd=sources[label])
        local = tmp / f"local-{label}"
        git("clone", "-q", git_daemon.url(label), str(local))
        write_content(local / "big.bin", SIZES[label])
        git("add", "big.bin", cwd=local)  # a loose object, as auto-commit writes it
        git("commit", "-q", "-m", "a large file", cwd=local)
        return server, local

    result = measure(tmp_path, ahead, lambda label, local: registered(label, local, ["sync", label]))
    server, local = result["server"], result["local"]
    assert (rev_parse(server, "main"), git("cat-file", "-s", "main:big.bin", cwd=server)) == (
        rev_parse(local, "HEAD"),
        str(BIG),
    )
    fsck(server)
    assert_within_budget(result, "push")


def test_checkout_of_a_clone(git_daemon: Remote, sources: dict[str, Path], tmp_path: Path) -> None:
    def served(label: str, tmp: Path) -> tuple[Path, Path]:
        server = git_daemon.create(label)
        git("push", "-q", str(server), "big:main", cwd=sources[label])
        return server, tmp / f"clone-{label}"

    result = measure(
        tmp_path,
        served,
        lambda label, target: [["clone", git_daemon.url(label), str(target), "--name", label]],
    )
    local = result["local"]
    assert rev_parse(local, "HEAD") == rev_parse(sources["big"], "big")
    assert_has_the_file(local, sources)
    fsck(local)
    assert_within_budget(result, "clone and checkout")
