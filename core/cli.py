"""The headless command line: the same engine as the desktop app, no Qt imported.

A cold process pays for every module it imports, so this one imports at the top
only what parsing and printing need. Each command imports what it uses inside
its handler: the engine (`core.engine`, dulwich, SQLAlchemy) is loaded only by a
command that runs it (`_run` opens the `Core`). `list` and `status` read the
store over plain `sqlite3` when opening it would change nothing
(`_PLAIN_READS`). `tests/integration/test_cli_imports.py` fails when
`--version`, `--help`, `list` or `status` import dulwich or the engine.

Run as the `gitferry` command, a finished command ends its process at once
(`core.cli_exit.end_process`) instead of letting the interpreter tear down every module it
imported, which was a sixth of a cold `gitferry sync`'s CPU.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from types import SimpleNamespace

from core.cli_output import (
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_OK,
    EXIT_USAGE,
    ProgressView,
    hint_when_none,
    interrupted,
    iso,
    print_failure,
    print_json,
    print_skipped,
    print_status,
    print_sync,
    reader_left,
    repo_json,
    skipped_json,
    strategy_json,
    strategy_line,
    terminal_prompts_allowed,
    terminal_sign_in,
    terminal_ssh_prompt,
)
from core.errors import BadInput, GitferryError
from core.lazy_log import LazyLogger, before_first_use, configure_now
from core.paths import data_dir, store_file
from core.platform.collector import collect_rarely
from core.platform.fd_limit import raise_soft_limit
from core.results import TRACEBACK_HINT
from core.version import version_line

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    import argparse
    from typing import Any, NoReturn

    from core.cli_conflicts import Handler
    from core.cli_engine import SyncArgs
    from core.engine.core import Core
    from core.engine.remotes_mirror import RemoteUrls
    from core.model import RemoteRecord, RepoRecord
    from core.store.status_reader import Snapshot

log = LazyLogger(__name__)  # `logging` at its first use (`core/lazy_log.py`)


_collector_waits = False
"""A `sync` in its own process starts the collector once its modules are loaded (`_sync`)."""


async def _run(args: argparse.Namespace) -> int:
    from core.engine.core import Core

    core = await Core.open()
    try:
        handler = _HANDLERS.get(args.command) or _conflict_handler(args.command)
        if args.command != "daemon":
            from core.cli_engine import hand_over_password

            core.hand_over = hand_over_password  # a password nothing keeps: a running engine's memory
            core.askpass = True  # the user's askpass program, as git's prompt runs it
        if args.command != "daemon" and sys.stdin.isatty():
            if terminal_prompts_allowed():  # without a terminal: auth_failed, one line
                core.sign_in_prompt = terminal_sign_in
            core.ssh_prompt = terminal_ssh_prompt  # ssh's own prompt: git's variable leaves it
        return await handler(core, args)
    finally:
        await core.close(wait=args.command != "daemon")


# Engine commands: `(core, args) -> exit status`, run in `_run` with the `Core` open.
# Each imports the engine modules it uses in its body, never at the top of this file.


async def _add(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry

    settings: dict[str, str] = {}
    if args.auto_commit:
        settings["auto_commit"] = "true"
    if args.strategy:
        settings["strategy"] = args.strategy
    before = {r.id: r.path for r in await core.store.repos()}
    record = await registry.add_repository(core, args.path, name=args.name, settings=settings)
    if record.id in before:  # a registration whose folder had gone, pointed at its new place
        print(f"{record.name} is now at {record.path} (was {before[record.id]}; its settings kept)")
    else:
        print(f"added {record.name} at {record.path}")
    if not args.strategy:
        await _say_pull_strategy(core, record)
    return EXIT_OK


async def _say_pull_strategy(core: Core, record: RepoRecord) -> None:
    """How a new registration's diverged branches integrate, when git's pull settings say
    so (the default `strategy = git` follows them at each sync)."""
    from core.git.config.pull_config import strategy_at
    from core.settings import AS_GIT_PULL, NO_PULL_SETTING

    found = await core.offload.io(strategy_at, record.path, AS_GIT_PULL)
    if found is not None and found[1] != NO_PULL_SETTING:
        print(
            f"  diverged branches: {found[0]}, as git pull does here ({found[1]}), read at each sync; "
            f"gitferry set {record.name} strategy merge to choose otherwise"
        )


async def _clone(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry
    from core.remote_url import url_without_secret

    notes: list[str] = []
    with ProgressView() as view:
        record = await registry.clone_repository(
            core,
            args.url,
            args.path,
            name=args.name,
            progress=lambda _remote, p: view.update(args.path, "", p),  # no "origin": none was named
            notes=notes,
            settings={"auto_commit": "true"} if args.auto_commit else None,
        )
    line = f"cloned {url_without_secret(args.url)} into {record.path} as {record.name}"
    print("; ".join([line, *notes]))
    await _say_pull_strategy(core, record)
    return EXIT_OK


async def _remove(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry

    await registry.remove_repository(core, args.name)
    print(f"removed {args.name} (its files are untouched)")
    return EXIT_OK


async def _list(core: Core, args: argparse.Namespace) -> int:
    _print_list(await core.store.repos(), args)
    return EXIT_OK


def _print_list(records: Sequence[Any], args: argparse.Namespace) -> None:
    if args.json:
        print_json({"repos": [{"name": r.name, "path": r.path, "state": r.state} for r in records]})
    else:
        for r in records:
            print(f"{r.name}\t{r.path}")
    hint_when_none(len(records), args.json)


async def _sync(core: Core, args: argparse.Namespace) -> int:
    from core.engine.sync import SyncOptions, sync_repository
    from core.logs import log_file

    global _collector_waits
    if _collector_waits:  # a sync in its own process: its modules are loaded now
        _collector_waits = False
        _one_shot_gc()
    records = await core.store.repos(args.names)
    # `keep_record`: a no-change fetch is recorded for the next cold one (core/cli_replay.py)
    options = SyncOptions(fetch_only=args.fetch_only, push=not args.no_push, ask=True, keep_record=True)
    with ProgressView() as view:
        reports = [await sync_repository(core, r, options, view.sink(r.name)) for r in records]
    if len(records) == 1 and args.names and not args.fetch_only:  # what the entry point starts early
        from core.git.transfer.early_dial import keep_record

        await core.offload.io(keep_record, data_dir(), args.names[0], records[0].path)
    crashed = [report.name for report in reports if report.crashed]
    return print_sync([report.to_json() for report in reports], crashed, args.json, str(log_file(data_dir())))


async def _status(core: Core, args: argparse.Namespace) -> int:
    from core.engine.branch_measure import refresh_status

    records = await core.store.repos(args.names)
    failed = False
    if args.refresh:
        for record in records:
            try:
                await refresh_status(core, record)
            except GitferryError as exc:
                failed = True
                print(f"gitferry: {record.name}: {exc.message}", file=sys.stderr)
    _print_status(await core.store.snapshot(submodules=True), args)
    return EXIT_FAILED if failed else EXIT_OK


def _print_status(snapshot: Snapshot, args: argparse.Namespace) -> None:
    """The repositories `args` names (all when none) with their branches and submodules."""
    from core.settings import repo_settings
    from core.store.status_reader import named

    records = named(snapshot.repos, args.names)
    branches, submodules = snapshot.branches, snapshot.submodules
    paused = snapshot.modes.get(0, {}).get("paused_until", "")  # every repository's pause
    settings = {r.id: repo_settings(snapshot.modes.get(r.id, {})) for r in records}
    if args.json:
        print_json(
            {
                "repos": [
                    repo_json(
                        r,
                        branches.get(r.id, []),
                        submodules.get(r.id, []),
                        settings[r.id],
                        paused,
                        r.id in snapshot.remoteless,
                        snapshot.conflicts.get(r.id, []),
                    )
                    for r in records
                ]
            }
        )
    else:
        for r in records:
            remoteless = r.id in snapshot.remoteless
            print_status(
                r,
                branches.get(r.id, []),
                submodules.get(r.id, []),
                settings[r.id],
                paused,
                remoteless,
                snapshot.skipped.get(r.id, 0),
                snapshot.conflicts.get(r.id, []),
            )
    hint_when_none(len(records), args.json)


async def _publish(core: Core, args: argparse.Namespace) -> int:
    from core.engine.publish import publish_branch

    record = await core.store.repo(args.name)
    published = await publish_branch(core, record, args.branch, remote=args.remote)
    print(published.line())
    return EXIT_OK


async def _skipped(core: Core, args: argparse.Namespace) -> int:
    records = await core.store.repos(args.names)
    if args.retry:  # named paths: each must be one the named repositories skip, or nothing changes
        skipped = {row.path for record in records for row in await core.store.skipped(record.id)}
        unknown = [path for path in args.retry if path not in skipped]
        if unknown:
            where = ", ".join(record.name for record in records) or "any repository"
            raise BadInput(
                f"{unknown[0]} is not a skipped file of {where}: nothing changed"
                " (`gitferry skipped` lists them, by their path in the repository)"
            )
    if args.retry is not None:
        from core.engine.commit_phase import retry_skipped

        for record in records:
            for path in await retry_skipped(core, record.id, args.retry or None):
                print(
                    f"{record.name}: {path} still waits for its Git LFS object: kept listed,"
                    " as each sync asks for it again and writes the file once it can be had",
                    file=sys.stderr,
                )
    listed = [(record, await core.store.skipped(record.id)) for record in records]
    if args.json:
        print_json({"repos": [skipped_json(record, rows) for record, rows in listed]})
    else:
        for record, rows in listed:
            print_skipped(record, rows)
    return EXIT_OK


async def _remote(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry

    await registry.edit_remote(core, args.name, args.action, args.remote, args.url)
    return EXIT_OK


async def _credentials(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry

    await registry.set_credentials(core, args.name, args.remote, args.username, args.secret)
    kept = "in the keyring" if core.credentials.saved else "by git's credential helpers (there is no keyring)"
    print(f"credentials for {args.name}/{args.remote} accepted by the remote and kept {kept}")
    return EXIT_OK


async def _trust_host(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry

    print(await registry.trust_host(core, args.target, args.fingerprint))
    return EXIT_OK


async def _log(core: Core, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise BadInput("--limit must be 1 or more")
    if args.name:
        await core.store.repo(args.name)
    entries = await core.offload.io(core.journal.tail, args.limit, args.name)
    if args.json:
        print_json({"entries": entries})
    else:
        for e in entries:
            print(f"{e.get('time')}  {e.get('repo')}: {e.get('result')} - {e.get('message')}")
    return EXIT_OK


async def _set(core: Core, args: argparse.Namespace) -> int:
    from core.engine import registry
    from core.settings import APP_PARSERS, parse_setting

    if args.is_global:
        if len(args.args) != 2:
            raise BadInput("usage: gitferry set --global KEY VALUE")
        key, value = args.args
        await core.store.set_app_setting(key, parse_setting(APP_PARSERS, key, value))
    else:
        if len(args.args) != 3:
            raise BadInput("usage: gitferry set NAME KEY VALUE")
        await registry.set_repo_setting(core, *args.args)
    return EXIT_OK


async def _show(core: Core, args: argparse.Namespace) -> int:
    from core.git.config.pull_config import strategy_at
    from core.settings import as_text

    record = await core.store.repo(args.name)
    settings = as_text(await core.store.repo_settings(record.id))
    remotes, connects = await _remotes_shown(core, record)
    found = await core.offload.io(strategy_at, record.path, settings["strategy"])
    if args.json:
        print_json(
            {
                "name": record.name,
                "path": record.path,
                "settings": settings,
                "strategy": strategy_json(settings["strategy"], found),
                "remotes": [
                    {
                        "name": r.name,
                        "url": r.fetch_url,
                        "push_url": r.push_url,
                        "urls": list(connects[r.name].fetch)
                        if r.name in connects
                        else [r.fetch_url, *r.more_urls],
                        "push_urls": list(connects[r.name].push if r.name in connects else r.pushed_to),
                    }
                    for r in remotes
                ],
            }
        )
    else:
        settings["strategy"] = strategy_line(settings["strategy"], found)
        print(f"{record.name}  {record.path}")
        for key, value in settings.items():
            print(f"  {key} = {value}")
        for r in remotes:
            print(f"  remote {r.name}: {r.fetch_url}" + (f" (push: {r.push_url})" if r.push_url else ""))
            for url in r.pushed_to[1:]:
                print(f"    also pushed to: {url}")
            if r.push_url is not None:
                for url in r.more_urls:
                    print(f"    also url: {url} (unused: pushurl is set)")
            if r.name in connects:
                print(_rewritten(r, connects[r.name]), end="")
    return EXIT_OK


def _rewritten(remote: RemoteRecord, connects: RemoteUrls) -> str:
    """Where `remote` really connects when git's `url.<base>.insteadOf` (or `pushInsteadOf`)
    rewrites its URLs, as `git remote -v` says it ("" when nothing is rewritten)."""
    lines = ""
    if connects.fetch[0] != remote.fetch_url:
        lines += f"    fetches from: {connects.fetch[0]} (url.<base>.insteadOf)\n"
    if connects.push != remote.pushed_to:
        lines += f"    pushes to: {', '.join(connects.push)} (url.<base>.pushInsteadOf or insteadOf)\n"
    return lines


async def _remotes_shown(core: Core, record: RepoRecord) -> tuple[list[RemoteRecord], dict[str, RemoteUrls]]:
    """Every URL of each remote, read from git's config (the truth), and where each
    connects (`RemoteUrls`); the store's copy, the first URLs only and no rewrite, when the
    config cannot be read now."""
    from core.engine.remotes_mirror import remotes_connecting_at

    try:
        return await core.offload.io(remotes_connecting_at, record.path)
    except (GitferryError, OSError, ValueError):
        return await core.store.remotes(record.id), {}


async def _pause(core: Core, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from core.settings import parse_duration, pause_until

    seconds = None if args.duration is None else parse_duration(args.duration)
    until = pause_until(time.time(), seconds)
    what = await _set_pause(core, args.name, until)
    end = datetime.fromtimestamp(float(until), UTC) if seconds is not None else None
    ends = "until resumed" if end is None else f"until {iso(end)}"
    print(f"paused {what} {ends}")
    return EXIT_OK


async def _resume(core: Core, args: argparse.Namespace) -> int:
    print(f"resumed {await _set_pause(core, args.name, '')}")
    return EXIT_OK


async def _set_pause(core: Core, name: str | None, until: str) -> str:
    """Save the pause (a running daemon or app applies it once told, `main`)."""
    if name is None:
        await core.store.set_app_setting("paused_until", until)
        return "all repositories"
    record = await core.store.repo(name)
    await core.store.set_repo_setting(record.id, "paused_until", until)
    return record.name


async def _daemon(core: Core, args: argparse.Namespace) -> int:
    from core.engine.daemon import run_until_signalled

    def ready() -> None:
        print("gitferry daemon: running (stop with Ctrl-C or SIGTERM)", file=sys.stderr, flush=True)
        from core.platform.generated_code import save_now

        save_now()  # it leaves by os._exit: its classes' code kept for the next start

    await run_until_signalled(core, args.engine_lock, ready)
    print("gitferry daemon: stopped", file=sys.stderr)
    return EXIT_OK


_HANDLERS = {
    "daemon": _daemon,
    "add": _add,
    "clone": _clone,
    "remove": _remove,
    "list": _list,
    "sync": _sync,
    "status": _status,
    "skipped": _skipped,
    "publish": _publish,
    "remote": _remote,
    "credentials": _credentials,
    "trust-host": _trust_host,
    "log": _log,
    "set": _set,
    "show": _show,
    "pause": _pause,
    "resume": _resume,
}


# What changes the settings or the registrations a running engine follows: it is told.
_SETTINGS_CHANGED = frozenset({"add", "clone", "remove", "set", "pause", "resume"})


def _conflict_handler(command: str) -> Handler:
    """`resolve`, `history` and `undo` (`core/cli_conflicts.py`), imported for them only:
    about 1.5 ms of a cold sync's CPU."""
    from core.cli_conflicts import HANDLERS

    return HANDLERS[command]


