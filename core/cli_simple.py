"""Command lines the CLI reads without its parser: a command's names and flags only.

argparse and the parser's module (`core/cli_parser.py`, with gettext) are about 20
million instructions of a cold command, a sixth of `gitferry status --json` once its
printing was cut. A command line that is only names (one run of them) and flags the
command takes reads the same without it: `sync` (`core.cli_engine.simple_sync`),
`status` and `list` (`simple_read`). Anything else (`--help`, `--verbose`, an
abbreviated flag, names on both sides of a flag...) is left to the parser, which says
what is wrong as it always has.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

TYPE_CHECKING = False  # `typing` is imported for type checking only: about 10 million instructions
if TYPE_CHECKING:
    import argparse

# The plain reads (`core.cli._PLAIN_READS`): their flags, and whether they take names.
_READS: dict[str, tuple[tuple[str, ...], bool]] = {
    "status": (("--json", "--refresh"), True),
    "list": (("--json",), False),
}


def names_and_flags(args: Sequence[str], flags: Sequence[str]) -> list[str] | None:
    """The names among `args`, when the rest are `flags` and the names are one run (the
    parser's `NAME...` takes one); None for anything else."""
    names: list[str] = []
    runs, in_names = 0, False
    for arg in args:
        if arg in flags:
            in_names = False
        elif arg.startswith("-"):
            return None
        else:
            runs += not in_names
            in_names = True
            names.append(arg)
    return None if runs > 1 else names


def simple_read(given: Sequence[str]) -> argparse.Namespace | None:
    """What the parser makes of `status [NAME...] [--json] [--refresh]` or `list [--json]` (the same
    attributes: `tests/integration/test_cli_imports.py` compares them); None for any other
    command line."""
    if not given or given[0] not in _READS:
        return None
    command, rest = given[0], given[1:]
    flags, takes_names = _READS[command]
    names = names_and_flags(rest, flags)
    if names is None or (names and not takes_names):
        return None
    parsed = SimpleNamespace(verbose=False, command=command)
    if takes_names:
        parsed.names = names
    parsed.json = "--json" in rest
    if command == "status":
        parsed.refresh = "--refresh" in rest
    namespace: argparse.Namespace = parsed  # type: ignore[assignment]  # read by attribute only, as a Namespace is
    return namespace
