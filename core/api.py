"""The façade a client (the desktop app) drives the core through: every command a user
can give, and the data types that come with them.

`Api` owns the core (store, offload, keyring, journal) and the background
engine (`Daemon`); a client calls its coroutines and reads the engine's events
from a subscription. What a repository is doing, or why nothing runs for it,
is its published state (`RepoState`: idle, fetching, syncing, paused, offline,
tripped, error), the same in `StateChanged` events and in the status store, so
a client never asks the scheduler or the engine.

This module imports the engine (SQLAlchemy, dulwich): a client paints its first
window before importing it, from `core.first_paint` and the data types of
`core.model`, `core.results` and `core.events`, which import neither.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from core.engine import history as history_ops
from core.engine import registry
from core.engine import resolve as resolve_ops
from core.engine.core import Core
from core.engine.daemon import Daemon
from core.engine.engine_lock import APP, DAEMON, EngineHeld, EngineHolder, EngineLock, claim_engine, take_over
from core.engine.history import BranchChange, CommitSummary, HistoryEntry, Undone
from core.engine.publish import Published, publish_branch
from core.engine.registry import (
    REMOTE_ACTIONS,
    AcceptedCredentials,
    CloneCancelled,
    UnknownBranch,
    check_name,
    default_name,
)
from core.engine.remotes_mirror import mirror_remotes
from core.engine.report import SyncReport
from core.engine.start_syncing import Started, start_syncing
from core.errors import BadInput, GitferryError
from core.events import (
    BranchStatusChanged,
    Event,
    EventBus,
    FileSkipped,
    PhaseProgress,
    RegistrationChanged,
    RemoteTripped,
    StateChanged,
    Subscription,
    SyncFinished,
)
from core.git.config.merge_tool_config import NoMergeTool
from core.git.config.push_target import NoDefaultRemote
from core.git.merge.resolution import CHOICES, ConflictedPath, Finished, Resolution, Version
from core.git.progress import Phase, TransferProgress
from core.git.transfer.clone_marker import HalfMadeClone
from core.git.transfer.signer import SignInRequest
from core.git.transfer.ssh_questions import (
    HostKeyChangedNotice,
    HostKeyQuestion,
    PassphraseQuestion,
    SshQuestion,
)
from core.model import (
    BranchStatus,
    ConflictRecord,
    ConnectionCheck,
    RemoteAccess,
    RemoteRecord,
    RepoRecord,
    RepoState,
    SkippedFile,
    SubmoduleStatus,
)
from core.phrase import Phrase
from core.platform import autostart
from core.remote_url import BadRemoteUrl, HttpAuth, check_url, folder_name, split_url_secret
from core.results import CANCELLED_MESSAGE, ResultKind
from core.settings import (
    APP_PARSERS,
    AS_GIT_PULL,
    NO_PULL_SETTING,
    REPO_PARSERS,
    SET_IN_GITFERRY,
    STRATEGIES,
    SYNC_MODES,
    AppSettings,
    BadSetting,
    RepoSettings,
    as_text,
    parse_setting,
    pause_active,
    pause_until,
)
from core.store.status_reader import Snapshot, UnknownRepository

__all__ = [
    "APP",
    "APP_PARSERS",
    "AS_GIT_PULL",
    "CANCELLED_MESSAGE",
    "CHOICES",
    "DAEMON",
    "NO_PULL_SETTING",
    "REMOTE_ACTIONS",
    "REPO_PARSERS",
    "SET_IN_GITFERRY",
    "STRATEGIES",
    "SYNC_MODES",
    "AcceptedCredentials",
    "Api",
    "AppSettings",
    "BadInput",
    "BadRemoteUrl",
    "BadSetting",
    "BranchChange",
    "BranchStatus",
    "BranchStatusChanged",
    "CloneCancelled",
    "CommitSummary",
    "ConflictRecord",
    "ConflictedPath",
    "ConnectionCheck",
    "EngineHeld",
    "EngineHolder",
    "EngineLock",
    "Event",
    "FileSkipped",
    "Finished",
    "GitferryError",
    "HistoryEntry",
    "HostKeyChangedNotice",
    "HostKeyQuestion",
    "HttpAuth",
    "NoMergeTool",
    "PassphraseQuestion",
    "Phase",
    "PhaseProgress",
    "Published",
    "RegistrationChanged",
    "RemoteAccess",
    "RemoteRecord",
    "RemoteTripped",
    "RepoRecord",
    "RepoSettings",
    "RepoState",
    "Resolution",
    "ResultKind",
    "SignInRequest",
    "SkippedFile",
    "Snapshot",
    "SshQuestion",
    "Started",
    "StateChanged",
    "SubmoduleStatus",
    "Subscription",
    "SyncFinished",
    "SyncReport",
    "TransferProgress",
    "Undone",
    "UnknownBranch",
    "Version",
    "as_text",
    "check_name",
    "check_url",
    "claim_engine",
    "default_name",
    "folder_name",
    "parse_setting",
    "split_url_secret",
    "take_over",
]

CloneProgress = Callable[[str, TransferProgress], None]
AsyncSignInPrompt = Callable[[SignInRequest], Coroutine[Any, Any, HttpAuth | None]]
Q = TypeVar("Q")
A = TypeVar("A")
_WITHDRAWN_TURN = 0.1  # seconds between looks at a question's `withdrawn` while it waits
AsyncSshPrompt = Callable[[SshQuestion], Coroutine[Any, Any, str | None]]


class Api:
    """One running core and its background engine, and the commands a client gives them.

    `core` and `daemon` are the parts, there for tests and tools; a client calls the
    methods below and never reaches into them.
    """

    def __init__(
        self, core: Core, *, bus: EventBus | None = None, engine_lock: EngineLock | None = None
    ) -> None:
        self.core = core
        self.daemon = Daemon(core, bus=bus, holder="the app")
        self._engine_lock = engine_lock
        self._prompts: set[concurrent.futures.Future[Any]] = set()  # asked, unanswered
        self._closing = False
        self._one_question = threading.Lock()  # the user sees one question at a time
        self._prompts_lock = threading.Lock()  # `_closing` and `_prompts` change together

    @classmethod
    async def open(cls, home: Path | None = None, *, engine_lock: EngineLock | None = None) -> Api:
        """The core on `home` (the user's data directory by default); the engine is not
        running yet (`run`). A store that cannot be opened raises `GitferryError`.
        `engine_lock`: the data directory's engine lock, taken before (`claim_engine`,
        `take_over`): `run` holds it, and releases it when it returns."""
        return cls(await Core.open(home), engine_lock=engine_lock)

    # The engine --------------------------------------------------------------------

    async def run(self) -> None:
        """Run the background engine until `stop()`: it fetches every repository on its
        own interval and carries out the commands below, and answers `gitferry sync` on
        the data directory's socket (`core.engine.cli_server`). It is the data directory's
        one engine: with the engine lock `open` was given, else taken here first
        (`EngineHeld`, before anything started, when a daemon or another app holds it);
        the lock is released when the engine has stopped."""
        lock, self._engine_lock = self._engine_lock, None
        if lock is None and self.core.home is not None:
            lock = claim_engine(self.core.home, APP)
        try:
            await self.daemon.run(engine_lock=lock)
        finally:
            if lock is not None:
                lock.release()

    @property
    def started(self) -> asyncio.Event:
        """Set once the engine runs; commands that need it wait for it."""
        return self.daemon.started

    def quitting(self) -> None:
        """The app quits: say so in the engine lock's record now, before the actions under
        way end and the engine stops, so a `gitferry daemon` started meanwhile waits for
        the lock and takes over instead of exiting."""
        self.daemon.quitting()

    def stop(self) -> None:
        """Stop the engine: no new jobs, running ones get a few seconds (`run` returns);
        a sign-in still waiting for the user is cancelled (its sync ends `auth_failed`)."""
        self._cancel_prompts()
        self.daemon.stop()

    async def close(self, *, wait: bool = True) -> None:
        """Close the store and the core's threads (after the engine stopped);
        `wait=False` leaves threads still in a transfer to finish on their own. A sign-in
        still waiting for the user is cancelled first (its transfer ends `auth_failed`):
        its thread would otherwise wait on this loop while the loop waits for it."""
        self._cancel_prompts()
        await self.core.close(wait=wait)

    def _cancel_prompts(self) -> None:
        with self._prompts_lock:
            self._closing = True
            asked = list(self._prompts)
        for prompt in asked:
            prompt.cancel()

    def subscribe(self, maxsize: int = 256) -> Subscription:
        """The engine's events, in a bounded buffer of their own (the oldest dropped)."""
        return self.daemon.bus.subscribe(maxsize=maxsize)

    def recovery_note(self) -> str | None:
        """What was lost when the status store had to be rebuilt at this start, if it was."""
        recovery = self.core.store.recovery
        return None if recovery is None else recovery.describe()

    # What is registered ------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        """Every repository, branch and conflict from the status store, each repository the
        engine watches in the state it publishes now (the store's copy may lag a moment)."""
        snapshot = await self.core.store.snapshot(submodules=True)  # a row says a submodule off its commit
        engine = self.daemon.engine
        if not self.started.is_set() or engine is None:
            return snapshot
        live = [
            replace(record, state=str(engine.state(record.id))) if record.id in engine.workers else record
            for record in snapshot.repos
        ]
        return replace(snapshot, repos=live)

    async def watch_registered(self, records: Sequence[RepoRecord]) -> None:
        """The engine watches exactly these registered repositories: one registered or
        removed elsewhere (the CLI) is picked up or dropped. A repository it starts to
        watch publishes its state as its worker starts."""
        engine = self.daemon.engine
        if not self.started.is_set() or engine is None:
            return
        registered = {record.id for record in records}
        for repo_id in set(engine.workers) - registered:
            await self.daemon.unwatch(repo_id)
        for record in records:
            if record.id not in engine.workers:
                await self._watch(record)

    async def repos(self) -> list[RepoRecord]:
        """Every registered repository, by name."""
        return await self.core.store.repos()

    async def record(self, repo_id: int) -> RepoRecord | None:
        """The repository's record, or None once it was removed."""
        try:
            return await self.core.store.repo_by_id(repo_id)
        except UnknownRepository:
            return None

    async def add_repository(self, path: str, *, name: str | None = None) -> RepoRecord:
        """Register the git working tree at `path` (refused: `GitferryError`, nothing
        registered); the engine watches it at once."""
        try:
            record = await registry.add_repository(self.core, path, name=name)
        except HalfMadeClone as half:  # the window's Add folder has no `gitferry clone`
            raise half.in_app() from None
        await self._watch_if_running(record)
        return record

    async def clone_repository(
        self,
        url: str,
        path: str,
        *,
        name: str | None = None,
        progress: CloneProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> RepoRecord:
        """Clone `url` into a new folder and register it. `progress` is called from the
        transfer's thread; setting `cancel` stops it (`CloneCancelled`, nothing kept)."""
        record = await registry.clone_repository(
            self.core, url, path, name=name, progress=progress, cancel=cancel
        )
        await self._watch_if_running(record)
        return record

    async def start_syncing(self, path: str, url: str, *, name: str | None = None) -> Started:
        """Make the folder at `path`, not a git repository yet, one that syncs with the empty
        remote at `url`: `git init`, a first commit of its files, `origin`, the branch
        published with its upstream, registered and watched. Refused or failed
        (`GitferryError`): nothing of it stays (the folder's files are never touched)."""
        started = await start_syncing(self.core, path, url, name=name)
        await self._watch_if_running(started.record)
        return started

    async def remove_repository(self, record: RepoRecord) -> None:
        """Stop syncing it (its running job is cancelled) and forget it; its files stay."""
        if self.started.is_set():
            await self.daemon.unwatch(record.id)
        await registry.remove_repository(self.core, record.name)

    async def _watch_if_running(self, record: RepoRecord) -> None:
        if self.started.is_set():
            await self._watch(record)

    async def _watch(self, record: RepoRecord) -> None:
        interval = (await self.core.store.repo_settings(record.id)).fetch_interval
        self.daemon.watch(record, float(interval))

    # Sync -------------------------------------------------------------------------

    async def sync(self, repo_id: int) -> SyncReport:
        """The user's sync of one repository, before any background work queued for it."""
        await self.started.wait()
        return await self.daemon.sync_now(repo_id)

    async def publish_branch(self, repo_id: int, branch: str, *, remote: str | None = None) -> Published:
        """Push `branch`, which the remote does not have yet, and set its upstream as
        `git push -u` does (the remote as git would choose it, unless `remote`); under
        the repository's sync lock. Bad input or a rejection: `GitferryError` (one line),
        nothing changed. The branch table hears of it as a `BranchStatusChanged`."""
        record = await self.core.store.repo_by_id(repo_id)
        try:
            published = await publish_branch(self.core, record, branch, remote=remote)
        except NoDefaultRemote as unnamed:  # the window's Publish has no `--remote`
            raise NoDefaultRemote(unnamed.names, in_app=True) from None
        self.daemon.bus.publish(BranchStatusChanged(repo_id, record.name, tuple(published.branches)))
        return published

    def cancel(self, repo_id: int) -> bool:
        """Cancel the repository's running job; False when nothing runs."""
        return self.started.is_set() and self.daemon.cancel(repo_id)

    async def pause(self, repo_id: int | None = None, *, seconds: float | None = None) -> None:
        """Pause background work, of every repository (`repo_id` None) or one, for good or
        for `seconds`: fetches and auto mode's syncs wait (the repositories publish
        `paused`); syncs the user asks for still run. Saved, so it survives a restart."""
        await self.started.wait()
        await self.daemon.set_pause(repo_id, pause_until(self.daemon.clock.wall(), seconds))

    async def resume(self, repo_id: int | None = None) -> None:
        """Resume background work (all, or one repository); what missed its slot runs soon."""
        await self.started.wait()
        await self.daemon.set_pause(repo_id, "")

    async def paused(self, repo_id: int | None = None) -> str:
        """The stored pause: "" (none), "always", or the epoch second it ends at (a pause
        that ran out reads "")."""
        if repo_id is None:
            until = (await self.core.store.app_settings()).paused_until
        else:
            until = (await self.core.store.repo_settings(repo_id)).paused_until
        return until if pause_active(until, time.time()) else ""

    # Conflicts and skipped files --------------------------------------------------

    async def conflicts(self, repo_id: int) -> list[ConflictRecord]:
        return await self.core.store.conflicts(repo_id)

    # The way forward from a conflict, and the history ------------------------------

    async def resolution(self, repo_id: int) -> Resolution:
        """The checked-out branch's conflicted paths, each side's version against the
        base, and what was chosen so far (`GitferryError`: nothing to resolve, and why)."""
        return await resolve_ops.resolution(self.core, await self.core.store.repo_by_id(repo_id))

    async def resolve_path(self, repo_id: int, path: str, choice: str) -> Resolution:
        """`mine`, `theirs` or `both` (`CHOICES`) for one conflicted path; nothing else changes."""
        return await resolve_ops.resolve_path(
            self.core, await self.core.store.repo_by_id(repo_id), path, choice
        )

    async def merge_file(self, repo_id: int, path: str) -> str:
        """A file with conflict markers to merge `path` in with an editor; its content
        resolves the path at Finish."""
        return await resolve_ops.merge_file(self.core, await self.core.store.repo_by_id(repo_id), path)

    async def run_merge_tool(self, repo_id: int, path: str) -> Resolution:
        """Run git's `merge.tool` on `path` (returns when the tool exits)."""
        return await resolve_ops.merge_tool(self.core, await self.core.store.repo_by_id(repo_id), path)

    async def finish_resolution(self, repo_id: int) -> tuple[Finished, SyncReport | None]:
        """Commit the merge (backup ref first, signed as the user's git signs), then sync;
        no sync where a rebase's later commit stopped on its own conflicts (`Finished.stopped`)."""
        done = await resolve_ops.finish(self.core, await self.core.store.repo_by_id(repo_id))
        return done, None if done.stopped is not None else await self.sync(repo_id)

    async def abort_resolution(self, repo_id: int) -> bool:
        """Forget every choice; the repository stays exactly as the conflict left it."""
        return await resolve_ops.abort(self.core, await self.core.store.repo_by_id(repo_id))

    async def history(self, repo_id: int, limit: int = 20) -> list[HistoryEntry]:
        """Recent syncs, newest first: what came in and went out, skipped and conflicted files."""
        return await history_ops.history(self.core, await self.core.store.repo_by_id(repo_id), limit)

    async def undo_last_integration(self, repo_id: int) -> Undone:
        """Back to the head before the last integration, unless it was pushed since
        (`GitferryError`, one line, nothing changed). Its branches are measured again
        before it returns, and the window hears of them as a `BranchStatusChanged`."""
        record = await self.core.store.repo_by_id(repo_id)
        done, branches = await history_ops.undo_last_integration(self.core, record)
        self.daemon.bus.publish(BranchStatusChanged(repo_id, record.name, tuple(branches)))
        return done

    async def undo_refusal(self, repo_id: int) -> Phrase | None:
        """Why "Undo last integration" would be refused now (pushed since, moved, nothing
        recorded: one line), or None when it would run; nothing is changed."""
        record = await self.core.store.repo_by_id(repo_id)
        return await history_ops.undo_refusal(self.core, record)

    async def skipped(self, repo_id: int) -> list[SkippedFile]:
        """Files auto-commit left out, newest first."""
        return await self.core.store.skipped(repo_id)

    async def submodules(self, repo_id: int) -> list[SubmoduleStatus]:
        """The repository's submodules as its last sync saw them (`git submodule status`)."""
        return await self.core.store.submodules(repo_id)

    async def retry_skipped(self, repo_id: int, paths: Sequence[str] | None = None) -> list[str]:
        """The named skipped files (all: None) are tried again at the next sync; those whose
        Git LFS object is missing stay listed (returned): a retry cannot write them."""
        from core.engine.commit_phase import retry_skipped

        return await retry_skipped(self.core, repo_id, paths)

    # Remotes and credentials ------------------------------------------------------

    async def remotes(self, record: RepoRecord) -> list[RemoteRecord]:
        """The repository's remotes as its git config has them now (they are re-read:
        the config is the truth), every URL of each. When it cannot be read,
        `GitferryError` says why; `stored_remotes` still has the last ones seen."""
        return await mirror_remotes(self.core, record.id, record.path)

    async def stored_remotes(self, repo_id: int) -> list[RemoteRecord]:
        """The remotes last read from the repository's git config."""
        return await self.core.store.remotes(repo_id)

    async def edit_remote(self, name: str, action: str, remote: str, url: str | None) -> None:
        """One of `REMOTE_ACTIONS` on the repository's git config; a secret in the URL
        goes to the keyring once the remote accepted it, never to the config."""
        await registry.edit_remote(self.core, name, action, remote, url)

    async def check_credentials(
        self, remote: str, url: str, username: str, secret: str
    ) -> AcceptedCredentials:
        """Ask the remote whether it accepts them; nothing is saved (refused: `GitferryError`)."""
        return await registry.check_credentials(self.core, remote, url, username, secret)

    async def save_credentials(self, accepted: AcceptedCredentials, path: str | None = None) -> bool:
        """In the keyring; with none on the machine, in the app's memory until it quits (True)."""
        return await registry.save_credentials(self.core, accepted, path=path)

    async def set_credentials(
        self, name: str, remote: str, username: str, secret: str, *, url: str | None = None
    ) -> bool:
        """ "Test connection": ask the remote (at `url`, else its configured URL), and save
        them in the keyring only when it accepts (refused: `GitferryError`); True: there is
        no keyring, and the app keeps them in its memory only, until it quits."""
        return await registry.set_credentials(self.core, name, remote, username, secret, url=url)

    async def saved_username(self, url: str) -> str | None:
        """The user name the keyring holds for `url` (never the secret)."""
        return await registry.saved_username(self.core, url)

    async def test_connection(self, name: str, remote: str) -> ConnectionCheck:
        """ "Test connection" with nothing typed: asked as a sync the user starts asks it
        (rewritten URL, git's http settings, keyring, credential helpers, then the
        sign-in prompt); refused: `GitferryError`."""
        return await registry.test_connection(self.core, name, remote)

    async def remote_access(self, name: str) -> list[RemoteAccess]:
        """Each remote's effective URLs after git's rewrites, and where its credential
        comes from (nobody is asked)."""
        return await registry.remote_access(self.core, name)

    def set_sign_in_prompt(self, ask: AsyncSignInPrompt | None) -> None:
        """How a sync the user started asks them to sign in to an HTTP(S) remote: `ask`
        runs on this event loop (a dialog) and returns the user name and secret, or None
        when they cancel. One question at a time; None: nobody is asked (`auth_failed`)."""
        self.core.sign_in_prompt = None if ask is None else self._blocking(ask)

    def set_ssh_prompt(self, ask: AsyncSshPrompt | None) -> None:
        """How ssh's questions reach the user, for a job the user started: `ask` runs on
        this event loop and returns, for a `HostKeyQuestion`, the fingerprint the user
        accepted; for a `PassphraseQuestion`, the passphrase (kept in memory for the
        session, never written); for a `HostKeyChangedNotice`, nothing (it is only
        shown). None from `ask`: declined. The same queue as the sign-in's; None: nobody
        is asked (an unknown host key fails, naming its fingerprint)."""
        self.core.ssh_prompt = None if ask is None else self._blocking(ask)

    def _blocking(self, ask: Callable[[Q], Coroutine[Any, Any, A | None]]) -> Callable[[Q], A | None]:
        """`ask` made callable from a transfer's thread: run on this loop, one question at
        a time; a question still open when the app closes, or withdrawn by its transfer
        (its `withdrawn` event, set by a Cancel), is cancelled (answer None)."""
        loop = asyncio.get_running_loop()

        def blocking(question: Q) -> A | None:  # a transfer's thread
            withdrawn: threading.Event | None = getattr(question, "withdrawn", None)
            with self._one_question:
                with self._prompts_lock:  # a close after this sees the prompt and cancels it
                    if self._closing or (withdrawn is not None and withdrawn.is_set()):
                        return None
                    prompt = asyncio.run_coroutine_threadsafe(ask(question), loop)
                    self._prompts.add(prompt)
                try:
                    while withdrawn is not None and not prompt.done():
                        if withdrawn.wait(_WITHDRAWN_TURN):
                            prompt.cancel()  # its transfer stopped: the dialog goes
                            break
                    return prompt.result()
                except concurrent.futures.CancelledError:
                    return None  # the app is closing, or the question was withdrawn
                finally:
                    with self._prompts_lock:
                        self._prompts.discard(prompt)

        return blocking

    # Settings ---------------------------------------------------------------------

    async def repo_settings(self, repo_id: int) -> RepoSettings:
        return await self.core.store.repo_settings(repo_id)

    async def git_pull_strategy(self, record: RepoRecord) -> tuple[str, str] | None:
        """How `git pull` would integrate in `record`'s repository now, and the git setting
        that says so (`rebase`, `pull.rebase=true`): what the `strategy` `git` does there."""
        from core.git.config.pull_config import strategy_at

        return await self.core.offload.io(strategy_at, record.path, AS_GIT_PULL)

    async def check_repo_settings(self, repo_id: int, values: Mapping[str, str]) -> dict[str, str]:
        """`values` as `set_repo_settings` would store them, or its refusal, nothing written:
        a form checks them before it writes anything else."""
        record = await self.core.store.repo_by_id(repo_id)
        return await registry.check_repo_settings(self.core, record, values)

    async def set_repo_settings(self, repo_id: int, values: Mapping[str, str]) -> None:
        """Several settings of one repository, all saved or none (a bad key or value:
        `BadSetting`, `UnknownBranch`); a new fetch interval applies at once."""
        checked = await self.check_repo_settings(repo_id, values)
        await self.core.store.set_repo_settings(repo_id, checked)
        if checked.keys() & {"fetch_interval", "sync_mode", "paused_until"} and self._watching(repo_id):
            await self.daemon.refresh(repo_id)

    async def app_settings(self) -> AppSettings:
        return await self.core.store.app_settings()

    async def set_app_setting(self, key: str, value: str) -> None:
        """One app-wide setting (a bad key or value: `BadSetting`); what the running engine
        reads (`Daemon.apply_app_settings`) applies at once, the others at the next start."""
        checked = parse_setting(APP_PARSERS, key, value)
        await self.core.store.set_app_setting(key, checked)
        if not self.started.is_set():
            return
        self.daemon.apply_app_settings(await self.core.store.app_settings())

    async def starts_at_login(self) -> bool:
        return await self.core.offload.io(autostart.is_enabled)

    async def set_start_at_login(self, command: Iterable[str] | None) -> None:
        """Start `command` (how the client launches itself) at login; None: no more."""
        if command is None:
            await self.core.offload.io(autostart.disable)
        else:
            await self.core.offload.io(autostart.enable, list(command))

    def _watching(self, repo_id: int) -> bool:
        engine = self.daemon.engine
        return self.started.is_set() and engine is not None and repo_id in engine.workers