# Plain reads: `args -> exit status`, or None when the store must be opened as usual
# (missing, to migrate or rebuild, `repositories.json` to rewrite): then the engine
# command of the same name runs. They import neither SQLAlchemy, dulwich nor the engine.


def _plain_snapshot(*, submodules: bool) -> Snapshot | None:
    """The store's picture over read-only `sqlite3`, when opening it would change nothing
    (one connection: the check's, then the read's)."""
    import sqlite3

    from core.store.recovery import open_as_is
    from core.store.status_reader import read_snapshot

    conn = open_as_is(store_file(data_dir()))
    if conn is None:
        return None
    try:
        return read_snapshot(conn, submodules=submodules)
    except sqlite3.Error:
        return None  # the full open decides: rebuild, or a one-line error
    finally:
        conn.close()


def _plain_list(args: argparse.Namespace) -> int | None:
    snapshot = _plain_snapshot(submodules=False)
    if snapshot is None:
        return None
    _print_list(snapshot.repos, args)
    return EXIT_OK


def _plain_status(args: argparse.Namespace) -> int | None:
    snapshot = None if args.refresh else _plain_snapshot(submodules=True)
    if snapshot is None:
        return None
    _print_status(snapshot, args)
    return EXIT_OK


def _through_engine(args: argparse.Namespace) -> int | None:
    """`sync`, or `status --refresh`'s measure, carried out by the running daemon or app
    (`core.cli_engine`), or None: then this process runs it. `--verbose` always runs
    here: its detail is this process's log."""
    if args.verbose:
        return None
    if args.command == "status" and args.refresh:
        return _refreshed_by_engine(args)
    if args.command != "sync":
        return None
    from core.cli_engine import sync_through_engine

    names, as_json = args.names, args.json
    return sync_through_engine(names, fetch_only=args.fetch_only, no_push=args.no_push, as_json=as_json)


