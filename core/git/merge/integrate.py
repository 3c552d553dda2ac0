"""Integrating branches with their upstreams (the integrate step of a sync).

The upstream is `branch.<name>.remote` + `branch.<name>.merge` mapped through
the remote's fetch refspecs, never the remote's HEAD. Everything is computed
in memory first (merge tree, replayed commits); only a result without
conflict reaches the repository: one `switch_branch` checks the working tree
against it, then stores its objects, keeps the old head as a backup ref and
moves branch, index and working tree. A conflict, a diverged `ff-only` branch
or local work in the way touches nothing at all (not even the object store).
Merge and rebased commits are signed as they are built when `commit.gpgsign`
says so (`CommitMaker`); a signature that cannot be made (`SigningFailed`)
touches nothing either.

With `keep_both` (auto-commit repositories) a diverged branch whose merge
would conflict is merged anyway, keeping both sides (see `merge_tree`); the
rebase strategy merges that way where the rebase would conflict.

Only the checked-out branch of the worktree being synced moves with its files;
a branch that another worktree uses is never moved (see `worktrees`), and
nothing is integrated while a git command is unfinished in this worktree
(see `git_operation`).

A checked-out branch with no commit yet (a clone of a remote that was empty) whose
upstream now has commits is created at the upstream's head and checked out from
the empty tree, whatever the strategy, as `git pull` does into an unborn branch
(`pull_into_void`): an untracked or staged file in the way stops it, nothing
touched (`WorktreeInTheWay`). With no upstream commit it stays `UnbornBranch`.

The merge and the rebase (`merge_tree`, `rebase_replay`) are imported when a
branch has diverged: a fast-forward, the usual case of a cold `gitferry sync`,
does without them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from dulwich.file import FileLocked
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.upstreams import Upstream, tracked_upstreams, unborn_upstream, upstream_of
from core.git.content.filters import ContentSkipped
from core.git.history.generations import GenerationIndex
from core.git.history.merge_base import fresh_index, merge_bases
from core.git.locks.git_locks import RefLocked, ensure_index_unlocked
from core.git.merge.backup_refs import backup_head
from core.git.objects.object_overlay import ObjectOverlay
from core.git.repository import current_branch, ref_value
from core.git.worktree.checkout import WorktreeInTheWay, switch_branch
from core.git.worktree.git_operation import refuse_in_progress
from core.git.worktree.worktrees import BranchUse, branch_uses
from core.phrase import Phrase, phrase, some
from core.results import ResultKind

if TYPE_CHECKING:  # a fast-forward makes no commit and keeps no copy: these load for a merge or rebase
    from core.git.merge.conflict_copies import ConflictCopy, KeepBoth
    from core.git.objects.new_commit import CommitMaker

Action = Literal["none", "fast_forward", "merge", "rebase"]
_FF_MESSAGE = b"gitferry: fast-forward"


class Strategy(StrEnum):
    MERGE = "merge"
    REBASE = "rebase"
    FF_ONLY = "ff-only"


@dataclass(frozen=True)
class Integration:
    branch: str
    action: Action
    old_head: ObjectID | None
    new_head: ObjectID | None
    copies: list[ConflictCopy] = field(default_factory=list)  # conflicts resolved by keeping both
    skipped: list[ContentSkipped] = field(default_factory=list)  # paths not written as git would
    # The upstream's head integrated: what came in is what it has that old_head had not
    # (new_head may add a merge commit or rebased local commits on top).
    arrived: ObjectID | None = None
    stashed: str | None = None  # the autoStash setting local changes were stashed and re-applied by
    unstaged: bool = False  # among them, changes that were staged (re-applied unstaged, as git's are)


class Conflict(GitferryError):
    """Integrating would conflict at `paths`; branch, index and working tree are untouched."""

    result = ResultKind.CONFLICT

    def __init__(self, branch: str, upstream: str, paths: list[str]) -> None:
        super().__init__(
            phrase(
                "{branch}: integrating {upstream} conflicts in {paths}; nothing was changed",
                branch=branch,
                upstream=upstream,
                paths=some(paths, 5),
            )
        )
        self.branch = branch
        self.upstream = upstream
        self.paths = paths


class Diverged(GitferryError):
    result = ResultKind.DIVERGED

    def __init__(self, branch: str, upstream: str) -> None:
        super().__init__(
            phrase(
                "{branch} and {upstream} have diverged; ff-only leaves {branch} as it is",
                branch=branch,
                upstream=upstream,
            )
        )
        self.branch = branch
        self.upstream = upstream


class UnrelatedHistories(Diverged):
    """The upstream shares no commit with the branch: the remote's history was replaced
    (an orphan branch force-pushed in its place), or a shallow clone's history ends before
    their common commit. `git pull` refuses ("refusing to merge unrelated histories"), and
    so does a sync, whatever the strategy: a merge of the two would be pushed, joining
    two histories nobody meant to join. Nothing was changed."""

    def __init__(self, branch: str, upstream: str, *, shallow: bool) -> None:
        why = (
            " (or this shallow clone's history ends before it: git fetch --unshallow)"
            if shallow
            else " (its history was replaced on the remote?)"
        )
        GitferryError.__init__(
            self,
            f"{branch} and {upstream} have no commit in common{why}: "
            f"refusing to merge unrelated histories, as git pull does; {branch} is left as it is",
        )
        self.branch = branch
        self.upstream = upstream


class BranchInUse(GitferryError):
    """The checked-out branch is also used by another worktree (checked out there with
    `--ignore-other-worktrees`, or rebased there): moving it would move it under that
    worktree's files; nothing was changed."""

    result = ResultKind.DIRTY

    def __init__(self, use: BranchUse) -> None:
        super().__init__(
            phrase("{branch}: not integrated: it is also {use}", branch=use.branch, use=use.said())
        )
        self.branch = use.branch
        self.use = use


