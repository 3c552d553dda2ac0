"""A large pack's deltas resolved in worker processes (`delta_workers`).

The same packs go through the one-process path and the workers: git's own
`index-pack` is the referee for the `.idx`, `git fsck` for the repository. A
corrupt delta or a bad tree is refused with the same message either way; a
worker killed part-way is an error that leaves nothing; workers die with their
parent, even a parent killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.objects import delta_workers
from core.git.objects.check_policy import BadObject, CheckPolicy
from core.git.objects.object_checks import ObjectChecks
from core.git.objects.pack_ingest import IncomingPack
from core.git.objects.pack_scan import PackFormatError
from core.git.progress import Phase, TransferProgress
from tests.core.test_pack_ingest import bare, leftovers, pack_objects
from tests.gitcli import fsck, git, rev_parse
from tests.hostile_packs import BLOB, TREE, PackWriter, copy, delta, insert, tree_bytes

ROOT = Path(__file__).resolve().parents[2]
REVISIONS = 3000  # ~9,000 deltas: several progress reports from each worker


@pytest.fixture(autouse=True)
def small_packs_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers for any pack (by default only for one of 20,000 deltas or more)."""
    monkeypatch.setattr(delta_workers, "MIN_DELTAS", 1)


THREADS = {"in process": 1, "workers": 2}  # git's pack.threads


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """REVISIONS commits each changing a line of two files in two folders (fast-import)."""
    repo = tmp_path_factory.mktemp("history")
    git("init", "-q", "-b", "main", str(repo))
    lines = [f"line {i}\n" for i in range(300)]
    stream = []
    for n in range(REVISIONS):
        lines[(n * 7) % len(lines)] = f"changed in {n}\n"
        body = "".join(lines).encode()
        message = f"change {n}\n".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer A <a@example.org> {1_700_000_000 + n} +0000\n".encode())
        stream.append(b"data %d\n%s" % (len(message), message))
        for path in (f"dir{n % 2}/file.txt", f"dir{n % 2}/sub/other.txt"):
            stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body))
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True, timeout=120
    )
    return repo


def receive(
    target: Path, pack: bytes, progress: object = None, checks: ObjectChecks | None = None, threads: int = 2
) -> str | None:
    with Repo(str(target)) as repo:
        incoming = IncomingPack(repo.object_store, progress, checks=checks, threads=threads)  # type: ignore[arg-type]
        for pos in range(0, len(pack), 65536):
            incoming.write(pack[pos : pos + 65536])
        received = incoming.commit()
    return received.name if received else None


@pytest.mark.slow
@pytest.mark.parametrize("mode", THREADS)
def test_index_is_byte_identical_to_gits(history: Path, tmp_path: Path, mode: str) -> None:
    pack = pack_objects(history, "main\n", "--delta-base-offset")
    target = bare(tmp_path)
    seen: list[TransferProgress] = []
    name = receive(target, pack, seen.append, ObjectChecks(CheckPolicy.strict_policy()), THREADS[mode])
    assert name is not None
    (tmp_path / "theirs.pack").write_bytes(pack)
    git("index-pack", "-o", str(tmp_path / "theirs.idx"), str(tmp_path / "theirs.pack"))
    assert (target / "objects" / "pack" / f"{name}.idx").read_bytes() == (
        tmp_path / "theirs.idx"
    ).read_bytes()
    git("update-ref", "refs/heads/main", rev_parse(history, "main"), cwd=target)
    fsck(target)
    assert leftovers(target) == []
    resolving = [p for p in seen if p.phase is Phase.RESOLVING]
    assert resolving[-1].current == resolving[-1].total > REVISIONS


def _pack(tmp_path: Path, base_type: int, base: bytes, instructions: bytes) -> bytes:
    """A pack of one whole object and one OFS_DELTA on it."""
    writer = PackWriter(tmp_path / "bad.pack", 2)
    writer.ofs_delta(writer.whole(base_type, base), instructions)
    return writer.close().read_bytes()


