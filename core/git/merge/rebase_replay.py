"""Replaying local commits onto an upstream, in memory, the way `git rebase` does.

The commits to replay are those reachable from the local head and not from
the upstream, oldest first in topological order (`git rev-list --reverse
--topo-order U..L`). Each is cherry-picked: a three-way merge with its parent
as the base, the new tip as ours and the commit as theirs; it keeps its
author and message and gets a new committer (and a new signature when
`commit.gpgsign` is true, as `git rebase` signs; see `CommitMaker`). A commit whose
patch the upstream already has (cherry-picked or rebased there: `patch_ids`) is
left out before replaying, as `git rebase <upstream>` leaves it out; one whose
change turns out to be upstream anyway (the result equals the tip) is dropped;
one that was empty to begin with is kept; one whose parent is already the tip
is kept as it is. Renames are followed as git's merge follows them
(`merge_tree`).

There is no fork-point (`git rebase` without arguments, `git pull --rebase`):
the upstream's reflog (which Gitferry's fetch writes too) is not used to leave
out commits the upstream once had and dropped by a force push. Those are
replayed, as `git rebase <upstream>` replays them, unless their patch is upstream.
Merge commits are left out, as `git rebase` without `--rebase-merges` does,
which is only safe when they carry nothing of their own: `linearizable`
says whether each one's tree is exactly the clean merge of its parents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heapify, heappop, heappush

from dulwich.objects import Commit, ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.walk import ORDER_TOPO, Walker

from core.git.config.identity import Signature
from core.git.config.merge_config import RenameSettings
from core.git.history.generations import GenerationIndex
from core.git.merge.merge_tree import TreeMerger, merge_commits
from core.git.merge.patch_ids import already_upstream
from core.git.merge.tree_view import TreeView
from core.git.objects.new_commit import CommitMaker
from core.git.objects.object_overlay import ObjectOverlay

_REMOTES = Ref(b"refs/remotes/")


@dataclass(frozen=True)
class Replayed:
    head: ObjectID  # the new tip (the upstream itself when every commit was dropped)
    conflicts: list[str]  # paths of the first commit that did not apply; empty on success
    dropped: int  # commits whose change was already upstream
    applied: int = 0  # commits gone through before the one that did not apply (all on success)


def local_commits(repo: Repo, local: ObjectID, upstream: ObjectID) -> list[Commit]:
    """Commits reachable from `local` and not from `upstream`, oldest first, parents first."""
    walker = Walker(repo.object_store, [local], exclude=[upstream], order=ORDER_TOPO, reverse=True)
    return [entry.commit for entry in walker]


def published(
    repo: Repo, commits: Sequence[Commit], upstream: ObjectID, index: GenerationIndex | None = None
) -> bool:
    """Whether any of `commits` (all outside `upstream`'s history) is on a remote-tracking ref.

    One walk from every remote-tracking tip at once, highest generation first,
    that never goes below the lowest generation among `commits`: a commit
    reaches one of them only if its generation is higher. So the cost follows
    the history between the tips and the local commits, not the number of
    remote branches (a reachability walk per tip, or a date-ordered walk that
    must drain every tip's history, took seconds with 300 branches).
    `index`: the generation index kept for this repository (one is built otherwise).
    """
    ids = {commit.id for commit in commits}
    tips = {sha for sha in repo.refs.as_dict(_REMOTES).values() if sha != upstream}
    if not ids or not tips:
        return False
    if tips & ids:
        return True
    index = GenerationIndex(repo) if index is None else index
    wanted = set(index.update(repo, sorted(ids)))
    generations = index.generations
    floor = min(generations[n] for n in wanted)
    queue = [(-generations[n], n) for n in set(index.update(repo, sorted(tips)))]
    heapify(queue)
    seen = {n for _, n in queue}
    while queue:
        _, number = heappop(queue)
        index.walked += 1
        if number in wanted:
            return True
        for parent in index.parents_of(number):
            if parent not in seen and generations[parent] >= floor:
                seen.add(parent)
                heappush(queue, (-generations[parent], parent))
    return False


def linearizable(repo: Repo, objects: ObjectOverlay, commits: Sequence[Commit]) -> bool:
    """Whether leaving out the merge commits among `commits` loses no content."""
    for commit in commits:
        if len(commit.parents) < 2:
            continue
        if len(commit.parents) > 2:
            return False
        merged = merge_commits(repo, objects, commit.parents[0], commit.parents[1])
        if not merged.clean or merged.tree != commit.tree:
            return False
    return True


def not_upstream(
    repo: Repo, objects: ObjectOverlay, commits: Sequence[Commit], upstream: ObjectID, head: ObjectID
) -> list[Commit]:
    """`commits` (from `local_commits(repo, head, upstream)`) less those whose patch an
    upstream commit has (`git rev-list --cherry-pick --right-only upstream...head`)."""
    skipped = already_upstream(repo, TreeView(objects), commits, upstream, head)
    return [commit for commit in commits if commit.id not in skipped]


def replay(
    objects: ObjectOverlay,
    commits: Sequence[Commit],
    onto: ObjectID,
    maker: CommitMaker,
    *,
    renames: RenameSettings | None = None,
) -> Replayed:
    tip = onto
    dropped = 0
    for applied, commit in enumerate(commits):
        if len(commit.parents) > 1:
            continue
        if commit.parents == [tip]:
            tip = commit.id
            continue
        tip_tree = objects.commit(tip).tree
        base = objects.commit(commit.parents[0]).tree if commit.parents else None
        if base == commit.tree:
            tip = recommit(objects, commit, tip_tree, tip, maker)
            continue
        merged = TreeMerger(objects, renames=renames).merge(base, tip_tree, commit.tree)
        if not merged.clean:
            return Replayed(tip, merged.conflicts, dropped, applied)
        if merged.tree == tip_tree:
            dropped += 1
            continue
        tip = recommit(objects, commit, merged.tree, tip, maker)
    return Replayed(tip, [], dropped, len(commits))


def recommit(
    objects: ObjectOverlay, original: Commit, tree: ObjectID, parent: ObjectID, maker: CommitMaker
) -> ObjectID:
    """`original` replayed as `tree` on `parent`: its author and message, a new committer."""
    author = Signature(original.author, original.author_time, original.author_timezone)
    commit = maker.make(
        tree=tree, parents=[parent], message=original.message, author=author, encoding=original.encoding
    )
    return objects.add(commit)
