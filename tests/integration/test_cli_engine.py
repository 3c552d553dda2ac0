"""`gitferry sync` through a running engine (`core.cli_engine`, `core.engine.cli_server`):
a real `gitferry daemon`, a real `git daemon` remote, the CLI as fresh processes, git
as referee. The output and exit status are those of the same sync run in the CLI's
own process; whenever the engine does not carry a sync out, the CLI runs it itself."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from core import cli
from core.cli_engine import simple_sync, sync_through_engine
from core.cli_parser import build_parser
from core.cli_socket import IN_PROCESS_VARIABLE, encode, socket_path
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, porcelain, run
from tests.integration.engine_process import (
    DAEMON,
    PROBE,
    ROOT,
    EngineProcess,
    Ran,
    answering,
    code_copy,
    gitferry,
    listening_socket,
    on_a_pty,
    read_to_end,
    read_until,
)
from tests.integration.test_cli_progress import on_a_terminal
from tests.integration.test_fetch import push_commit, seed
from tests.integration.test_sign_in import registered
from tests.servers.faults import TricklingServer
from tests.servers.remote import HttpRemote
from tests.waiting import CAP, eventually, wait_until


def pushed_elsewhere(world: Clones, tmp_path: Path, name: str) -> str:
    """A commit pushed to the remote by a third clone; its id."""
    other = tmp_path / f"other-{name}"
    if not other.exists():
        git("clone", "-q", str(world.bare), str(other))
    sha = commit_file(other, f"{name}.txt", f"{name}\n")
    git("push", "-q", "origin", "main", cwd=other)
    world.remember()
    return sha


def as_mine(ran: Ran, world: Clones) -> tuple[int, str, str]:
    """`theirs`'s output as it reads for `mine`: only the name and the path differ."""

    def swap(text: str) -> str:
        return text.replace(str(world.theirs), str(world.mine)).replace("theirs", "mine")

    return ran.code, swap(ran.out), swap(ran.err)


def without_timings(out: str) -> dict[str, Any]:
    doc = json.loads(out)
    for report in doc["repos"]:
        report.pop("timings_ms")
    return dict(doc)


