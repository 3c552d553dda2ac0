"""`gitferry sync` and `status --refresh` through a running engine: the daemon's or the
app's (`core.engine.cli_server`).

A cold CLI process spends most of a no-change sync importing and opening the engine
(docs/ARCHITECTURE.md, "The cold path"); an engine that already runs has all of it.
So `sync` first asks it, over the socket of `core.cli_socket`, with nothing but the
standard library and the CLI's own printing (`core.cli_output`): no asyncio, no
dulwich, no store. It sends its version and build (`build_identity`), its git
environment and the sync's options, shows the progress the engine sends back and
prints the reports with the same functions as a sync run in this process, so the
output and the exit status are the same either way.

`sync_through_engine` returns None whenever the engine did not carry out the sync, and
the CLI then runs it itself exactly as without an engine: no socket, nobody listening
(a socket file a killed engine left), another user's, a refusal (another version, build or
environment, a repository it does not watch yet), the engine gone before the answer, no
answer within `ANSWER_SECONDS` (said in one line, as a stopped engine is),
or a question the sync needed while this process has a terminal to ask it on (the
engine declined it; run here, the sync asks). `GITFERRY_IN_PROCESS=1` skips the
engine. Ctrl-C asks the engine to cancel and waits (a few seconds at most) for it to
say so, then ends as the CLI's Ctrl-C does.

`status --refresh` (`refresh_through_engine`) asks the engine to measure the
repositories' branches from their local refs, with the same fallbacks; the CLI then
prints the status from the store.

A sync the CLI ran itself because it had to ask (a password typed on the terminal)
hands that password, once the server accepted it and when no keyring or credential
helper keeps it, to the running engine (`hand_over_password`: the `keep` command), so
that the engine's background fetches sign in with it too; in memory only.

A command that changed settings or registrations (`add`, `clone`, `remove`, `set`,
`pause`, `resume`) tells the running engine to look at them now (`tell_engine_to_look`:
the `look` command, one line, no answer waited for); without it the engine sees the
change at its next settings round, up to `SETTINGS_SECONDS` (5 s) later: a background
sync could start in a repository just paused.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from core.cli_output import ProgressView, interrupted, print_failure, print_sync, reader_left
from core.cli_simple import names_and_flags
from core.cli_socket import (
    CORE,
    IN_PROCESS_VARIABLE,
    PROTOCOL,
    build_identity,
    current_umask,
    encode,
    git_environment,
    peer_pid,
    same_user,
    socket_path,
    stopped_peer,
)
from core.paths import data_dir
from core.version import __version__

if TYPE_CHECKING:
    from core.remote_url import HttpAuth

CONNECT_SECONDS = 2.0  # to connect: a socket nobody accepts on is a stale one
ANSWER_SECONDS = 15.0  # to hear whether the engine takes the sync (it reads its store first)
CANCEL_SECONDS = 10.0  # after Ctrl-C, for the engine to stop the sync


SYNC_FLAGS = ("--json", "--fetch-only", "--no-push")


class SyncArgs(NamedTuple):
    names: list[str]
    fetch_only: bool
    no_push: bool
    as_json: bool


def simple_sync(args: list[str]) -> SyncArgs | None:
    """`gitferry sync ARGS` read as the CLI's parser reads them, when they are only names
    (one run of them) and `sync`'s flags; None for anything else (`--help`, `--verbose`,
    an abbreviated flag, names on both sides of a flag...): the CLI's parser decides."""
    names = names_and_flags(args, SYNC_FLAGS)
    if names is None:
        return None
    return SyncArgs(names, "--fetch-only" in args, "--no-push" in args, "--json" in args)


