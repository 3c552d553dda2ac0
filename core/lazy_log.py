"""Module loggers that import `logging` at their first use, and the process's log set-up
put off until then.

A plain read (`gitferry status`, `list`: `core.cli`'s `_PLAIN_READS`) logs nothing unless
something goes wrong, and `logging` with the `traceback` and `string` it imports was 6.2
million of the 238 million instructions of a cold `gitferry status --json` of 50
repositories. The modules on that path (`core.cli`, `core.settings`, the store's registry
and recovery) log through a `LazyLogger`; the CLI hands a plain read's set-up to
`before_first_use` instead of running it, and it runs (`configure_now`) before the first
record of such a logger, or before the CLI goes on to code that logs through `logging`
itself (the store's full open). A record is then handled exactly as with the set-up run
at the start: a stored setting's warning still goes nowhere (no last-resort line on
stderr), an unexpected error's traceback still to the log file.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any

_put_off: list[Callable[[], None]] = []  # at most one


def before_first_use(set_up: Callable[[], None] | None) -> None:
    """Run `set_up` (the process's log set-up) before the first record, not now, in place
    of any set-up put off before (a test's earlier command in the same process); None:
    forget that one (the command sets up its logging now)."""
    _put_off[:] = [] if set_up is None else [set_up]


def configure_now() -> None:
    """Run the set-up `before_first_use` put off, if any (once)."""
    while _put_off:
        _put_off.pop()()


class LazyLogger:
    """`logging.getLogger(name)`, looked up at each attribute read (`logging` imported and
    the put-off set-up run at the first)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        import logging

        configure_now()
        logger = logging.getLogger(self.name)
        return getattr(logger, attr)
