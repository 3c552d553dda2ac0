"""The CLI's argument parser: each command's help line and arguments (`COMMANDS`).

Apart from the handlers (`core/cli.py`) because a cold command pays for what it
imports: `gitferry sync NAME...` with only `sync`'s flags is read by the entry point
(`core.cli_engine.simple_sync`), and run in the command's own process without
argparse (and its gettext) being imported or a parser built.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from core.cli_conflicts import COMMANDS as CONFLICT_COMMANDS
from core.version import version_line

VERBOSE_HELP = "log debug detail to stderr"


class _VersionAction(argparse.Action):
    """`--version` among other options (`gitferry --version` alone is answered by
    `gui.launch` before this module is imported)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(version_line())
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage error (exit 2, its lines on stderr) also prints
    `{"error"}` on stdout when the arguments asked for `--json`, as every failure does
    (`core.cli_output.print_failure`): a script reading stdout always gets JSON."""

    as_json = False

    def error(self, message: str) -> NoReturn:
        if self.as_json:
            from core.cli_output import print_json

            print_json({"error": message})
            sys.stdout.flush()
        super().error(message)


_Arg = tuple[tuple[str, ...], dict[str, Any]]


def _arg(*flags: str, **options: Any) -> _Arg:
    """One `add_argument` call, as data."""
    return flags, options


def _args(*specs: _Arg) -> Callable[[argparse.ArgumentParser], None]:
    """What adds these arguments to a command's parser, in this order."""

    def add(p: argparse.ArgumentParser) -> None:
        for flags, options in specs:
            p.add_argument(*flags, **options)

    return add


def _flag(option: str, **options: Any) -> _Arg:
    return _arg(option, action="store_true", **options)


_NAME = _arg("name")
_NAMES = _arg("names", nargs="*", metavar="NAME")
_JSON = _flag("--json")


def _set_args(p: argparse.ArgumentParser) -> None:
    p.usage = "gitferry set NAME KEY VALUE\n       gitferry set --global KEY VALUE"
    p.description = (
        "Change one setting: a repository's (`gitferry show NAME` lists them with their "
        "values) or, with --global, the app's. A running daemon or app takes it up within seconds, "
        "memory_budget and pool_ttl at its next start."
    )
    p.add_argument("--global", dest="is_global", action="store_true", help="an app-wide setting")
    p.add_argument("args", nargs="+", metavar="NAME KEY VALUE", help=argparse.SUPPRESS)


# Each command: its help line and what adds its arguments, in `--help`'s order.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "add": (
        "register an existing repository",
        _args(
            _arg("path"),
            _arg("--name"),
            _flag("--auto-commit"),
            _arg("--strategy", choices=["git", "merge", "rebase", "ff-only"]),
        ),
    ),
    "clone": (
        "clone a remote and register it",
        _args(_arg("url"), _arg("path"), _arg("--name"), _flag("--auto-commit")),
    ),
    "remove": ("forget a repository (its files stay)", _args(_NAME)),
    "list": ("the registered repositories", _args(_JSON)),
    "sync": (
        "sync repositories (all when none named)",
        _args(_NAMES, _JSON, _flag("--fetch-only"), _flag("--no-push")),
    ),
    "status": (
        "branches ahead/behind, from the status store",
        _args(_NAMES, _JSON, _flag("--refresh", help="re-measure from local refs first")),
    ),
    "skipped": (
        "files auto-commit left out, and why",
        _args(
            _NAMES,
            _JSON,
            _arg(
                "--retry", nargs="*", metavar="PATH", help="try these (all when none named) at the next sync"
            ),
        ),
    ),
    "publish": (
        "push a branch the remote does not have yet and set its upstream, as git push -u",
        _args(
            _NAME,
            _arg("branch"),
            _arg("--remote", help="the remote to publish to (default: the one git push would use)"),
        ),
    ),
    "remote": (
        "edit a repository's remotes",
        _args(
            _arg("action", choices=["add", "set-url", "remove"]),
            _NAME,
            _arg("remote"),
            _arg("url", nargs="?"),
        ),
    ),
    "credentials": (
        "store a remote's credentials in the keyring",
        _args(_arg("action", choices=["set"]), _NAME, _arg("remote")),
    ),
    "trust-host": (
        "accept an ssh server's host key, given its fingerprint",
        _args(
            _arg(
                "target",
                metavar="NAME|URL",
                help="a registered repository (the hosts of its ssh remotes) or an ssh address",
            ),
            _arg("fingerprint", help="SHA256:... as the failed sync printed it"),
        ),
    ),
    "log": ("the activity log", _args(_arg("name", nargs="?"), _JSON, _arg("--limit", type=int, default=20))),
    "set": ("change a repository's or the app's setting", _set_args),
    "show": ("a repository's settings and remotes", _args(_NAME, _JSON)),
    **CONFLICT_COMMANDS,
    "pause": (
        "pause background work, of all repositories or one",
        _args(
            _arg("name", nargs="?", metavar="NAME"),
            _arg("--for", dest="duration", metavar="DURATION", help="30m, 1h, 2d... (default: always)"),
        ),
    ),
    "resume": ("resume background work", _args(_arg("name", nargs="?", metavar="NAME"))),
    "daemon": ("fetch and auto-sync every repository in the background until stopped", _args()),
}


def build_parser(command: str | None = None, *, as_json: bool = False) -> argparse.ArgumentParser:
    """The CLI's parser; given the `command` the arguments start with, only that command's
    sub-parser is built (what it parses is the same; building all 20 was about 7 ms of
    every cold command, most of it argparse's gettext looking for catalogues). `as_json`:
    the arguments hold `--json`, so a usage error prints `{"error"}` on stdout too."""
    p = _Parser(prog="gitferry", description="Keep git repositories in sync.")
    p.as_json = as_json
    p.add_argument("--version", action=_VersionAction, help="show program's version number and exit")
    p.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_arguments) in COMMANDS.items():
        if command is None or name == command:
            parser = sub.add_parser(name, help=summary)
            parser.as_json = as_json
            add_arguments(parser)
            # `gitferry sync --verbose` as well as `gitferry --verbose sync`
            parser.add_argument(
                "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
            )
    return p