@dataclass(frozen=True)
class OthersFastForwarded:
    moved: list[str]
    left_alone: dict[str, Phrase]  # branch -> why: behind, but another worktree uses it


class DetachedHead(GitferryError):
    def __init__(self, said: Phrase | None = None) -> None:
        super().__init__(said or phrase("HEAD is detached: there is no checked-out branch to integrate"))

    @classmethod
    def of(cls, repo: Repo) -> DetachedHead:
        """Said of a submodule's checkout (detached, as `git submodule update` leaves it) as
        that: the superproject moves it, not a sync of its own (SPEC: fetch only, `error`)."""
        from core.git.worktree.submodules import submodule_checkout_said

        return cls(submodule_checkout_said(repo))


class UnbornBranch(GitferryError):
    def __init__(self, branch: str) -> None:
        super().__init__(phrase("branch {branch} has no commit yet: nothing to integrate", branch=branch))
        self.branch = branch


def integrate_current(
    repo: Repo,
    strategy: Strategy,
    *,
    now: float | None = None,
    index: GenerationIndex | None = None,
    keep_both: KeepBoth | None = None,
    no_ff: bool = False,
    stash: Callable[[WorktreeInTheWay], str | None] | None = None,
    deleted: Collection[str] = (),
) -> Integration:
    """Integrate the checked-out branch with its upstream; see the module docstring.

    `index`: the generation index kept for this repository, to find merge bases fast.
    `no_ff`: a branch only behind gets a merge commit, as `git pull` makes one with
    `merge.ff = false` (`pull_merge_message`), instead of a fast-forward.
    `stash`: given local changes in the way, the `autoStash` setting by which git's pull
    would stash them (None: it would not); then they are (`core.git.merge.autostash`).
    Nothing happens while a git command is unfinished in this worktree
    (`OperationInProgress`) or when another worktree uses the branch (`BranchInUse`), nor
    to a branch in `deleted`, whose upstream the remote deleted though its tracking ref
    stays, stale (no `fetch.prune`): `git pull` finds no such ref to merge.
    """
    refuse_in_progress(repo, current_branch(repo))
    branch, local = _checked_out(repo)
    if branch in deleted:
        return Integration(branch, "none", local, local)
    if local is None:
        return _pull_into_void(repo, branch)
    upstream = upstream_of(repo, branch)
    remote = tracking_head(repo, upstream) if upstream is not None else None
    if upstream is None or remote is None or remote == local:
        return Integration(branch, "none", local, local)
    bases = merge_bases(repo, local, remote, index)
    if remote in bases:
        return Integration(branch, "none", local, local)
    if not bases:
        raise UnrelatedHistories(branch, short_name(upstream), shallow=bool(repo.get_shallow()))
    elsewhere = branch_uses(repo).elsewhere(branch)
    if elsewhere is not None:
        raise BranchInUse(elsewhere)
    objects = ObjectOverlay(repo.object_store)
    copies: list[ConflictCopy] = []
    if local in bases and no_ff:
        action: Action = "merge"
        new_head = _no_ff_merge(repo, objects, upstream, local, remote, now)
    elif local in bases:
        action = "fast_forward"
        new_head = remote
    else:
        sides = _Sides(upstream, local, remote, bases, index)
        action, new_head, copies = _diverged(repo, objects, strategy, sides, now, keep_both)
    planned = Planned(branch, action, local, new_head, upstream, remote, objects, copies)
    try:
        return switch_to(repo, planned, now)
    except WorktreeInTheWay as refused:
        setting = stash(refused) if stash is not None else None
        if setting is None:
            raise
        from core.git.merge.autostash import integrate_stashing

        return integrate_stashing(repo, planned, refused, setting, now=now)