def _refreshed_by_engine(args: argparse.Namespace) -> int | None:
    """`status --refresh` with the branches measured by the running engine, then printed
    from the store as `status` prints them; None when the engine did not measure them."""
    from core.cli_engine import refresh_through_engine

    failed = refresh_through_engine(args.names, as_json=args.json)
    if failed is None or isinstance(failed, int):
        return failed
    snapshot = _plain_snapshot(submodules=True)
    if snapshot is None:  # the store needs the full open (a rewrite): it measures again there
        return None
    for name, why in failed:
        print(f"gitferry: {name}: {why}", file=sys.stderr)
    _print_status(snapshot, args)
    return EXIT_FAILED if failed else EXIT_OK


_PLAIN_READS: dict[str, Callable[[argparse.Namespace], int | None]] = {
    "list": _plain_list,
    "status": _plain_status,
}


def _prompt_credentials() -> tuple[str, str]:
    """Read a user name and secret: prompted on a terminal, else two lines of stdin."""
    if sys.stdin.isatty():
        import getpass  # termios: only for a prompt

        return input("user name: "), getpass.getpass("token or password: ")
    return sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")


def _configure_logs(args: argparse.Namespace) -> None:
    """`--verbose`: debug records to stderr. The daemon, a long-running process like the
    desktop app, also keeps the rotating log file and reports its work on stderr; the
    other commands write to that file only the tracebacks of unexpected errors. A plain
    read's set-up waits for its first record, which there mostly is none of: `logging`
    is imported then (`core/lazy_log.py`)."""
    if args.command in _PLAIN_READS and not args.verbose and not getattr(args, "refresh", False):
        before_first_use(lambda: _configure_logs_now(args))
    else:
        before_first_use(None)
        _configure_logs_now(args)


