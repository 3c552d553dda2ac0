"""A large pack's deltas resolved in several processes, one per core.

Resolving a pack's deltas (inflate each delta, apply it to its base, hash and
check the result) is CPU work in Python's one thread: 181,026 deltas of a
251,539-object clone took a third of it. `git index-pack` runs a thread per
core in C; Gitferry has no compiled core of its own and Python threads share
one interpreter lock, so the work goes to worker processes (`python -m
core.git.objects.delta_workers`, or the bundle's own binary with
`WORKER_VARIABLE` set), each reading the received pack file on its own
(`os.pread`, `mmap`).

A delta chain is resolved where its root (a whole object) is: the parent
weighs every root by the deltas that hang from it and deals the roots to the
workers, each to the least loaded, in pack order. A worker gets the scan's
arrays (offsets, sizes, types and each OFS_DELTA's base, pickled down its
stdin), resolves its chains with the same `DeltaResolver` and the same object
checks as the one-process path, and answers with (position, id) arrays; the
parent writes the index only once every delta has its id.

Failure is the pack's, never half of it: a worker's error (a corrupt delta, a
refused tree) comes back pickled and is raised in the parent as it would have
been raised in process, with the same message; a worker that dies without
answering (killed, out of memory) is `WorkerDied`; either way the parent kills
the others and the fetch or clone drops the pack. A worker reads its stdin to
the end while it works and leaves at once when it closes, so workers die with
the parent, even one killed with SIGKILL. A thin pack (REF_DELTAs on objects
only known once another delta is resolved) and a small pack stay in process.
"""

from __future__ import annotations

import contextlib
import logging
import math
import mmap
import os
import selectors
import struct
import subprocess
import sys
import threading
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dulwich.config import Config

from core.errors import GitferryError
from core.git.config.urlmatch import entries
from core.git.objects.check_policy import CheckPolicy
from core.git.objects.object_checks import ObjectChecks
from core.git.objects.pack_scan import WHOLE_TYPES, ScannedObjects
from core.git.progress import Phase, ProgressSink, TransferProgress

log = logging.getLogger(__name__)

MIN_DELTAS = 20_000  # fewer deltas than this are resolved in process: a worker's start costs ~0.1 s
MAX_WORKERS = 4
WORKER_VARIABLE = "GITFERRY_DELTA_WORKER"  # a bundled gitferry started with it set is a worker
_FRAME = struct.Struct(">cI")
_PROGRESS, _RESULT, _ERROR = b"P", b"R", b"E"
_POLL = 0.1  # seconds between progress reports (and so a Cancel's checks) while workers run
_COLUMNS = ("offsets", "data_starts", "types", "sizes", "result_sizes", "ofs_deltas", "ofs_bases")
_ROOT = Path(__file__).resolve().parents[3]  # the folder `core` is imported from


class WorkerDied(GitferryError):
    """A worker process ended without an answer; the pack is dropped."""


def worker_count(threads: int = 0, receive_cpu: float = 0.0) -> int:
    """How many processes to resolve a large pack's deltas in: `threads` (git's
    `pack.threads`, which git's index-pack follows) when set, else the cores this process
    may run on that the load leaves idle (`idle_cores`) once the receive's own part
    (`receive_cpu` seconds of CPU, `own_load`) is taken out; at most `MAX_WORKERS`. 1
    means in process."""
    if threads > 0:
        return min(threads, MAX_WORKERS)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not reported here
        load = 0.0
    return max(1, min(idle_cores(cores, load - own_load(receive_cpu)), MAX_WORKERS))


def own_load(cpu_seconds: float) -> float:
    """The receive's own part of the one-minute load after `cpu_seconds` of CPU (the
    thread that received the pack, since it began; not the process's whole CPU time,
    which in the app or the daemon is hours of work the load forgot long ago and would
    take a busy core's load out): the kernel's average decays with a one-minute time
    constant, so a thread runnable for t seconds adds 1 - e^(-t/60). Left in, a long
    receive on an otherwise idle machine counted itself as another's work and kept a
    core's worker from starting."""
    return 1.0 - math.exp(-max(cpu_seconds, 0.0) / 60.0)


def idle_cores(cores: int, load: float) -> int:
    """The cores a one-minute `load` leaves free, rounded. Work split over more processes
    than that finishes no sooner and adds each worker's start: a clone with two workers
    on two cores at a load of 2.7 to 4.7 took 3 to 11% longer and 4 to 13% more CPU than
    in process (`bench.clone --one-process`)."""
    return max(1, min(cores, int(cores - max(load, 0.0) + 0.5)))