def _refusal(tmp_path: Path, pack: bytes, threads: int) -> tuple[type[BaseException], str]:
    target = bare(tmp_path, f"target-{threads}.git")
    with pytest.raises((PackFormatError, BadObject)) as caught:
        receive(target, pack, checks=ObjectChecks(CheckPolicy.default()), threads=threads)
    assert list((target / "objects" / "pack").iterdir()) == []
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize("problem", ["copies past its base", "wrong base size", "tree with a repeat"])
def test_a_bad_delta_is_refused_alike_in_process_and_in_workers(tmp_path: Path, problem: str) -> None:
    blob = b"hello world, a base of some length\n"
    tree = tree_bytes([(b"100644", b"a", "01" * 20)])
    if problem == "copies past its base":
        pack = _pack(tmp_path, BLOB, blob, delta(len(blob), 100, [copy(0, 100)]))
    elif problem == "wrong base size":
        pack = _pack(tmp_path, BLOB, blob, delta(len(blob) + 1, 3, [insert(b"abc")]))
    else:  # the same entry twice
        pack = _pack(tmp_path, TREE, tree, delta(len(tree), 2 * len(tree), [insert(tree + tree)]))
    said = {mode: _refusal(tmp_path, pack, threads) for mode, threads in THREADS.items()}
    assert said["in process"] == said["workers"]
    assert said["workers"][0] is (BadObject if problem == "tree with a repeat" else PackFormatError)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _receiving(history: Path, tmp_path: Path) -> tuple[bytes, Path, set[int]]:
    """`history`'s pack, an empty bare repository to receive it, and this process's children before."""
    return pack_objects(history, "main\n", "--delta-base-offset"), bare(tmp_path), _children(os.getpid())


@pytest.mark.slow
def test_a_killed_worker_is_an_error_and_leaves_nothing(history: Path, tmp_path: Path) -> None:
    pack, target, before = _receiving(history, tmp_path)
    workers: set[int] = set()

    def kill_one(update: TransferProgress) -> None:  # as soon as they run
        if update.phase is Phase.RESOLVING and not workers:
            workers.update(_children(os.getpid()) - before)
            os.kill(min(workers), signal.SIGKILL)

    with pytest.raises(delta_workers.WorkerDied, match="killed by signal 9; nothing was kept"):
        receive(target, pack, kill_one)
    assert len(workers) == 2
    assert all(_gone(pid) for pid in workers)  # the other one was stopped, both reaped
    assert list((target / "objects" / "pack").iterdir()) == []


PARENT = textwrap.dedent(
    """
    import os, signal, sys
    from dulwich.repo import Repo
    from core.git.objects import delta_workers
    from core.git.objects.pack_ingest import IncomingPack
    from core.git.progress import Phase

    delta_workers.MIN_DELTAS = 1
    pack = open(sys.argv[2], "rb").read()

    def die(update):  # mid-way: the workers have their work
        if update.phase is Phase.RESOLVING and update.current:
            tasks = os.listdir(f"/proc/{os.getpid()}/task")
            pids = [open(f"/proc/{os.getpid()}/task/{t}/children").read() for t in tasks]
            print(" ".join(pids), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    with Repo(sys.argv[1]) as repo:
        incoming = IncomingPack(repo.object_store, die, threads=2)
        incoming.write(pack)
        incoming.commit()
    """
)


