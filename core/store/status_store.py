"""The status store: what every client (GUI, CLI, daemon) reads to paint at once.

What every job reads and writes goes over plain `sqlite3` (`status_reader.py`,
`status_writer.py`); the rest (registering, settings, remotes, conflicts, runs,
upkeep) through SQLAlchemy's ORM over `schema.py`, imported by the method that
uses it, so a cold no-change `gitferry sync` never loads SQLAlchemy (the engines
are made at the first ORM transaction, `database.py`).

Registrations and settings are also saved in `repositories.json`, their source
of truth (`registry_file.py`): the store can be lost (deleted, damaged, replaced
under a running process) and is rebuilt from it (`recovery.py`, `database.py`).
A process that reopened its store hears of it through `on_reopen` listeners:
the daemon registers again what it watches and re-reads the remotes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core.errors import BadInput
from core.model import (
    BranchStatus,
    ConflictRecord,
    RemoteRecord,
    RepoRecord,
    SkippedFile,
    SubmoduleStatus,
    SyncRun,
    utcnow,
)
from core.offload import Offload, PriorityGate
from core.phrase import phrase
from core.settings import AppSettings, RepoSettings, app_settings, repo_settings
from core.store import run_rows, status_writer
from core.store.database import Database, Reopened
from core.store.recovery import Recovery
from core.store.registry_file import (
    Registration,
    Registry,
    UnreadableRegistry,
    read_registry,
    registry_outdated,
    registry_path,
    shrinks,
    write_registry,
)
from core.store.remote_health import RemoteHealth
from core.store.status_reader import LastSync, Snapshot, StatusReader, UnknownRepository, named
from core.store.status_writer import StatusWriter

if TYPE_CHECKING:
    from core.store.schema import RepoRow, SyncRunRow
    from core.store.worktree_issues import WorktreeIssues

log = logging.getLogger(__name__)
GONE_BRANCH_RETENTION = timedelta(days=30)
RUNS_KEPT_PER_REPO = 200
READ_THREADS = 2  # plain reads at once (each its own read-only connection; WAL: none waits)


@dataclass(frozen=True)
class Upkeep:
    """What one round of the store's upkeep pruned."""

    branches_pruned: int
    runs_pruned: int


def _count(result: Any) -> int:
    from sqlalchemy import CursorResult

    return int(result.rowcount) if isinstance(result, CursorResult) else 0


ReopenHook = Callable[[Reopened], Awaitable[None]]
_T = TypeVar("_T")


