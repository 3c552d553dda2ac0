"""The running engine answers `gitferry sync` (and `status --refresh`'s measure, `_refresh`,
`keep`: a password the CLI's own sync or clone was given and the server accepted, `_keep`, and
`look`: the CLI changed settings or registrations, look at them now, `_look`):
a CLI process that finds it skips importing
and opening the engine itself (the cold path's floor, section 3 of docs/ARCHITECTURE.md).

`CliServer.start` listens on the Unix socket of `core.cli_socket` in the data directory's
private `engine/` directory (mode 0700, the socket 0600), where this process holds the
engine lock (`core.engine.engine_lock`: it is the data directory's one engine, so a
socket file there is a killed engine's, and is replaced). Each
connection is checked for its user (`SO_PEERCRED`), then one request is read: the
protocol, version and build (`build_identity`), the client's git environment
(`git_environment`) and umask, and the sync's options. Anything that differs from
this process, a repository the engine does not watch yet, or another command: a
refusal, and the CLI runs the sync itself.

An accepted sync is the user's sync of each named repository in turn, queued on its
worker as the app's "Sync now" (`Engine.sync` with a `UserRequest`: the CLI's
`--fetch-only`/`--no-push`), and the app shows it like any other. A job already
running for one of them (a background fetch, the app's sync): a refusal, and the CLI
waits for the repository's sync lock as it always did (`lock_wait`, then `busy`); one
that starts after the request was accepted is waited for as long, then the sync is
withdrawn and ends `busy` with the same line.
Its progress goes back as it comes, its reports at the end, as JSON; the client
prints them with the CLI's own formatting. Questions: a sync the CLI started is
never asked in the app's dialogs. When the client's stdin is a terminal (where the
CLI would have asked), a question marks the answer `asked` and is declined; the
client then runs the sync again in its own process, which asks on the terminal.
Otherwise nobody is asked, as in the CLI's own process. A `cancel` line from the
client (its Ctrl-C), or the client gone, withdraws the running repository's sync
(`Engine.withdraw`) and the rest are not started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli_socket import (
    CORE,
    MAX_REQUEST,
    MAX_SOCKET_PATH,
    PROTOCOL,
    build_identity,
    current_umask,
    encode,
    git_environment,
    same_user,
    socket_path,
)
from core.engine.branch_measure import refresh_status
from core.engine.worker import UserRequest
from core.errors import GitferryError
from core.events import BranchStatusChanged, EventBus, PhaseProgress, Subscription, SubscriptionClosed
from core.results import CANCELLED_MESSAGE
from core.version import __version__

if TYPE_CHECKING:
    from core.engine.core import Core
    from core.engine.engine import Engine
    from core.engine.report import SyncReport
    from core.git.transfer.signer import SignInRequest
    from core.git.transfer.ssh_questions import SshQuestion
    from core.model import RepoRecord
    from core.remote_url import HttpAuth

log = logging.getLogger(__name__)

REQUEST_SECONDS = 5.0  # a client that connects and says nothing
Answered = Callable[[int, "SyncReport"], Awaitable[None]]
"""Told each sync's report, by repository id, as the sync ends."""
Look = Callable[[], None]
"""Told that another process changed the settings or the registrations (the daemon's
settings round then runs at once, not at its next `SETTINGS_SECONDS`)."""
Kept = Callable[[str, str, "str | None"], Awaitable[None]]
"""Told the key (protocol, host, path) of a password `keep` was handed (the daemon's
`password_handed_over`: the retry backoff of the remotes it signs in to ends)."""
QUEUED_LOOK_SECONDS = 0.25  # past the lock's wait, how often a queued sync looks again
_OPTIONS = {  # what each command needs
    "sync": ("names", "fetch_only", "no_push"),
    "refresh": ("names",),
    "keep": ("credential",),
    "look": (),
}
_CREDENTIAL = ("protocol", "host", "path", "username", "password")  # `keep`'s, as git names them


@dataclass
class _Asked:
    """The prompts of a sync whose client has a terminal: a question the CLI would have
    asked there is noted and declined."""

    asked: bool = False

    def sign_in(self, _request: SignInRequest) -> HttpAuth | None:
        self.asked = True
        return None

    def ssh(self, question: SshQuestion) -> str | None:
        from core.git.transfer.ssh_questions import PassphraseQuestion

        if isinstance(question, PassphraseQuestion):  # the CLI asks only these (terminal_ssh_prompt)
            self.asked = True
        return None