def _configure_logs_now(args: argparse.Namespace) -> None:
    from core.logs import configure_logging, log_to_stderr  # `logging`: not for a plain read

    configure_logging(data_dir(), args.verbose, errors_only=args.command != "daemon")
    if args.verbose or args.command == "daemon":
        log_to_stderr(args.verbose)
    log.debug("%s; %s, data in %s", version_line(), args.command, data_dir())


def _claim_engine(args: argparse.Namespace) -> bool:
    """`gitferry daemon` becomes the data directory's one engine (`args.engine_lock`,
    held until the process ends) before it touches anything, its log included; False,
    after one line naming the app or the daemon that is, when another one is. One that
    is quitting (the app's Quit) is waited for, bounded, with a line saying so."""
    from core.engine.engine_lock import DAEMON, QUITTING_WAIT_SECONDS, EngineHeld, EngineHolder, claim_engine

    def waiting(holder: EngineHolder) -> None:
        print(
            f"gitferry daemon: waiting for {holder.describe()}, which is quitting",
            file=sys.stderr,
            flush=True,
        )

    try:
        args.engine_lock = claim_engine(
            data_dir(), DAEMON, quitting_wait=QUITTING_WAIT_SECONDS, waiting=waiting
        )
    except EngineHeld as exc:
        print(f"gitferry: {exc.message}", file=sys.stderr)
        return False
    return True


