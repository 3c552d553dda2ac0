"""Auto mode: time from a file saved to its commit on the remote, Gitferry against git.

Both contenders are started by the same trigger: Gitferry's watcher and settle time
(`core.engine.auto_sync`, `settle_time`). Gitferry runs its own sync in a real
`gitferry daemon` process; the git contender runs, in this process, the same watcher
and policy with `git add -A && git commit && git pull --no-rebase && git push` as the
sync. Each sample writes one file in a clone of a loopback `git daemon` remote and
waits until the remote's `main` holds that content (its ref file polled every 10 ms).

    python -m bench.auto_sync [--samples 15] [--settle 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.gitenv import git, isolate, scratch
from bench.servers import git_daemon
from bench.stats import percentile

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
POLL = 0.01
CAP = 120.0


def _seed(root: Path) -> Path:
    bare = root / "remote" / "origin.git"
    bare.parent.mkdir(parents=True)
    git("init", "-q", "--bare", "-b", "main", str(bare))
    seed = root / "seed"
    git("init", "-q", "-b", "main", str(seed))
    (seed / "readme.txt").write_text("bench\n")
    git("add", "-A", cwd=seed)
    git("commit", "-q", "-m", "seed", cwd=seed)
    git("push", "-q", str(bare), "main", cwd=seed)
    return bare


def _remote_has(bare: Path, name: str, content: str) -> bool:
    try:
        shown = subprocess.run(
            ["git", "show", f"main:{name}"], cwd=bare, capture_output=True, text=True, check=False
        )
    except OSError:
        return False
    return shown.returncode == 0 and shown.stdout == content


def _ref(bare: Path) -> str:
    try:
        return (bare / "refs" / "heads" / "main").read_text()
    except OSError:
        return ""


def _wait_pushed(bare: Path, name: str, content: str) -> float:
    """Seconds until the remote's main holds `content` at `name` (its ref file polled)."""
    start = time.perf_counter()
    seen = _ref(bare)
    while time.perf_counter() - start < CAP:
        ref = _ref(bare)
        if ref != seen:
            seen = ref
            if _remote_has(bare, name, content):
                return time.perf_counter() - start
        time.sleep(POLL)
    raise RuntimeError(f"{name} never reached the remote")


def _samples(tree: Path, bare: Path, count: int, label: str) -> list[float]:
    times = []
    for n in range(count):
        name, content = f"note-{label}-{n}.md", f"sample {n} of {label}\n"
        (tree / name).write_text(content)
        times.append(_wait_pushed(bare, name, content))
        time.sleep(1.0)  # let the sync that follows (if any) end
    return times


def gitferry_contender(root: Path, url: str, bare: Path, count: int, settle: float) -> list[float]:
    home, tree = root / "home-gitferry", root / "gitferry"
    git("clone", "-q", url, str(tree))
    env = {**os.environ, "GITFERRY_HOME": str(home), "PYTHONPATH": str(ROOT)}
    for args in (
        ["add", str(tree), "--auto-commit", "--name", "bench"],
        ["set", "--global", "settle_time", str(settle)],
    ):
        subprocess.run([*CLI, *args], env=env, check=True, capture_output=True)
    daemon = subprocess.Popen([*CLI, "daemon"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert daemon.stderr is not None
        daemon.stderr.readline()  # running
        time.sleep(settle + 2.0)  # its start-up sync
        return _samples(tree, bare, count, "gitferry")
    finally:
        daemon.terminate()
        daemon.communicate(timeout=CAP)


def git_contender(root: Path, url: str, bare: Path, count: int, settle: float) -> list[float]:
    """The same watcher and settle policy, git's four commands as the sync."""
    from core.engine.auto_sync import AutoSync, Settle
    from core.engine.clock import SystemClock
    from core.engine.report import SyncReport
    from core.platform.tree_watch import TreeWatch
    from core.results import ResultKind

    tree = root / "git"
    git("clone", "-q", url, str(tree))

    async def run_sync(
        _repo_id: int, _unsettled: frozenset[str], _quiet: float, _snapshot: frozenset[str]
    ) -> SyncReport:
        loop = ["git add -A && git commit -q -m sync && git pull -q --no-rebase && git push -q"]
        proc = await asyncio.create_subprocess_shell(loop[0], cwd=tree)
        await proc.wait()
        return SyncReport("git", ResultKind.OK if proc.returncode == 0 else ResultKind.ERROR, "")

    async def run() -> list[float]:
        auto = AutoSync(SystemClock(), run_sync, settle=Settle(settle, max(settle, 30.0)))
        auto.add(1)
        loop = asyncio.get_running_loop()
        watch = TreeWatch()
        watch.watch(str(tree), lambda paths: loop.call_soon_threadsafe(auto.changed, 1, paths))
        task = asyncio.create_task(auto.run())
        try:
            return await asyncio.to_thread(_samples, tree, bare, count, "git")
        finally:
            auto.stop()
            watch.stop()
            await asyncio.gather(task, return_exceptions=True)

    return asyncio.run(run())


def _line(label: str, times: list[float]) -> str:
    p50, p95 = percentile(times, 50), percentile(times, 95)
    return f"  {label:<28} p50 {p50:6.2f} s   p95 {p95:6.2f} s   n={len(times)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.auto_sync", description=__doc__)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--settle", type=float, default=3.0, help="settle time, seconds (the default)")
    args = parser.parse_args(argv)
    isolate()
    with scratch("auto-sync") as root:
        bare = _seed(root)
        with git_daemon(bare.parent, receive_pack=True) as server:
            url = server.url("origin.git")
            ours = gitferry_contender(root, url, bare, args.samples, args.settle)
            theirs = git_contender(root, url, bare, args.samples, args.settle)
    print(f"save to pushed (settle time {args.settle:g} s, the same trigger for both):")
    print(_line("gitferry daemon", ours))
    print(_line("git add/commit/pull/push", theirs))
    print(
        f"  ratio gitferry/git: p50 {percentile(ours, 50) / percentile(theirs, 50):.2f}x,"
        f" p95 {percentile(ours, 95) / percentile(theirs, 95):.2f}x;"
        f" past the settle time: gitferry p95 {percentile(ours, 95) - args.settle:.2f} s,"
        f" git p95 {percentile(theirs, 95) - args.settle:.2f} s"
    )


if __name__ == "__main__":
    main()
