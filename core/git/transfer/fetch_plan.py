"""Which of a remote's branches a fetch tracks, and what that means for local refs.

Given the refs a remote advertises, a `FetchPlan` says which objects to ask
for (none when no tracked ref moved), which remote-tracking refs to move,
which to prune because the remote deleted the branch (only with `prune`: `git fetch`
keeps them stale otherwise), and which local branches have lost their upstream; and,
like git, refuses a fetch whose refspecs write into a branch a worktree has checked
out. `refs/pull/*` is never tracked; tags are `tag_follow`'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from dulwich.object_store import BaseObjectStore
from dulwich.objects import ObjectID
from dulwich.refs import DiskRefsContainer, Ref, is_per_worktree_ref
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.upstreams import FetchRefspecs, Refspec, Upstream, upstreams_of
from core.git.packed_refs import packed_refs
from core.phrase import phrase

HEADS = "refs/heads/"
RefUpdate = tuple[bytes | None, bytes]


@dataclass(frozen=True)
class TrackedBranches:
    """The repository's `tracked_branches` setting: upstreams, all, or named branches."""

    mode: Literal["upstreams", "all", "named"] = "upstreams"
    names: tuple[str, ...] = ()

    @classmethod
    def upstreams(cls) -> TrackedBranches:
        """Local branches' upstreams plus the remote's default branch (the default)."""
        return cls("upstreams")

    @classmethod
    def all(cls) -> TrackedBranches:
        return cls("all")

    @classmethod
    def named(cls, names: Iterable[str]) -> TrackedBranches:
        cleaned = tuple(name.removeprefix(HEADS).strip() for name in names)
        if not cleaned or any(not name for name in cleaned):
            raise BadInput(phrase("tracked branches: give at least one branch name, none empty"))
        return cls("named", cleaned)


class FetchPlan:
    """One remote's tracked refs, against the local remote-tracking refs."""

    def __init__(
        self,
        repo: Repo,
        remote: str,
        tracked: TrackedBranches,
        held: Mapping[str, str] | None = None,
        *,
        prune: bool = False,
    ) -> None:
        config = repo.get_config()
        self.prune = prune  # fetch.prune / remote.<name>.prune
        self.held = dict(held or {})  # branch ref -> the worktree using it: never fetched into
        self.remote = remote
        self.tracked = tracked
        self.refspecs = FetchRefspecs.of(config, remote)
        if not self.refspecs:  # no remote.<name>.fetch: git's default for a new remote
            self.refspecs = FetchRefspecs([Refspec.parse(f"+{HEADS}*:refs/remotes/{remote}/*")])
        self.upstreams: list[Upstream] = upstreams_of(repo, remote)
        self.local = _tracking_refs(repo, self.refspecs, self.upstreams)

    @property
    def ref_prefixes(self) -> list[bytes]:
        """What to ask the remote to list: HEAD, branches, and any odd upstream ref."""
        odd = {u.merge_ref for u in self.upstreams if not u.merge_ref.startswith(HEADS)}
        return [b"HEAD", HEADS.encode(), *(ref.encode() for ref in sorted(odd))]

    def into_checked_out(self, advertised: Iterable[str]) -> str | None:
        """Why not to fetch at all, when a refspec maps an advertised ref onto a branch
        some worktree uses (`held`): git refuses that whole fetch, moved or not."""
        for ref in sorted(advertised):
            for local in self.refspecs.destinations(ref):
                if local in self.held:
                    return f"refusing to fetch into branch '{local}' checked out at '{self.held[local]}'"
        return None

    def wants(self, advertised: Mapping[str, bytes], store: BaseObjectStore) -> list[ObjectID]:
        """Objects to ask for: tips of tracked refs that moved and that we lack."""
        tips = {advertised[ref] for ref in self.tracked_refs(advertised, None)}
        if self.tracked.mode == "upstreams" and "HEAD" in advertised:
            tips.add(advertised["HEAD"])  # the default branch, whichever it is
        moved = tips - set(self.local.values())
        return [ObjectID(tip) for tip in sorted(moved) if ObjectID(tip) not in store]

    def tracked_refs(self, advertised: Mapping[str, bytes], default_ref: str | None) -> dict[str, str]:
        """Remote ref -> tracking ref, for every tracked ref the remote has."""
        if self.tracked.mode == "all":
            candidates = [ref for ref in advertised if ref.startswith(HEADS)]
        elif self.tracked.mode == "named":
            candidates = [HEADS + name for name in self.tracked.names]
        else:
            candidates = [u.merge_ref for u in self.upstreams]
            if default_ref is not None:
                candidates.append(default_ref)
        mapped = {}
        for ref in candidates:
            tracking = self.refspecs.tracking_ref(ref) if ref in advertised else None
            if tracking is not None:
                mapped[ref] = tracking
        return mapped

    def would_track(self, ref: bytes) -> bool:
        """Whether the remote ref named `ref` is one this plan tracks (by name alone: an
        ignored name is reported only when the fetch would have used it)."""
        name = ref.decode("utf-8", "replace")
        if self.tracked.mode == "all":
            return name.startswith(HEADS)
        if self.tracked.mode == "named":
            return name in {HEADS + branch for branch in self.tracked.names}
        return name in {u.merge_ref for u in self.upstreams}

    def updates(self, advertised: Mapping[str, bytes], default_ref: str | None) -> dict[str, RefUpdate]:
        """Tracking ref -> (old, new) for every tracked ref that moved."""
        moves: dict[str, RefUpdate] = {}
        for ref, tracking in self.tracked_refs(advertised, default_ref).items():
            old, new = self.local.get(tracking), advertised[ref]
            if old != new:
                moves[tracking] = (old, new)
        return moves

    def pruned(self, advertised: Mapping[str, bytes]) -> list[str]:
        """Tracking refs of tracked branches that the remote no longer has, when pruning."""
        if not self.prune:
            return []
        if self.tracked.mode == "all":
            sources = {t: self.refspecs.remote_ref(t) for t in self.local}
            stale = [t for t, src in sources.items() if src and src.startswith(HEADS)]
            stale = [t for t in stale if sources[t] not in advertised]
        elif self.tracked.mode == "named":
            refs = [HEADS + name for name in self.tracked.names if HEADS + name not in advertised]
            stale = [t for t in map(self.refspecs.tracking_ref, refs) if t is not None]
        else:
            stale = [u.tracking_ref for u in self.upstreams if u.merge_ref not in advertised]
        return sorted({t for t in stale if t in self.local})

    def stale(self, advertised: Mapping[str, bytes], pruned: Iterable[str]) -> list[str]:
        """Local branches whose upstream the remote deleted while its tracking ref stays
        (not pruned: `git fetch` without `prune` keeps it, and `git status` compares with it)."""
        kept = set(self.local) - set(pruned)
        return sorted(
            u.branch for u in self.upstreams if u.merge_ref not in advertised and u.tracking_ref in kept
        )

    def gone(self, advertised: Mapping[str, bytes]) -> list[str]:
        """Local branches whose upstream branch the remote no longer has."""
        return sorted(u.branch for u in self.upstreams if u.merge_ref not in advertised)


