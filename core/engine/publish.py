"""Publishing a branch the remote does not have yet, as `git push -u` does.

The branch is pushed (never forced: a remote branch of that name that is not an
ancestor rejects it) to the remote and name `push_target.publish_target` picks as
git would, under the repository's sync lock so no sync runs meanwhile. Only once
the remote accepted it is the upstream set, as `git push -u` sets it:
`branch.<name>.remote`, `branch.<name>.merge` and the remote-tracking ref (which
the push moves). Bad input (no such branch or remote, `push.default` saying no)
changes nothing; neither does a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.engine.branch_measure import fresh_repo, refresh_status
from core.engine.core import Core
from core.errors import GitferryError
from core.git.config.push_target import publish_target
from core.git.config.upstreams import set_upstream
from core.git.locks.sync_lock import Holder, acquire_for_action
from core.git.transfer.push import push_branches
from core.model import BranchStatus, RepoRecord
from core.phrase import Phrase, phrase
from core.results import ResultKind

NETWORK_TIMEOUT = 30.0


class PublishRejected(GitferryError):
    result = ResultKind.ERROR

    def __init__(self, branch: str, remote: str, reason: Phrase) -> None:
        super().__init__(
            phrase(
                "publishing {branch} to {remote} was rejected: {reason}; nothing changed",
                branch=branch,
                remote=remote,
                reason=reason,
            )
        )


@dataclass(frozen=True)
class Published:
    repo: str
    branch: str
    remote: str
    upstream: str  # as git shows it: origin/feature
    objects_sent: int
    branches: list[BranchStatus]  # every branch of the repository, measured after it

    def said(self) -> Phrase:
        """What was done, without the repository's name: the history's "Started syncing" line."""
        return phrase(
            "published {branch} to {remote} ({objects} objects); its upstream is {upstream}",
            branch=self.branch,
            remote=self.remote,
            objects=self.objects_sent,
            upstream=self.upstream,
        )

    def line(self) -> str:
        return f"{self.repo}: {self.said().english()}"


async def publish_branch(
    core: Core,
    record: RepoRecord,
    branch: str,
    *,
    remote: str | None = None,
    to_empty: bool = False,
) -> Published:
    """Push `branch` of `record` and set its upstream, for the user who asked (they may
    be asked to sign in); raises `BadInput` (nothing changed), `PublishRejected`,
    `SyncBusy` or a transfer error. `to_empty`: the remote must hold nothing (a start:
    `RemoteNotEmpty` else, nothing sent), so it then holds what was sent and nothing else,
    all a fetch would find: its branches are stamped fetched, as a clone's are (a
    newcomer's trial read "Up to date" above "not fetched yet", last fetched "never")."""
    async with fresh_repo(core, record) as repo:
        target = await core.offload.io(publish_target, repo, branch, remote)
        lock = await core.offload.io(acquire_for_action, repo.commondir(), record.path, Holder.PUBLISH)
        try:
            signer = core.signer(ask=True)
            result = await core.offload.io(
                push_branches,
                repo,
                target.remote,
                [target],
                signer=signer,
                timeout=NETWORK_TIMEOUT,
                only_if_empty=to_empty,
            )
            if branch in result.rejected:
                raise PublishRejected(branch, target.remote, result.rejected[branch])
            await core.offload.io(set_upstream, repo, branch, target.remote, target.merge_ref)
            fetched = [target.remote] if to_empty else []
            # under the lock: no sync measures meanwhile
            branches = await refresh_status(core, record, fetched=fetched)
        finally:
            await core.offload.io_to_the_end(lock.release)
    upstream = target.tracking_ref.removeprefix("refs/remotes/")
    published = Published(record.name, branch, target.remote, upstream, result.objects_sent, branches)
    entry = {"repo": record.name, "result": "ok", "message": published.line(), "pushed": [branch]}
    await core.offload.io(core.journal.append, entry)
    return published
