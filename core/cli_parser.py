"""The CLI's argument parser: each command's help line and arguments (`COMMANDS`).

Apart from the handlers (`core/cli.py`) because a cold command pays for what it
imports: `gitferry sync NAME...` with only `sync`'s flags is read by the entry point
(`core.cli_engine.simple_sync`), and run in the command's own process without
argparse (and its gettext) being imported or a parser built.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

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


def _add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path")
    p.add_argument("--name")
    p.add_argument("--auto-commit", action="store_true")
    p.add_argument("--strategy", choices=["merge", "rebase", "ff-only"])


def _clone_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("url")
    p.add_argument("path")
    p.add_argument("--name")


def _name_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")


def _optional_name_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME")


def _json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")


def _sync_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.add_argument("--fetch-only", action="store_true")
    p.add_argument("--no-push", action="store_true")


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.add_argument("--refresh", action="store_true", help="re-measure from local refs first")


def _skipped_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--retry", nargs="*", metavar="PATH", help="try these (all when none named) at the next sync"
    )


def _publish_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("branch")
    p.add_argument("--remote", help="the remote to publish to (default: the one git push would use)")


def _remote_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["add", "set-url", "remove"])
    p.add_argument("name")
    p.add_argument("remote")
    p.add_argument("url", nargs="?")


def _credentials_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["set"])
    p.add_argument("name")
    p.add_argument("remote")


def _trust_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("url", help="the remote's ssh address")
    p.add_argument("fingerprint", help="SHA256:... as the failed sync printed it")


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20)


def _set_args(p: argparse.ArgumentParser) -> None:
    p.usage = "gitferry set NAME KEY VALUE\n       gitferry set --global KEY VALUE"
    p.description = (
        "Change one setting: a repository's (`gitferry show NAME` lists them with their "
        "values) or, with --global, the app's. A running daemon or app takes it up within seconds, "
        "memory_budget and pool_ttl at its next start."
    )
    p.add_argument("--global", dest="is_global", action="store_true", help="an app-wide setting")
    p.add_argument("args", nargs="+", metavar="NAME KEY VALUE", help=argparse.SUPPRESS)


def _show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--json", action="store_true")


def _pause_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--for", dest="duration", metavar="DURATION", help="30m, 1h, 2d... (default: always)")


def _no_args(_p: argparse.ArgumentParser) -> None:
    pass


# Each command: its help line and what adds its arguments, in `--help`'s order.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "add": ("register an existing repository", _add_args),
    "clone": ("clone a remote and register it", _clone_args),
    "remove": ("forget a repository (its files stay)", _name_arg),
    "list": ("the registered repositories", _json_arg),
    "sync": ("sync repositories (all when none named)", _sync_args),
    "status": ("branches ahead/behind, from the status store", _status_args),
    "skipped": ("files auto-commit left out, and why", _skipped_args),
    "publish": (
        "push a branch the remote does not have yet and set its upstream, as git push -u",
        _publish_args,
    ),
    "remote": ("edit a repository's remotes", _remote_args),
    "credentials": ("store a remote's credentials in the keyring", _credentials_args),
    "trust-host": ("accept an ssh server's host key, given its fingerprint", _trust_args),
    "log": ("the activity log", _log_args),
    "set": ("change a repository's or the app's setting", _set_args),
    "show": ("a repository's settings and remotes", _show_args),
    **CONFLICT_COMMANDS,
    "pause": ("pause background work, of all repositories or one", _pause_args),
    "resume": ("resume background work", _optional_name_arg),
    "daemon": ("fetch and auto-sync every repository in the background until stopped", _no_args),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; given the `command` the arguments start with, only that command's
    sub-parser is built (what it parses is the same; building all 20 was about 7 ms of
    every cold command, most of it argparse's gettext looking for catalogues)."""
    p = argparse.ArgumentParser(prog="gitferry", description="Keep git repositories in sync.")
    p.add_argument("--version", action=_VersionAction, help="show program's version number and exit")
    p.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_arguments) in COMMANDS.items():
        if command is None or name == command:
            parser = sub.add_parser(name, help=summary)
            add_arguments(parser)
            # `gitferry sync --verbose` as well as `gitferry --verbose sync`
            parser.add_argument(
                "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
            )
    return p