class CliServer:
    def __init__(
        self,
        core: Core,
        engine: Engine,
        bus: EventBus,
        path: Path,
        answered: Answered | None = None,
        look: Look | None = None,
        kept: Kept | None = None,
    ) -> None:
        self.core, self.engine, self.bus = core, engine, bus
        self.answered = answered  # told each sync's report (the daemon's `_answered`)
        self.look = look  # told of a `look` (the daemon's settings round, woken)
        self.kept = kept  # told of a password `keep` took
        self.path = path
        self._server: asyncio.AbstractServer | None = None
        self._answers: set[asyncio.Task[None]] = set()
        self._closing = False  # no request is taken once `close` began
        self._environment = git_environment(os.environ)
        self._umask = current_umask()
        self._build = build_identity(CORE, __version__)  # the code as it is at the engine's start

    @classmethod
    async def start(
        cls,
        core: Core,
        engine: Engine,
        bus: EventBus,
        *,
        answered: Answered | None = None,
        look: Look | None = None,
        kept: Kept | None = None,
    ) -> CliServer | None:
        """Listen for the CLI (this process holds the data directory's engine lock), unless
        the system has no Unix sockets or the path is too long for one: then None."""
        home = core.home
        if home is None or not hasattr(socket, "AF_UNIX"):
            return None
        path = socket_path(home)
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            log.warning("the CLI cannot reach this engine: %s is too long for a socket", path)
            return None
        server = cls(core, engine, bus, path, answered, look, kept)
        try:
            path.unlink(missing_ok=True)  # a killed engine's
            server._server = await asyncio.start_unix_server(
                server._answer, path=str(path), limit=MAX_REQUEST
            )
            os.chmod(path, 0o600)
        except OSError as exc:
            log.warning("the CLI cannot reach this engine: %s", exc)
            if server._server is not None:  # listening, but its socket's mode not set
                server._server.close()
            return None
        log.info("answering the CLI on %s", path)
        return server

    async def close(self) -> None:
        """Stop listening; requests in hand are dropped (their clients run the sync), and
        so is a connection accepted before but answered after (its task not started yet)."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in list(self._answers):
            task.cancel()
        await asyncio.gather(*self._answers, return_exceptions=True)
        with contextlib.suppress(OSError):
            self.path.unlink()  # before the engine lock goes: a new engine binds its own

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._closing:  # not among the answers `close` cancels and waits for
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._answers.add(task)
        try:
            sock = writer.get_extra_info("socket")
            if sock is None or not same_user(sock):
                await _send(writer, {"refused": "another user"})
                return
            line = await asyncio.wait_for(reader.readline(), REQUEST_SECONDS)
            request = json.loads(line) if line else None  # longer than MAX_REQUEST: ValueError
            refusal = self._refusal(request)
            if refusal is not None:
                await _send(writer, {"refused": refusal})
                return
            assert isinstance(request, dict)
            if request["command"] == "look":
                if self.look is not None:  # no answer: the client does not wait for one
                    self.look()
            elif request["command"] == "refresh":
                await self._refresh(request, writer)
            elif request["command"] == "keep":
                await self._keep(request, writer)
            else:
                await self._sync(request, reader, writer)
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the client left or sent nonsense: it runs the sync itself
        except asyncio.CancelledError:
            pass  # the engine stops
        except Exception:
            log.exception("answering the CLI")
        finally:
            self._answers.discard(task)
            writer.close()

    def _refusal(self, request: object) -> str | None:
        if not isinstance(request, dict) or request.get("command") not in _OPTIONS:
            return "not a command this engine answers"
        if request["command"] == "look":  # the data directory's files: whoever wrote them
            return None if request.get("protocol") == PROTOCOL else "another protocol"
        if request.get("protocol") != PROTOCOL or request.get("version") != __version__:
            return f"the engine runs Gitferry {__version__}"
        if request.get("build") != self._build:  # other code of the same version
            return "the engine runs another build"
        if request.get("environment") != self._environment or request.get("umask") != self._umask:
            return "the engine's environment differs"
        if not all(key in request for key in _OPTIONS[request["command"]]):
            return "a request without the command's options"
        return None

    async def _records(
        self, request: dict[str, Any], writer: asyncio.StreamWriter
    ) -> list[RepoRecord] | None:
        """The repositories the request names, once it is accepted; None: it was answered
        (an error or a refusal)."""
        try:
            records = await self.core.store.repos([str(name) for name in request["names"]])
        except GitferryError as exc:  # a name it does not know: the CLI's own line; the
            if exc.bad_input:  # store failing here: the CLI opens it itself, as without an engine
                await _send(writer, {"error": exc.message, "bad_input": True})
            else:
                await _send(writer, {"refused": exc.message})
            return None
        if any(record.id not in self.engine.workers for record in records):
            await _send(writer, {"refused": "a repository the engine does not watch yet"})
            return None
        if any(self.engine.workers[record.id].busy for record in records):  # the CLI waits on
            await _send(writer, {"refused": "a job runs for a repository"})  # its lock, as before
            return None
        await _send(writer, {"accepted": True})
        return records

    async def _refresh(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        """`gitferry status --refresh`: each repository's branches measured again from its
        local refs, as the CLI's own process measures them, and shown in the app at once;
        the client prints the status from the store."""
        records = await self._records(request, writer)
        if records is None:
            return
        failed: list[tuple[str, str]] = []
        for record in records:
            try:
                branches = await refresh_status(self.core, record, self.engine.lease)
            except GitferryError as exc:
                failed.append((record.name, exc.message))
                continue
            self.bus.publish(BranchStatusChanged(record.id, record.name, tuple(branches)))
        await _send(writer, {"failed": failed})

    async def _keep(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        """A password the CLI's own sync or clone was given (typed on its terminal, in the
        clone's URL), which the server accepted and nothing else keeps
        (`core.cli_engine.hand_over_password`): kept in this engine's memory
        (`SessionPasswords`: never written, dropped when refused), so that background
        fetches sign in with it, and those of its remotes in retry backoff after failed
        sign-ins come on their interval again (`kept`), as after a user's sync."""
        from core.remote_url import HttpAuth

        passwords, credential = self.core.passwords, request["credential"]
        if not isinstance(credential, dict) or not all(key in credential for key in _CREDENTIAL):
            credential = dict.fromkeys(_CREDENTIAL)
        protocol, host, path, username, password = (credential[key] for key in _CREDENTIAL)
        words = (protocol, host, username, password)
        if (
            passwords is None
            or not all(isinstance(word, str) for word in words)
            or not (protocol and host and password)
            or not (path is None or isinstance(path, str))
        ):
            await _send(writer, {"refused": "no password to keep"})
            return
        passwords.keep(protocol, host, path, HttpAuth(username, password))
        log.info("%s://%s: a password given to the CLI is kept in memory", protocol, host)
        await _send(writer, {"accepted": True, "kept": passwords.holder})
        if self.kept is not None:
            await self.kept(protocol, host, path)

    async def _sync(
        self, request: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        records = await self._records(request, writer)
        if records is None:
            return
        asked = _Asked()
        terminal = bool(request.get("terminal"))
        job = UserRequest(
            fetch_only=bool(request["fetch_only"]),
            push=not request["no_push"],
            sign_in_prompt=asked.sign_in if terminal else None,
            ssh_prompt=asked.ssh if terminal else None,
            askpass=True,  # as the CLI's own process would run it
        )
        stop = asyncio.ensure_future(reader.readline())  # a `cancel` line, or the client gone
        progress = self.bus.subscribe(kinds=(PhaseProgress,)) if request.get("progress") else None
        reports: list[SyncReport] = []
        try:
            for record in records:
                report = await self._one(record.id, job, stop, progress, writer)
                if report is None:
                    await _send(writer, {"cancelled": True})
                    return
                reports.append(report)
                if self.answered is not None:
                    await self.answered(record.id, report)
        finally:
            stop.cancel()
            if progress is not None:
                progress.close()
        await _send(
            writer,
            {
                "reports": [report.to_json() for report in reports],
                "crashed": [report.name for report in reports if report.crashed],
                "asked": asked.asked,
            },
        )

    async def _one(
        self,
        repo_id: int,
        job: UserRequest,
        stop: asyncio.Future[bytes],
        progress: Subscription | None,
        writer: asyncio.StreamWriter,
    ) -> SyncReport | None:
        """One repository's sync, its progress sent as it comes; None: the client cancelled.
        Behind a job that started after the request was accepted, it waits as long as
        the CLI's own process waits for the sync lock (`lock_wait`), then is withdrawn
        and ends `busy` as it would there (`Engine.busy_report`)."""
        sync = asyncio.ensure_future(self.engine.sync(repo_id, job))
        worker = self.engine.workers[repo_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.engine.options.lock_wait
        event: asyncio.Future[Any] | None = None
        try:
            while not sync.done():
                if progress is not None and event is None:
                    event = asyncio.ensure_future(progress.get())
                waiting: set[asyncio.Future[Any]] = {sync, stop} if event is None else {sync, stop, event}
                # Woken at the deadline, then now and then while still queued (the job
                # is queued only once `Engine.sync` ran, and a job may start before it).
                left = deadline - loop.time()
                timeout = left if left > 0 else (QUEUED_LOOK_SECONDS if worker.queued(job) else None)
                await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if (
                    not sync.done()
                    and not stop.done()
                    and worker.queued(job)
                    and worker.busy
                    and loop.time() >= deadline
                    and self.engine.withdraw(repo_id, job)
                ):
                    with contextlib.suppress(asyncio.CancelledError):
                        await sync
                    return await self.engine.busy_report(repo_id, job)
                if event is not None and event.done():
                    sent, event = event, None
                    with contextlib.suppress(SubscriptionClosed):
                        await _send_progress(writer, repo_id, sent.result())
                if stop.done() and not sync.done():
                    self.engine.withdraw(repo_id, job)
                    with contextlib.suppress(asyncio.CancelledError):
                        await sync
                    return None
        finally:
            if event is not None:
                event.cancel()
            if not sync.done():  # the answer cancelled (the engine stops) or the client gone
                self.engine.withdraw(repo_id, job)  # mid-write: its client runs the sync
        if sync.cancelled():
            return None
        report = sync.result()
        return None if report.message == CANCELLED_MESSAGE and stop.done() else report


async def _send_progress(writer: asyncio.StreamWriter, repo_id: int, event: object) -> None:
    if isinstance(event, PhaseProgress) and event.repo_id == repo_id:
        await _send(
            writer,
            {"progress": [event.repo, event.remote, event.phase, event.current, event.total, event.bytes]},
        )


async def _send(writer: asyncio.StreamWriter, document: dict[str, Any]) -> None:
    writer.write(encode(document))
    await writer.drain()
