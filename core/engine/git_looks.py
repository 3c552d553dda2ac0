"""What the user's own git commands did in the watched repositories, seen by the daemon
without a sync, so the window follows within seconds instead of at the next fetch.

When the user switches branches with git, the branches are measured again and
published (`BranchStatusChanged`), so the window's "checked out" (and what it counts
"to sync") follows: an auto-mode tree's watcher reports the HEAD change, every other
repository's `.git/HEAD` and HEAD's reflog are looked at (their stats: a commit made
with git grows the reflog, and the window then says "1 ahead", not "Up to date") each
settings round (`GitLooks.heads`; a watch of each `.git` would be one watchdog thread
per repository: 1,000 threads for 1,000 repositories). A repository replaced at its
path (deleted and cloned again, another moved there) has its branches measured again
even where HEAD names the same branch (its HEAD file is new: `repository_identity` is
looked at then); an auto-mode tree is also watched again and synced (`GitLooks.trees`).
A git command left unfinished there (`core.engine.git_command_look`), or done since, is
said in the repository's standing (`SyncFinished`, no job).

The daemon owns one `GitLooks` once its engine runs, and tells it what it watches
(`watched`, the daemon's own map) and when a repository's HEAD, index or branches
changed (`changed`); it tells the daemon (`on_changed`) where a look found a change
the daemon reacts to as well (a stopped conflict looked at again).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from typing import Any

from dulwich.refs import Ref
from dulwich.repo import Repo

from core.engine.auto_sync import AutoSync, Trigger
from core.engine.auto_watch import AutoWatch
from core.engine.branch_measure import refresh_status
from core.engine.clock import Clock
from core.engine.core import Core
from core.engine.engine import Engine
from core.engine.git_command_look import Standing, markers, unfinished_stop
from core.engine.scheduler import FetchScheduler
from core.engine.sync import take_sync_lock
from core.errors import GitferryError
from core.events import BranchStatusChanged, EventBus, SyncFinished
from core.git.git_dirs import common_git_dir, worktree_git_dir
from core.git.repository import (
    RepositoryIdentity,
    current_branch,
    in_worktree_repo,
    ref_value,
    repository_identities,
)
from core.model import RepoRecord, RepoState
from core.results import RESULT_KINDS, ResultKind

log = logging.getLogger(__name__)

JOB_STATES = (RepoState.SYNCING, RepoState.FETCHING)  # a job runs: its own end says what it found
GIT_SETTLE_SECONDS = 0.5  # after the repository's HEAD or index changed: git's command may not be done

Stamp = tuple[int, int, int]  # inode, size, mtime
# HEAD's, logs/HEAD's, the git dir's, then its config's and modules/'s (`_SUBMODULE_STAMPS`)
HeadStamp = tuple[Stamp | None, Stamp | None, Stamp | None, Stamp | None, Stamp | None]
_SUBMODULE_STAMPS = slice(3, 5)


class GitLooks:
    def __init__(
        self,
        core: Core,
        bus: EventBus,
        clock: Clock,
        watched: dict[int, RepoRecord],
        *,
        engine: Engine,
        scheduler: FetchScheduler,
        auto: AutoSync,
        auto_watch: AutoWatch,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_changed: Callable[[int], None],
    ) -> None:
        self.core, self.bus, self.clock, self._watched = core, bus, clock, watched
        self.engine, self.scheduler, self.auto, self.auto_watch = engine, scheduler, auto, auto_watch
        self._spawn, self._on_changed = spawn, on_changed
        self._head_looks: dict[int, bool] = {}  # repositories whose HEAD is being looked at: look again
        self._head_tasks: dict[int, asyncio.Task[None]] = {}  # `_look_at_head`s: cancelled at stop
        self._heads_seen: dict[int, HeadStamp] = {}  # each repository's .git/HEAD and its reflog's stat
        # The standing a git command left unfinished replaced (said again once git is done).
        self._before_command: dict[int, Standing] = {}
        self._markers_seen: dict[int, tuple[str, ...]] = {}  # `markers` at the last look
        self._trees_seen: dict[int, RepositoryIdentity | None] = {}  # which repository its first look met
        self._replaced: set[int] = set()  # another repository at the path: measured whatever HEAD names
        self._submodules_moved: set[int] = set()  # `git submodule update --init` since: measured

    def changed(self, repo_id: int) -> None:
        """The repository's HEAD, index or branches changed (on the loop): which branch is
        checked out is looked at again once git's command is done."""
        if repo_id in self._head_looks:
            self._head_looks[repo_id] = True  # look again after the look under way
        else:
            self._head_looks[repo_id] = False
            self._head_tasks[repo_id] = asyncio.create_task(self._look_at_head(repo_id))

    def forget(self, repo_id: int) -> None:
        """A repository no longer watched: what was seen of it goes, and its look under way
        is cancelled (it would record branches of a repository no longer registered)."""
        self._heads_seen.pop(repo_id, None)
        self._before_command.pop(repo_id, None)
        self._markers_seen.pop(repo_id, None)
        self._trees_seen.pop(repo_id, None)
        self._replaced.discard(repo_id)
        self._submodules_moved.discard(repo_id)
        look = self._head_tasks.get(repo_id)
        if look is not None:
            look.cancel()

    def stop(self) -> list[asyncio.Task[None]]:
        """The looks at HEADs under way, cancelled (they are for a running window: none at
        stop), for the caller to wait for."""
        looks = list(self._head_tasks.values())
        for look in looks:
            look.cancel()
        return looks

    async def after_fetch(self, repo_id: int, result: ResultKind) -> None:
        """A background fetch of the repository ended: the user's git command still under
        way there is said again (the fetch's own standing replaced it)."""
        if self._markers_seen.get(repo_id) and result is not ResultKind.DIRTY:
            await self._command_changed(repo_id)

    async def heads(self, only: list[int] | None = None) -> None:
        """A HEAD another program moved (`git switch`, or a commit: HEAD's reflog grew) in a
        repository no watcher covers (not in auto mode, or scanned): a stat of `.git/HEAD`
        and of `.git/logs/HEAD` each, every settings round (or of `only`'s, for a first
        look); the branches are measured again when the checked-out one or its head is
        not what the store has (`_checked_out_again`), or where `.git/config` or
        `.git/modules` moved (a stat each: `git submodule update --init` writes both, and
        the window's "Submodule lib is not checked out" went only at the next fetch). A git
        command left unfinished there, or done since (the `MARKERS` git leaves: a stat
        each), is said in its standing (`_command_changed`)."""
        auto = self.auto_watch
        ids = [
            i
            for i in (self._watched if only is None else only)
            if i in self._watched and (not auto.watching(i) or i in auto.fallbacks)
        ]
        if not ids:
            return
        stamps = await self.core.offload.io(_head_stamps, [self._watched[i].path for i in ids])
        moved, entries_moved = [], []
        for repo_id, stamp in zip(ids, stamps, strict=True):
            if repo_id not in self._heads_seen or self._heads_seen[repo_id][2] != stamp[2]:
                entries_moved.append(repo_id)  # a first look too: a command under way at start
            before = self._heads_seen.get(repo_id, stamp)  # a first look sees no change
            self._heads_seen[repo_id] = stamp
            if before[_SUBMODULE_STAMPS] != stamp[_SUBMODULE_STAMPS]:
                self._submodules_moved.add(repo_id)
            if (
                before[:2] != stamp[:2]
                or repo_id in self._submodules_moved
                or repo_id not in self._trees_seen
            ):
                moved.append(repo_id)
        if entries_moved:
            await self._look_at_markers(entries_moved)
        if not moved:
            return
        # Which repository is there: taken at the first look, and again only where HEAD's
        # stat moved (a repository cloned again at the path has a new HEAD file), so a
        # round where nothing moved costs no more than the stats.
        trees = await self.core.offload.io(repository_identities, [self._watched[i].path for i in moved])
        for repo_id, tree in zip(moved, trees, strict=True):
            if repo_id not in self._trees_seen:
                self._trees_seen[repo_id] = tree
                continue
            if tree is not None and tree != self._trees_seen[repo_id]:
                self._replaced.add(repo_id)
            self._trees_seen[repo_id] = tree
            self._on_changed(repo_id)

    async def trees(self) -> None:
        """An auto-mode tree deleted and cloned again at its path (or another moved there):
        its watch, which went with the old directory, begins again on the new one, and it
        syncs as at start-up (a change made before the new watch is not missed)."""
        for repo_id in await self.auto_watch.replaced():
            self._replaced.add(repo_id)
            record = self._watched.get(repo_id)
            if record is not None:
                log.info("%s: another repository at %s now: watching it", record.name, record.path)
            self._on_changed(repo_id)
            self.auto.request(repo_id, Trigger.STARTUP)

    async def _look_at_markers(self, ids: list[int]) -> None:
        """Where `.git` had an entry made or removed (its own stat moved: git's `index.lock`
        does it too), whether a git command's `MARKERS` came or went."""
        found = await self.core.offload.io(_markers_of, [self._watched[i].path for i in ids])
        for repo_id, marks in zip(ids, found, strict=True):
            if marks != self._markers_seen.get(repo_id, ()):
                self._spawn(self._command_changed(repo_id))
            self._markers_seen[repo_id] = marks

    async def _command_changed(self, repo_id: int) -> None:
        """A git command left unfinished in the repository: its standing says it, as a sync's
        stop on it would ("Merge in progress"); done or aborted since: the standing before
        it again (or, where a sync recorded the stop, a fetch says what stands now). Not while
        a job runs: its own end says it."""
        record = self._watched.get(repo_id)
        if record is None or self.engine.state(repo_id) in JOB_STATES:
            return
        try:
            stop = await self.core.offload.io(in_worktree_repo, record.path, unfinished_stop)
            now = Standing.of(await self.core.store.repo_by_id(repo_id))
        except GitferryError as exc:
            log.debug("%s: unfinished git command not looked at: %s", record.name, exc)
            return
        if stop is not None:
            said = Standing.stop(stop)
            if now.on_command() and now.unfinished == said.unfinished:
                return
            if not now.on_command():
                self._before_command[repo_id] = now
        elif now.on_command():
            before = self._before_command.pop(repo_id, None)
            if before is None:  # a sync's stop: a fetch says what stands now
                self.scheduler.fetch_soon(repo_id)
                return
            said = before
        else:
            return
        await self.core.store.set_standing(repo_id, said.result, said.message, said.unfinished, said.said)
        result = ResultKind(said.result) if said.result in RESULT_KINDS else ResultKind.UP_TO_DATE
        self.bus.publish(SyncFinished(repo_id, record.name, result, said.message or "", parts=said.parts()))

    async def _look_at_head(self, repo_id: int) -> None:
        """The user switched branches with git (`git switch`, `git checkout`), now or while
        Gitferry was not running (looked at once each repository is watched): the stored
        "checked out" (and so what the window counts "to sync") would be wrong until the
        next fetch. Once git's command is done, the branches are measured again when the
        checked-out one is not the one stored, or none is stored (a repository just
        added: its branch table was empty until its first fetch), and published; not
        while a job runs (its own measure comes at its end)."""
        try:
            again = True
            while again:
                await self.clock.sleep(GIT_SETTLE_SECONDS)
                self._head_looks[repo_id] = False
                await self._checked_out_again(repo_id)
                again = self._head_looks.get(repo_id, False)
        except GitferryError as exc:
            log.debug("HEAD of repository %s not looked at: %s", repo_id, exc)
        except Exception:
            if await self._registered(repo_id):
                raise
            log.debug("HEAD of repository %s not looked at: removed by another process", repo_id)
        finally:
            self._head_looks.pop(repo_id, None)
            self._head_tasks.pop(repo_id, None)

    async def _registered(self, repo_id: int) -> bool:
        """Whether the store still has the repository (another process may have removed
        it since: the daemon hears of that at its next settings round)."""
        try:
            await self.core.store.repo_by_id(repo_id)
        except GitferryError:
            return False
        return True

    async def _checked_out_again(self, repo_id: int) -> None:
        record = self._watched.get(repo_id)
        if record is None or self.engine.state(repo_id) in JOB_STATES:
            return
        stored = await self.core.store.branches(repo_id)
        here, head, names = await self.core.offload.io(in_worktree_repo, record.path, _checked_out_head)
        replaced = repo_id in self._replaced  # the stored rows are another repository's
        known = next((b.head for b in stored if b.name == here), None) if not replaced else None
        moved = None not in (known, head) and known != head  # a commit made with git, a reset
        if moved and repo_id in self.auto:
            # auto mode pushes it now, not at the interval backstop: its tree is clean, so
            # the watcher's change alone cost no sync (measured below meanwhile, for the
            # window: "main: 1 ahead", not "Up to date", while paused or offline)
            log.info("%s: %s moved outside a sync; syncing", record.name, here)
            self.auto.request(repo_id, Trigger.COMMITTED)
        same = {b.name for b in stored} == names  # a branch made or deleted with git: measured
        again = replaced or moved or repo_id in self._submodules_moved
        if same and not again and all(b.checked_out == (b.name == here) for b in stored):
            return  # none stored: never measured, the branch table would be empty
        common = await self.core.offload.io(common_git_dir, record.path)
        if common is None:
            return
        lock = await take_sync_lock(self.core, common, record.path)  # SyncBusy: a sync measures
        try:
            branches = await refresh_status(self.core, record)  # under the lock, as publish's
        finally:
            await self.core.offload.io_to_the_end(lock.release)
        self._replaced.discard(repo_id)
        self._submodules_moved.discard(repo_id)  # measured too (the window reads them again)
        self.bus.publish(BranchStatusChanged(repo_id, record.name, tuple(branches)))