def configured_threads(config: Config) -> int:
    """git's `pack.threads` (the last one set, `GIT_CONFIG_COUNT` pairs included); 0 (as
    many as there are cores) when unset or not a number."""
    threads = 0
    for entry in entries(config):
        if entry.section == b"pack" and entry.subsection is None and entry.name == "threads":
            try:
                threads = max(0, int(entry.value.decode("ascii", "replace").strip()))
            except ValueError:
                threads = 0
    return threads


def wanted(objects: ScannedObjects, deltas: int, threads: int = 0, receive_cpu: float = 0.0) -> int:
    """The workers for this scanned pack: 0 (in process) for a small or thin pack, or
    when one core is free (or `threads` is 1); `receive_cpu`: the CPU seconds its receive
    took (`worker_count`)."""
    if deltas < MIN_DELTAS or objects.ref_children:
        return 0
    count = worker_count(threads, receive_cpu)
    return count if count > 1 else 0


def deal_roots(objects: ScannedObjects, workers: int) -> list[array[int]]:
    """The whole objects that deltas hang from, dealt to `workers` by weight (the deltas
    under each), each root to the least loaded worker, in pack order."""
    count = len(objects.offsets)
    weight = array("I", [1]) * count
    # a delta comes after its base in the pack: walked from the end, every delta's own
    # weight is complete before it is added to its base's
    for delta, base in zip(reversed(objects.ofs_deltas), reversed(objects.ofs_bases), strict=True):
        weight[base] += weight[delta]
    has_children = bytearray(count)
    for base in objects.ofs_bases:
        has_children[base] = 1
    dealt = [array("I") for _ in range(workers)]
    loads = [0] * workers
    types = objects.types
    for index in range(count):
        if has_children[index] and types[index] in WHOLE_TYPES:
            least = loads.index(min(loads))
            dealt[least].append(index)
            loads[least] += weight[index]
    return dealt


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    buffer: bytearray
    resolved: int = 0
    answer: tuple[array[int], bytes, list[str]] | None = None


def resolve_in_workers(
    pack_path: str,
    objects: ScannedObjects,
    end: int,
    *,
    pack_dir: str,
    policy: CheckPolicy | None,
    workers: int,
    deltas: int,
    progress: ProgressSink | None,
) -> int:
    """Resolve every delta of the scanned pack at `pack_path` in `workers` processes,
    writing their ids into `objects.ids`; the number resolved. Raises what a worker
    raised, or `WorkerDied`; no worker outlives the call."""
    import pickle  # here: a pack resolved in process (the usual fetch) needs none of it

    roots = deal_roots(objects, workers)
    request = {
        "pack": pack_path,
        "end": end,
        "pack_dir": pack_dir,
        "policy": policy,
        "columns": {name: getattr(objects, name) for name in _COLUMNS},
    }
    running: list[_Worker] = []
    try:
        running.extend(_Worker(_start(), bytearray()) for _ in roots)
        if progress is not None:
            progress(TransferProgress(Phase.RESOLVING, 0, deltas))
        for worker, dealt in zip(running, roots, strict=True):
            stdin = worker.process.stdin
            assert stdin is not None
            try:
                pickle.dump({**request, "roots": dealt}, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()  # kept open: its end tells the worker that this process is gone
            except BrokenPipeError:
                raise _died(worker.process) from None
        _collect(running, deltas, progress)
        resolved = 0
        ids = objects.ids
        for worker in running:
            assert worker.answer is not None
            positions, digests, warnings = worker.answer
            for i, index in enumerate(positions):
                ids[index] = digests[i * 20 : i * 20 + 20]
            resolved += len(positions)
            for warning in warnings:
                log.warning("%s", warning)
        return resolved
    finally:
        for worker in running:
            _stop(worker)


def _start() -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the binary is the worker
        argv = [sys.executable, "delta-worker"]
        env[WORKER_VARIABLE] = "1"
    else:
        # -P: `-m` would put the current folder first on `sys.path`, and a `core` package
        # there (a project's own) would be imported in place of Gitferry's
        argv = [sys.executable, "-P", "-m", __name__]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )


def _stop(worker: _Worker) -> None:
    """A worker that answered leaves by itself; any other is killed. Reaped either way."""
    process = worker.process
    if worker.answer is None and process.poll() is None:
        process.kill()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    process.wait()