class StatusStore:
    def __init__(self, db: Database, offload: Offload, reader: StatusReader, writer: StatusWriter) -> None:
        self.db = db
        self.remote_health = RemoteHealth(db, self._failing)
        self._worktree_issues: WorktreeIssues | None = None  # on first use: it imports the ORM
        self._offload = offload
        self._reader = reader
        self._writer = writer  # a job's own writes: one thread hop per transaction
        # The plain reads run in threads of their own, not the offload's I/O pool: there
        # fifty fetches hold every thread for a network round trip, and a read of the
        # status window waited behind them (bench.background, reads under writes).
        self._reads = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="gitferry-store-reader")
        self._read_turns = PriorityGate(READ_THREADS)  # a user's sync before background jobs
        self.recovery: Recovery | None = None  # set when the file was unreadable or gone, and rebuilt
        self._hooks: list[ReopenHook] = []
        self._hooks_running: set[asyncio.Task[None]] = set()
        db.on_reopen(self._reopened)

    @classmethod
    async def open(cls, path: Path, offload: Offload) -> StatusStore:
        recovery, outdated = await offload.io(_prepare, path)  # one hop to the I/O pool
        store = cls(Database(path, blocking=offload.io), offload, StatusReader(path), StatusWriter(path))
        store.recovery = recovery
        if recovery is not None or outdated:
            await store._save_registry()
        return store

    @property
    def _issues(self) -> WorktreeIssues:
        if self._worktree_issues is None:
            from core.store.worktree_issues import WorktreeIssues

            self._worktree_issues = WorktreeIssues(self.db)
        return self._worktree_issues

    def on_reopen(self, hook: ReopenHook) -> None:
        """Run `hook` after the store was reopened under this process (deleted, replaced
        or damaged, and maybe rebuilt from `repositories.json`)."""
        self._hooks.append(hook)

    def _reopened(self, reopened: Reopened) -> None:
        self._reader.close()  # its idle connections hold the old file
        self._writer.reset()
        if self._hooks:
            task = asyncio.create_task(self._run_hooks(reopened), name="store-reopened")
            self._hooks_running.add(task)
            task.add_done_callback(self._hooks_running.discard)

    async def _run_hooks(self, reopened: Reopened) -> None:
        for hook in self._hooks:
            try:
                await hook(reopened)
            except Exception:
                log.exception("after the status store was reopened")

    async def _save_registry(self, *, removed: str | None = None) -> None:
        """Rewrite `repositories.json` after a change to what is registered: the copy a
        rebuilt store is refilled from (`registry_file.py`). Never shrinks it by entries
        nobody removed (`removed`: the one this change removed): a store that lost them
        is the one to mend, not the file. A failure to write is logged, not raised: the
        change itself is saved in the store."""
        file = registry_path(self.db.path)
        current = await registrations(self.db)
        try:
            on_disk = await self._offload.io(_readable_registry, file)
            dropped = shrinks(on_disk, current, [removed] if removed else []) if on_disk else []
            if dropped:
                log.warning(
                    "not rewriting %s: it lists %s, which the status store does not hold "
                    "(a store that lost them would erase their backup)",
                    file,
                    ", ".join(dropped),
                )
                return
            await self._offload.io(write_registry, file, current)
        except OSError as exc:
            log.warning("could not update %s: %s", file, exc)

    async def close(self) -> None:
        for task in list(self._hooks_running):
            task.cancel()
        await asyncio.gather(*self._hooks_running, return_exceptions=True)
        # Read-only connections first: the last connection to close removes the WAL only
        # when it may write (a store deleted later must not leave its -wal behind).
        self._read_turns.close()
        self._reads.shutdown(wait=True)
        self._reader.close()
        self._writer.close()
        await self.db.close()

    # Repositories ---------------------------------------------------------

    async def add_repo(self, name: str, path: str, settings: dict[str, str]) -> RepoRecord:
        from sqlalchemy.exc import IntegrityError

        from core.store.schema import RepoRow, RepoSettingRow

        try:
            async with self.db.write() as s:
                row = RepoRow(name=name, path=path, state="idle", added_at=utcnow())
                s.add(row)
                await s.flush()
                s.add_all(RepoSettingRow(repo_id=row.id, key=k, value=v) for k, v in settings.items())
        except IntegrityError:
            raise BadInput(
                phrase("a repository named {name} or at {path} is already added", name=repr(name), path=path)
            ) from None
        await self._save_registry()
        return _repo(row)

    async def move_repo(self, repo_id: int, path: str) -> RepoRecord:
        """Point a registration at the folder its repository was moved to."""
        from sqlalchemy.exc import IntegrityError

        from core.store.schema import RepoRow

        try:
            async with self.db.write() as s:
                row = await s.get(RepoRow, repo_id)
                if row is None:
                    raise UnknownRepository(f"#{repo_id}")
                row.path = path
        except IntegrityError:
            raise BadInput(phrase("a repository at {path} is already added", path=path)) from None
        await self._save_registry()
        return _repo(row)

    async def remove_repo(self, name: str) -> None:
        from sqlalchemy import delete

        from core.store.schema import RepoRow

        async with self.db.write() as s:
            result = await s.execute(delete(RepoRow).where(RepoRow.name == name))
            if _count(result) == 0:
                raise UnknownRepository(name)
        await self._save_registry(removed=name)

    async def restore_repos(self, records: Iterable[RepoRecord]) -> list[RepoRecord]:
        """Register again, under their own ids, repositories a running process still
        watches but the (rebuilt) store lost; those restored. Their settings came back
        with the store when `repositories.json` had them, else they start at defaults."""
        from sqlalchemy import select

        from core.store.schema import RepoRow

        restored: list[RepoRecord] = []
        async with self.db.write() as s:
            for record in records:
                known = await s.get(RepoRow, record.id)
                taken = (
                    await s.execute(
                        select(RepoRow.id).where(
                            (RepoRow.name == record.name) | (RepoRow.path == record.path)
                        )
                    )
                ).first()
                if known is not None or taken is not None:
                    continue
                s.add(
                    RepoRow(id=record.id, name=record.name, path=record.path, state="idle", added_at=utcnow())
                )
                restored.append(record)
        if restored:
            await self._save_registry()
        return restored

    async def repo(self, name: str) -> RepoRecord:
        return named(await self.repos(), [name])[0]

    async def repo_by_id(self, repo_id: int) -> RepoRecord:
        record = await self._plain_read(lambda: self._reader.repo(repo_id))
        if record is None:
            raise UnknownRepository(f"#{repo_id}")
        return record

    async def repos(self, names: Sequence[str] = ()) -> list[RepoRecord]:
        """All repositories by name, or the named ones in the order given."""
        return named(await self._plain_read(self._reader.repos), names)

    async def set_repo_state(self, repo_id: int, state: str) -> None:
        await self._plain_write(lambda conn: run_rows.set_repo_state(conn, repo_id, state))

    # Settings -------------------------------------------------------------

    async def set_standing(
        self, repo_id: int, result: str | None, message: str | None, unfinished: str | None, said: str | None
    ) -> None:
        """The repository's shown result, set outside a run (no history entry): a git command
        the user left unfinished, or done since (`core/engine/git_command_look.py`)."""
        await self._plain_write(
            lambda conn: run_rows.set_standing(conn, repo_id, result, message, unfinished, said)
        )

    async def repo_settings(self, repo_id: int) -> RepoSettings:
        return repo_settings(await self._plain_read(lambda: self._reader.settings(repo_id)))

    async def set_repo_setting(self, repo_id: int, key: str, value: str) -> None:
        await self.set_repo_settings(repo_id, {key: value})

    async def set_repo_settings(self, repo_id: int, values: Mapping[str, str]) -> None:
        """Several settings in one transaction: all of them saved, or none."""
        from core.store.schema import RepoSettingRow

        async with self.db.write() as s:
            for key, value in values.items():
                await s.merge(RepoSettingRow(repo_id=repo_id, key=key, value=value))
        await self._save_registry()

    async def app_settings(self) -> AppSettings:
        return app_settings(await self._plain_read(self._reader.settings))

    async def set_app_setting(self, key: str, value: str) -> None:
        from core.store.schema import AppSettingRow

        async with self.db.write() as s:
            await s.merge(AppSettingRow(key=key, value=value))
        await self._save_registry()

    # Remotes --------------------------------------------------------------

    async def remotes(self, repo_id: int) -> list[RemoteRecord]:
        from sqlalchemy import select

        from core.store.schema import RemoteRow

        async with self.db.read() as s:
            rows = (
                await s.execute(
                    select(RemoteRow).where(RemoteRow.repo_id == repo_id).order_by(RemoteRow.name)
                )
            ).scalars()
            return [RemoteRecord(r.name, r.fetch_url, r.push_url) for r in rows]

    async def replace_remotes(self, repo_id: int, remotes: Iterable[RemoteRecord]) -> None:
        """Mirror the repository's remotes (the git config is their source of truth)."""
        from sqlalchemy import delete

        from core.store.schema import RemoteRow

        async with self.db.write() as s:
            await s.execute(delete(RemoteRow).where(RemoteRow.repo_id == repo_id))
            s.add_all(
                RemoteRow(repo_id=repo_id, name=r.name, fetch_url=r.fetch_url, push_url=r.push_url)
                for r in remotes
            )

    # Branch status --------------------------------------------------------

    async def branches(self, repo_id: int) -> list[BranchStatus]:
        return await self._plain_read(lambda: self._reader.branches(repo_id))

    async def all_branches(self) -> dict[int, list[BranchStatus]]:
        """Every repository's branches in one query (the status window's first paint),
        read in an offload thread (`StatusReader`)."""
        return await self._plain_read(self._reader.all_branches)

    async def snapshot(self, *, submodules: bool = False) -> Snapshot:
        """Repositories, branches and conflicts (and `submodules` when asked) in one read
        transaction, off the loop."""
        return await self._plain_read(lambda: self._reader.snapshot(submodules=submodules))

    async def _failing(self, repo_id: int, remote: str) -> bool:
        return await self._plain_read(lambda: self._reader.failing(repo_id, remote))

    async def _plain_read(self, read: Callable[[], _T]) -> _T:
        await self.db.ensure_current()
        try:
            return await self._read_turns.run(self._reads, read)
        except sqlite3.Error as exc:
            translated = self.db.failed(exc)
            if translated is None:
                raise
            raise translated from exc

    async def save_branches(
        self, repo_id: int, statuses: Sequence[BranchStatus], remotes: Sequence[RemoteRecord] | None = None
    ) -> None:
        """Replace a repository's branch rows; keeps when an upstream first went missing;
        `remotes`: its remotes as its git config lists them now (`save_remotes`)."""

        def save(conn: sqlite3.Connection) -> None:
            if remotes is not None:
                status_writer.save_remotes(conn, repo_id, remotes)
            status_writer.save_branches(conn, repo_id, statuses, utcnow())

        await self._plain_write(save)

    async def save_measured(
        self,
        repo_id: int,
        branches: Sequence[BranchStatus],
        submodules: Sequence[SubmoduleStatus],
        remotes: Sequence[RemoteRecord] | None = None,
    ) -> None:
        """What a sync measured, its branches and submodules, and the remotes it found in
        the git config (`save_remotes`: a `git remote add` is seen), in one transaction."""

        def save(conn: sqlite3.Connection) -> None:
            now = utcnow()
            if remotes is not None:
                status_writer.save_remotes(conn, repo_id, remotes)
            status_writer.save_submodules(conn, repo_id, submodules, now)
            status_writer.save_branches(conn, repo_id, branches, now)

        await self._plain_write(save)

    async def _plain_write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        await self.db.ensure_current()
        try:
            return await self._writer.write(work)
        except sqlite3.Error as exc:
            translated = self.db.failed(exc, "write to")
            if translated is None:
                raise
            raise translated from exc

    # Submodules -------------------------------------------------------------

    async def submodules(self, repo_id: int) -> list[SubmoduleStatus]:
        """The repository's submodules as its last sync saw them, by path (a plain read)."""
        return await self._plain_read(lambda: self._reader.submodules(repo_id))

    # Conflicts and skipped files (`worktree_issues.py`) ----------------------

    async def conflicts(self, repo_id: int) -> list[ConflictRecord]:
        """By branch, then path (a plain read: the status window asks after every sync)."""
        found = await self._plain_read(lambda: self._reader.conflicts(repo_id))
        return found.get(repo_id, [])

    async def conflicted_paths(self, repo_id: int, branch: str) -> set[str]:
        """One branch's conflicted paths (a plain read: every integration asks)."""
        return await self._plain_read(lambda: self._reader.conflicted_paths(repo_id, branch))

    async def all_conflicts(self) -> dict[int, list[ConflictRecord]]:
        """Only the repositories with conflicts appear."""
        return await self._plain_read(self._reader.conflicts)

    async def set_conflicts(self, repo_id: int, branch: str, paths: Sequence[str]) -> None:
        """Replace the branch's conflicted paths (empty: none); a path still listed keeps its `since`.
        The usual case, the same paths as listed (none before and after), is a plain read:
        a sync that integrated without a conflict never imports the ORM for it."""
        if await self.conflicted_paths(repo_id, branch) == set(paths):
            return
        await self._issues.set_conflicts(repo_id, branch, paths, utcnow())

    async def skipped(self, repo_id: int) -> list[SkippedFile]:
        """Newest `last_seen` first (a plain read: every integration asks)."""
        return await self._plain_read(lambda: self._reader.skipped(repo_id))

    async def record_skipped(self, repo_id: int, entries: Sequence[SkippedFile]) -> None:
        """Upsert by path, keeping at most `MAX_SKIPPED` rows per repository."""
        await self._issues.record_skipped(repo_id, entries)

    async def clear_skipped(self, repo_id: int, paths: Sequence[str] | None = None) -> None:
        """The named paths, or all of them (`None`): they are tried again next sync."""
        await self._issues.clear_skipped(repo_id, paths)

    # Upkeep ----------------------------------------------------------------

    async def upkeep(
        self, *, gone_for: timedelta = GONE_BRANCH_RETENTION, runs_kept: int = RUNS_KEPT_PER_REPO
    ) -> Upkeep:
        """Keep the store bounded: drop branches whose upstream has been gone longer
        than `gone_for`, keep only each repository's last `runs_kept` finished runs
        (and as many quiet ones: those never push the others out of the history),
        then let SQLite refresh its query statistics (`PRAGMA optimize`)."""
        from sqlalchemy import delete, func, select

        from core.store.schema import BranchStatusRow, SyncRunRow

        cutoff = utcnow() - gone_for
        async with self.db.write() as s:
            branches = await s.execute(
                delete(BranchStatusRow).where(
                    BranchStatusRow.upstream_gone.is_(True), BranchStatusRow.gone_since < cutoff
                )
            )
            ranked = (
                select(
                    SyncRunRow.id,
                    func.row_number()
                    .over(partition_by=(SyncRunRow.repo_id, SyncRunRow.quiet), order_by=SyncRunRow.id.desc())
                    .label("rank"),
                )
                .where(SyncRunRow.state.in_(("done", "failed")))
                .subquery()
            )
            runs = await s.execute(
                delete(SyncRunRow).where(
                    SyncRunRow.id.in_(select(ranked.c.id).where(ranked.c.rank > runs_kept))
                )
            )
        await self.db.optimize()
        return Upkeep(branches_pruned=_count(branches), runs_pruned=_count(runs))

    # Sync runs ------------------------------------------------------------

    async def create_run(self, repo_id: int, kind: str) -> int:
        return await self._plain_write(lambda conn: run_rows.insert_run(conn, repo_id, kind, utcnow()))

    async def start_run(self, run_id: int, repo_id: int, repo_state: str) -> None:
        await self._plain_write(lambda conn: run_rows.start_run(conn, run_id, repo_id, repo_state, utcnow()))

    async def finish_run(
        self,
        run_id: int,
        repo_id: int,
        *,
        result: str,
        message: str,
        failed: bool,
        details: dict[str, Any],
        timings_ms: dict[str, float],
        idle: bool = False,
        asked: bool = False,
        unfinished: str | None = None,
        said: str | None = None,
        notes: str | None = None,
    ) -> bool:
        """Record how the run ended; whether it was `quiet` (no news: it did nothing, `idle`,
        and is up to date after a run that went well, or repeats the last run's result and
        words), which the history and the activity log leave out; a run the user `asked`
        for only when up to date with nothing new; `unfinished`: the git command left
        unfinished a `dirty` run stopped on, kept beside its message; `said`: the message as
        its templates and fields (`core.phrase.to_json`), for the app to translate; `notes`:
        `RunEnd.notes`."""
        end = run_rows.RunEnd(
            result, message, failed, details, timings_ms, idle, asked, unfinished, said, notes
        )
        return await self._plain_write(lambda conn: run_rows.finish_run(conn, run_id, repo_id, end, utcnow()))

    async def record_done_run(
        self, repo_id: int, kind: str, message: str, details: dict[str, Any], said: str | None = None
    ) -> None:
        """A run done outside a sync (a conflict resolved, an integration undone), recorded
        as finished `ok` for the history, in one transaction; `said`: the message as its
        templates and fields (`core.phrase.to_json`)."""

        def record(conn: sqlite3.Connection) -> None:
            now = utcnow()
            run_id = run_rows.insert_run(conn, repo_id, kind, now)
            run_rows.start_run(conn, run_id, repo_id, "syncing", now)
            end = run_rows.RunEnd("ok", message, False, details, {}, said=said)
            run_rows.finish_run(conn, run_id, repo_id, end, now)

        await self._plain_write(record)

    async def runs(self, repo_id: int, limit: int = 20, *, eventful: bool = False) -> list[SyncRun]:
        """The repository's last `limit` runs, newest first; `eventful`: leaving out the
        quiet ones (up to date after a run that went well: the background fetches and
        auto mode's backstop syncs that found nothing), which every few seconds would
        push every sync out of the history."""
        from sqlalchemy import select

        from core.store.schema import SyncRunRow

        query = select(SyncRunRow).where(SyncRunRow.repo_id == repo_id)
        if eventful:
            query = query.where(SyncRunRow.quiet.is_(False))
        async with self.db.read() as s:
            rows = (await s.execute(query.order_by(SyncRunRow.id.desc()).limit(limit))).scalars()
            return [_run(r) for r in rows]

    async def last_sync(self, repo_id: int) -> LastSync | None:
        """The last whole sync (not a fetch) that ran to its end, `busy` ones left out (another
        sync held the repository): the last integration's word, which fetches neither end nor
        decide again (core/engine/sync.py, `_Sync._still_stopped`; a plain read)."""
        return await self._plain_read(lambda: self._reader.last_sync(repo_id))


