"""Every local branch's position against its upstream, measured with the git graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.upstreams import tracked_upstreams
from core.git.history.ahead_behind import GenerationIndex, ahead_behind_many
from core.git.repository import ref_value
from core.model import BranchStatus


def measure_branches(
    repo: Repo, previous: Sequence[BranchStatus], index: GenerationIndex | None
) -> list[BranchStatus]:
    """Ahead/behind for every local branch; a (head, upstream head) pair already
    measured is reused from `previous`, never recomputed."""
    known = {(b.head, b.upstream_head): (b.ahead, b.behind) for b in previous if b.ahead is not None}
    upstreams = {u.branch: u for u in tracked_upstreams(repo)}
    heads = _local_heads(repo)
    statuses: list[BranchStatus] = []
    todo: list[tuple[int, bytes, bytes]] = []
    for name, head in sorted(heads.items()):
        upstream = upstreams.get(name)
        if upstream is None:
            statuses.append(BranchStatus(name, None, head.decode(), None, None, None))
            continue
        tracking = ref_value(repo, Ref(upstream.tracking_ref.encode()))
        short = upstream.tracking_ref.removeprefix("refs/remotes/")
        if tracking is None:
            statuses.append(BranchStatus(name, short, head.decode(), None, None, None, upstream_gone=True))
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
        counts = ahead_behind_many(repo, [(h, u) for _, h, u in todo], index)
        for (position, _, _), (ahead, behind) in zip(todo, counts, strict=True):
            statuses[position] = replace(statuses[position], ahead=ahead, behind=behind)
    return statuses


def _local_heads(repo: Repo) -> Mapping[str, bytes]:
    heads = repo.refs.as_dict(Ref(b"refs/heads"))
    return {name.decode(): sha for name, sha in heads.items()}
