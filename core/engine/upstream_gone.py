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
from typing import TYPE_CHECKING

from dulwich.repo import Repo

from core.engine.core import Core
from core.git.repository import current_branch
from core.model import BranchStatus
from core.results import counted

if TYPE_CHECKING:  # the walk itself is imported when some upstream is gone (a cold sync: not)
    from core.git.history.gone_upstreams import GoneUpstream


async def gone_notes(
    core: Core,
    repo: Repo,
    statuses: Sequence[BranchStatus],
    *,
    push_all: bool,
    answered: Sequence[str],
    default_branches: Mapping[str, str],
    heads_moved: Mapping[str, str],
) -> list[str]:
    """One line per branch the sync would push whose upstream a remote that answered
    this sync no longer has: the checked-out one (new work on it goes nowhere), and
    with `push_all` any other that has commits no remote has (one that has none, say
    a branch merged and deleted on the remote, is only shown as gone).
    `default_branches`: where each remote's HEAD points; `heads_moved`: the tracking
    ref each `<remote>/HEAD` named before this sync's fetch moved it."""
    if not any(s.upstream_gone for s in statuses):
        return []
    current = await core.offload.io(current_branch, repo)
    candidates = [s.name for s in statuses if s.upstream_gone and (push_all or s.name == current)]
    if not candidates:
        return []
    from core.git.history.gone_upstreams import gone_upstreams

    gone = await core.offload.io(gone_upstreams, repo, candidates)
    return [
        gone_note(g, default_branches.get(g.remote), was_default=heads_moved.get(g.remote) == g.tracking_ref)
        for g in gone
        if g.remote in answered and (g.unpublished or g.branch == current)
    ]


def gone_note(gone: GoneUpstream, default_branch: str | None, *, was_default: bool) -> str:
    """ "origin/main was deleted on the remote; the remote's default branch is now
    trunk: 2 local commits on main are published nowhere"."""
    text = f"{gone.upstream} was deleted on the remote"
    if default_branch and f"{gone.remote}/{default_branch}" != gone.upstream:
        text += f"; the remote's default branch is {'now ' if was_default else ''}{default_branch}"
    n = gone.unpublished
    if n:
        commits = f"{counted(n, 'local commit')} on {gone.branch} {'is' if n == 1 else 'are'}"
        return f"{text}: {commits} published nowhere"
    return f"{text}: {gone.branch} is pushed nowhere until its upstream is changed"


def unpublished_note(repo: str, unpublished: Mapping[str, int]) -> str:
    """ "2 branches not published: feature (3 commits), wip (1 commit); publish with
    gitferry publish docs BRANCH"."""
    n = len(unpublished)
    listed = ", ".join(f"{b} ({counted(c, 'commit')})" for b, c in sorted(unpublished.items()))
    return (
        f"{counted(n, 'branch', 'branches')} not published: {listed}; "
        f"publish with gitferry publish {repo} {next(iter(sorted(unpublished))) if n == 1 else 'BRANCH'}"
    )