@dataclass(frozen=True)
class Planned:
    """An integration computed in memory (`objects` holds what it made), not yet switched to."""

    branch: str
    action: Action
    local: ObjectID
    new_head: ObjectID
    upstream: Upstream
    remote: ObjectID
    objects: ObjectOverlay
    copies: list[ConflictCopy]

    def reflog_message(self, why: str = "") -> bytes:
        return f"gitferry: {self.action.replace('_', '-')} with {short_name(self.upstream)}{why}".encode()

    def integration(self, skipped: list[ContentSkipped]) -> Integration:
        return Integration(
            self.branch, self.action, self.local, self.new_head, self.copies, skipped, self.remote
        )


def switch_to(
    repo: Repo, planned: Planned, now: float | None, *, trees: tuple[ObjectID, ObjectID] | None = None
) -> Integration:
    """Move branch, index and working tree to `planned` (`trees`: between other trees
    than the heads', see `switch_branch`), the old head kept as a backup ref first."""
    ensure_unlocked(repo, [branch_ref(planned.branch)], index=True)
    with translate_locks():
        # The objects and the backup ref are written only once the switch is known to be possible.
        done = switch_branch(
            repo,
            branch_ref(planned.branch),
            planned.local,
            planned.new_head,
            message=planned.reflog_message(" (autostash)" if trees is not None else ""),
            on_checked=lambda: backup_head(repo, planned.branch, planned.local, now=now),
            objects=planned.objects,
            trees=trees,
        )
    return planned.integration(done.skipped)


def fast_forward_others(
    repo: Repo,
    *,
    now: float | None = None,
    index: GenerationIndex | None = None,
    deleted: Collection[str] = (),
) -> OthersFastForwarded:
    """Move every other local branch strictly behind its upstream to it (ref only; not one
    in `deleted`, its upstream's stale ref left by a fetch without `prune`).

    A branch some worktree uses (checked out in another worktree, being rebased
    or bisected anywhere) is left alone, as git refuses to force-update it: it
    is named in `left_alone` with the reason."""
    current = current_branch(repo)
    heads = repo.refs.as_dict(Ref(b"refs/heads/"))
    uses = branch_uses(repo)
    moves, left_alone = [], {}
    index = fresh_index(repo) if index is None else index
    for upstream in tracked_upstreams(repo):
        local = heads.get(Ref(upstream.branch.encode()))
        remote = tracking_head(repo, upstream)
        if upstream.branch in (current, *deleted) or local is None or remote is None or local == remote:
            continue
        if merge_bases(repo, local, remote, index) == [local]:
            use = uses.elsewhere(upstream.branch)
            if use is None:
                moves.append((upstream.branch, local, remote))
            else:
                left_alone[upstream.branch] = use.said()
    ensure_unlocked(repo, [branch_ref(branch) for branch, _old, _new in moves], index=False)
    moved = []
    with translate_locks():
        for branch, old, new in moves:
            backup_head(repo, branch, old, now=now)
            if repo.refs.set_if_equals(branch_ref(branch), old, new, message=_FF_MESSAGE):
                moved.append(branch)
    return OthersFastForwarded(moved, left_alone)


