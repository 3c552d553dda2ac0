"""What a sync says when a branch has nowhere to go.

When the remote changed under the user: a branch it would push
lost its upstream (deleted on the remote, or renamed: the remote's default branch
moved). Nothing integrates into that branch and nothing of it is pushed, so the
sync is not a success: it ends `diverged` (the branch and its remote went separate
ways; the user decides where it goes) with a line naming the branch, the remote's
default branch when it is another one, and the commits no remote has.

When a branch was never on a remote (no upstream, or one the remote never had) and
holds commits no remote has, the sync ends `unpublished` with a line naming them and
how to publish them (`gitferry publish`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from dulwich.repo import Repo

from core.engine.core import Core
from core.git.repository import current_branch
from core.model import BranchStatus
from core.phrase import Phrase, phrase

if TYPE_CHECKING:  # the walk itself is imported when some upstream is gone (a cold sync: not)
    from core.git.history.gone_upstreams import GoneUpstream


async def gone_notes(
    core: Core,
    repo: Repo,
    statuses: Sequence[BranchStatus],
    *,
    name: str,
    push_all: bool,
    answered: Sequence[str],
    default_branches: Mapping[str, str],
    heads_moved: Mapping[str, str],
    stale: Sequence[str] = (),
) -> list[Phrase]:
    """One line per branch the sync would push whose upstream a remote that answered
    this sync no longer has: the checked-out one (new work on it goes nowhere), and
    with `push_all` any other that has commits no remote has (one that has none, say
    a branch merged and deleted on the remote, is only shown as gone).
    `default_branches`: where each remote's HEAD points; `heads_moved`: the tracking
    ref each `<remote>/HEAD` named before this sync's fetch moved it; `stale`: the branches
    whose upstream the fetch found deleted, their tracking ref kept (no `fetch.prune`);
    `name`: the repository's, for the way forward the lines give."""
    if not stale and not any(s.upstream_gone for s in statuses):
        return []
    current = await core.offload.io(current_branch, repo)
    candidates = [
        s.name for s in statuses if (s.upstream_gone or s.name in stale) and (push_all or s.name == current)
    ]
    if not candidates:
        return []
    from core.git.history.gone_upstreams import gone_upstreams

    gone = await core.offload.io(partial(gone_upstreams, repo, candidates, stale=stale))
    return [
        gone_note(
            g,
            default_branches.get(g.remote),
            was_default=heads_moved.get(g.remote) == g.tracking_ref,
            repo=name,
        )
        for g in gone
        if g.remote in answered and (g.unpublished or g.branch == current)
    ]


def gone_note(gone: GoneUpstream, default_branch: str | None, *, was_default: bool, repo: str) -> Phrase:
    """ "origin/main was deleted on the remote; the remote's default branch is now
    trunk: 2 local commits on main are published nowhere; gitferry publish notes main
    pushes it again, or git branch -u sets another upstream"."""
    deleted = phrase("{upstream} was deleted on the remote", upstream=gone.upstream)
    if default_branch and f"{gone.remote}/{default_branch}" != gone.upstream:
        deleted = (
            phrase(
                "{upstream} was deleted on the remote; the remote's default branch is now {default}",
                upstream=gone.upstream,
                default=default_branch,
            )
            if was_default
            else phrase(
                "{upstream} was deleted on the remote; the remote's default branch is {default}",
                upstream=gone.upstream,
                default=default_branch,
            )
        )
    n = gone.unpublished
    if n:
        said = phrase(
            "{deleted}: %n local commit(s) on {branch} (is|are) published nowhere",
            n,
            deleted=deleted,
            branch=gone.branch,
        )
        return phrase(
            "{said}; gitferry publish {repo} {branch} pushes it again,"
            " or git branch -u sets another upstream",
            said=said,
            repo=repo,
            branch=gone.branch,
        )
    return phrase(
        "{deleted}: {branch} is pushed nowhere until its upstream is changed",
        deleted=deleted,
        branch=gone.branch,
    )


def unpublished_note(repo: str, unpublished: Mapping[str, int]) -> Phrase:
    """ "2 branches not published: feature (3 commits), wip (1 commit); publish with
    gitferry publish docs BRANCH"."""
    n = len(unpublished)
    listed = tuple(phrase("{branch} (%n commit(s))", c, branch=b) for b, c in sorted(unpublished.items()))
    return phrase(
        "%n branch(es) not published: {listed}; publish with gitferry publish {repo} {branch}",
        n,
        listed=listed,
        repo=repo,
        branch=next(iter(sorted(unpublished))) if n == 1 else "BRANCH",
    )
