"""`process_started` gives psutil's own start time for every process it can see (the
sync lock's record is compared across processes and versions), and None for a gone one."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from core.platform.processes import held_open, process_started


def psutil_started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def test_the_same_float_as_psutil_for_every_visible_process() -> None:
    pids = psutil.pids()
    assert {os.getpid(), os.getppid(), 1} <= set(pids)
    compared = 0
    for pid in pids:
        ours, theirs = process_started(pid), psutil_started(pid)
        if ours != theirs and None in (ours, theirs):
            # it ended (or its pid was taken) between the two readings: the machine's other
            # processes come and go; compare only what stands still across a second look
            ours, theirs = process_started(pid), psutil_started(pid)
            if None in (ours, theirs) or process_started(pid) != ours:
                continue
        assert ours == theirs, pid
        compared += ours is not None
    assert compared >= 3
    assert process_started(os.getpid()) is not None


def test_a_child_running_exited_unreaped_and_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    running = process_started(child.pid)
    assert running is not None and running == psutil_started(child.pid)
    assert child.stdin is not None
    child.stdin.close()
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped: a zombie
    assert process_started(child.pid) == psutil_started(child.pid) == running
    child.wait()
    assert process_started(child.pid) is None


@pytest.mark.parametrize("pid", [0, -1, 2**22 + 1])
def test_no_such_process(pid: int) -> None:
    assert process_started(pid) is None


def test_held_open_sees_our_own_open_file(tmp_path: os.PathLike[str]) -> None:
    path = os.path.join(tmp_path, "held")
    with open(path, "w"):
        assert held_open({path, path + ".not"}) == {path}
    assert held_open({path}) == set()