def _pull_into_void(repo: Repo, branch: str) -> Integration:
    """The unborn `branch` created at its upstream's head, checked out from the empty tree
    (git's `pull_into_void`); `UnbornBranch` while the upstream has no commit."""
    upstream = unborn_upstream(repo, branch)
    remote = tracking_head(repo, upstream) if upstream is not None else None
    if upstream is None or remote is None:
        raise UnbornBranch(branch)
    elsewhere = branch_uses(repo).elsewhere(branch)
    if elsewhere is not None:
        raise BranchInUse(elsewhere)
    ensure_unlocked(repo, [branch_ref(branch)], index=True)
    with translate_locks():
        message = f"gitferry: initial pull from {short_name(upstream)}".encode()
        done = switch_branch(repo, branch_ref(branch), None, remote, message=message)
    return Integration(branch, "fast_forward", None, remote, [], done.skipped, remote)


def checked_out(repo: Repo) -> tuple[str, ObjectID]:
    branch, head = _checked_out(repo)
    if head is None:
        raise UnbornBranch(branch)
    return branch, head


def _checked_out(repo: Repo) -> tuple[str, ObjectID | None]:
    """The checked-out branch and its commit (None: it has none yet)."""
    branch = current_branch(repo)
    if branch is None:
        raise DetachedHead.of(repo)
    return branch, ref_value(repo, branch_ref(branch))


def tracking_head(repo: Repo, upstream: Upstream) -> ObjectID | None:
    """The tracking ref's commit; None when it is gone."""
    return ref_value(repo, Ref(upstream.tracking_ref.encode()))


@dataclass(frozen=True)
class _Sides:
    upstream: Upstream
    local: ObjectID
    remote: ObjectID
    bases: list[ObjectID]
    index: GenerationIndex | None  # kept by the engine; None builds one where needed


def _diverged(
    repo: Repo,
    objects: ObjectOverlay,
    strategy: Strategy,
    sides: _Sides,
    now: float | None,
    keep_both: KeepBoth | None,
) -> tuple[Action, ObjectID, list[ConflictCopy]]:
    """The new head for a branch that diverged from its upstream (objects in `objects` only)."""
    if strategy is Strategy.FF_ONLY:
        raise Diverged(sides.upstream.branch, short_name(sides.upstream))
    from core.git.objects.new_commit import CommitMaker

    maker = CommitMaker.for_repo(repo, now)
    if strategy is Strategy.REBASE:
        rebased = _rebase(repo, objects, sides, maker, keep_both)
        if rebased is not None:
            return "rebase", rebased, []
    head, copies = _merge(repo, objects, sides, maker, keep_both)
    return "merge", head, copies


def _rebase(
    repo: Repo, objects: ObjectOverlay, sides: _Sides, maker: CommitMaker, keep_both: KeepBoth | None
) -> ObjectID | None:
    """The rebased head; None where a merge must do instead."""
    from core.git.config.merge_config import rename_settings
    from core.git.merge.rebase_replay import linearizable, local_commits, not_upstream, published, replay

    commits = local_commits(repo, sides.local, sides.remote)
    # Rebase only rewrites unpublished commits, and only when dropping merges loses nothing.
    if published(repo, commits, sides.remote, sides.index) or not linearizable(repo, objects, commits):
        return None
    # Commits the upstream already has under another id are left out, as git rebase does.
    picks = not_upstream(repo, objects, commits, sides.remote, sides.local)
    replayed = replay(objects, picks, sides.remote, maker, renames=rename_settings(repo))
    if replayed.conflicts and keep_both is None:
        raise Conflict(sides.upstream.branch, short_name(sides.upstream), replayed.conflicts)
    return None if replayed.conflicts else replayed.head


def _merge(
    repo: Repo, objects: ObjectOverlay, sides: _Sides, maker: CommitMaker, keep_both: KeepBoth | None
) -> tuple[ObjectID, list[ConflictCopy]]:
    from core.git.merge.merge_tree import merge_commits

    merged = merge_commits(repo, objects, sides.local, sides.remote, sides.bases, keep_both=keep_both)
    if not merged.clean:
        raise Conflict(sides.upstream.branch, short_name(sides.upstream), merged.conflicts)
    message = merge_message(sides.upstream, merged.copies, pull_url(repo, sides.upstream.remote))
    commit = maker.make(tree=merged.tree, parents=[sides.local, sides.remote], message=message)
    return objects.add(commit), merged.copies