def _collect(running: list[_Worker], deltas: int, progress: ProgressSink | None) -> None:
    """Read every worker's frames until each has answered; progress as they go."""
    with selectors.DefaultSelector() as selector:
        for worker in running:
            assert worker.process.stdout is not None
            selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
        waiting = len(running)
        while waiting:
            for key, _ in selector.select(_POLL):
                worker = key.data
                chunk = os.read(key.fd, 1 << 20)
                if not chunk:
                    raise _died(worker.process)
                worker.buffer += chunk
                _frames(worker)
                if worker.answer is not None:
                    selector.unregister(key.fileobj)
                    waiting -= 1
            if progress is not None:
                progress(TransferProgress(Phase.RESOLVING, sum(w.resolved for w in running), deltas))


def _frames(worker: _Worker) -> None:
    import pickle

    buffer = worker.buffer
    while len(buffer) >= _FRAME.size:
        kind, length = _FRAME.unpack_from(buffer)
        if len(buffer) < _FRAME.size + length:
            return
        payload = bytes(buffer[_FRAME.size : _FRAME.size + length])
        del buffer[: _FRAME.size + length]
        if kind == _PROGRESS:
            worker.resolved = int(payload)
        elif kind == _RESULT:
            worker.answer = pickle.loads(payload)
        else:
            raise _raised(payload)


def _raised(payload: bytes) -> BaseException:
    import pickle

    try:
        exc = pickle.loads(payload)
    except Exception as problem:  # whatever it was, the pack is not kept
        return WorkerDied(f"indexing the pack failed in a worker process ({problem}); nothing was kept")
    assert isinstance(exc, BaseException)
    return exc


def _died(process: subprocess.Popen[bytes]) -> WorkerDied:
    code = process.wait()
    how = f"was killed by signal {-code}" if code < 0 else f"ended with exit status {code}"
    return WorkerDied(f"indexing the pack failed: its worker process {process.pid} {how}; nothing was kept")


# the worker's side


def _send(out: BinaryIO, lock: threading.Lock, kind: bytes, payload: bytes) -> None:
    with lock:
        out.write(_FRAME.pack(kind, len(payload)) + payload)
        out.flush()


def _leave_with_parent(fd: int) -> None:
    """The parent holds our stdin open until it has our answer: its end (the parent done,
    or killed) ends this process at once."""
    with contextlib.suppress(OSError):
        while os.read(fd, 1 << 16):
            pass
    os._exit(1)


def _warnings_kept() -> list[str]:
    """The object checks' warnings, kept to be logged by the parent."""
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record.getMessage())

    checks_log = logging.getLogger("core.git.objects.object_checks")
    checks_log.addHandler(Keep())
    checks_log.setLevel(logging.WARNING)
    checks_log.propagate = False
    return kept


def _no_local_objects(oid: bytes) -> tuple[int, bytes]:
    raise KeyError(oid)  # a worker never gets a thin pack


def worker_main() -> int:
    """Resolve the chains of the roots the parent sent on stdin; answer on stdout."""
    import pickle

    from core.git.objects.pack_ingest import DeltaResolver

    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    lock = threading.Lock()
    request = pickle.load(stdin)
    threading.Thread(target=_leave_with_parent, args=(stdin.fileno(),), daemon=True).start()
    kept = _warnings_kept()
    try:
        columns = request["columns"]
        objects = ScannedObjects(**columns, crcs=array("L"), ids=[None] * len(columns["offsets"]))
        policy: CheckPolicy | None = request["policy"]

        def report(update: TransferProgress) -> None:
            _send(out, lock, _PROGRESS, str(update.current).encode())

        with open(request["pack"], "rb") as pack:
            fd = pack.fileno()
            with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mapped:
                resolver = DeltaResolver(
                    memoryview(mapped),
                    objects,
                    fd,
                    request["end"],
                    _no_local_objects,
                    pack_dir=request["pack_dir"],
                    checks=ObjectChecks(policy) if policy is not None else None,
                )
                try:
                    resolver.resolve_roots(request["roots"], report)
                finally:
                    resolver.release()
        positions = array("I", (i for i, oid in enumerate(objects.ids) if oid is not None))
        digests = b"".join(objects.ids[i] or b"" for i in positions)
        _send(out, lock, _RESULT, pickle.dumps((positions, digests, kept), protocol=pickle.HIGHEST_PROTOCOL))
        os._exit(0)  # nothing to tidy: no interpreter shutdown (its freeing cost time)
    except BaseException as exc:  # every failure goes back to the parent
        try:
            payload = pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(payload)
        except Exception:  # one that does not survive pickling
            payload = pickle.dumps(WorkerDied(f"indexing the pack failed in a worker process: {exc}"))
        _send(out, lock, _ERROR, payload)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(worker_main())
