"""Local branches whose upstream the remote deleted, and what that leaves unpublished.

When the remote deletes or renames a branch, the fetch prunes its tracking ref
and the local branch has nowhere to go: nothing integrates into it, nothing of
it is pushed. What the user needs to hear is which branch, and how many of its
commits no remote has: `git rev-list --count <branch> --not --remotes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.walk import Walker

from core.git.config.upstreams import tracked_upstreams
from core.git.repository import ref_value

_REMOTES = Ref(b"refs/remotes")


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


def gone_upstreams(repo: Repo, branches: Iterable[str]) -> list[GoneUpstream]:
    """For each of `branches` whose upstream's tracking ref is gone, what it leaves."""
    upstreams = {u.branch: u for u in tracked_upstreams(repo)}
    published = _remote_tips(repo)
    gone = []
    for branch in branches:
        upstream = upstreams.get(branch)
        head = ref_value(repo, Ref(f"refs/heads/{branch}".encode()))
        if upstream is None or head is None or ref_value(repo, Ref(upstream.tracking_ref.encode())):
            continue
        count = unpublished_count(repo, head, published)
        gone.append(GoneUpstream(branch, upstream.remote, upstream.tracking_ref, count))
    return gone


def unpublished_count(repo: Repo, head: ObjectID, published: list[ObjectID]) -> int:
    """Commits `head` reaches and none of `published` does."""
    return sum(1 for _ in Walker(repo.object_store, [head], exclude=published))


def _remote_tips(repo: Repo) -> list[ObjectID]:
    """Every remote-tracking ref's commit (a symbolic `<remote>/HEAD` left dangling by a
    pruned branch is skipped)."""
    tips = []
    for name in repo.refs.keys(base=_REMOTES):
        sha = ref_value(repo, Ref(_REMOTES + b"/" + name))
        if sha is not None:
            tips.append(sha)
    return sorted(set(tips))
