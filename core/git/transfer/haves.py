"""The "have" lines of a fetch negotiation: local commits, newest first.

Dulwich's own graph walker starts from `refs/heads/*` only and pops commits in
arbitrary order, so a branch 2,000 commits behind its remote-tracking ref
makes the server resend those 2,000 commits. This walker starts from every
tip the caller gives (local heads and the remote's tracking refs), offers all
tips first, newest first, then walks their history by commit date like git,
skipping the ancestors of anything the server acknowledged. It gives up after
a bounded number of commits: the tips alone already tell the server almost
everything, and a stateless (HTTP) request only carries 256 haves anyway.
Walking through commits the server acknowledged is bounded too: dulwich never
sends a flush between haves, so the server never says "ready", and an older
commit queued before its acknowledgement arrived kept the walk going through
the whole common history (17,467 commits parsed for a 300-commit fetch of
`bench.real_fetch`). (Over `git://` the haves now go in git's windows, each
ending in a flush, and the server says "ready": `have_batches.py`.)

Tips the server advertised (and that are here) are common for certain: they are
offered, as git offers them, but their history is not walked, since the server has
every ancestor of a commit it has. Fifty fetches of one new commit each walked and
offered the whole 60-commit history of `bench.gui`'s fleet, because dulwich reads no
acknowledgement before its last have over protocol v2; now the walk stops at the
moved branch's old tip's parent.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable

from dulwich.object_store import BaseObjectStore
from dulwich.objects import Commit, ObjectID, Tag

MAX_WALKED = 256


class HavesWalker:
    """Implements dulwich's graph-walker protocol (`next`, `ack`, `nak`, `shallow`)."""

    def __init__(
        self,
        store: BaseObjectStore,
        tips: Iterable[bytes],
        shallow: Iterable[bytes] = (),
        max_walked: int = MAX_WALKED,
    ) -> None:
        self._store = store
        self.shallow: set[bytes] = set(shallow)
        self._common: set[bytes] = set()
        self._queued: set[bytes] = set()
        self._uncommon: set[bytes] = set()  # queued and not known to be common
        self._queue: list[tuple[int, int, bytes, list[bytes]]] = []
        self._order = itertools.count()
        self._budget = max_walked
        self._common_budget = max_walked  # common commits walked through, to mark their parents
        self._given_tips: list[bytes] | None = list(tips)
        self._tips: list[bytes] = []
        self._offered: set[bytes] = set()
        self._advertised: set[bytes] = set()

    def advertised(self, present: Iterable[bytes]) -> None:
        """Objects the server listed that are here: common, their history too (called
        with the ref listing, before the first `next`)."""
        self._advertised.update(present)

    def _start(self, tips: list[bytes]) -> None:
        """Read the tips only once negotiation starts: a no-change fetch never does. The
        tips the server lacks come first, newest first; then those it advertised, in the
        order given, neither read nor walked (the walk stops where it reaches one)."""
        unique = list(dict.fromkeys(tips))
        known = [oid for oid in unique if oid in self._advertised]
        self._mark_common(known)
        self._queued.update(known)
        others = (self._commit(oid) for oid in unique if oid not in self._advertised)
        commits = {c.id: c for c in others if c is not None}
        newest_first = sorted(commits.values(), key=lambda c: c.commit_time, reverse=True)
        self._tips = [*(c.id for c in newest_first), *known]
        self._offered = set(self._tips)
        for commit in newest_first:
            self._enqueue(commit)

    def __next__(self) -> ObjectID | None:
        return self.next()

    def next(self) -> ObjectID | None:
        if self._given_tips is not None:
            tips, self._given_tips = self._given_tips, None
            self._start(tips)
        while self._tips:
            tip = self._tips.pop(0)
            if tip not in self._common or tip in self._advertised:
                return ObjectID(tip)  # the server learns what we have from the haves alone
        while self._uncommon and self._budget > 0:
            _, _, oid, parents = heapq.heappop(self._queue)
            self._uncommon.discard(oid)
            if oid in self._common:
                if self._common_budget <= 0:
                    continue
                self._common_budget -= 1
                self._mark_common(parents)
                self._enqueue_ids(parents)
                continue
            self._enqueue_ids(parents)
            if oid not in self._offered:
                self._budget -= 1
                return ObjectID(oid)
        return None

    def ack(self, oid: bytes) -> None:
        self._mark_common([oid])

    def nak(self) -> None:
        """The server has nothing in common with what was offered so far."""

    def _mark_common(self, oids: Iterable[bytes]) -> None:
        for oid in oids:
            self._common.add(oid)
            self._uncommon.discard(oid)

    def _enqueue(self, commit: Commit) -> None:
        oid = commit.id
        self._queued.add(oid)
        if oid not in self._common:
            self._uncommon.add(oid)
        parents: list[bytes] = [] if oid in self.shallow else list(commit.parents)
        entry: tuple[int, int, bytes, list[bytes]] = (-commit.commit_time, next(self._order), oid, parents)
        heapq.heappush(self._queue, entry)

    def _enqueue_ids(self, oids: Iterable[bytes]) -> None:
        for oid in oids:
            if oid not in self._queued:
                commit = self._commit(oid)
                if commit is not None:
                    self._enqueue(commit)

    def _commit(self, oid: bytes) -> Commit | None:
        """The commit `oid` names (peeling tags), or None if it is not a local commit."""
        try:
            obj = self._store[ObjectID(oid)]
            while isinstance(obj, Tag):
                obj = self._store[obj.object[1]]
        except KeyError:
            return None
        return obj if isinstance(obj, Commit) else None