def _checked_out_head(repo: Repo) -> tuple[str | None, str | None, frozenset[str]]:
    """The checked-out branch and its commit (None, None: HEAD detached), and the names of
    the local branches (a listing: no ref is read)."""
    names = frozenset(name.decode(errors="replace") for name in repo.refs.keys(Ref(b"refs/heads")))
    branch = current_branch(repo)
    if branch is None:
        return None, None, names
    head = ref_value(repo, Ref(f"refs/heads/{branch}".encode()))
    return branch, head.decode() if head is not None else None, names


def file_stamp(path: object) -> Stamp | None:
    try:
        st = os.stat(str(path))
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _head_stamps(paths: list[str]) -> list[HeadStamp]:
    """The `file_stamp` of each worktree's HEAD and of HEAD's reflog (`logs/HEAD`, which
    git appends to at each commit, reset or switch: a commit made with git moves no HEAD
    file), of its git dir itself (an entry made or removed there: a git command's
    `MARKERS` are looked for then), and of its `config` and `modules` (a submodule
    initialised or cloned). The git dir is `.git`; a linked worktree's `.git` is a
    file naming its own, read only where `.git/HEAD` is not there."""
    stamps: list[HeadStamp] = []
    for path in paths:
        git_dir = os.path.join(path, ".git")
        head = file_stamp(os.path.join(git_dir, "HEAD"))
        if head is None:
            git_dir = worktree_git_dir(path) or git_dir
            head = file_stamp(os.path.join(git_dir, "HEAD"))
        stamps.append(
            (
                head,
                file_stamp(os.path.join(git_dir, "logs", "HEAD")),
                file_stamp(git_dir),
                file_stamp(os.path.join(git_dir, "config")),
                file_stamp(os.path.join(git_dir, "modules")),
            )
        )
    return stamps


def _markers_of(paths: list[str]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for path in paths:
        git_dir = worktree_git_dir(path)
        found.append(() if git_dir is None else markers(git_dir))
    return found