def _no_ff_merge(
    repo: Repo,
    objects: ObjectOverlay,
    upstream: Upstream,
    local: ObjectID,
    remote: ObjectID,
    now: float | None,
) -> ObjectID:
    """A merge commit of `local` and `remote` holding `remote`'s tree (`local` is behind it)."""
    from core.git.objects.new_commit import CommitMaker

    tree = objects[remote].tree  # type: ignore[attr-defined]
    message = pull_merge_message(upstream, pull_url(repo, upstream.remote))
    commit = CommitMaker.for_repo(repo, now).make(tree=tree, parents=[local, remote], message=message)
    return objects.add(commit)


def pull_url(repo: Repo, remote: str) -> str | None:
    """The URL `git pull` fetches `remote` from (`insteadOf` applied); None for no remote."""
    from core.git.config.remote_config import UnknownRemote
    from core.git.config.url_rewrite import remote_rewrite

    try:
        return remote_rewrite(repo, remote).effective
    except UnknownRemote:
        return None


def pull_merge_message(upstream: Upstream, url: str | None) -> bytes:
    """`git pull`'s merge message: `Merge branch 'main' of <url>`, the URL as git's fetch
    writes it in FETCH_HEAD (no user information, no trailing `/` or `.git`)."""
    ref = upstream.merge_ref
    for prefix, kind in (("refs/heads/", "branch "), ("refs/tags/", "tag ")):
        if ref.startswith(prefix):
            what = f"{kind}'{ref.removeprefix(prefix)}'"
            break
    else:
        what = f"'{ref}'"
    if url is None:
        return f"Merge {what}\n".encode()
    return f"Merge {what} of {_fetch_head_url(url)}\n".encode()


def _fetch_head_url(url: str) -> str:
    """git's `transport_anonymize_url`, then fetch.c's trimming of `/` and `.git`."""
    scheme, sep, rest = url.partition("://")
    at = rest.find("@") if sep else url.find("@")
    if at != -1:
        if sep and "/" not in rest[:at]:
            url = f"{scheme}://{rest[at + 1 :]}"
        elif not sep and ":" in url[at + 1 :] and "/" not in url[:at]:
            url = url[at + 1 :]
    url = url.rstrip("/")
    return url[:-4] if url.endswith(".git") and len(url) > 5 else url


def merge_message(upstream: Upstream, copies: list[ConflictCopy], url: str | None) -> bytes:
    """A diverged branch's merge commit message: `git pull`'s (`pull_merge_message`), then the
    conflicting changes whose sides were both kept."""
    lines = [pull_merge_message(upstream, url).decode().rstrip("\n")]
    if copies:
        lines += ["", "Kept both sides of conflicting changes:"]
        for kept in copies:
            kept_as = f"-> {kept.copy}" if kept.copy else "(modified on one side, deleted on the other)"
            lines.append(f"  {kept.path} {kept_as}")
    return ("\n".join(lines) + "\n").encode()


def short_name(upstream: Upstream) -> str:
    return f"{upstream.remote}/{upstream.merge_ref.removeprefix('refs/heads/')}"


def branch_ref(branch: str) -> Ref:
    return Ref(f"refs/heads/{branch}".encode())


def ensure_unlocked(repo: Repo, refs: list[Ref], *, index: bool) -> None:
    """Raise `RefLocked` (`IndexLocked`) before moving anything when git holds a lock we
    would need. Branches live in the common dir, the index in the worktree's own git dir."""
    names = [ref.decode() + ".lock" for ref in refs] + ["packed-refs.lock"] * bool(refs)
    for path in (os.path.join(repo.commondir(), name) for name in names):
        if os.path.exists(path):
            raise RefLocked(path)
    if index:
        ensure_index_unlocked(repo)


@contextmanager
def translate_locks() -> Iterator[None]:
    try:
        yield
    except FileLocked as exc:
        name = exc.filename.decode(errors="replace") if isinstance(exc.filename, bytes) else exc.filename
        raise RefLocked(name) from None
