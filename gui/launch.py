"""The `gitferry` command: the desktop app with no arguments, the headless CLI with any."""

from __future__ import annotations

import sys
from collections.abc import Sequence

GUI_FLAGS = {"--hidden", "--verbose"}


def main(argv: Sequence[str] | None = None) -> int:
    """Without `argv` (the console script, the bundle's launcher), a CLI command ends the
    process itself when it is done (`core.cli_exit.end_process`); with `argv` (tests, a
    caller in process) it returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # nothing to import for it: the CLI's parser answers it the same
        from core.version import version_line

        print(version_line())
        return 0
    if all(arg in GUI_FLAGS for arg in args):
        from gui.startup import begin

        started = begin(args)  # before PySide6 is imported (gui/startup.py)
        from gui.app import main as desktop

        return desktop(started=started)
    if argv is None:  # a command in its own process: no collection while its modules load
        import gc

        gc.disable()  # core.cli starts the collector once they are (`_one_shot_gc`)
    from core.platform.first_use import FOR_A_COMMAND, defer

    defer(FOR_A_COMMAND)  # the standard library's imports for what a command may never call
    from core.cli_exit import end_process, unusable_data_dir

    unusable = None if {"--help", "-h"} & set(args) else unusable_data_dir(args)
    if unusable is not None:
        return end_process(unusable) if argv is None else unusable
    simple = None
    if args[:1] == ["sync"]:  # a running engine may answer it: nothing else of the CLI imported
        from core.cli_engine import simple_sync, sync_command

        simple = simple_sync(args[1:])
        if simple is not None:
            code = sync_command(simple, own_process=argv is None)
            if code is not None:
                return end_process(code) if argv is None else code
    if not {"--help", "-h"} & set(args):  # help defines no dataclass: not worth importing them
        from core.paths import data_dir
        from core.platform.generated_code import install

        install(data_dir() / "cache", args[0])  # the command's file, before the CLI's dataclasses are defined
    from core.cli import main as cli

    # A simple sync the engine did not carry out runs here, its arguments as read above.
    code = cli(args, one_shot=argv is None, ask_engine=simple is None, sync=simple)
    return end_process(code) if argv is None else code