def _readable_registry(file: Path) -> Registry | None:
    """The registry file as it is; None when there is none, or when it is unreadable
    (then it is replaced: nothing in it could be restored anyway)."""
    try:
        return read_registry(file)
    except UnreadableRegistry:
        return None


async def registrations(db: Database) -> Registry:
    """What the store holds now, in one read transaction."""
    from sqlalchemy import select

    from core.store.schema import AppSettingRow, RepoRow, RepoSettingRow

    async with db.read() as s:
        repos = (await s.execute(select(RepoRow.id, RepoRow.name, RepoRow.path).order_by(RepoRow.name))).all()
        rows = (
            await s.execute(select(RepoSettingRow.repo_id, RepoSettingRow.key, RepoSettingRow.value))
        ).all()
        app = (await s.execute(select(AppSettingRow.key, AppSettingRow.value))).all()
    settings: dict[int, dict[str, str]] = {}
    for repo_id, key, value in rows:
        settings.setdefault(repo_id, {})[key] = value
    return Registry(
        [Registration(name, path, settings.get(repo_id, {}), repo_id) for repo_id, name, path in repos],
        {key: value for key, value in app},
    )


def _repo(row: RepoRow) -> RepoRecord:
    return RepoRecord(
        id=row.id,
        name=row.name,
        path=row.path,
        state=row.state or "idle",
        last_sync=row.last_sync,
        last_result=row.last_result,
        last_message=row.last_message,
        last_unfinished=row.last_unfinished,
        last_said=row.last_said,
    )


def _run(row: SyncRunRow) -> SyncRun:
    return SyncRun(
        id=row.id,
        repo_id=row.repo_id,
        kind=row.kind,
        state=row.state,
        result=row.result,
        message=row.message,
        requested_at=row.requested_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        details=json.loads(row.details) if row.details else {},
        timings_ms=json.loads(row.timings) if row.timings else {},
        said=row.said,
    )


def _prepare(path: Path) -> tuple[Recovery | None, bool]:
    """The file created, migrated or rebuilt (`Database.prepare`), and whether the
    registry file needs writing (only asked when the store was not rebuilt). Blocking."""
    recovery = Database.prepare(path)
    return recovery, recovery is None and registry_outdated(registry_path(path))
