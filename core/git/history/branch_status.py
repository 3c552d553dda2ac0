"""Every local branch's position against its upstream, measured with the git graph.

A branch whose upstream has no remote-tracking ref is `gone` when that ref existed
and disappeared (the last measure saw it, or saw the branch gone already; or the
ref's reflog is still there, as a prune by Gitferry's fetch leaves it: the remote
deleted the branch), and otherwise never was on the remote: like a branch with no
upstream at all, it then counts the commits no remote-tracking ref reaches
(`unpublished`). So a branch met for the first time whose tracking ref `git fetch
--prune` removed (with its reflog) counts as never published.

A branch ahead of its upstream whose push remote is another one (a fork) that already
has its head is `pushed`: nothing to push (`core.git.config.push_target.pushed_elsewhere`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.upstreams import tracked_upstreams
from core.git.repository import current_branch, ref_value
from core.model import BranchStatus

if TYPE_CHECKING:
    from core.git.history.ahead_behind import GenerationIndex

# The graph's walks (`ahead_behind`, `unpublished` and the generation index under them)
# and the fork's push target are imported when a pair is to measure, a branch is ahead or
# one is on no remote: a no-change fetch, whose pairs were all measured before, loads none.


def measure_branches(
    repo: Repo, previous: Sequence[BranchStatus], index: GenerationIndex | None
) -> list[BranchStatus]:
    """Ahead/behind for every local branch, and which one is checked out; a (head,
    upstream head) pair already measured is reused from `previous`, never recomputed."""
    known = {(b.head, b.upstream_head): (b.ahead, b.behind) for b in previous if b.ahead is not None}
    last = {b.name: b for b in previous}  # the latest of each branch
    upstreams = {u.branch: u for u in tracked_upstreams(repo)}
    heads = _local_heads(repo)
    statuses: list[BranchStatus] = []
    todo: list[tuple[int, bytes, bytes]] = []
    unpublished: dict[str, bytes] = {}  # branches with no upstream on a remote
    for name, head in sorted(heads.items()):
        upstream = upstreams.get(name)
        if upstream is None:
            statuses.append(BranchStatus(name, None, head.decode(), None, None, None))
            unpublished[name] = head
            continue
        tracking = ref_value(repo, Ref(upstream.tracking_ref.encode()))
        short = upstream.tracking_ref.removeprefix("refs/remotes/")
        if tracking is None:
            gone = _was_on_remote(last.get(name), short) or _has_reflog(repo, upstream.tracking_ref)
            statuses.append(BranchStatus(name, short, head.decode(), None, None, None, upstream_gone=gone))
            if not gone:
                unpublished[name] = head
            continue
        cached = known.get((head.decode(), tracking.decode()))
        statuses.append(
            BranchStatus(
                name,
                short,
                head.decode(),
                tracking.decode(),
                cached[0] if cached else None,
                cached[1] if cached else None,
            )
        )
        if cached is None:
            todo.append((len(statuses) - 1, head, tracking))
    if todo:
        from core.git.history.ahead_behind import ahead_behind_many

        counts = ahead_behind_many(repo, [(h, u) for _, h, u in todo], index)
        for (position, _, _), (ahead, behind) in zip(todo, counts, strict=True):
            statuses[position] = replace(statuses[position], ahead=ahead, behind=behind)
    if any(s.ahead for s in statuses):
        from core.git.config.push_target import pushed_elsewhere

        statuses = [
            replace(s, pushed=True) if s.ahead and pushed_elsewhere(repo, upstreams[s.name]) else s
            for s in statuses
        ]
    if unpublished and _has_remotes(repo):
        from core.git.history.unpublished import unpublished_counts

        unique = unpublished_counts(repo, unpublished, index)
        statuses = [replace(s, unpublished=unique[s.name]) if s.name in unique else s for s in statuses]
    here = current_branch(repo)
    return [replace(s, checked_out=s.name == here) for s in statuses]


def _was_on_remote(before: BranchStatus | None, upstream: str) -> bool:
    """Whether the last measure saw this upstream's tracking ref (or saw it gone)."""
    if before is None or before.upstream != upstream:
        return False
    return before.upstream_gone or before.upstream_head is not None


def _has_reflog(repo: Repo, ref: str) -> bool:
    """Whether the ref has a reflog: a tracking ref a fetch of Gitferry's (dulwich) pruned
    keeps it, ending with the deletion; `git fetch --prune` removes it."""
    return os.path.isfile(os.path.join(repo.commondir(), "logs", *ref.split("/")))


def _has_remotes(repo: Repo) -> bool:
    """A repository with no remote publishes nowhere: nothing of it is `unpublished`."""
    return any(len(section) == 2 and section[0] == b"remote" for section in repo.get_config().sections())


def _local_heads(repo: Repo) -> Mapping[str, bytes]:
    heads = repo.refs.as_dict(Ref(b"refs/heads"))
    return {name.decode(): sha for name, sha in heads.items()}
