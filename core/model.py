"""The core's data types: what the status store hands out and the GUI shows.

Frozen values, never live ORM rows; every layer may import them (the git adapter
fills `BranchStatus`, the store keeps them, events carry them, the GUI shows them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

from core.repo_state import RepoState as RepoState  # named here for every layer
from core.repo_state import utcnow as utcnow

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any

    from core.phrase import Phrase


@dataclass(frozen=True)
class RepoRecord:
    """A registered repository as the store keeps it: where it is and how its last sync ended."""

    id: int
    name: str
    path: str
    state: str = "idle"
    last_sync: datetime | None = None
    last_result: str | None = None
    last_message: str | None = None
    # The git command left unfinished that the last sync stopped on (`core.results.Unfinished`).
    last_unfinished: str | None = None
    # `last_message` as its templates and fields (`core.phrase.to_json`; None: English only).
    last_said: str | None = None


@dataclass(frozen=True)
class RemoteRecord:
    """A remote of a repository as the store keeps it."""

    name: str
    fetch_url: str
    push_url: str | None = None
    # A remote's further `url` and `pushurl` values (git fetches from the first `url` and
    # pushes to each `pushurl`, else to each `url`), read from git's config, never stored.
    more_urls: tuple[str, ...] = ()
    more_push_urls: tuple[str, ...] = ()

    @property
    def pushed_to(self) -> tuple[str, ...]:
        """Every URL `git push` sends to, as configured (secrets left out)."""
        if self.push_url is not None:
            return (self.push_url, *self.more_push_urls)
        return (self.fetch_url, *self.more_urls)


@dataclass(frozen=True)
class RemoteAccess:
    """How a remote is reached, as the settings show it: where a fetch and a push connect
    after git's `url.<base>.insteadOf` rewrites (None: as configured), and where its
    credential comes from (`credential`, one line, never the secret)."""

    name: str
    fetch_url: str
    credential: Phrase  # said in the app's language (gui/models/engine_words.py); `.english()`
    effective_fetch_url: str | None = None
    effective_push_url: str | None = None


@dataclass(frozen=True)
class ConnectionCheck:
    """What "Test connection" found: the remote answered with `refs` refs at `url`
    (after rewrites), signed in as `credential` says."""

    remote: str
    url: str
    refs: int
    credential: Phrase


@dataclass(frozen=True)
class BranchStatus:
    """A branch's measure: its upstream, both heads and how far ahead and behind."""

    name: str
    upstream: str | None
    head: str | None
    upstream_head: str | None
    ahead: int | None
    behind: int | None
    last_fetch: datetime | None = None
    upstream_gone: bool = False
    gone_since: datetime | None = None
    # Commits of the branch no remote-tracking ref reaches, when it has no upstream on a
    # remote: none configured, or one the remote never had (not `upstream_gone`: one the
    # remote deleted). Nonzero: the branch is `unpublished`, its work is on no remote.
    unpublished: int = 0
    # Whether it is this worktree's HEAD; None: not measured since the store learnt to
    # keep it (a row from before: read as checked out, so nothing a sync does is hidden).
    checked_out: bool | None = None
    # Another worktree's folder (`git worktree add`) that uses the branch, and how
    # (`worktree_use`: "checked out", "being rebased", "being bisected from", "to be
    # moved by a rebase"): git, and so a sync, never moves it from here.
    worktree: str | None = None
    worktree_use: str | None = None
    # Its push remote is not its upstream's (triangular: `branch.<name>.pushRemote` or
    # `remote.pushDefault` names a fork) and already has its head: ahead of its upstream,
    # as `git status` says, with nothing to push (`pending_push`).
    pushed: bool = False

    @property
    def pending_push(self) -> bool:
        """Ahead of its upstream and not behind, with something to push: not when its push
        remote (a fork) has its head already. The one judgement of "ahead" as work to sync."""
        return bool(self.ahead) and not self.behind and not self.pushed

    @property
    def lags(self) -> bool:
        """Behind its upstream, or ahead with something to push: not up to date, whether a
        sync moves it or not (SPEC: never "up to date" then). Not a branch whose upstream is
        gone, one unpublished or one not measured: those are said otherwise."""
        tracked = self.upstream is not None and not self.upstream_gone and not self.unpublished
        measured = self.ahead is not None and self.behind is not None
        return tracked and measured and (bool(self.behind) or self.pending_push)

    @property
    def state(self) -> str:
        """'gone' | 'unpublished' | 'local' (no upstream, nothing unpublished) |
        'tracking' (an upstream on a remote)."""
        if self.upstream_gone:
            return "gone"
        if self.unpublished:
            return "unpublished"
        return "local" if self.upstream_head is None else "tracking"


CHECKED_OUT_USE = "checked out"  # `BranchStatus.worktree_use` of a branch another worktree's HEAD names


@dataclass(frozen=True)
class SyncReach:
    """Which branches besides the checked-out one a sync moves, by the repository's
    settings: it fast-forwards (the ref only) those strictly behind their upstream when
    `fast_forward_all` is on, and pushes those ahead and not behind when `push_all` is on.
    The checked-out branch it always integrates and pushes."""

    fast_forward_all: bool = False
    push_all: bool = True

    def leaves(self, branch: BranchStatus) -> bool:
        """Whether a sync leaves `branch` behind or ahead of its upstream as it is: not
        checked out, and only behind (`fast_forward_all` off, or another worktree uses it:
        git never moves it from here) or only ahead (`push_all` off, or a rebase or bisect
        in another worktree holds it). A diverged branch that is not checked out no sync
        integrates either, but it is worth a look, not a settled state: not counted here."""
        if branch.checked_out is not False or (branch.ahead and branch.behind):
            return False
        if branch.behind:
            return not self.fast_forward_all or branch.worktree is not None
        held = branch.worktree is not None and branch.worktree_use != CHECKED_OUT_USE
        return bool(branch.ahead) and (not self.push_all or held)


