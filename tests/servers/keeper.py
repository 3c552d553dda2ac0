"""A server's keeper: starts the server, and kills it with every process it forked once
the test run that started the keeper is gone, however it went (SIGKILL included).

Run by path with the test run's Python, standard library only:
``python keeper.py SERVER [ARGS...]`` (``tests/servers/host.py`` does). The test run
holds the only write end of the keeper's stdin, so end of file there means "stop":
the run closed it to stop the server, or the run died and the kernel closed it.
Unlike a parent-death signal, this does not depend on which thread of the run forked.

The keeper is a child subreaper (Linux ``prctl``): processes the server forks, even
those that start a session of their own (sshd's per-connection children do), become
the keeper's when their parent dies, so the final sweep reaches every one of them.
A server that exits on its own ends the keeper with its exit code (the run then
sees "exited before listening"). SIGTERM, SIGINT or SIGHUP to the keeper also stop
the server before the keeper goes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import time
from types import FrameType

PR_SET_CHILD_SUBREAPER = 36
POLL = 0.05
TERM_ROUNDS = 40  # SIGTERM every POLL for up to 2 s, then SIGKILL
KILL_ROUNDS = 200


class _Stop(Exception):
    """A signal asked the keeper to stop."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _descendants(root: int) -> list[int]:
    """Every live process below `root`, from /proc's parent links (zombies left out)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _reap(server: int) -> int | None:
    """Collect every exited child; the server's exit code if it was among them."""
    code = None
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return code
        if pid == 0:
            return code
        if pid == server:
            code = os.waitstatus_to_exitcode(status)


def _sweep(server: int) -> None:
    """SIGTERM, then SIGKILL, everything below the keeper until nothing is left."""
    me = os.getpid()
    for sig, rounds in ((signal.SIGTERM, TERM_ROUNDS), (signal.SIGKILL, KILL_ROUNDS)):
        for _ in range(rounds):
            _reap(server)
            left = _descendants(me)
            if not left:
                return
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(POLL)


def main(argv: list[str]) -> int:
    _become_subreaper()
    server, code = 0, None
    try:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, _on_signal)
        # Its own session: a terminal's Ctrl-C reaches the keeper, which stops it, not the server.
        devnull = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
        server = os.posix_spawnp(argv[0], argv, os.environ, file_actions=devnull, setsid=True)
        while code is None:
            ready, _, _ = select.select([sys.stdin.fileno()], [], [], POLL)
            if ready and not os.read(sys.stdin.fileno(), 4096):
                break  # the test run is done with the server, or gone
            code = _reap(server)
    except _Stop:
        pass
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        _sweep(server)
    return 0 if code is None else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