def _tracking_refs(repo: Repo, refspecs: FetchRefspecs, upstreams: list[Upstream]) -> dict[str, bytes]:
    """The remote's current tracking refs (symbolic ones like `origin/HEAD` left out).

    Those packed are taken from one parse of packed-refs (packed_refs.py); only the loose files
    under the tracking prefixes (a loose file stands over its packed line) and the
    upstreams' tracking refs found nowhere else are read one by one. Reading each of a
    real remote's 1,824 packed tracking refs through `read_ref` (a name check, a loose
    file that is not there, a stat of packed-refs) took 44 ms of a cold fetch."""
    refs = repo.refs
    prefixes = tuple(p.rstrip("/").encode() + b"/" for p in refspecs.tracking_prefixes())
    names = {Ref(u.tracking_ref.encode()) for u in upstreams}
    values: dict[Ref, bytes | None] = {}
    if isinstance(refs, DiskRefsContainer) and not any(map(is_per_worktree_ref, prefixes)):
        values = {name: sha for name, sha in packed_refs(refs).items() if name.startswith(prefixes)}
        names = (names - values.keys()) | set(_loose_names(refs.path, prefixes))
    else:
        for base in prefixes:
            names.update(Ref(base + key) for key in refs.keys(base=Ref(base.rstrip(b"/"))))
    for name in names:
        values[name] = refs.read_ref(name)
    return {name.decode(): sha for name, sha in values.items() if sha and not sha.startswith(b"ref: ")}


def _loose_names(refs_dir: bytes, prefixes: Iterable[bytes]) -> Iterator[Ref]:
    """The names of the loose ref files under `prefixes` (`refs/remotes/origin/`)."""
    for prefix in prefixes:
        top = os.path.join(refs_dir, prefix.rstrip(b"/"))
        for root, _dirs, files in os.walk(top):
            under = prefix.rstrip(b"/") + root[len(top) :].replace(os.sep.encode(), b"/")
            yield from (Ref(under + b"/" + name) for name in files)
