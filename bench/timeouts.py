"""How long giving up takes: timeouts against servers that never answer, and stopping
the daemon while a fetch hangs. The tests prove these end (and how); this measures when.

1. Fetch from a listener that never answers (the kernel accepts the connection,
   nobody reads or writes), timeout 1 s, over git://, http:// and ssh://. Beside
   it, git with its own nearest bound: `http.lowSpeedTime=1` for http, ssh's
   `ConnectTimeout=1` (it covers the banner exchange) for ssh. git has no read
   timeout for git:// (it waits until the server hangs up): no git row there.
2. Push to the same listener, timeout 0.5 s (git://, http://), git's http beside it.
3. `gitferry daemon` receiving SIGTERM: idle, and while a fetch from a server that
   trickles one byte every 0.5 s (so the fetch never ends on its own) is in flight;
   from the signal to the process's exit. Its grace period is 3 s (core/engine/daemon.py).

Every run is checked: each contender failed with a timeout (gitferry's
`RemoteUnreachable` saying "timed out", git's exit code 128), the daemon exited 0.
Former test bounds: fetch under 6 s, push under 3 s, daemon stop under 5 s.

    .venv/bin/python -m bench.timeouts [--runs N] [--daemon-runs N] [--only fetch push daemon]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from dulwich.repo import Repo

from bench.gitenv import git, isolate, scratch
from bench.stats import Summary, Table, interleaved, timing_table
from core.git.config.upstreams import Upstream
from core.git.transfer.errors import RemoteUnreachable
from core.git.transfer.fetch import fetch_remote
from core.git.transfer.push import push_branches

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
FETCH_TIMEOUT = 1.0
PUSH_TIMEOUT = 0.5
TRICKLE_SECONDS = 0.5
CAP = 60.0  # seconds: a contender that takes this long is reported as hanging
SSH = "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"


@contextlib.contextmanager
def never_answering() -> Iterator[int]:
    """A port whose connections the kernel completes and nobody ever serves."""
    with socket.create_server((HOST, 0), backlog=512) as listener:
        yield listener.getsockname()[1]


class Trickler:
    """Answers every connection with an endless pkt-line, one byte at a time."""

    def __init__(self) -> None:
        self._listener = socket.create_server((HOST, 0))
        self.port: int = self._listener.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self._listener.accept()
                self.connections += 1
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.sendall(b"fff0")
            while not self._stop.wait(TRICKLE_SECONDS):
                conn.sendall(b"#")

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


def _local(work: Path, url: str) -> Path:
    path = work / "local"
    if not path.exists():
        git("init", "-q", str(path))
        git("commit", "-q", "--allow-empty", "-m", "one", cwd=path)
        git("remote", "add", "origin", url, cwd=path)
    git("remote", "set-url", "origin", url, cwd=path)
    return path


def _ours(call: Callable[[Repo], object], local: Path) -> Callable[[], None]:
    def run() -> None:
        with Repo(str(local)) as repo:
            try:
                call(repo)
            except RemoteUnreachable as exc:
                if "time" not in exc.reason:
                    raise RuntimeError(f"not a timeout: {exc.reason}") from exc
                return
        raise RuntimeError("succeeded against a server that never answers")

    return run


def _git(local: Path, *args: str, env: dict[str, str] | None = None) -> Callable[[], None]:
    def run() -> None:
        proc = subprocess.run(
            ["git", *args],
            cwd=local,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=CAP,
            check=False,
        )
        if proc.returncode != 128:
            raise RuntimeError(f"git {args[-3:]}: exit {proc.returncode}: {proc.stderr.decode()[-200:]}")

    return run


def _url(scheme: str, port: int) -> str:
    user = "git@" if scheme == "ssh" else ""
    return f"{scheme}://{user}{HOST}:{port}/x.git"


def bench_fetch(runs: int) -> Table:
    contenders: dict[str, Callable[[], object]] = {}
    with scratch("timeouts") as tmp, never_answering() as port:
        for scheme in ("git", "http", "ssh"):
            local = _local(tmp / scheme, _url(scheme, port))

            def fetch(repo: Repo) -> object:
                return fetch_remote(repo, "origin", timeout=FETCH_TIMEOUT, ssh_command=SSH)

            contenders[f"gitferry fetch {scheme}://, timeout 1 s"] = _ours(fetch, local)
            if scheme == "http":
                slow = ("-c", "http.lowSpeedLimit=1", "-c", "http.lowSpeedTime=1")
                contenders["git fetch http://, lowSpeedTime=1"] = _git(local, *slow, "fetch", "-q", "origin")
            if scheme == "ssh":
                env = {"GIT_SSH_COMMAND": f"{SSH} -o ConnectTimeout=1"}
                git_fetch = _git(local, "fetch", "-q", "origin", env=env)
                contenders["git fetch ssh://, ConnectTimeout=1"] = git_fetch
        results = interleaved(contenders, runs)
    return _table("1. Fetch from a server that never answers: until the error", results)


def bench_push(runs: int) -> Table:
    contenders: dict[str, Callable[[], object]] = {}
    main = Upstream("main", "origin", "refs/heads/main", "refs/remotes/origin/main")
    with scratch("timeouts") as tmp, never_answering() as port:
        for scheme in ("git", "http"):
            local = _local(tmp / scheme, _url(scheme, port))
            git("branch", "-M", "main", cwd=local)

            def push(repo: Repo) -> object:
                return push_branches(repo, "origin", [main], timeout=PUSH_TIMEOUT)

            contenders[f"gitferry push {scheme}://, timeout 0.5 s"] = _ours(push, local)
            if scheme == "http":
                slow = ("-c", "http.lowSpeedLimit=1", "-c", "http.lowSpeedTime=1")
                git_push = _git(local, *slow, "push", "-q", "origin", "main")
                contenders["git push http://, lowSpeedTime=1"] = git_push
        results = interleaved(contenders, runs)
    return _table("2. Push to a server that never answers: until the error", results)


def _gitferry(home: Path, *args: str) -> None:
    subprocess.run([*CLI, *args], cwd=ROOT, env=_env(home), capture_output=True, check=True, timeout=CAP)


def _env(home: Path) -> dict[str, str]:
    """A throwaway home, and no keyring (git:// needs no credentials)."""
    null_keyring = "keyring.backends.null.Keyring"
    return {**os.environ, "GITFERRY_HOME": str(home), "PYTHON_KEYRING_BACKEND": null_keyring}


def _daemon_stop(tmp: Path, trickler: Trickler | None) -> float:
    """Seconds from SIGTERM to the daemon's exit; with `trickler`, a fetch from it in flight."""
    home = tmp / f"home-{time.monotonic_ns()}"
    if trickler is not None:
        local = _local(tmp / "stuck", f"git://{HOST}:{trickler.port}/x.git")
        _gitferry(home, "add", str(local), "--name", "stuck")
        _gitferry(home, "set", "stuck", "fetch_interval", "1")
    daemon = subprocess.Popen(
        [*CLI, "daemon"], cwd=ROOT, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_until(lambda: _daemon_ready(home, trickler), daemon)
        started = time.perf_counter()
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=CAP)
        elapsed = time.perf_counter() - started
        if daemon.returncode != 0:
            raise RuntimeError(f"daemon exited {daemon.returncode}: {err.decode()[-300:]}")
        return elapsed
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()


def _daemon_ready(home: Path, trickler: Trickler | None) -> bool:
    if trickler is not None:
        return trickler.connections > 0
    return (home / "status.sqlite3").exists()


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + CAP
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"daemon exited {proc.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError("daemon not ready in time")
        time.sleep(0.05)
    time.sleep(0.5)  # past start-up: the signal handlers are in place


def bench_daemon(runs: int) -> Table:
    samples: dict[str, list[float]] = {"idle daemon": [], "daemon with a fetch that never ends": []}
    with scratch("timeouts") as tmp:
        for _ in range(runs):
            samples["idle daemon"].append(_daemon_stop(tmp, None))
            trickler = Trickler()
            try:
                samples["daemon with a fetch that never ends"].append(_daemon_stop(tmp, trickler))
            finally:
                trickler.close()
    results = {name: Summary(tuple(values)) for name, values in samples.items()}
    return _table("3. gitferry daemon: from SIGTERM to exit", results, {"idle": "idle daemon"})


def _table(title: str, results: dict[str, Summary], baselines: dict[str, str] | None = None) -> Table:
    table = timing_table(title, results, baselines or {})
    table.note(f"load average (1 min) {os.getloadavg()[0]:.2f} after")
    return table


BENCHES: dict[str, Callable[[argparse.Namespace], Table]] = {
    "fetch": lambda args: bench_fetch(args.runs),
    "push": lambda args: bench_push(args.runs),
    "daemon": lambda args: bench_daemon(args.daemon_runs),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.timeouts", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs of each fetch and push contender")
    parser.add_argument("--daemon-runs", type=int, default=3, help="daemon stops of each kind")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    args = parser.parse_args(argv)
    isolate()
    for name in args.only:
        print(BENCHES[name](args).render(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
