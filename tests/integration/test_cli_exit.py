"""The `gitferry` command ends its process once the command is done (`core.cli_exit.end_process`),
without the interpreter's teardown, and an exit still does all it must: the same exit status
and output, the `atexit` callbacks run (the log's handlers among them), and the teardown kept
whenever a thread still runs. Each case is a fresh interpreter started as the console script
starts it (`gui.launch.main()` without arguments), beside the same command run with explicit
arguments (which returns, so the interpreter tears down as usual)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.clones import Clones

ROOT = Path(__file__).resolve().parents[2]
# `MARKS` gets "atexit" from an atexit callback and "teardown" from an object's finalizer
# that only the interpreter's teardown of the modules runs; `THREAD` starts a thread that
# runs until `end_process` has decided (`daemon`: a daemon thread, which no exit waits for).
# It slept 0.5 s, which a loaded machine's `status` outlasted: the thread was gone by then.
CHILD = """
import atexit, os, sys, threading
marks = os.environ["MARKS"]

def mark(word):
    with open(marks, "a") as f:
        f.write(word + "\\n")

class Teardown:
    def __del__(self):
        mark("teardown")

sys.modules["tests_teardown_probe"] = type(sys)("tests_teardown_probe")
sys.modules["tests_teardown_probe"].probe = Teardown()
atexit.register(mark, "atexit")
if os.environ.get("GC"):
    import gc
    atexit.register(lambda: mark("gc%d" % gc.get_threshold()[0]))
if os.environ.get("THREAD"):
    import core.cli_exit
    ended = threading.Event()
    end_process = core.cli_exit.end_process

    def ending(code):
        try:
            return end_process(code)
        finally:
            ended.set()

    core.cli_exit.end_process = ending
    threading.Thread(target=ended.wait, daemon=os.environ["THREAD"] == "daemon").start()
from gui.launch import main
if os.environ.get("EXPLICIT"):
    sys.exit(main(sys.argv[1:]))
sys.exit(main())
"""


def gitferry(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str, list[str]]:
    marks = tmp_path / "marks"
    marks.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MARKS": str(marks), **env},
    )
    return proc.returncode, proc.stdout, proc.stderr, marks.read_text().split() if marks.exists() else []


@pytest.mark.parametrize("args", [["sync", "--fetch-only", "--json", "mine"], ["status", "--json", "mine"]])
def test_the_command_ends_without_the_teardown_and_prints_the_same(
    world: Clones, tmp_path: Path, args: list[str]
) -> None:
    code, out, err, marks = gitferry(tmp_path, *args)
    explicit = gitferry(tmp_path, *args, EXPLICIT="1")
    assert (code, err, marks) == (0, "", ["atexit"])
    assert explicit[0] == 0 and explicit[3] == ["atexit", "teardown"]  # the probe can see a teardown
    assert json.loads(out)["repos"][0]["name"] == json.loads(explicit[1])["repos"][0]["name"] == "mine"
    assert json.loads(out).keys() == json.loads(explicit[1]).keys()


def test_a_failing_command_keeps_its_status_and_message(world: Clones, tmp_path: Path) -> None:
    code, out, err, marks = gitferry(tmp_path, "sync", "nope")
    assert (code, out, marks) == (2, "", ["atexit"])
    assert err == "gitferry: no repository named 'nope' (see `gitferry list`)\n"


def test_what_was_logged_to_stderr_is_all_there(world: Clones, tmp_path: Path) -> None:
    """`--verbose`: the debug records on stderr up to the last one, the report on stdout."""
    code, out, err, marks = gitferry(tmp_path, "sync", "--fetch-only", "--json", "mine", "--verbose")
    explicit = gitferry(tmp_path, "sync", "--fetch-only", "--json", "mine", "--verbose", EXPLICIT="1")
    assert (code, json.loads(out)["repos"][0]["result"], marks) == (0, "up_to_date", ["atexit"])
    assert " DEBUG " in err and err.endswith("\n")
    assert [line.split(": ", 1)[-1] for line in err.splitlines()][-1:] == [
        line.split(": ", 1)[-1] for line in explicit[2].splitlines()
    ][-1:]


def test_a_thread_still_running_keeps_the_usual_exit(world: Clones, tmp_path: Path) -> None:
    code, out, _err, marks = gitferry(tmp_path, "status", "--json", "mine", THREAD="1")
    assert (code, json.loads(out)["repos"][0]["name"]) == (0, "mine")
    assert marks == ["atexit", "teardown"]


def test_a_daemon_thread_does_not_hold_the_end(world: Clones, tmp_path: Path) -> None:
    code, out, _err, marks = gitferry(tmp_path, "status", "--json", "mine", THREAD="daemon")
    assert (code, json.loads(out)["repos"][0]["name"], marks) == (0, "mine", ["atexit"])


def test_only_the_command_sets_the_collector_for_a_process_that_ends_with_it(
    world: Clones, tmp_path: Path
) -> None:
    """The console script collects cycles less often (`_one_shot_gc`); a caller of
    `main([...])` in its own process (the tests) keeps the collector as it had it."""
    code, _out, _err, marks = gitferry(tmp_path, "status", "--json", "mine", GC="1")
    explicit = gitferry(tmp_path, "status", "--json", "mine", GC="1", EXPLICIT="1")
    assert (code, explicit[0]) == (0, 0)
    assert "gc20000" in marks
    assert "gc700" in explicit[3]


@pytest.mark.parametrize("args", [("status",), ("sync",), ("list", "--json"), ("add", ".")])
def test_a_data_directory_that_cannot_be_made_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    """GITFERRY_HOME naming a file (or a path through one): every command ended in a
    traceback from `data_dir()`'s mkdir; now one line, exit 1, JSON with `--json`, and
    nothing written there."""
    blocker = tmp_path / "home"
    blocker.write_text("not a folder\n")
    for home in (blocker, blocker / "inside"):
        code, out, err, _marks = gitferry(tmp_path, *args, GITFERRY_HOME=str(home))
        why = f"cannot use {home} (GITFERRY_HOME) as Gitferry's data directory: a file is in the way"
        assert (code, err) == (1, f"gitferry: {why}\n"), err
        assert json.loads(out) == {"error": why} if "--json" in args else out == ""
    assert blocker.read_text() == "not a folder\n"