DEFAULT_REACH = SyncReach()  # a repository's with the default settings


def lag_said(branch: BranchStatus) -> Phrase | None:
    """'main: 2 behind', 'main: 1 ahead, 2 behind' (diverged): a branch not level with its
    upstream (`BranchStatus.lags`); None when it is. The app's row and header and a sync's
    line say it in these words (`left_alone_said` for one the sync leaves as it is)."""
    from core.phrase import phrase  # not for a cold `status`, which says no branch this way

    if not branch.lags:
        return None
    name, ahead, behind = branch.name, branch.ahead or 0, branch.behind or 0
    if ahead and behind:
        return phrase("{branch}: {ahead} ahead, {behind} behind", branch=name, ahead=ahead, behind=behind)
    if ahead:
        return phrase("{branch}: %n ahead", ahead, branch=name)
    return phrase("{branch}: %n behind", behind, branch=name)


def left_alone_said(branch: BranchStatus) -> Phrase:
    """'drafts: 1 behind, not checked out': a branch a sync leaves as it is
    (`SyncReach.leaves`); one another worktree uses names it ('drafts: 1 behind, checked
    out in /home/a/drafts'). As `gitferry status` and the window say it, never "up to date"."""
    from core.phrase import phrase  # not for a cold `status`, which says no branch this way

    behind, ahead, name, path = branch.behind or 0, branch.ahead or 0, branch.name, branch.worktree or ""
    if branch.worktree is None:
        if behind:
            return phrase("{branch}: %n behind, not checked out", behind, branch=name)
        return phrase("{branch}: %n ahead, not checked out", ahead, branch=name)
    if branch.worktree_use == CHECKED_OUT_USE:
        if behind:
            said = phrase("{branch}: %n behind, checked out in {path}", behind, branch=name, path=path)
        else:
            said = phrase("{branch}: %n ahead, checked out in {path}", ahead, branch=name, path=path)
    elif behind:
        said = phrase(
            "{branch}: %n behind, held by a rebase or bisect in {path}", behind, branch=name, path=path
        )
    else:
        said = phrase(
            "{branch}: %n ahead, held by a rebase or bisect in {path}", ahead, branch=name, path=path
        )
    return in_worktree_said(said, path)


def own_worktree(branch: BranchStatus, path: str) -> bool:
    """Whether the worktree that holds `branch` (`BranchStatus.worktree`) is the repository's
    own, at `path`: a rebase or bisect stopped there, not in another worktree."""
    return branch.worktree is not None and os.path.realpath(branch.worktree) == os.path.realpath(path)


def held_here_said(use: str | None) -> Phrase:
    """A branch a git command left unfinished in the repository's own worktree holds
    (`worktree_use`), as README's git-state table says it: not "being rebased in the worktree
    at <this same folder>", which read as if another worktree held it (a CLI trial)."""
    from core.phrase import phrase  # not for a cold `status` of no such branch

    if use == "being bisected from":
        return phrase("a bisect is in progress: finish or abort it with git")
    if use == "to be moved by a rebase":
        return phrase("a rebase in progress will move it: finish or abort it with git")
    return phrase("a rebase is in progress: finish or abort it with git")


def in_worktree_said(said: Phrase, path: str) -> Phrase:
    """`said` of a branch another worktree at `path` uses, with how to free the branch when
    that worktree's folder was deleted but not pruned: the one wording of the engine's
    messages, a sync's line, `gitferry status` and the window."""
    from core.phrase import phrase  # not for a cold `status` of no such branch

    if os.path.isdir(path):
        return said
    return phrase("{said} (folder deleted: `git worktree prune` releases it)", said=said)


@dataclass(frozen=True)
class SyncRun:
    """One run of a sync job as the store records it, from request to result."""

    id: int
    repo_id: int
    kind: str
    state: str
    result: str | None
    message: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    details: dict[str, Any] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    said: str | None = None  # `message` as its templates and fields (`core.phrase.to_json`)


@dataclass(frozen=True)
class ConflictRecord:
    """A conflicted path on a branch and since when it has been."""

    branch: str
    path: str
    since: datetime


@dataclass(frozen=True)
class SubmoduleStatus:
    """A submodule as `git submodule status` shows it: the commit the superproject records,
    the one checked out in its directory (None: not checked out), and `state`:
    'ok' | 'modified' (another commit checked out) | 'changed' (at the recorded commit,
    with local changes inside) | 'uninitialised'."""

    path: str
    recorded: str
    checked_out: str | None
    state: str


# Skipped files' reasons that a checkout keeps, not the auto-commit: their row goes once
# the file holds its content (core/engine/lfs_phase.py); a Retry leaves them.
CHECKOUT_REASONS = frozenset({"lfs_missing"})


@dataclass(frozen=True)
class SkippedFile:
    """A file a sync left out, why, and how often it has."""

    path: str
    # 'too_large' | 'unreadable' | 'failing' | 'safecrlf' (auto-commit) | 'lfs_missing' (checkout)
    # | 'unsupported_filter' (both: a conversion Gitferry does not run)
    # | 'nested_repository' (auto-commit: an untracked folder that is a git repository itself)
    reason: str
    size: int | None
    failures: int
    first_seen: datetime
    last_seen: datetime
    retry_after: datetime | None = None