def in_this_process(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    """The reference a run through the engine is compared with: `gitferry ARGS` run by
    the CLI itself, told not to ask an engine, in the test's own process (`run`): the
    same code a fresh process runs (the tests above and below that are about the fresh
    process use `gitferry`), without importing the engine's modules again (about 1 s of
    CPU each). Its modules are this process's: dulwich among them, so never `in_engine`."""
    capsys.readouterr()
    os.environ[IN_PROCESS_VARIABLE] = "1"
    try:
        code = cli.main(list(args))
    finally:
        del os.environ[IN_PROCESS_VARIABLE]
    out, err = capsys.readouterr()
    return Ran(code, out, err, set(sys.modules))


@pytest.mark.slow
def test_a_sync_through_the_engine_prints_what_the_cli_prints(
    world: Clones, engine: EngineProcess, tmp_path: Path
) -> None:
    # Up to date, text.
    through = gitferry("sync", "--fetch-only", "mine")
    here = in_this_process(world.capsys, "sync", "--fetch-only", "theirs")
    assert through.in_engine and not here.in_engine
    assert (through.code, through.out, through.err) == as_mine(here, world)
    assert through.out == "mine: up_to_date - up to date\n"
    # Fetched and fast-forwarded, text: the engine's sync moved `mine` as git says.
    sha = pushed_elsewhere(world, tmp_path, "b")
    through = gitferry("sync", "mine")
    here = in_this_process(world.capsys, "sync", "theirs")
    assert through.in_engine
    assert (through.code, through.out, through.err) == as_mine(here, world)
    assert through.code == 0 and ": ok - " in through.out
    assert world.head(world.mine) == world.head(world.theirs) == sha
    assert git("rev-parse", "origin/main", cwd=world.mine) == sha
    # Fetched only, JSON: the same document but for the timings.
    sha = pushed_elsewhere(world, tmp_path, "c")
    through = gitferry("sync", "--json", "--fetch-only", "mine")
    here = in_this_process(world.capsys, "sync", "--json", "--fetch-only", "theirs")
    assert through.in_engine
    mine, theirs = without_timings(through.out), without_timings(as_mine(here, world)[1])
    assert (through.code, mine, through.err) == (here.code, theirs, here.err)
    assert mine["repos"][0]["result"] == "ok"
    assert git("rev-parse", "origin/main", cwd=world.mine) == sha != world.head(world.mine)
    # Several repositories, one after the other, in the order named.
    through = gitferry("sync", "--no-push", "theirs", "mine")
    here = in_this_process(world.capsys, "sync", "--no-push", "theirs", "mine")
    assert through.in_engine
    assert through.code == 0 and through.out.splitlines()[0].startswith("theirs: ")
    assert world.head(world.mine) == world.head(world.theirs) == sha
    assert (here.code, here.out) == (0, "theirs: up_to_date - up to date\nmine: up_to_date - up to date\n")


@pytest.mark.slow
def test_errors_read_the_same_through_the_engine(
    world: Clones, engine: EngineProcess, refused_port: int
) -> None:
    # A name nobody registered: one line, exit 2, nothing synced.
    through = gitferry("sync", "mine", "nope")
    here = in_this_process(world.capsys, "sync", "mine", "nope")
    assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
    assert (through.code, through.err) == (2, "gitferry: no repository named 'nope' (see `gitferry list`)\n")
    # With --json, the same line and exit status, and one JSON document on stdout.
    for args in (["sync", "--json", "mine", "nope"], ["status", "--refresh", "--json", "nope"]):
        through = gitferry(*args)
        here = in_this_process(world.capsys, *args)
        assert (through.code, through.out, through.err) == (here.code, here.out, here.err), args
        assert json.loads(through.out) == {"error": "no repository named 'nope' (see `gitferry list`)"}
        assert through.code == 2
    # The remote does not answer: `offline`, exit 1, in text and in JSON.
    for clone in (world.mine, world.theirs):
        git("remote", "set-url", "origin", f"git://127.0.0.1:{refused_port}/x.git", cwd=clone)
    for extra in ([], ["--json"]):
        through = gitferry("sync", *extra, "mine")
        here = in_this_process(world.capsys, "sync", *extra, "theirs")
        assert through.in_engine
        code, out, err = as_mine(here, world)
        assert (through.code, through.err) == (code, err) == (1, "")
        if extra:
            assert without_timings(through.out) == without_timings(out)
            assert without_timings(out)["repos"][0]["result"] == "offline"
        else:
            assert through.out == out
            assert through.out.startswith("mine: offline - ")


@pytest.mark.slow
def test_without_an_engine_the_cli_syncs_itself(
    world: Clones, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No engine, then a killed one's socket left behind, then a new engine: each answers.
    The CLI and the engines run a copy of the code, whose file this test dates forward."""
    root = code_copy(tmp_path / "checkout")
    ran = gitferry("sync", "--fetch-only", "mine", root=root)
    assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", False)
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess(root=root)
    assert gitferry("sync", "--fetch-only", "mine", root=root).in_engine
    engine.kill()
    assert socket_path(engine.home).exists()  # stale: nobody listens on it
    ran = gitferry("sync", "--fetch-only", "mine", root=root)
    assert (ran.code, ran.out, ran.err, ran.in_engine) == (0, "mine: up_to_date - up to date\n", "", False)
    engine = EngineProcess(root=root)  # replaces the stale socket
    try:
        ran = gitferry("sync", "--fetch-only", "mine", root=root)
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", True)
        # Forced in-process, and a CLI whose git would see another environment: refused.
        assert not gitferry("sync", "--fetch-only", "mine", root=root, in_process=True).in_engine
        ran = gitferry("sync", "--fetch-only", "mine", root=root, env={"GIT_AUTHOR_NAME": "Someone Else"})
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", False)
        mask = os.umask(0o022)
        os.umask(mask)
        # its files' modes would differ
        ran = gitferry("sync", "--fetch-only", "mine", root=root, umask=mask ^ 0o070)
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", False)
        # Other code of the same version: a file of the package changed since the engine
        # started (a checkout switched, a package reinstalled): refused.
        changed = root / "core" / "cli_socket.py"
        times = changed.stat()
        newest = max(f.stat().st_mtime_ns for f in (root / "core").rglob("*.py"))
        os.utime(changed, ns=(times.st_atime_ns, newest + 1_000_000_000))  # the newest now
        try:
            ran = gitferry("sync", "--fetch-only", "mine", root=root)
        finally:
            os.utime(changed, ns=(times.st_atime_ns, times.st_mtime_ns))
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", False)
        assert gitferry("sync", "--fetch-only", "mine", root=root).in_engine  # the same build again
        # A second engine on the same data directory is refused at once: the socket stays the first's.
        second = EngineProcess(root=root)
        assert second.proc.wait(CAP) == 3
        assert "answering the CLI" not in second.stop()
        assert gitferry("sync", "--fetch-only", "mine", root=root).in_engine
    finally:
        engine.stop()


def test_an_engine_gone_mid_request_leaves_the_sync_to_the_cli(world: Clones) -> None:
    """An engine that accepts the sync, then dies before answering (its connection closed):
    the CLI runs the sync itself."""
    listener = listening_socket(Path(os.environ["GITFERRY_HOME"]))
    heard: list[dict[str, Any]] = []

    def accept_then_die() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            heard.append(json.loads(lines.readline()))
            conn.sendall(encode({"accepted": True}))

    thread = threading.Thread(target=accept_then_die, daemon=True)
    thread.start()
    try:
        pushed = pushed_elsewhere(world, world.mine.parent, "d")
        ran = gitferry("sync", "--fetch-only", "mine")
    finally:
        thread.join(CAP)
        listener.close()
    assert heard and heard[0]["names"] == ["mine"] and heard[0]["fetch_only"] is True
    assert (ran.code, ran.in_engine) == (0, False)
    assert ran.out.startswith("mine: ok - ")
    assert git("rev-parse", "origin/main", cwd=world.mine) == pushed


@pytest.mark.slow
def test_an_engine_that_accepts_and_never_answers_is_given_up_with_a_line(world: Clones) -> None:
    """An engine that accepted the sync and never answers (hung, or far too busy: here a
    listener of the test's own that reads the request and says nothing): after
    ANSWER_SECONDS (15 s) the CLI says so in one line and runs the sync itself. The engine
    did nothing to the repository; the CLI's fetch moved only origin/main. Before, the CLI
    waited in silence, then synced as if no engine had been there."""
    listener = listening_socket(Path(os.environ["GITFERRY_HOME"]))
    heard: list[dict[str, Any]] = []
    release = threading.Event()

    def accept_and_stall() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            heard.append(json.loads(lines.readline()))
            release.wait(CAP)  # the connection open, nothing said

    thread = threading.Thread(target=accept_and_stall, daemon=True)
    thread.start()
    (world.mine / "draft.txt").write_text("not committed\n")
    head, status = git("rev-parse", "HEAD", cwd=world.mine), porcelain(world.mine)
    try:
        pushed = pushed_elsewhere(world, world.mine.parent, "h")
        ran = gitferry("sync", "--fetch-only", "mine")
    finally:
        release.set()
        thread.join(CAP)
        listener.close()
    said = (
        f"gitferry: the Gitferry engine (pid {os.getpid()}: `gitferry daemon` or the app)"
        " did not answer in 15 s: this command runs by itself\n"
    )
    assert heard and heard[0]["command"] == "sync" and heard[0]["names"] == ["mine"]
    assert (ran.code, ran.err, ran.in_engine) == (0, said, False)
    assert ran.out.startswith("mine: ok - fetched origin/main"), ran.out
    assert git("rev-parse", "origin/main", cwd=world.mine) == pushed
    assert (git("rev-parse", "HEAD", cwd=world.mine), porcelain(world.mine)) == (head, status)


def stopped(pid: int) -> bool:
    """The process is stopped (`T` in /proc/PID/stat), as SIGSTOP or Ctrl-Z leave it."""
    return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0] == b"T"


@pytest.mark.slow
def test_a_stopped_engine_is_not_waited_for(world: Clones, capsys: pytest.CaptureFixture[str]) -> None:
    """A daemon suspended in its terminal (Ctrl-Z, SIGSTOP) still has its socket accept
    connections, but nothing reads them: the CLI says so and runs the command itself at
    once. Before, each `sync` and `status --refresh` waited out ANSWER_SECONDS (15 s) in
    silence first."""
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    pushed = pushed_elsewhere(world, world.mine.parent, "s")
    engine.proc.send_signal(signal.SIGSTOP)
    try:
        deadline = time.monotonic() + CAP
        while not stopped(engine.proc.pid):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        synced = gitferry("sync", "--fetch-only", "mine")
        refreshed = gitferry("status", "--refresh", "mine")
    finally:
        engine.proc.send_signal(signal.SIGCONT)
        engine.stop()
    pid = engine.proc.pid
    said = (
        f"gitferry: the Gitferry engine (pid {pid}: `gitferry daemon` or the app) is stopped"
        f" (Ctrl-Z or SIGSTOP; `kill -CONT {pid}` resumes it): this command runs by itself\n"
    )
    assert (synced.code, synced.err, synced.in_engine) == (0, said, False)
    assert synced.out.startswith("mine: ok - fetched origin/main")
    assert git("rev-parse", "origin/main", cwd=world.mine) == pushed
    assert (refreshed.code, refreshed.err) == (0, said)
    assert refreshed.out.startswith("mine  ")


@pytest.mark.slow
def test_an_engine_that_cannot_make_its_socket_directory_runs_on(
    world: Clones, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file where the engine's private directory goes: the daemon runs without answering
    the CLI (it crashed at its start), and the CLI syncs in its own process."""
    assert run(capsys, "pause")[0] == 0
    home = Path(os.environ["GITFERRY_HOME"])
    (home / "engine").write_text("not a directory\n")
    log = home.parent / "daemon-no-socket.log"
    with log.open("ab") as written:
        daemon = subprocess.Popen(
            DAEMON,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=written,
        )
    try:
        deadline = time.monotonic() + CAP
        while "the CLI cannot reach this engine" not in log.read_text():
            assert daemon.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        ran = gitferry("sync", "--fetch-only", "mine")
        assert (ran.code, ran.out, ran.in_engine) == (0, "mine: up_to_date - up to date\n", False)
        assert daemon.poll() is None
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(CAP)
    assert daemon.returncode == 0, log.read_text()
    assert "Traceback" not in log.read_text()


@pytest.mark.slow
@pytest.mark.skipif(os.getuid() != 0, reason="needs to start a process as another user")
def test_another_user_is_refused(world: Clones, engine: EngineProcess) -> None:
    """Even with the directory opened to everyone, the engine answers its own user only
    (`SO_PEERCRED`); with it private, another user cannot even connect."""
    path = socket_path(engine.home)
    python = "/usr/bin/python3"  # one the user nobody may run
    if not os.access(python, os.X_OK):
        pytest.skip("no system python for another user")
    ask = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        "    s.connect(sys.argv[1])\n"
        "except PermissionError:\n"
        "    print('no entry'); sys.exit()\n"
        "print(s.makefile('rb').readline().decode().strip())\n"
    )

    def as_nobody() -> str:
        proc = subprocess.run(
            [python, "-I", "-S", "-c", ask, str(path)],
            capture_output=True,
            text=True,
            timeout=CAP,
            user=65534,  # and its group alone: not root's
            group=65534,
            extra_groups=[],
        )
        return proc.stdout.strip() or proc.stderr

    assert as_nobody() == "no entry"
    closed = [p for p in path.parents if not p.stat().st_mode & stat.S_IXOTH]
    opened = [(p, p.stat().st_mode) for p in (*closed, path)]
    try:
        for p, mode in opened:
            p.chmod(0o777 if p == path else mode | 0o005)
        assert json.loads(as_nobody()) == {"refused": "another user"}
    finally:
        for p, mode in opened:
            p.chmod(mode)
    assert gitferry("sync", "--fetch-only", "mine").in_engine  # its own user still answered


@pytest.mark.slow
def test_ctrl_c_cancels_the_engines_sync(
    world: Clones, capsys: pytest.CaptureFixture[str], trickling_server: TricklingServer
) -> None:
    """A fetch that never ends (the remote trickles a byte now and then): Ctrl-C in the
    CLI cancels the engine's sync and ends as the CLI's own Ctrl-C does (`cli.main`)."""
    stuck = world.mine.parent / "stuck"
    git("init", "-q", "-b", "main", str(stuck))
    git("remote", "add", "origin", f"git://127.0.0.1:{trickling_server.port}/x.git", cwd=stuck)
    assert run(capsys, "add", str(stuck))[0] == 0
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        client = subprocess.Popen(
            [sys.executable, "-c", PROBE, "sync", "stuck"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + CAP
        while not trickling_server.connections:
            assert time.monotonic() < deadline and client.poll() is None
            time.sleep(0.05)
        # Meanwhile another sync of it: the engine refuses (a job runs there), and the CLI
        # waits for the sync lock in its own process as always, then says who holds it.
        second = gitferry("sync", "stuck")
        assert (second.code, second.in_engine) == (1, False)
        assert second.out.startswith("stuck: busy - ") and "another sync is running" in second.out
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=CAP)
        modules = set(json.loads(err.splitlines()[-1]))
        assert "dulwich" not in modules
        assert (client.returncode, out, err.splitlines()[:-1]) == (130, "", ["gitferry: interrupted"])
        # The engine's sync ended as cancelled (before the CLI did), and nothing waits on it.
        journal = engine.home / "activity.jsonl"
        entries = [json.loads(line) for line in journal.read_text().splitlines()]
        assert any(e["repo"] == "stuck" and e["message"] == "cancelled" for e in entries), entries
        assert gitferry("sync", "--fetch-only", "mine").in_engine
    finally:
        engine.stop()
    assert not (stuck / ".git" / "gitferry" / "sync.lock").exists()


def _stuck(world: Clones, capsys: pytest.CaptureFixture[str], name: str, server: TricklingServer) -> Path:
    """A registered repository whose only remote trickles bytes (its fetch never ends)."""
    path = world.mine.parent / name
    git("init", "-q", "-b", "main", str(path))
    git("remote", "add", "origin", f"git://127.0.0.1:{server.port}/x.git", cwd=path)
    assert run(capsys, "add", str(path))[0] == 0
    return path


def _client(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _connected(server: TricklingServer, *clients: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + CAP
    while not server.connections:
        assert time.monotonic() < deadline and all(c.poll() is None for c in clients)
        time.sleep(0.05)


@pytest.mark.slow
def test_a_job_started_after_the_request_was_accepted_makes_it_busy(
    world: Clones, capsys: pytest.CaptureFixture[str], trickling_server: TricklingServer
) -> None:
    """`sync first second` accepted while nothing ran; while `first` syncs, another job
    starts on `second` (another CLI's sync) and never ends. When the request reaches
    `second` it waits as the CLI's own process waits for the sync lock, then says `busy`
    with the same line (before: it waited in the worker's queue without bound)."""
    other = TricklingServer()
    try:
        _stuck(world, capsys, "first", other)
        _stuck(world, capsys, "second", trickling_server)
        assert run(capsys, "pause")[0] == 0
        engine = EngineProcess()
        try:
            both = _client("sync", "--fetch-only", "first", "second")
            _connected(other, both)  # accepted; `first` fetches
            holder = _client("sync", "--fetch-only", "second")
            _connected(trickling_server, both, holder)  # a job runs on `second` now
            assert both.poll() is None  # still in `first`'s fetch: then on to `second`
            # The same sync in the CLI's own process, meanwhile: it waits for the lock too.
            here = _client("sync", "--fetch-only", "second", env={"GITFERRY_IN_PROCESS": "1"})
            other.stop()  # `first`'s remote hangs up: its fetch ends, the request goes on
            out, err = both.communicate(timeout=CAP)
            assert "dulwich" not in set(json.loads(err.splitlines()[-1]))  # the engine's answer
            lines = out.splitlines()
            assert [line.split(" - ")[0] for line in lines] == ["first: error", "second: busy"], out
            assert "the connection closed mid-transfer" in lines[0], out
            assert "another sync is running" in lines[1], out
            here_out, here_err = here.communicate(timeout=CAP)  # ... and says the same
            assert "dulwich" in set(json.loads(here_err.splitlines()[-1]))  # it ran there
            assert (here.returncode, here_out.replace(lines[1], "")) == (both.returncode, "\n"), here_out
            holder.send_signal(signal.SIGINT)
            assert holder.wait(CAP) == 130
        finally:
            engine.stop()
    finally:
        other.stop()


@pytest.mark.slow
def test_ctrl_c_in_process_cuts_the_transfer(
    world: Clones, capsys: pytest.CaptureFixture[str], trickling_server: TricklingServer
) -> None:
    """`GITFERRY_IN_PROCESS=1`, a fetch that never ends: Ctrl-C ends the command as the
    engine's path does (before, the process waited for the transfer's thread forever),
    the connection cut, no partial pack, the lock released, refs and tree as they were."""
    stuck = world.mine.parent / "stuck-here"
    git("init", "-q", "-b", "main", str(stuck))
    head = commit_file(stuck, "a.txt", "a\n")
    git("remote", "add", "origin", f"git://127.0.0.1:{trickling_server.port}/x.git", cwd=stuck)
    assert run(capsys, "add", str(stuck))[0] == 0
    refs = git("for-each-ref", cwd=stuck)
    client = _client("sync", "stuck-here", env={"GITFERRY_IN_PROCESS": "1"})
    try:
        _connected(trickling_server, client)  # the fetch is in its read
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=CAP)
    finally:
        client.kill()
    assert (client.returncode, out, err.splitlines()[:-1]) == (130, "", ["gitferry: interrupted"])
    assert "dulwich" in set(json.loads(err.splitlines()[-1]))  # it ran here
    assert not (stuck / ".git" / "gitferry" / "sync.lock").exists()
    assert list((stuck / ".git" / "objects" / "pack").iterdir()) == []  # nothing half received
    assert git("for-each-ref", cwd=stuck) == refs and git("rev-parse", "HEAD", cwd=stuck) == head
    assert git("status", "--porcelain", cwd=stuck) == ""
    git("fsck", "--strict", cwd=stuck)


@pytest.mark.slow
def test_ctrl_c_in_process_while_pushing_cuts_the_push(
    world: Clones, capsys: pytest.CaptureFixture[str], trickling_server: TricklingServer
) -> None:
    """The fetch done, a push to a remote that trickles bytes (its `pushurl`): Ctrl-C ends
    the command at once (before: it waited for the push's thread forever), nothing pushed,
    the lock released, refs and tree as they were."""
    ahead = world.mine.parent / "ahead"
    git("clone", "-q", str(world.bare), str(ahead))
    commit_file(ahead, "ahead.txt", "ahead\n")
    git("config", "remote.origin.pushurl", f"git://127.0.0.1:{trickling_server.port}/x.git", cwd=ahead)
    assert run(capsys, "add", str(ahead))[0] == 0
    refs, remote = git("for-each-ref", cwd=ahead), git("rev-parse", "main", cwd=world.bare)
    client = _client("sync", "ahead", env={"GITFERRY_IN_PROCESS": "1"})
    try:
        _connected(trickling_server, client)
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=CAP)
    finally:
        client.kill()
    assert (client.returncode, out, err.splitlines()[:-1]) == (130, "", ["gitferry: interrupted"])
    assert not (ahead / ".git" / "gitferry" / "sync.lock").exists()
    assert git("for-each-ref", cwd=ahead) == refs and git("rev-parse", "main", cwd=world.bare) == remote
    assert git("status", "--porcelain", cwd=ahead) == ""
    git("fsck", "--strict", cwd=ahead)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["mine"],
        ["--json"],
        ["mine", "theirs", "--fetch-only"],
        ["--no-push", "--json", "mine"],
        ["--json", "mine", "theirs", "--no-push", "--json"],
        ["mine", "--json", "theirs"],  # names on both sides of a flag: the parser refuses it
        ["--fetch"],  # an abbreviation the parser takes
        ["--verbose", "mine"],
        ["-h"],
        ["--", "mine"],
        ["-x"],
    ],
)
def test_the_entry_points_reading_of_sync_is_the_parsers(args: list[str]) -> None:
    """`simple_sync` reads `sync ARGS` before the CLI's parser is imported: when it reads
    them at all, it reads what the parser does, and the CLI runs the sync with what it
    read (`sync_namespace`, not parsed again): the same attributes as the parser's."""
    simple = simple_sync(args)
    try:
        parsed = build_parser().parse_args(["sync", *args])
    except SystemExit:
        assert simple is None
        return
    if simple is not None:
        assert not parsed.verbose
        assert simple == (parsed.names, parsed.fetch_only, parsed.no_push, parsed.json)
        assert vars(cli.sync_namespace(simple)) == vars(parsed)
    else:
        assert parsed.verbose or args[:1] in (["--fetch"], ["--"])


@pytest.mark.slow
def test_the_app_shows_a_sync_the_cli_handed_over(world: Clones, capsys: pytest.CaptureFixture[str]) -> None:
    """The app's engine (`Api.run`, in this process, a real socket): the CLI's sync is a
    user sync on the repository's worker, published like the app's own."""
    from core.api import Api, StateChanged, SyncFinished

    async def scenario() -> tuple[int | None, list[object]]:
        api = await Api.open()
        running = asyncio.ensure_future(api.run())
        await asyncio.wait_for(api.started.wait(), CAP)
        events = api.subscribe()
        try:
            await eventually(lambda: answering(Path(os.environ["GITFERRY_HOME"])), "the engine listens")
            loop = asyncio.get_running_loop()
            code = await loop.run_in_executor(
                None, lambda: sync_through_engine(["mine"], fetch_only=True, no_push=False, as_json=False)
            )
            seen = []
            while len(events):
                seen.append(events.get_nowait())
            return code, seen
        finally:
            api.stop()
            await asyncio.wait_for(running, CAP)
            await api.close()

    assert run(capsys, "pause")[0] == 0  # no background fetch gets there first
    pushed = pushed_elsewhere(world, world.mine.parent, "e")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code, seen = asyncio.run(scenario())
    assert code == 0 and out.getvalue().startswith("mine: ok - "), out.getvalue()
    mine = [e for e in seen if getattr(e, "repo", None) == "mine"]
    assert any(isinstance(e, StateChanged) and str(e.to_state) == "fetching" for e in mine), mine
    finished = [e for e in mine if isinstance(e, SyncFinished)]
    assert [str(e.result) for e in finished] == ["ok"], mine
    assert git("rev-parse", "origin/main", cwd=world.mine) == pushed != world.head(world.mine)


@pytest.mark.slow
def test_progress_on_a_terminal_comes_from_the_engine(
    world: Clones, engine: EngineProcess, tmp_path: Path
) -> None:
    """On a terminal the bars show the engine's progress, as they show the sync's own in
    process; the last line is the same report."""
    other = tmp_path / "many"
    git("clone", "-q", str(world.bare), str(other))
    for n in range(3000):
        (other / f"f{n:05}.txt").write_text(f"file {n}\n" + os.urandom(200).hex())
    git("add", "-A", cwd=other)
    git("commit", "-q", "-m", "many files", cwd=other)
    git("push", "-q", "origin", "main", cwd=other)
    world.remember()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    command = [sys.executable, "-c", "import sys; from gui.launch import main; sys.exit(main())", "sync"]
    through = on_a_terminal([*command, "--fetch-only", "mine"], env)
    here = on_a_terminal([*command, "--fetch-only", "theirs"], {**env, "GITFERRY_IN_PROCESS": "1"})
    assert re.search(r"mine/origin: \w+ .*of 3,002 objects", through), through
    assert re.search(r"theirs/origin: \w+ .*of 3,002 objects", here), here
    assert through.splitlines()[-1] == here.splitlines()[-1].replace("theirs", "mine")
    assert through.splitlines()[-1].startswith("mine: ok - ")


def typed_sync(user: str, password: str) -> tuple[int, str]:
    """`gitferry sync mine` on a terminal, the sign-in typed at its prompts: its exit
    status and what the terminal showed."""
    client, leader = on_a_pty("sync", "mine")
    seen = bytearray()
    read_until(leader, seen, b"Username for")
    os.write(leader, f"{user}\n".encode())
    read_until(leader, seen, b"Password for")
    os.write(leader, f"{password}\n".encode())
    read_to_end(leader, seen)
    return client.wait(CAP), seen.decode(errors="replace")


@pytest.mark.slow
def test_a_sign_in_is_asked_by_the_cli_not_the_engine(
    http_auth_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An HTTP remote that wants a sign-in nobody stored. Without a terminal nobody is
    asked, through the engine or not: the same `auth_failed` line. With one, the engine
    declines the question and the CLI runs the sync itself, asking on the terminal."""
    bare, work, mine = registered(http_auth_server, tmp_path, capsys)
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    try:
        through = gitferry("sync", "mine")
        here = gitferry("sync", "mine", in_process=True)
        assert through.in_engine and not here.in_engine
        assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
        assert through.code == 1 and through.out.startswith("mine: auth_failed - ")

        # On a terminal: the engine's sync declined the question, then the CLI's own sync
        # asked it (Ctrl-D at the prompt declines): two runs in the store (the activity log
        # says the same auth_failed once: a state, not news at every run).
        def recorded() -> int:
            with contextlib.closing(sqlite3.connect(engine.home / "status.sqlite3")) as db:
                return int(db.execute("SELECT count(*) FROM sync_runs").fetchone()[0])

        runs = recorded()
        client, leader = on_a_pty("sync", "mine")
        seen = bytearray()
        read_until(leader, seen, b"Username for")
        os.write(leader, b"\x04")
        read_to_end(leader, seen)
        assert client.wait(CAP) == 1
        assert b"mine: auth_failed - " in seen, seen
        assert recorded() == runs + 2
        # Answered: asked once (not again by a second attempt), without echo; the sync
        # goes through with the typed sign-in.
        sha = push_commit(work, bare, "new.txt", "new\n")
        user, password = http_auth_server.auth or ("", "")
        code, typed = typed_sync(user, password)
        assert code == 0, typed
        assert (typed.count("Username for"), typed.count("Password for")) == (1, 1), typed
        assert password not in typed
        assert "mine: ok - " in typed, typed
        assert git("rev-parse", "origin/main", "main", cwd=mine).split() == [sha, sha]
        assert recorded() == runs + 4  # the engine's declined, the CLI's
    finally:
        log = engine.stop()
    assert "Traceback" not in log, log


@pytest.mark.slow
def test_no_keyring_a_password_typed_at_the_cli_is_handed_to_the_running_daemon(
    http_auth_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No system keyring, no credential helper, a `gitferry daemon` running: the user types
    the password at `gitferry sync` on a terminal (the engine declined the question, the CLI
    ran the sync itself). Before, the password died with the CLI: the message said
    "background fetches cannot sign in" and they could not. Once the server accepted it,
    the CLI hands it to the daemon over its socket: the daemon's next background fetch
    signs in with it, and nothing holds it on disk. A refused one is not handed over."""
    bare, work, mine = registered(http_auth_server, tmp_path, capsys)
    assert run(capsys, "set", "mine", "fetch_interval", "1")[0] == 0
    assert run(capsys, "pause")[0] == 0
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    user, password = http_auth_server.auth or ("", "")
    engine = EngineProcess()
    try:
        code, seen = typed_sync(user, "not-the-password")
        assert code == 1 and "mine: auth_failed - " in seen, seen
        code, seen = typed_sync(user, password)
        assert code == 0 and "mine: up_to_date - " in seen, seen
        assert (
            "origin: the password is kept in memory only until the daemon quits (there is no system"
            " keyring): background fetches sign in with it until then" in " ".join(seen.split())
        ), seen
        assert password not in seen
        assert "a password given to the CLI is kept in memory" in engine.log.read_text()

        # The daemon's own background fetch (nobody asked) brings a commit pushed since.
        sha = push_commit(work, bare, "later.txt", "later\n")
        assert run(capsys, "resume")[0] == 0
        wait_until(
            lambda: git("rev-parse", "refs/remotes/origin/main", cwd=mine) == sha,
            lambda: f"no background fetch signed in: {engine.log.read_text()}",
        )
        assert git("rev-parse", "main", cwd=mine) != sha  # a background fetch: not integrated
    finally:
        log = engine.stop()
    assert "Traceback" not in log, log
    assert log.count("kept in memory") == 1, log  # the refused password was not handed over
    written = [engine.log, *engine.home.rglob("*"), *(mine / ".git").rglob("*")]
    assert not [f for f in written if f.is_file() and password.encode() in f.read_bytes()]


@pytest.mark.slow
def test_no_keyring_the_password_of_a_clones_url_is_handed_to_the_running_daemon(
    http_auth_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No system keyring, a `gitferry daemon` running: `gitferry clone
    http://user:secret@host/repo` (no terminal) said "the password was not kept ...
    background fetches cannot sign in", and the daemon, which then watches the new
    clone, could not. The clone hands the password to the daemon's memory, keyed as the
    clone's fetches look it up: its background fetch signs in; nothing on disk has it."""
    bare, work = seed(http_auth_server, tmp_path)
    assert run(capsys, "pause")[0] == 0
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    _user, password = http_auth_server.auth or ("", "")
    cloned = tmp_path / "cloned"
    engine = EngineProcess()
    try:
        ran = gitferry("clone", http_auth_server.url_with_credentials("origin"), str(cloned))
        assert ran.code == 0, ran.err
        assert ran.out.strip().endswith(
            "origin: the password is kept in memory only until the daemon quits (there is no system"
            " keyring): background fetches sign in with it until then; to keep it longer, install one"
            " (GNOME Keyring, KWallet) or use a git credential helper (git config --global"
            " credential.helper store, or cache)"
        ), ran.out
        engine.logged("cloned: registered by another process; watching it")
        assert run(capsys, "set", "cloned", "fetch_interval", "1")[0] == 0
        sha = push_commit(work, bare, "later.txt", "later\n")
        assert run(capsys, "resume")[0] == 0
        wait_until(
            lambda: git("rev-parse", "refs/remotes/origin/main", cwd=cloned) == sha,
            lambda: f"no background fetch signed in: {engine.log.read_text()}",
        )
    finally:
        log = engine.stop()
    assert "Traceback" not in log, log
    written = [engine.log, *engine.home.rglob("*"), *(cloned / ".git").rglob("*")]
    assert not [f for f in written if f.is_file() and password.encode() in f.read_bytes()]


@pytest.mark.slow
def test_a_repository_added_or_removed_by_another_process_is_followed_by_the_engine(
    world: Clones, engine: EngineProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitferry add` while the app or daemon runs: the engine watches the new repository
    (its background fetches, and the CLI's syncs of it handed over) without a restart;
    `gitferry remove`: it stops. Before, only what was registered at its start was ever
    watched (the CLI's sync of a newer one ran in its own process, refused by the engine)."""
    third = tmp_path / "third"
    git("clone", "-q", str(world.bare), str(third))
    assert run(capsys, "add", str(third))[0] == 0
    engine.logged("third: registered by another process; watching it")
    ran = gitferry("sync", "--fetch-only", "third")
    assert (ran.code, ran.out, ran.in_engine) == (0, "third: up_to_date - up to date\n", True)
    moved = tmp_path / "moved" / "third"  # the folder moved, then pointed at: the same registration
    moved.parent.mkdir()
    third.rename(moved)
    assert run(capsys, "add", str(moved))[0] == 0
    engine.logged(f"third: moved to {moved} by another process")
    engine.logged("third: registered by another process; watching it")
    ran = gitferry("sync", "--fetch-only", "third")
    assert (ran.code, ran.out, ran.in_engine) == (0, "third: up_to_date - up to date\n", True)
    assert run(capsys, "remove", "third")[0] == 0
    engine.logged("third: removed by another process; no longer watched")
    ran = gitferry("sync", "--fetch-only", "third")
    assert (ran.code, ran.err) == (2, "gitferry: no repository named 'third' (see `gitferry list`)\n")
    assert gitferry("sync", "--fetch-only", "mine").in_engine  # the others still watched


def files_held(pid: int, under: Path) -> list[str]:
    """The files under `under` the process `pid` has open or mapped."""
    prefix = f"{under}/"
    held = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            held.append(os.readlink(fd))
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    held += [line.split(maxsplit=5)[-1] for line in maps if len(line.split(maxsplit=5)) == 6]
    return sorted({path for path in held if path.startswith(prefix)})


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
def test_a_removed_repository_is_let_go_by_the_engine(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitferry remove` beside a running daemon: the daemon stops watching it and closes it
    at once. Before, its pool kept the packs open and mapped for `pool_ttl` (5 minutes):
    a USB stick holding it could not be unmounted ("target is busy"), a folder deleted
    after it gave its space back only then."""
    assert run(capsys, "set", "--global", "pool_ttl", "3600")[0] == 0
    third = tmp_path / "third"
    git("clone", "-q", str(world.bare), str(third))
    git("repack", "-adq", cwd=third)  # its objects in a pack, which the pool maps
    pushed_elsewhere(world, tmp_path, "news")  # something to take in: the sync reads the packs
    engine = EngineProcess()
    try:
        assert run(capsys, "add", str(third))[0] == 0
        engine.logged("third: registered by another process; watching it")
        ran = gitferry("sync", "third")
        assert (ran.code, ran.in_engine) == (0, True), ran.out + ran.err
        assert files_held(engine.proc.pid, third)  # open in its pool, as it should be between syncs
        assert run(capsys, "remove", "third")[0] == 0
        engine.logged("third: removed by another process; no longer watched")
        wait_until(lambda: not files_held(engine.proc.pid, third), "the removed repository let go")
        assert gitferry("sync", "--fetch-only", "mine").in_engine  # the others still synced
    finally:
        assert "Traceback" not in engine.stop()


def test_a_change_made_with_the_cli_is_looked_at_by_the_engine_at_once(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitferry pause`, `resume` and `add` beside a running engine tell it to look at the
    settings now (`look` on its socket). The engine's clock here never moves: its own
    settings round (every SETTINGS_SECONDS) never comes, so only the CLI's word can make
    it pause, resume and watch the new repository."""
    from core.engine.core import Core
    from core.engine.daemon import Daemon
    from core.engine.engine_lock import DAEMON as DAEMON_KIND
    from core.engine.engine_lock import claim_engine
    from core.paths import data_dir
    from tests.core.scheduler_fakes import FakeClock

    third = tmp_path / "third"
    git("clone", "-q", str(world.bare), str(third))

    async def scenario() -> None:
        lock = claim_engine(data_dir(), DAEMON_KIND)
        core = await Core.open()
        daemon = Daemon(core, clock=FakeClock())
        task = asyncio.ensure_future(daemon.run(engine_lock=lock))
        try:
            await asyncio.wait_for(daemon.started.wait(), CAP)
            scheduler, engine = daemon.scheduler, daemon.engine
            assert scheduler is not None and engine is not None and not scheduler.paused
            await eventually(lambda: socket_path(data_dir()).exists(), "the engine's socket")
            paused = await asyncio.to_thread(run, capsys, "pause")
            assert paused == (0, "paused all repositories until resumed\n", "")
            await eventually(lambda: scheduler.paused, "the engine paused")
            assert (await asyncio.to_thread(run, capsys, "resume"))[0] == 0
            await eventually(lambda: not scheduler.paused, "the engine resumed")
            assert (await asyncio.to_thread(run, capsys, "add", str(third)))[0] == 0
            record = await core.store.repo("third")
            await eventually(lambda: record.id in engine.workers, "the engine watching third")
        finally:
            daemon.stop()
            await asyncio.wait_for(task, CAP)
            await core.close()
            lock.release()

    asyncio.run(scenario())
