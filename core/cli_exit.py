"""How a `gitferry` command ends its process: at once, once its command is done.

Shared by the CLI (`core.cli`) and `sync` handed to a running engine
(`core.cli_engine`), which imports nothing else of the CLI.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def end_process(code: int) -> int:
    """End the `gitferry` command's process with `code` once its command is done, without
    the interpreter's teardown (freeing every module, object by object: 20 to 30 ms of
    CPU after a sync, more than git's whole `fetch` takes). What an exit must still do
    is done first: the `atexit` callbacks (the log's handlers flushed and closed, the
    askpass socket removed, `weakref.finalize` clean-ups) and stdout and stderr flushed;
    the store is closed and the executors joined by then (`_run`). Returns `code` (the
    interpreter then exits as usual, waiting for it) while a thread that is not a daemon
    thread still runs, or when the output cannot be flushed (a reader that left: Python's
    own exit reports that). Daemon threads (a transfer's watch winding down) end with the
    process either way."""
    main = threading.main_thread()
    if any(thread is not main and not thread.daemon for thread in threading.enumerate()):
        return code
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return code
    os._exit(code)


def unusable_data_dir(args: list[str]) -> int | None:
    """The exit status of a command whose data directory cannot be made (`GITFERRY_HOME`
    naming a file, a path through one), its one line said (one JSON document with
    `--json`); None when it can be used. Checked once, before any command reads or writes
    there, so that none of them ends in a traceback."""
    from core.paths import DataDirUnusable, data_dir

    try:
        data_dir()
    except DataDirUnusable as exc:
        from core.cli_output import print_failure

        return print_failure(exc.message, bad_input=False, as_json="--json" in args)
    return None
