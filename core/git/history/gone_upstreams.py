"""Local branches whose upstream the remote deleted, and what that leaves unpublished.

When the remote deletes or renames a branch, the fetch prunes its tracking ref (with
`fetch.prune`; otherwise the ref stays, stale, and the fetch says which branches it
left so) and the local branch has nowhere to go: nothing integrates into it, nothing of
it is pushed. What the user needs to hear is which branch, and how many of its
commits no remote has: `git rev-list --count <branch> --not --remotes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.upstreams import Upstream, tracked_upstreams
from core.git.history.generations import GenerationIndex
from core.git.history.unpublished import unpublished_counts
from core.git.repository import ref_value


@dataclass(frozen=True)
class GoneUpstream:
    branch: str  # the local branch, short name
    remote: str
    tracking_ref: str  # refs/remotes/origin/main
    unpublished: int  # commits of the branch that no remote-tracking ref reaches

    @property
    def upstream(self) -> str:
        """As git shows it: origin/main."""
        return self.tracking_ref.removeprefix("refs/remotes/")


def gone_upstreams(
    repo: Repo, branches: Iterable[str], index: GenerationIndex | None = None, *, stale: Iterable[str] = ()
) -> list[GoneUpstream]:
    """For each of `branches` whose upstream's tracking ref is gone, or whose upstream the
    remote deleted though its ref stays (`stale`), what it leaves."""
    kept = set(stale)
    upstreams = {u.branch: u for u in tracked_upstreams(repo)}
    found: list[tuple[Upstream, ObjectID]] = []
    for branch in branches:
        upstream = upstreams.get(branch)
        head = ref_value(repo, Ref(f"refs/heads/{branch}".encode()))
        if upstream is None or head is None:
            continue
        if branch not in kept and ref_value(repo, Ref(upstream.tracking_ref.encode())):
            continue
        found.append((upstream, head))
    counts = unpublished_counts(repo, {u.branch: head for u, head in found}, index)
    return [GoneUpstream(u.branch, u.remote, u.tracking_ref, counts[u.branch]) for u, _ in found]
