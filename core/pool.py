"""Open repositories kept for reuse: LRU, idle TTL and a measured memory budget.

A repository kept open keeps ahead/behind fast (its packs stay mapped), but
each one holds file descriptors and mappings, so the pool closes the least
recently used ones first once the estimated total passes the budget, or once
the descriptors their mapped packs hold pass the descriptor budget (half the
process's limit by default: a process out of descriptors fails every fetch,
socket and database call), and any left idle longer than the TTL. A `Repo` is
leased to one job at a time: dulwich objects must never be used by two threads
at once (dulwich issues 2350, 2424: zlib, checksum and KeyError failures on
objects that exist), so a second lease of the same repository waits for
the first to end. Opening and closing are blocking and go through `Offload.io`.

A kept repository is handed out again only while the repository at its path is the one
it was opened on (`repository_identity`: `.git` and `objects/`, birth times included):
one deleted and cloned again there, or another moved there, is opened afresh, never
seen through the old one's mapped packs and caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dulwich.repo import Repo

from core.git.repository import RepositoryIdentity, open_worktree_repo, repository_identity
from core.offload import Offload
from core.platform.fd_limit import soft_limit
from core.pool_cost import cap_delta_cache, estimate_cost, open_descriptors

_Opened = tuple[Repo, RepositoryIdentity | None]

DELTA_CACHE_LIMIT = 8 * 2**20
"""Per pack of a pooled repository (see `cap_delta_cache`)."""


def default_descriptor_budget() -> int:
    """Half the soft RLIMIT_NOFILE: the other half is left to sockets, the status store,
    the GUI and the packs of repositories being fetched."""
    soft = soft_limit()
    return 4096 if soft is None else max(64, soft // 2)  # no limit (Windows): mappings still cost


@dataclass(frozen=True, slots=True)
class PoolStats:
    entries: int
    """Repositories held open."""
    leased: int
    cost: int
    """Estimated bytes held by the open repositories."""
    budget: int
    descriptors: int = 0
    """File descriptors held by the open repositories' mapped packs."""
    descriptor_budget: int = 0


@dataclass
class _Entry:
    path: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    repo: Repo | None = None
    identity: RepositoryIdentity | None = None
    """Which repository `repo` was opened on (`repository_identity`)."""
    users: int = 0
    """Leases holding or waiting for this entry: it is not evicted while above 0."""
    leased: bool = False
    last_used: float = 0.0
    cost: int = 0
    descriptors: int = 0

    def drop_repo(self) -> None:
        """Forget the open repository and its counts (the caller closes or reopens it)."""
        self.repo, self.identity, self.cost, self.descriptors = None, None, 0, 0