def sync_command(args: SyncArgs, *, own_process: bool = False) -> int | None:
    """`gitferry sync` handed to the running engine, as the entry point runs it before the
    CLI is imported: its exit status, or None (then the CLI runs it). Ctrl-C and a
    reader that left end as the CLI's `main` ends them. `own_process` (the console
    script): a full sync of one repository that this process runs starts the ssh its
    last one ran now, its handshake overlapping the imports to come (`early_dial`)."""
    try:
        code = sync_through_engine(
            args.names, fetch_only=args.fetch_only, no_push=args.no_push, as_json=args.as_json
        )
        if code is None and args.fetch_only:  # no engine took it: perhaps the last one's record answers
            from core.cli_replay import replayed_fetch

            code = replayed_fetch(args)
        elif code is None and own_process and len(args.names) == 1:
            from core.git.transfer.early_dial import start_recorded

            start_recorded(data_dir(), args.names[0])
        return code
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:  # `gitferry sync --json | head`
        return reader_left()


class _Progress(NamedTuple):
    """A `core.cli_output.Progress` as the engine sent it."""

    phase: str
    current: int
    total: int | None
    bytes: int


class _Gone(Exception):
    """The engine closed the connection before its answer."""


class _Accepted(NamedTuple):
    """A request the engine took: the connection to read the rest of its answer on."""

    sock: socket.socket
    lines: Any
    first: dict[str, Any]  # the engine's first answer


def _request(command: str, options: dict[str, Any], *, as_json: bool) -> _Accepted | int | None:
    """`command` asked of the running engine: accepted (the caller closes the socket), the
    exit status of a one-line error it answered (a name it does not know: said as the
    CLI says it, in JSON too when `as_json`), or None when no engine took it (run it in
    this process)."""
    sock = _connected()
    if sock is None:
        return None
    try:
        stopped = stopped_peer(sock)
        if stopped is not None:  # it would never answer: do not wait ANSWER_SECONDS for it
            sock.close()
            _runs_by_itself(stopped, f"is stopped (Ctrl-Z or SIGSTOP; `kill -CONT {stopped}` resumes it)")
            return None
        request = {
            "protocol": PROTOCOL,
            "version": __version__,
            "build": build_identity(CORE, __version__),
            "command": command,
            "environment": git_environment(os.environ),
            "umask": current_umask(),
            **options,
        }
        sock.sendall(encode(request))
        sock.settimeout(ANSWER_SECONDS)  # a loaded engine is slower to answer than to accept
        lines = sock.makefile("rb")
        first = _read(lines)
    except TimeoutError:  # it accepted and never answered: hung, or far too busy
        pid = peer_pid(sock)
        sock.close()
        _runs_by_itself(pid, f"did not answer in {ANSWER_SECONDS:.0f} s")
        return None
    except (OSError, ValueError, _Gone):
        sock.close()
        return None  # nobody listens, a stale socket, an engine that left or hung
    if "accepted" in first and "refused" not in first:
        return _Accepted(sock, lines, first)
    sock.close()
    if "error" in first and "refused" not in first:  # a name it does not know: the CLI's own line
        return print_failure(str(first["error"]), bad_input=bool(first.get("bad_input")), as_json=as_json)
    return None


def _runs_by_itself(pid: int | None, why: str) -> None:
    """The one line that says why the engine was not asked to carry out the command."""
    engine = "`gitferry daemon` or the app" if pid is None else f"pid {pid}: `gitferry daemon` or the app"
    print(f"gitferry: the Gitferry engine ({engine}) {why}: this command runs by itself", file=sys.stderr)


def sync_through_engine(names: list[str], *, fetch_only: bool, no_push: bool, as_json: bool) -> int | None:
    """The sync carried out by the running engine, printed; its exit status, or None
    when the engine did not carry it out (run it in this process)."""
    terminal = sys.stdin.isatty()
    options = {
        "names": names,
        "fetch_only": fetch_only,
        "no_push": no_push,
        "terminal": terminal,
        "progress": sys.stderr.isatty(),
    }
    accepted = _request("sync", options, as_json=as_json)
    if not isinstance(accepted, _Accepted):
        return accepted
    with accepted.sock as sock:
        sock.settimeout(None)  # the sync takes what it takes, as in this process
        try:
            answer = _follow(_read(accepted.lines), accepted.lines)
        except KeyboardInterrupt:
            _cancel(sock, accepted.lines)
            raise
        except (OSError, ValueError, KeyError, _Gone):
            return None  # the engine went away mid-sync: the sync runs here
    if answer.get("cancelled") or (answer.get("asked") and terminal):
        return None
    crashed, log = answer["crashed"], ""
    if crashed:  # the log file's name: logging imported for it only
        from core.logs import log_file

        log = str(log_file(data_dir()))
    return print_sync(answer["reports"], crashed, as_json, log)