def _exit_now(code: int) -> NoReturn:
    """End the process without joining transfer threads still blocked in a read (a
    server that stopped answering holds one up to its timeout). The store is closed;
    for the repositories this is a kill, which the next sync recovers from."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def sync_namespace(sync: SyncArgs) -> argparse.Namespace:
    """What the parser makes of `gitferry sync` with only names and its flags (the same
    attributes; `tests/integration/test_cli_engine.py` compares them), without argparse."""
    parsed = SimpleNamespace(
        verbose=False,
        command="sync",
        names=sync.names,
        json=sync.as_json,
        fetch_only=sync.fetch_only,
        no_push=sync.no_push,
    )
    namespace: argparse.Namespace = parsed  # type: ignore[assignment]  # read by attribute only, as a Namespace is
    return namespace


def _parse(given: list[str]) -> argparse.Namespace | None:
    """The parsed arguments; None (the usage printed) when no command was given. A plain
    read's simple command line is read without the parser (`core.cli_simple`)."""
    from core.cli_simple import simple_read

    simple = simple_read(given)
    if simple is not None:
        return simple
    from core.cli_parser import COMMANDS, build_parser

    parser = build_parser(given[0] if given and given[0] in COMMANDS else None, as_json="--json" in given)
    args = parser.parse_args(given)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("gitferry: no command given (`gitferry` alone starts the desktop app)", file=sys.stderr)
        return None
    return args


