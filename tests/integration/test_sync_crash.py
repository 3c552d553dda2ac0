"""A sync killed with SIGKILL at random points, and two syncs of one repository at once.

`mine` auto-commits: every turn writes new versions of a batch of files and of
`notes.txt` without committing them, and `theirs` puts a commit on the remote,
so every sync commits, fetches, merges and pushes (into a local path remote, in
process), and a kill can land in any of those phases. The syncs are forked from
a server process whose imports are done, and one uncut sync every few turns
times the phases, so each kill aims at a phase and a point within it; where it
really landed is read from what the killed sync left behind.

After each kill the next sync succeeds, no lock or temporary file is left (in
the repository or the remote), `git fsck` is clean on both, every commit ever
seen is still reachable, and every file version written before a completed
sync is in the remote's history.

The kill points are chosen, not drawn at will: each phase is aimed at the same number
of times, at points spread over its window (one random point in each of as many equal
slices of it), and a few kills fall before the lock; the seed is printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil
import pytest
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from tests.gitcli import fsck, git
from tests.integration.clones import Clones, all_commits, porcelain, run
from tests.servers import Remote

pytestmark = pytest.mark.slow  # over a second a test (README, "Tests")

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
STAGES = ("commit", "fetch", "integrate", "push")
SLICES = 3  # kills aimed at each phase: its start, middle and end third (6 found the same stages)
BEFORE_LOCK = 3  # kills aimed before the lock (start-up, the store)
KILLS = SLICES * len(STAGES) + BEFORE_LOCK
FILES_PER_TURN = 40
RECALIBRATE = 7  # kills between two uncut syncs that time the phases
SEED = 20261121
# Forks a process per sync (`name<TAB>file for its stdout` on stdin), its imports done,
# and reports its pid, then its exit status:
# a kill's delay then falls on the sync itself, not on Python starting up.
FORK_SERVER = (
    "import os, sys\n"
    "from core.cli import main\n"
    "import core.engine.sync, core.git.worktree.autocommit, core.git.transfer.fetch\n"
    "import core.git.transfer.push, core.git.merge.integrate\n"
    # what a sync imports only when it runs the phase: loaded before the fork, as the
    # calibration's phase windows (from the report's timings) leave imports out
    "import core.engine.commit_phase, core.engine.integrate_phase, core.engine.push_phase\n"
    "import core.engine.lfs_phase, core.engine.submodule_phase, core.engine.core\n"
    "import core.store.status_store, core.store.database, sqlalchemy.ext.asyncio, aiosqlite\n"
    "print('ready', flush=True)\n"
    "for line in sys.stdin:\n"
    "    name, output = line.rstrip('\\n').split('\\t')\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        os.dup2(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)\n"
    "        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)\n"
    "        code = main(['sync', name, '--json'])\n"
    "        sys.stdout.flush()\n"
    "        os._exit(code)\n"
    "    print(pid, flush=True)\n"
    "    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)\n"
)


def start_sync(name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "sync", name, "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any]]:
    out, err = proc.communicate(timeout=60)
    assert out, err
    return proc.returncode, json.loads(out)["repos"][0]


class SyncForks:
    """`sync(name)` starts a sync in a forked process and returns its pid; `wait()` its exit code."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert _read_line(self.proc.stdout, 30.0) == "ready\n", "the fork server did not start"

    def sync(self, name: str, output: Path) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{name}\t{output}\n")
        self.proc.stdin.flush()
        line = _read_line(self.proc.stdout, 30.0)
        assert line.strip().isdigit(), f"no sync process: {line!r}"
        return int(line)

    def wait(self) -> int:
        assert self.proc.stdout is not None
        line = _read_line(self.proc.stdout, 60.0)
        assert line.strip().lstrip("-").isdigit(), f"no exit status: {line!r}"
        return int(line)

    def alive(self, pid: int) -> bool:
        return psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE

    def close(self) -> None:
        self.proc.communicate(timeout=10)