@pytest.mark.slow
def test_workers_die_with_a_parent_killed_by_sigkill(history: Path, tmp_path: Path) -> None:
    (tmp_path / "source.pack").write_bytes(pack_objects(history, "main\n", "--delta-base-offset"))
    target = bare(tmp_path)
    parent = subprocess.run(
        [sys.executable, "-c", PARENT, str(target), str(tmp_path / "source.pack")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert parent.returncode == -signal.SIGKILL
    workers = [int(pid) for pid in parent.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 30  # bounded wait, not a timing assertion
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


def test_pack_threads_is_read_as_git_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo_path = tmp_path / "repo"
    git("init", "-q", str(repo_path))
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    with Repo(str(repo_path)) as repo:
        assert delta_workers.configured_threads(repo.get_config_stack()) == 0  # unset: one per core
    git("config", "pack.threads", "3", cwd=repo_path)
    with Repo(str(repo_path)) as repo:
        assert delta_workers.configured_threads(repo.get_config_stack()) == 3
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "pack.threads")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "1")
    with Repo(str(repo_path)) as repo:
        assert delta_workers.configured_threads(repo.get_config_stack()) == 1  # the environment's last
    assert git("config", "pack.threads", cwd=repo_path) == "1"  # git agrees
    assert delta_workers.worker_count(1) == 1
    assert delta_workers.worker_count(64) == delta_workers.MAX_WORKERS


@pytest.mark.parametrize(
    ("cores", "load", "idle"), [(2, 0.0, 2), (2, 0.4, 2), (2, 0.6, 1), (2, 4.5, 1), (8, 3.2, 5), (4, 0.0, 4)]
)
def test_workers_only_for_the_cores_the_load_leaves_idle(cores: int, load: float, idle: int) -> None:
    assert delta_workers.idle_cores(cores, load) == idle


def test_the_clones_own_receive_is_not_counted_as_anothers_load() -> None:
    # A minute of receiving on an idle 2-core machine: the load reads about 0.63 of it,
    # which alone would leave one core; taken out, both cores are idle.
    own = delta_workers.own_load(60.0)
    assert 0.62 < own < 0.64
    assert delta_workers.idle_cores(2, 0.63) == 1
    assert delta_workers.idle_cores(2, 0.63 - own) == 2
    assert delta_workers.own_load(0.0) == 0.0
    assert delta_workers.idle_cores(2, 0.1 - delta_workers.own_load(30.0)) == 2  # never below zero


def test_only_the_receive_counts_as_its_own_load_not_the_processs_lifetime(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app or the daemon receiving a pack has run for hours: its whole CPU time is not
    in the one-minute load. Before, all of it was taken out (a whole core's worth), so
    with another process keeping one of two cores busy the receive started two workers
    where one core was free: the work split over a busy core."""
    monkeypatch.setattr(delta_workers.os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # one core busy
    monkeypatch.setattr(delta_workers.os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(time, "process_time", lambda: 36_000.0)  # ten hours of the app's CPU
    chosen: list[int] = []
    decide = delta_workers.wanted
    monkeypatch.setattr(delta_workers, "wanted", lambda *args: chosen.append(decide(*args)) or chosen[-1])
    pack = pack_objects(history, "main\n", "--delta-base-offset")
    target = bare(tmp_path)
    assert receive(target, pack, threads=0) is not None
    assert chosen == [0]  # one core idle: resolved in process
    git("update-ref", "refs/heads/main", rev_parse(history, "main"), cwd=target)
    fsck(target)
    # a minute of the receive's own CPU is its own load, taken out: both cores idle
    assert delta_workers.worker_count(0, receive_cpu=60.0) == 2


class Cancelled(Exception):
    pass


@pytest.mark.slow
def test_a_cancel_while_workers_run_stops_them_and_leaves_nothing(history: Path, tmp_path: Path) -> None:
    pack, target, before = _receiving(history, tmp_path)
    workers: set[int] = set()

    def cancel(update: TransferProgress) -> None:  # as a clone's Cancel does: the sink raises
        if update.phase is Phase.RESOLVING:
            workers.update(_children(os.getpid()) - before)
            raise Cancelled

    with pytest.raises(Cancelled):
        receive(target, pack, cancel)
    assert len(workers) == 2
    assert all(_gone(pid) for pid in workers)
    assert list((target / "objects" / "pack").iterdir()) == []


def test_a_worker_imports_gitferry_not_a_core_package_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m` puts the current folder first on `sys.path`: a clone started from a
    folder holding a `core` package (many projects have one) must not run that."""
    here = tmp_path / "a project"
    (here / "core").mkdir(parents=True)
    (here / "core" / "__init__.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(here)
    blob = b"hello world, a base of some length\n"
    pack = _pack(tmp_path, BLOB, blob, delta(len(blob), 3, [insert(b"abc")]))
    target = bare(tmp_path, "target.git")
    assert receive(target, pack, threads=2) is not None
    fsck(target)
