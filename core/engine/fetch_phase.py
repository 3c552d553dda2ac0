"""The fetch phase of a sync: every remote with tracked branches, one after another.

A remote that fails is recorded in the store's remote health and the sync
goes on with the others; the first failure becomes the sync's result once the
rest is done. Once the job's `TransferStop` was used (a background fetch past
its deadline), the remote in flight fails with `TransferStopped` and the
remotes after it are not tried (nor counted against).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dulwich.repo import Repo

from core.credentials import KeyringUnavailable
from core.engine.core import Core
from core.engine.report import SyncReport
from core.errors import GitferryError
from core.git.config.remote_config import RemoteConfig, list_remotes
from core.git.objects.pack_limits import PackLimits
from core.git.progress import TransferProgress
from core.git.transfer.errors import SignInNeeded
from core.git.transfer.fetch import FetchResult, TrackedBranches, fetch_remote
from core.git.transfer.stop import TransferStop
from core.git.worktree.worktrees import Worktree, branch_uses
from core.remote_url import HttpAuth
from core.settings import RepoSettings

RemoteProgress = Callable[[str, TransferProgress], None]
"""Progress of one remote's transfer: `(remote, progress)`."""


@dataclass
class RemotesFetched:
    """Which remotes one sync's fetch phase reached, and why the others failed (not the
    scheduler's `FetchOutcome`, which is what a background fetch reports upward)."""

    fetched: list[str] = field(default_factory=list)  # remotes that answered
    failures: dict[str, GitferryError] = field(default_factory=dict)
    default_branches: dict[str, str] = field(default_factory=dict)  # remote -> where its HEAD points
    heads_moved: dict[str, str] = field(default_factory=dict)  # remote -> what <remote>/HEAD named
    # Branches whose upstream an answering remote deleted, its tracking ref kept stale (no
    # `fetch.prune`): not pushed and said gone (`gone_notes`), as with the ref pruned.
    stale: list[str] = field(default_factory=list)
    listed: list[RemoteConfig] = field(default_factory=list)  # every remote the git config lists
    worktrees: list[Worktree] = field(default_factory=list)  # the repository's, as the fetch read them
    # remote -> how it was dialled and what it advertised (`advertisement`), for the
    # remotes reached over protocol v0 by `git://` or ssh: a no-change fetch's record
    dialled: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def first_failure(self) -> GitferryError | None:
        return next(iter(self.failures.values()), None)


def tracked_branches(settings: RepoSettings) -> TrackedBranches:
    listed = settings.tracked_list
    if listed is not None:
        return TrackedBranches.named(listed)
    return TrackedBranches.all() if settings.tracked_branches == "all" else TrackedBranches.upstreams()


async def http_auth(core: Core, url: str) -> HttpAuth | None:
    """The keyring's credentials for an HTTP(S) URL; None for other transports, or when
    the keyring cannot give them (a transfer signs in through `Core.signer` instead)."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        return await core.offload.io(core.credentials.get, url)
    except KeyringUnavailable:
        return None


async def fetch_remotes(
    core: Core,
    repo_id: int,
    repo: Repo,
    settings: RepoSettings,
    report: SyncReport,
    *,
    network_timeout: float,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    progress: RemoteProgress | None = None,
    stop: TransferStop | None = None,
    ask: bool = False,
) -> RemotesFetched:
    """Fetch every remote (or those in `only`, less those in `skip`), accounting into
    `report`; each remote's failure lands in `report.failed_remotes`. HTTP(S) remotes
    sign in with the keyring and git's credential helpers, and with `ask` (the user
    started the job) through the client's prompt."""
    outcome = RemotesFetched()
    wanted = None if only is None else set(only)
    skipped = set(skip)
    limits = PackLimits.of(await core.store.app_settings())
    # One hop to the I/O pool: the refs git never fetches into, and the remotes.
    uses, remotes = await core.offload.io(lambda: (branch_uses(repo), list_remotes(repo)))
    held = uses.held_refs()
    outcome.listed, outcome.worktrees = remotes, uses.worktrees
    for remote in remotes:
        if (wanted is not None and remote.name not in wanted) or remote.name in skipped:
            continue
        if stop is not None and stop.requested:
            break
        signer = core.signer(ask=ask)
        try:
            fetched = await core.offload.io(
                fetch_remote,
                repo,
                remote.name,
                tracked=tracked_branches(settings),
                signer=signer,
                progress=None if progress is None else for_remote(progress, remote.name),
                timeout=network_timeout,
                pack_gate=core.offload.pack_gate,
                limits=limits,
                stop=stop,
                held=held,
            )
        except GitferryError as exc:
            if isinstance(exc, SignInNeeded):  # the user's to give: not a failure of the remote
                report.signed_out.append(remote.name)
            else:
                await core.store.remote_health.record(repo_id, remote.name, exc.message)
            outcome.failures[remote.name] = exc
            report.failed_remotes[remote.name] = exc.message
            continue
        finally:
            for note in signer.notes:
                report.note(note)
        await core.store.remote_health.record(repo_id, remote.name, None)
        outcome.fetched.append(remote.name)
        if fetched.default_branch:
            outcome.default_branches[remote.name] = fetched.default_branch
        if fetched.head_was:
            outcome.heads_moved[remote.name] = fetched.head_was
        outcome.stale += fetched.stale
        if fetched.dial is not None and fetched.advertised is not None:
            outcome.dialled[remote.name] = {"dial": fetched.dial, "advertised": fetched.advertised}
        report.answered_remotes.append(remote.name)
        _account(report, fetched)
    return outcome


def for_remote(progress: RemoteProgress, remote: str) -> Callable[[TransferProgress], None]:
    return lambda p: progress(remote, p)


def _account(report: SyncReport, fetched: FetchResult) -> None:
    for ref in sorted(fetched.updated):
        short = ref.removeprefix("refs/remotes/")
        if short not in report.fetched_refs:
            report.fetched_refs.append(short)
    report.objects_received += fetched.objects_received
    for note in fetched.said_notes():
        report.note(note)
    for phase in ("connect", "negotiate", "receive"):
        report.add_time(phase, fetched.timings_ms.get(phase, 0.0))
    report.add_time("receive", fetched.timings_ms.get("index", 0.0) + fetched.timings_ms.get("refs", 0.0))