def refresh_through_engine(names: list[str], *, as_json: bool) -> list[tuple[str, str]] | int | None:
    """`gitferry status --refresh`'s measure of the named repositories (all when none)
    carried out by the running engine: the repositories it could not measure and why
    (an empty list when it measured all), the exit status of a one-line error (a name
    it does not know), or None when it did not carry it out (measure in this process)."""
    accepted = _request("refresh", {"names": names}, as_json=as_json)
    if not isinstance(accepted, _Accepted):
        return accepted
    with accepted.sock as sock:
        sock.settimeout(None)  # a measure takes what it takes, as in this process
        try:
            answer = _read(accepted.lines)
            return [(str(name), str(why)) for name, why in answer["failed"]]
        except (OSError, ValueError, KeyError, TypeError, _Gone):
            return None  # the engine went away meanwhile: the measure runs here


def _connected() -> socket.socket | None:
    """A socket connected to the data directory's running engine, run by this user; None
    when there is none to ask (nobody listens, a stale socket, another user's, or the
    command must run in this process)."""
    if os.environ.get(IN_PROCESS_VARIABLE) or not hasattr(socket, "AF_UNIX"):
        return None
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.settimeout(CONNECT_SECONDS)
        sock.connect(str(socket_path(data_dir())))
        if same_user(sock):
            return sock
    except OSError:
        pass
    sock.close()
    return None


def tell_engine_to_look() -> None:
    """The running engine, if any, looks at the settings and registrations now. Nothing
    waits for it: an engine that is busy or hung (or this process's own, in a test) is
    not waited for, and none listening is nothing to do."""
    sock = _connected()
    if sock is None:
        return  # the engine's own round sees the change
    with sock, contextlib.suppress(OSError):  # an engine that left meanwhile: nothing to tell
        sock.sendall(encode({"protocol": PROTOCOL, "command": "look"}))


def hand_over_password(protocol: str, host: str, path: str | None, auth: HttpAuth) -> str | None:
    """A password this process's sync or clone was given (typed on the terminal, in the
    clone's URL), which the server accepted and no keyring or credential helper keeps,
    handed to the running engine (the app's or the daemon's memory, `SessionPasswords`:
    never written), so that its background fetches sign in with it: who keeps it now
    ("the daemon"), or None when no engine took it.
    Keyed as git matches credentials (`SessionPasswords`). Called from a transfer's thread."""
    fields = {"protocol": protocol, "host": host, "path": path, "username": auth.username}
    accepted = _request("keep", {"credential": {**fields, "password": auth.password}}, as_json=False)
    if not isinstance(accepted, _Accepted):
        return None
    accepted.sock.close()
    kept = accepted.first.get("kept")
    return kept if isinstance(kept, str) else None


def _follow(first: dict[str, Any], lines: Any) -> dict[str, Any]:
    """Show the progress the engine sends until its answer comes."""
    message = first
    with ProgressView() as view:
        while "progress" in message:
            repo, remote, phase, current, total, sent = message["progress"]
            view.update(repo, remote, _Progress(phase, current, total, sent))
            message = _read(lines)
    return message


def _read(lines: Any) -> dict[str, Any]:
    line = lines.readline()
    if not line:
        raise _Gone
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def _cancel(sock: socket.socket, lines: Any) -> None:
    """The user's Ctrl-C: the engine cancels the sync; wait until it has (or gives up)."""
    deadline = time.monotonic() + CANCEL_SECONDS  # in all: progress still coming is no reason
    try:  # to wait longer
        sock.settimeout(CANCEL_SECONDS)
        sock.sendall(encode({"cancel": True}))
        while "progress" in _read(lines):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            sock.settimeout(left)
    except (OSError, ValueError, _Gone):
        pass