def _one_shot_gc() -> None:
    """A command that ends when its work does collects cycles less often: the objects
    imported so far are set aside (never scanned again) and the youngest generation holds
    20,000 objects, not 700, before a collection. A sync allocates hundreds of thousands
    of short-lived objects (index entries, tree entries); with Python's defaults a cold
    `gitferry sync` spent ~40 ms in 221 collections (`bench.real_fetch`), now ~20 ms in 7.
    The console script (`gui/launch.py`) disables the collector before the CLI's modules
    load (their objects live as long as the process): a cold no-change `sync --fetch-only`
    ran 25 collections (about 5 ms) while importing, one of them (about 4 ms) scanning the
    20,000 objects the engine's modules make; `sync` starts it once `core.engine.sync` is
    imported, every other command before it runs. The daemon, which runs for days,
    freezes nothing (what it made at start-up, such as the repositories the pool holds,
    may be let go later) but collects as rarely (`core.platform.collector`)."""
    gc.freeze()
    collect_rarely()


def _as_json(args: argparse.Namespace) -> bool:
    """The command was given `--json` (one that takes it)."""
    return bool(getattr(args, "json", False))


def _named(args: argparse.Namespace) -> str | None:
    """The one repository the command named, if it names one (`show NAME`, `log NAME`...)."""
    name = getattr(args, "name", None)
    return name if isinstance(name, str) else None


