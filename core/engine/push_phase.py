"""The push phase of a sync: which branches go out, and to which remote.

A branch is pushed when it is ahead of its upstream and not behind it (only the
checked-out one when `push_all` is off), its upstream is not gone, and its
remote answered the fetch of this sync (`reachable`). It goes where `git push`
sends it: to its upstream, or, when `branch.<name>.pushRemote` or
`remote.pushDefault` names another remote (a fork), to the branch there. With `push_all`, a branch
whose configured upstream the remote never had is published there (`unpublished`). Branches of one remote go
in one push. A push that cannot reach its remote ends the sync; `report.not_pushed` says
so (`not_pushed_line`: the push URL named when it is not the fetch URL), after what the
sync did, and a later fetch says it again while the branches stay ahead (`_Sync`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.fetch_phase import RemoteProgress, for_remote
from core.engine.report import SyncReport
from core.errors import BadInput
from core.git.config.push_target import PushDefaultRefuses, has_head, push_target
from core.git.config.remote_config import UnknownRemote, find_remote
from core.git.config.upstreams import Upstream, tracked_upstreams
from core.git.transfer.errors import RemoteError, RemoteUnreachable
from core.git.transfer.stop import TransferStop
from core.model import BranchStatus
from core.phrase import Phrase, in_turn, phrase


@dataclass
class PushOutcome:
    rejected: dict[str, Phrase] = field(default_factory=dict)  # branch -> reason
    remotes: set[str] = field(default_factory=set)  # remotes that rejected something


def branches_to_push(statuses: Sequence[BranchStatus], current: str | None, *, push_all: bool) -> list[str]:
    """Ahead and not behind; with `push_all`, also a branch whose configured upstream the
    remote never had and that holds commits no remote has (it is published: created)."""
    return [
        s.name
        for s in statuses
        if not s.upstream_gone
        and s.upstream is not None
        and (push_all or s.name == current)
        and (s.pending_push or (push_all and s.unpublished))
    ]


def push_targets(repo: Repo, branches: Sequence[str], report: SyncReport) -> list[tuple[Upstream, Upstream]]:
    """Each of `branches`' upstream and where it goes, as `git push` sends it (`push_target`): its upstream,
    or the branch on git's push remote for it (triangular), unless that already has the
    branch's head. One that git would refuse to push is not pushed (`push_refused`, with
    the reason and the setting that would let it)."""
    found = []
    for upstream in tracked_upstreams(repo):
        if upstream.branch not in branches:
            continue
        try:
            target = push_target(repo, upstream)
        except BadInput as refused:  # its commits stay on no remote, as after `git push`
            fix = [refused.fix] if isinstance(refused, PushDefaultRefuses) else []
            report.push_refused[upstream.branch] = in_turn([refused.phrase, *fix])
            continue
        if has_head(repo, upstream, target):
            continue  # the push remote has it: ahead of its upstream, as a fork's branch stays
        found.append((upstream, target))
    return found


async def push(
    core: Core,
    repo: Repo,
    branches: Sequence[str],
    report: SyncReport,
    *,
    reachable: set[str],
    unreachable: set[str] | frozenset[str] = frozenset(),
    network_timeout: float,
    progress: RemoteProgress | None = None,
    ask: bool = False,
    stop: TransferStop | None = None,
) -> PushOutcome:
    """Push `branches` whose remote is `reachable`, each where `git push` sends it (a
    push remote other than the upstream's when it is not `unreachable`); account into
    `report`. HTTP(S) remotes sign in as the fetch did (`ask`: the prompt may be used)."""
    # the push machinery: only with something to push
    from core.git.transfer.push import push_branches, refused_by

    outcome = PushOutcome()
    by_remote: dict[str, list[Upstream]] = defaultdict(list)
    elsewhere: set[str] = set()  # branches going to a push remote that is not their upstream's
    for upstream, target in await core.offload.io(push_targets, repo, branches, report):
        # A fork that fetches nothing for the sync is reached by the push alone.
        if target.remote in reachable or (target != upstream and target.remote not in unreachable):
            by_remote[target.remote].append(target)
            if target.remote != upstream.remote:
                elsewhere.add(target.branch)
    for remote, upstreams in sorted(by_remote.items()):
        try:
            result = await core.offload.io(
                push_branches,
                repo,
                remote,
                upstreams,
                signer=core.signer(ask=ask),
                progress=None if progress is None else for_remote(progress, remote),
                timeout=network_timeout,
                stop=stop,  # a Cancel or the job's deadline cuts the connection at once
            )
        except RemoteError as failed:
            said = await core.offload.io(not_pushed_line, repo, failed)
            report.not_pushed, report.not_pushed_said = said.english(), said
            raise
        report.pushed.extend(b for b in result.pushed if b not in report.pushed)
        if result.pushed and remote not in report.pushed_remotes:
            report.pushed_remotes.append(remote)
        report.objects_sent += result.objects_sent
        report.lfs_uploaded += result.lfs.uploaded
        report.add_time("push", sum(result.timings_ms.values()))
        for tag, reason in sorted(result.tags_rejected.items()):
            report.note(
                phrase("tag {tag} not pushed to {remote}: {reason}", tag=tag, remote=remote, reason=reason)
            )
        for url, why in result.unreached.items():
            report.note(phrase("not pushed to {remote}'s URL {url}: {why}", remote=remote, url=url, why=why))
        if result.rejected:
            # Where it was refused, when that is not where the branch fetches from.
            for branch, reason in result.rejected.items():
                outcome.rejected[branch] = refused_by(reason, remote) if branch in elsewhere else reason
            outcome.remotes.add(remote)
    return outcome


def not_pushed_line(repo: Repo, failed: RemoteError) -> Phrase:
    """What a push that could not talk to its remote says: "not pushed: " and the error,
    naming the push URL when the remote has one of its own (`remote.<name>.pushurl`)."""
    if isinstance(failed, RemoteUnreachable) and _push_url_of_its_own(repo, failed.remote):
        return phrase(
            "not pushed: {remote}'s push URL is unreachable: {reason}",
            remote=failed.remote,
            reason=failed.reason_said,
        )
    return phrase("not pushed: {error}", error=failed.phrase)


def _push_url_of_its_own(repo: Repo, remote: str) -> bool:
    try:
        return find_remote(repo, remote).push_url is not None
    except UnknownRemote:
        return False