class RepoPool:
    def __init__(
        self,
        offload: Offload,
        *,
        ttl: float = 300.0,
        budget: int = 256 * 2**20,
        clock: Callable[[], float] = time.monotonic,
        opener: Callable[[str], Repo] = open_worktree_repo,
        delta_cache_limit: int = DELTA_CACHE_LIMIT,
        descriptor_budget: int | None = None,
    ) -> None:
        self._offload = offload
        self._ttl = ttl
        self._budget = budget
        self._clock = clock
        self._opener = opener
        self._delta_cache_limit = delta_cache_limit
        self._descriptor_budget = descriptor_budget or default_descriptor_budget()
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        """Least recently used first."""
        self._closing: set[asyncio.Task[None]] = set()
        # The open entries' summed cost and descriptors, kept as they change: checking the
        # budgets at every lease by summing every entry made a cycle of 1,000 repositories
        # quadratic (2 million additions, 1.3 s of its CPU).
        self._cost = 0
        self._descriptors = 0
        # No idle entry can expire before this (a lower bound): a lease skips the scan
        # of every entry until then (the scan at each lease was another quadratic term).
        self._next_expiry = math.inf

    @asynccontextmanager
    async def lease(self, repo_id: int, path: str) -> AsyncIterator[Repo]:
        """Exclusive use of the open repository `repo_id` at `path`.

        Raises what the opener raises (`RepositoryMissing`, `NotARepository`)
        and then keeps no entry for it.
        """
        self._expire()
        entry = self._entries.get(repo_id)
        if entry is None:
            entry = self._entries[repo_id] = _Entry(path)
        entry.users += 1
        try:
            async with entry.lock:
                repo = await self._ready(entry, path)
                entry.leased = True
                self._entries.move_to_end(repo_id)
                self._evict(self._over_budget())
                try:
                    yield repo
                except asyncio.CancelledError:
                    self._abandon(entry, repo)
                    raise
                finally:
                    entry.leased = False
                    entry.last_used = self._clock()
                    self._next_expiry = min(self._next_expiry, entry.last_used + self._ttl)
                    if entry.repo is not None:
                        self._measure(entry, repo)  # packs load lazily: they may have grown
        finally:
            entry.users -= 1
            self._forget_if_unopened(repo_id, entry)
            self._evict(self._over_budget())

    async def sweep(self) -> None:
        """Close every entry idle for longer than the TTL (the engine calls this periodically)."""
        self._expire()
        await self._closes_done()

    async def discard(self, repo_id: int) -> None:
        """Close one repository (unregistered or moved), after its running lease ends."""
        entry = self._entries.get(repo_id)
        if entry is not None:
            await self._close_entry(repo_id, entry)
        await self._closes_done()

    async def close_all(self) -> None:
        """Close every repository, waiting for running leases to end first."""
        for repo_id, entry in list(self._entries.items()):
            await self._close_entry(repo_id, entry)
        await self._closes_done()

    def stats(self) -> PoolStats:
        held = [e for e in self._entries.values() if e.repo is not None]
        return PoolStats(
            entries=len(held),
            leased=sum(e.leased for e in held),
            cost=sum(e.cost for e in held),
            budget=self._budget,
            descriptors=sum(e.descriptors for e in held),
            descriptor_budget=self._descriptor_budget,
        )

    def lru_order(self) -> list[int]:
        """Ids of the open repositories, least recently used first."""
        return [repo_id for repo_id, e in self._entries.items() if e.repo is not None]

    async def _close_entry(self, repo_id: int, entry: _Entry) -> None:
        async with entry.lock:
            if entry.repo is not None:
                self._close_later([entry.repo])
                self._drop(entry)
        self._forget_if_unopened(repo_id, entry)

    def _expire(self) -> None:
        now = self._clock()
        if now <= self._next_expiry:
            return
        self._evict(
            repo_id
            for repo_id, entry in self._entries.items()
            if entry.users == 0 and now - entry.last_used > self._ttl
        )
        idle = (e.last_used + self._ttl for e in self._entries.values() if e.users == 0)
        self._next_expiry = min(idle, default=math.inf)

    async def _ready(self, entry: _Entry, path: str) -> Repo:
        """The entry's repository, reopened if its folder went away, moved, or is
        another repository now (deleted and cloned again, another moved there)."""
        cached, cached_identity, cached_path = entry.repo, entry.identity, entry.path
        self._drop(entry)
        entry.path = path
        opening = asyncio.ensure_future(
            self._offload.io(self._reuse_or_open, cached, cached_identity, cached_path, path)
        )
        try:
            repo, entry.identity = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._close_orphan)
            raise
        entry.repo = repo
        self._measure(entry, repo)
        return repo

    def _measure(self, entry: _Entry, repo: Repo) -> None:
        self._count(entry, -1)
        entry.cost, entry.descriptors = estimate_cost(repo), open_descriptors(repo)
        self._count(entry, 1)

    def _drop(self, entry: _Entry) -> None:
        self._count(entry, -1)
        entry.drop_repo()

    def _count(self, entry: _Entry, sign: int) -> None:
        self._cost += sign * entry.cost
        self._descriptors += sign * entry.descriptors

    def _abandon(self, entry: _Entry, repo: Repo) -> None:
        """A lease cancelled while its thread may still be inside `repo`: the next
        lease gets a fresh Repo, and this one is closed once that thread is done."""
        self._drop(entry)
        self._offload.after_running(lambda: _close_repos([repo]))

    def _close_orphan(self, opening: asyncio.Future[_Opened]) -> None:
        """A repository opened for a lease that was cancelled meanwhile."""
        if not opening.cancelled() and opening.exception() is None:
            self._close_later([opening.result()[0]])

    def _reuse_or_open(
        self, cached: Repo | None, cached_identity: RepositoryIdentity | None, cached_path: str, path: str
    ) -> _Opened:
        """The cached repository while the same one is at the same path, else a fresh one.

        A `Repo` kept over a repository that was replaced keeps a view of the old one:
        its mapped packs (objects the new one lacks still found, so a fetch would not ask
        for them), its refs' and index's caches. The identity is taken before opening:
        a replacement racing with the open costs a needless reopen at the next lease,
        never a stale view.
        """
        identity = repository_identity(path)
        if cached is not None:
            if cached_path == path and identity is not None and identity == cached_identity:
                return cached, identity
            cached.close()
        repo = self._opener(path)
        cap_delta_cache(repo, self._delta_cache_limit)
        return repo, identity

    def _over_budget(self) -> list[int]:
        """Least recently used idle entries to close to get back under both budgets."""
        excess = self._cost - self._budget
        excess_fds = self._descriptors - self._descriptor_budget
        victims: list[int] = []
        for repo_id, entry in self._entries.items():
            if excess <= 0 and excess_fds <= 0:
                break
            if entry.repo is not None and entry.users == 0:
                victims.append(repo_id)
                excess -= entry.cost
                excess_fds -= entry.descriptors
        return victims

    def _evict(self, repo_ids: Iterable[int]) -> None:
        """Forget idle entries now (accounting is immediate) and close their repositories."""
        doomed = [self._entries.pop(repo_id) for repo_id in list(repo_ids)]
        for entry in doomed:
            self._count(entry, -1)
            entry.cost = entry.descriptors = 0  # counted out once, whatever holds it still
        repos = [e.repo for e in doomed if e.repo is not None]
        if repos:
            self._close_later(repos)

    def _close_later(self, repos: list[Repo]) -> None:
        task = asyncio.ensure_future(self._offload.io(_close_repos, repos))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _closes_done(self) -> None:
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def _forget_if_unopened(self, repo_id: int, entry: _Entry) -> None:
        if entry.repo is None and entry.users == 0 and self._entries.get(repo_id) is entry:
            del self._entries[repo_id]


def _close_repos(repos: list[Repo]) -> None:
    for repo in repos:
        with contextlib.suppress(OSError):
            repo.close()