def main(
    argv: Sequence[str] | None = None,
    *,
    one_shot: bool | None = None,
    ask_engine: bool = True,
    sync: SyncArgs | None = None,
) -> int:
    """The CLI. `one_shot`: this process ends with the command (the console script, a
    `python -c` child); by default when `argv` is None. A caller in process (tests) keeps
    its own garbage collector settings. `ask_engine`: `sync` and `status --refresh` ask a
    running engine first (False: the entry point asked already for a `sync`,
    `core.cli_engine.sync_command`). `sync`: the arguments were `sync` with only names
    and its flags, which the entry point read (`core.cli_engine.simple_sync`): they are
    not parsed again."""
    if os.environ.get("GITFERRY_ASKPASS"):  # a bundle that ssh runs as its SSH_ASKPASS (askpass.py)
        from core.git.transfer.askpass_helper import main as askpass

        gc.enable()  # Python's defaults (the console script disabled it)
        return askpass(list(sys.argv[1:] if argv is None else argv))
    if os.environ.get("GITFERRY_DELTA_WORKER"):  # a bundle started as a pack's worker (delta_workers.py)
        from core.git.objects.delta_workers import worker_main

        gc.enable()
        return worker_main()
    args = sync_namespace(sync) if sync is not None else _parse(list(sys.argv[1:] if argv is None else argv))
    if args is None:
        return EXIT_USAGE
    raise_soft_limit()
    if args.command == "daemon" and not _claim_engine(args):
        return EXIT_HELD
    own_process = argv is None if one_shot is None else one_shot
    if own_process and args.command == "daemon":
        collect_rarely()
    elif own_process and args.command != "sync":
        _one_shot_gc()
    elif own_process:
        global _collector_waits
        _collector_waits = True  # started once the sync's modules are loaded (`_sync`)
    _configure_logs(args)
    if args.command == "credentials":
        args.username, args.secret = _prompt_credentials()
    try:
        code = _through_engine(args) if ask_engine else None
        plain = _PLAIN_READS.get(args.command)
        if code is None and plain is not None:
            code = plain(args)
        if code is None:
            configure_now()  # a plain read's, before code that logs through `logging` itself
            import asyncio

            code = asyncio.run(_run(args))
            if code == EXIT_OK and args.command in _SETTINGS_CHANGED:
                from core.cli_engine import tell_engine_to_look

                tell_engine_to_look()
        if args.command == "daemon":
            args.engine_lock.release()  # its store closed: its record goes with it
            _exit_now(code)
        return code
    except GitferryError as exc:
        return print_failure(exc.message, bad_input=exc.bad_input, as_json=_as_json(args), name=_named(args))
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:  # `gitferry status --json | head`
        return reader_left()
    except Exception as exc:  # a bug: one line here, the traceback in the log file
        from core.engine.unexpected import describe

        log.exception("gitferry %s failed", args.command)
        from core.logs import log_file

        hint = f"{TRACEBACK_HINT} ({log_file(data_dir())})"
        message = f"unexpected error: {describe(exc)}; {hint}"
        return print_failure(message, bad_input=False, as_json=_as_json(args), name=_named(args))


if __name__ == "__main__":
    sys.exit(main())