def _read_line(pipe: IO[str], timeout: float) -> str:
    poller = select.poll()
    poller.register(pipe.fileno(), select.POLLIN)
    if not poller.poll(timeout * 1000):
        return ""
    return pipe.readline()


@dataclass
class Files:
    """What `mine` saved: every blob a file ever held and the latest one at each path."""

    latest: dict[str, str]
    versions: set[str]

    def write(self, repo: Path, turn: int, rng: random.Random) -> set[str]:
        """New versions of a batch of files and of `notes.txt`, not committed; their blob ids."""
        new: set[str] = set()
        batch = {f"docs/f{n}.txt": _text(rng, rng.randint(2_000, 12_000)) for n in range(FILES_PER_TURN)}
        batch["notes.txt"] = f"notes, version {turn}\n".encode() * 50
        if turn % 3 == 0:  # over 1 MiB: streamed into objects/tmp_obj_* first
            batch["big.txt"] = f"big, version {turn}\n".encode() + _text(rng, 4_000) * 300
        for path, data in batch.items():
            full = repo / path
            full.parent.mkdir(exist_ok=True)
            full.write_bytes(data)
            sha = _blob_id(data)
            self.latest[path] = sha
            new.add(sha)
        self.versions |= new
        return new


def _text(rng: random.Random, size: int) -> bytes:
    words = [b"alpha", b"beta", b"gamma", b"delta", b"kappa", b"omega", b"sigma", b"\n"]
    return b" ".join(rng.choice(words) for _ in range(size // 6))


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def commit_to_remote(bare: Path, name: str, content: bytes) -> str:
    """`theirs`: a commit adding `name` on the remote's main, made in place."""
    with Repo(str(bare)) as repo:
        parent = repo.refs[b"refs/heads/main"]
        old = repo[repo[parent].tree]
        assert isinstance(old, Tree)
        blob = Blob.from_string(content)
        tree = Tree()
        for entry in old.items():
            tree.add(entry.path, entry.mode, entry.sha)
        tree.add(name.encode(), 0o100644, blob.id)
        commit = Commit()
        commit.tree, commit.parents, commit.message = tree.id, [parent], f"theirs: {name}\n".encode()
        commit.author = commit.committer = b"Them <them@example.invalid>"
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        for obj in (blob, tree, commit):
            repo.object_store.add_object(obj)
        assert repo.refs.set_if_equals(b"refs/heads/main", parent, commit.id)
        return commit.id.decode()


@dataclass(frozen=True)
class Before:
    head: str
    tracking: str
    remote: str
    theirs: str
    new_blobs: set[str]


def stage_hit(world: Clones, before: Before) -> str:
    """The phase the kill landed in, from what the killed sync left behind."""
    if world.remote_head() != before.remote:
        return "record"  # pushed: killed while recording the result
    head = world.head(world.mine)
    if head != before.head and _contains(world.mine, before.theirs, head):
        return "push"
    if world.head(world.mine, "origin/main") != before.tracking:
        return "integrate"
    if head != before.head:
        return "fetch"
    git_dir = world.mine / ".git"
    objects = git_dir / "objects"
    if (
        (git_dir / "index.lock").exists()  # held while the auto-commit stages
        or any(objects.glob("tmp_obj_*"))  # a large file being streamed
        or any((objects / sha[:2] / sha[2:]).exists() for sha in before.new_blobs)
    ):
        return "commit"
    return "start"  # before the lock, or the commit's scan


def _contains(repo: Path, commit: str, head: str) -> bool:
    proc = subprocess.run(
        ["git", "merge-base", "--is-ancestor", commit, head], cwd=repo, capture_output=True, timeout=60
    )
    return proc.returncode == 0


def kill_points(rng: random.Random) -> list[tuple[int | None, float]]:
    """Where each kill aims: (a phase, an index into STAGES, or None before the lock; a
    fraction of that window). The phases take turns; each phase's fractions are one
    random point in each of `SLICES` equal slices, in random order (history grows as the
    turns go: no slice only early or only late); the kills before the lock are spread
    among them."""
    slices = []
    for _stage in STAGES:
        fractions = [(k + rng.random()) / SLICES for k in range(SLICES)]
        rng.shuffle(fractions)
        slices.append(fractions)
    points: list[tuple[int | None, float]] = [
        (aim, slices[aim][k]) for k in range(SLICES) for aim in range(len(STAGES))
    ]
    every = len(points) // BEFORE_LOCK
    for n in range(BEFORE_LOCK):
        points.insert(n * (every + 1) + every // 2, (None, rng.random()))
    return points


@dataclass
class Schedule:
    """When to kill. One uncut sync times its phases (from taking its lock: commit, fetch,
    integrate, push) and how long it takes to reach the lock; each kill then aims at a
    given point of a phase, or of the time before the lock (start-up, the store)."""

    output: Path
    to_lock: float = 0.0
    windows: tuple[tuple[float, float], ...] = ()

    def kill(self, forks: SyncForks, lock: Path, aim: int | None, fraction: float) -> None:
        """Kill the next sync at `fraction` of phase `aim` (None: of the time before the lock)."""
        started = time.monotonic()
        pid = forks.sync("mine", self.output)
        if aim is None:
            _sleep_until(started + fraction * self.to_lock)
        else:
            _wait_for(lock.exists, lambda: forks.alive(pid), started + 10.0)
            start, end = self.windows[aim]
            _sleep_until(time.monotonic() + start + fraction * (end - start))
        with contextlib.suppress(ProcessLookupError):  # it may have finished
            os.kill(pid, signal.SIGKILL)
        assert forks.wait() in (0, -signal.SIGKILL)

    def calibrate(self, forks: SyncForks, lock: Path) -> float:
        """Time one uncut sync; returns its whole duration."""
        started = time.monotonic()
        pid = forks.sync("mine", self.output)
        _wait_for(lock.exists, lambda: forks.alive(pid), started + 30.0)
        self.to_lock = time.monotonic() - started
        assert forks.wait() == 0
        whole = time.monotonic() - started
        report = json.loads(self.output.read_text())["repos"][0]
        assert report["result"] == "ok", report
        ms = report["timings_ms"]
        spans = [
            ms["commit"],
            ms["connect"] + ms["negotiate"] + ms["receive"],
            ms["integrate"],
            ms["graph"] + ms["push"],
        ]
        edges = list(itertools.accumulate(spans, initial=0.0))
        self.windows = tuple((a / 1000, b / 1000) for a, b in itertools.pairwise(edges))
        return whole


def _wait_for(ready: Callable[[], bool], alive: Callable[[], bool], deadline: float) -> None:
    while not ready() and alive() and time.monotonic() < deadline:
        time.sleep(0.001)


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


@pytest.mark.timeout(600)  # 15 syncs and as many kills, fscks and recoveries: 15 s unloaded
def test_sync_killed_at_random_points_recovers(
    path_remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(path_remote, tmp_path, capsys)
    assert run(capsys, "set", "mine", "auto_commit", "true")[0] == 0
    rng = random.Random(SEED)
    points = kill_points(rng)
    files = Files({}, set())
    lock = world.mine / ".git" / "gitferry" / "sync.lock"
    forks = SyncForks()
    hits: dict[str, int] = {}
    uncut: list[float] = []
    schedule = Schedule(tmp_path / "sync.json")
    try:
        for turn, (aim, fraction) in enumerate(points):
            theirs = commit_to_remote(world.bare, f"t{turn}.txt", f"theirs {turn}\n".encode() * 100)
            new_blobs = files.write(world.mine, turn, rng)
            if turn % RECALIBRATE == 0:  # the phases slow down as history grows
                uncut.append(schedule.calibrate(forks, lock))
                theirs = commit_to_remote(world.bare, f"t{turn}b.txt", b"theirs again\n")
                new_blobs = files.write(world.mine, turn, rng)
            head, tracking = git("rev-parse", "HEAD", "origin/main", cwd=world.mine).split()
            before = Before(head, tracking, world.remote_head(), theirs, new_blobs)
            schedule.kill(forks, lock, aim, fraction)
            stage = stage_hit(world, before)
            hits[stage] = hits.get(stage, 0) + 1
            world.seen |= all_commits(world.mine)  # what the killed sync made: none may be lost
            code, out, err = run(capsys, "sync", "mine", "--json")
            report = out["repos"][0] if isinstance(out, dict) else err
            assert code == 0 and report["result"] in ("ok", "up_to_date"), (turn, stage, report)
            check_recovered(world, files, theirs, (turn, stage))
            if turn % RECALIBRATE == RECALIBRATE - 1:  # the server's own gc (off in tests): bitmaps
                git("--git-dir", str(world.bare), "repack", "-adq")
    finally:
        forks.close()
    with capsys.disabled():
        print(
            f"\nuncut syncs: {', '.join(f'{t:.3f}' for t in uncut)} s; the last: {schedule.to_lock:.3f} s to"
            f" the lock, then phases {[f'{a:.3f}-{b:.3f}' for a, b in schedule.windows]} s"
            f"\n{KILLS} kills (seed {SEED}) by stage: {hits}"
        )
    landed = {stage for stage in STAGES if hits.get(stage)}
    assert len(landed) >= 3 and "commit" in landed, f"kills landed in {hits}: adjust the timing"


def check_recovered(world: Clones, files: Files, theirs: str, turn: object) -> None:
    mine_git = world.mine / ".git"
    assert porcelain(world.mine) == "", turn
    assert world.remote_head() == world.head(world.mine), turn
    assert _contains(world.mine, theirs, "HEAD"), turn
    assert not (mine_git / "gitferry" / "sync.lock").exists(), turn
    for repo in (mine_git, world.bare):
        left = [p for p in repo.rglob("*") if p.name.endswith(".lock") or p.name.startswith("tmp")]
        assert not left, (turn, left)
    fsck(world.mine)
    fsck(world.bare)
    reachable = all_commits(world.mine) | all_commits(world.bare)
    assert not world.seen - reachable, (turn, sorted(world.seen - reachable))
    world.seen |= reachable
    tree = dict(_ls_tree(world.bare))
    assert all(tree.get(path) == sha for path, sha in files.latest.items()), turn
    history = set(git("--git-dir", str(world.bare), "rev-list", "--objects", "main").split())
    assert files.versions <= history, (turn, sorted(files.versions - history)[:5])


def _ls_tree(bare: Path) -> list[tuple[str, str]]:
    out = git("--git-dir", str(bare), "ls-tree", "-r", "main")
    return [(line.split("\t", 1)[1], line.split()[2]) for line in out.splitlines()]


def test_two_processes_never_sync_one_repository_at_once(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A slow pre-receive hook stretches the push; the second sync waits or is busy."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    hook = world.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nsleep 1\nexit 0\n")
    hook.chmod(0o755)
    world.commit(world.mine, "b.txt", "mine\n")
    first, second = start_sync("mine"), start_sync("mine")
    results = [finish(first), finish(second)]
    kinds = sorted(report["result"] for _code, report in results)
    assert kinds in (["ok", "up_to_date"], ["busy", "ok"]), results
    _code, log, _ = run(capsys, "log", "mine", "--json")
    told = [kind for kind in kinds if kind != "up_to_date"]  # up to date after an ok: no news
    assert sorted(entry["result"] for entry in log["entries"]) == told
    _assert_runs_never_overlap(world)
    world.check()


def _assert_runs_never_overlap(world: Clones) -> None:
    import sqlite3

    db = Path(os.environ["GITFERRY_HOME"]) / "status.sqlite3"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT started_at, finished_at FROM sync_runs JOIN repos ON repos.id = sync_runs.repo_id "
            "WHERE repos.name = 'mine' AND started_at IS NOT NULL ORDER BY started_at"
        ).fetchall()
    for (_s1, end), (start, _e2) in itertools.pairwise(rows):
        assert end <= start, rows
