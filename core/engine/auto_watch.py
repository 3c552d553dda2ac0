"""Where auto mode's changes come from: the file watcher, or a stat scan where none can run.

Each auto-mode repository's tree is watched (`core.platform.tree_watch`: watchdog);
its events, less the paths git ignores and the index does not track
(`core.git.worktree.pending.IgnoredPaths`, on the watcher's thread), are handed to
`AutoSync.changed` on the loop. A tree that cannot be
watched (the inotify limits reached, a network file system) is scanned instead every
`scan_every` seconds (longer when a round takes more than 2% of that: 50 trees of
2,000 files take 2.4 s a round, so every 2 minutes; `bench.auto_watch`): the stat
fingerprints of what a commit would pick up
(`core.git.worktree.pending`), compared with the last round's; a path whose size or
mtime moved is a change (and, moving still, an unsettled one). The first tree that
falls back says so once in the log, with the limit to raise; `fallbacks` keeps each
tree's reason. A watched tree whose new directory finds the watch limit reached
(`on_lost`) is scanned from then on too.

A change of the repository's state (its HEAD, index or branches, in `.git`) goes to
`on_git`: the watcher reports it, the fallback scan sees it in those files' stat
each round (and counts it a change of the tree too: what `git rm` staged moves no
fingerprint).

A watched tree deleted and cloned again at its path (or replaced by `mv other path`)
leaves the watch on the deleted directory: nothing in the new tree would be seen.
`replaced()` (the daemon's settings round) compares each watched tree's
`repository_identity` with the one taken when its watch began, and watches a
replaced tree again (its ignore rules read again too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from functools import partial

from core.engine.auto_sync import AutoSync
from core.git.repository import RepositoryIdentity, repository_identities, repository_identity
from core.git.worktree.pending import Fingerprint, IgnoredPaths, changed_between, pending_changes
from core.offload import Offload
from core.platform.tree_watch import CannotWatch, TreeWatch

log = logging.getLogger(__name__)

SCAN_SECONDS = 10.0
SCAN_SHARE = 0.02  # the fallback scan's most of one core: rounds spread out when trees are large


class AutoWatch:
    def __init__(
        self,
        offload: Offload,
        auto: AutoSync,
        *,
        tree_watch: TreeWatch | None = None,
        scan_every: float = SCAN_SECONDS,
        on_git: Callable[[int], None] | None = None,
    ) -> None:
        self._offload = offload
        self._on_git = on_git
        self._git_seen: dict[int, tuple[tuple[int, int], ...]] = {}  # fallback trees: .git's state files
        self._auto = auto
        self._trees = tree_watch or TreeWatch()
        self._scan_every = scan_every
        self._paths: dict[int, str] = {}
        self._scanned: dict[int, dict[str, Fingerprint]] = {}  # fallback trees: their last look
        self._ignored: dict[int, IgnoredPaths] = {}  # watched trees: what git ignores there
        self._identities: dict[int, RepositoryIdentity | None] = {}  # which repository each watch is on
        self.fallbacks: dict[int, str] = {}  # repository -> why it is scanned, not watched
        self._told = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._losing: set[asyncio.Task[None]] = set()  # watches given up for scans, being switched

    async def watch(self, repo_id: int, path: str) -> None:
        """Watch the repository's tree (or scan it, when it cannot be watched)."""
        self._loop = asyncio.get_running_loop()
        if repo_id in self._paths:
            return
        self._paths[repo_id] = path
        self._identities[repo_id] = await self._offload.io(repository_identity, path)  # before the watch
        try:
            self._ignored[repo_id] = await self._offload.io(IgnoredPaths, path)
        except Exception as exc:  # not a repository now: every change counts
            log.debug("ignore rules of %s not read: %s", path, exc)
        try:
            # Setting up inotify walks every directory: off the loop.
            on_git = partial(self._git_from_thread, repo_id)
            on_lost = partial(self._lost_from_thread, repo_id)
            await self._offload.io(
                self._trees.watch, path, partial(self._from_thread, repo_id), on_git, on_lost
            )
        except CannotWatch as exc:
            await self._scan_instead(repo_id, path, str(exc))

    async def _scan_instead(self, repo_id: int, path: str, why: str) -> None:
        self._fall_back(repo_id, why)
        self._auto.set_quiet(repo_id, self._scan_every * 1.5)
        self._scanned[repo_id] = await self._look(path)
        self._git_seen[repo_id] = await self._offload.io(_git_stamp, path)

    def _lost_from_thread(self, repo_id: int, why: str) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._lost, repo_id, why)

    def _lost(self, repo_id: int, why: str) -> None:
        """A directory made in a watched tree found no watch left: the tree is scanned from
        now on (its changes since are the first round's, and the one that told counts)."""
        path = self._paths.get(repo_id)
        if path is None or repo_id in self.fallbacks:
            return
        self.fallbacks[repo_id] = why  # at once: the next directories' word is not taken twice
        self._auto.changed(repo_id, [])
        task = asyncio.get_running_loop().create_task(self._lost_watch(repo_id, path, why))
        self._losing.add(task)
        task.add_done_callback(self._losing.discard)

    async def _lost_watch(self, repo_id: int, path: str, why: str) -> None:
        await self._offload.io(self._trees.unwatch, path)
        if self._paths.get(repo_id) == path:
            await self._scan_instead(repo_id, path, why)

    async def unwatch(self, repo_id: int) -> None:
        path = self._paths.pop(repo_id, None)
        self._identities.pop(repo_id, None)
        self._scanned.pop(repo_id, None)
        self._git_seen.pop(repo_id, None)
        self.fallbacks.pop(repo_id, None)
        ignored = self._ignored.pop(repo_id, None)
        if ignored is not None:
            ignored.close()
        if path is not None:
            await self._offload.io(self._trees.unwatch, path)

    def watching(self, repo_id: int) -> bool:
        return repo_id in self._paths

    async def replaced(self) -> list[int]:
        """The watched trees another repository replaced since their watch began, each
        watched again (the fallback scans look at the path itself: not theirs)."""
        # Only watches whose identity was taken: one still being set up (`watch` awaits it)
        # is not replaced, it is being made.
        watched = [r for r in self._paths if r not in self.fallbacks and r in self._identities]
        if not watched:
            return []
        paths = [self._paths[repo_id] for repo_id in watched]
        found = await self._offload.io(repository_identities, paths)
        again: list[int] = []
        for repo_id, path, identity in zip(watched, paths, found, strict=True):
            # Looked at again after each await: an unwatch (the repository removed) or a
            # watch on another path may have come meanwhile.
            if identity is None or self._paths.get(repo_id) != path or repo_id not in self._identities:
                continue
            if identity != self._identities[repo_id]:
                await self.unwatch(repo_id)
                await self.watch(repo_id, path)
                again.append(repo_id)
        return again

    def close(self) -> None:
        self._trees.stop()
        for rules in self._ignored.values():
            rules.close()
        self._ignored.clear()
        self._paths.clear()
        self._scanned.clear()

    def _fall_back(self, repo_id: int, why: str) -> None:
        self.fallbacks[repo_id] = why
        if not self._told:
            self._told = True
            log.warning("%s; scanning it every %g s instead", why, self._scan_every)
        else:
            log.info("%s; scanning it instead", why)

    def _from_thread(self, repo_id: int, paths: list[str]) -> None:
        """On the watcher's thread: what git ignores is dropped here, the rest goes to the loop."""
        paths = self._not_ignored(repo_id, paths)
        loop = self._loop
        if paths and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._auto.changed, repo_id, paths)

    def _git_from_thread(self, repo_id: int) -> None:
        loop = self._loop
        if self._on_git is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_git, repo_id)

    def _not_ignored(self, repo_id: int, paths: list[str]) -> list[str]:
        rules = self._ignored.get(repo_id)
        if rules is None:
            return paths
        try:
            return [path for path in paths if not rules.ignored(path)]
        except Exception as exc:  # the tree moved under it: let the sync's own look decide
            log.debug("ignore rules not applied: %s", exc)
            return paths

    async def run(self) -> None:
        """The fallback scan's rounds (idle while every tree is watched), at most
        `SCAN_SHARE` of a core."""
        pause = self._scan_every
        while True:
            await asyncio.sleep(pause)
            started = time.perf_counter()
            await self.scan_once()
            pause = max(self._scan_every, (time.perf_counter() - started) / SCAN_SHARE)
            for repo_id in self._scanned:  # a change is seen once a round: still means a round and a half
                self._auto.set_quiet(repo_id, 1.5 * pause)

    async def scan_once(self) -> None:
        for repo_id, before in list(self._scanned.items()):
            path = self._paths.get(repo_id)
            if path is None:
                continue
            after = await self._look(path)
            if repo_id not in self._scanned:
                continue  # unwatched meanwhile
            self._scanned[repo_id] = after
            changed = changed_between(before, after)
            if changed:
                self._auto.changed(repo_id, sorted(changed))
            stamp = await self._offload.io(_git_stamp, path)
            if stamp != self._git_seen.get(repo_id, stamp):
                # The index or HEAD moved: maybe something staged with git (`git rm`, whose file
                # and entry went together: no fingerprint moved); the sync's look decides.
                self._auto.changed(repo_id, [])
                if self._on_git is not None:
                    self._on_git(repo_id)
            self._git_seen[repo_id] = stamp

    async def _look(self, path: str) -> dict[str, Fingerprint]:
        try:
            return await self._offload.io(pending_changes, path)
        except Exception as exc:  # a tree gone or unreadable for now: nothing seen this round
            log.debug("scan of %s failed: %s", path, exc)
            return {}


def _git_stamp(path: str) -> tuple[tuple[int, int], ...]:
    """The stat of `.git`'s files that say where HEAD, the index and a merge are."""
    stamps = []
    for name in ("HEAD", "index", "MERGE_HEAD", "ORIG_HEAD"):
        try:
            st = os.stat(os.path.join(path, ".git", name))
            stamps.append((st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((0, -1))
    return tuple(stamps)
