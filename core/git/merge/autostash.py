"""Integrating over local changes in the way, as `git pull` does with `rebase.autoStash`
(a rebasing pull) or `merge.autoStash` (any other).

git stashes every change to a tracked file (`git stash create autostash`: an index
commit and a working-tree commit; untracked files stay where they are), resets,
integrates, then re-applies the stash with `git stash apply` (no `--index`: what was
staged comes back unstaged, but for new files, which stay added); a re-apply that
conflicts writes conflict markers and leaves the stash in `git stash list`. Gitferry
makes the same two commits the way git does and keeps them in `refs/stash` (with the
reflog entry `autostash`) while it works, so that `git stash list`, `show -p` and `pop`
reach them if anything stops midway. The re-apply (a three-way merge of the stash onto
the new head, its base the old head) is computed in memory first: if it would conflict,
nothing is changed at all and the sync stops `dirty` naming the paths, as an
integration's own conflict changes nothing (no markers are written into the user's
files). Else the index takes the working tree's changes (the stash's tree), one switch
moves branch, index and working tree from that tree to the re-applied one, the index
is put back to the new head but for new files, and the stash entry is dropped, as git's
successful re-apply leaves none.
"""

from __future__ import annotations

import os
from dataclasses import replace

from dulwich.index import ConflictedIndexEntry, IndexEntry
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.stash import Stash

from core.git.config.merge_config import rename_settings
from core.git.index.locked import LockedIndex
from core.git.merge.integrate import (
    Integration,
    Planned,
    branch_ref,
    ensure_unlocked,
    switch_to,
    translate_locks,
)
from core.git.merge.merge_tree import TreeMerger
from core.git.objects.commit_read import commit_tree
from core.git.objects.new_commit import CommitMaker
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.tree_delta import tree_delta
from core.git.repository import ref_value
from core.git.worktree.autocommit import stage_tracked, write_index_tree
from core.git.worktree.checkout import WorktreeInTheWay
from core.git.worktree.write import stale_entry
from core.phrase import phrase

STASH_REF = Ref(b"refs/stash")


def integrate_stashing(
    repo: Repo, planned: Planned, refused: WorktreeInTheWay, setting: str, *, now: float | None = None
) -> Integration:
    """The switch to `planned` that local changes `refused`, with them stashed and
    re-applied as `setting` (`rebase.autoStash=true`) has `git pull` do; see the module
    docstring. Raises `refused` again, nothing changed, where git's stash would not help
    either (an untracked file in the way), and says so where the changes cannot be
    stashed here (unmerged index entries, a file whose conversion Gitferry cannot run or
    that cannot be read)."""
    ensure_unlocked(repo, [branch_ref(planned.branch)], index=True)
    head_tree = commit_tree(repo.object_store, planned.local)
    new_tree = planned.objects.commit(planned.new_head).tree
    with LockedIndex(repo) as locked:
        before = dict(locked.index.items())
        if refused.untracked:
            raise refused
        unstashable = phrase(
            "{setting} is set, but Gitferry cannot stash them: commit or stash your changes, then sync",
            setting=setting,
        )
        if any(isinstance(entry, ConflictedIndexEntry) for entry in before.values()):
            raise WorktreeInTheWay(refused.dirty, [], unstashable)
        index_tree = write_index_tree(repo.object_store, locked.index)
        staged = stage_tracked(repo, locked.index)
        if staged.skipped or staged.retry_later:
            raise WorktreeInTheWay(refused.dirty, [], unstashable)
        work_tree = write_index_tree(repo.object_store, locked.index)
        merged = TreeMerger(planned.objects, renames=rename_settings(repo)).merge(
            head_tree, new_tree, work_tree
        )
        if not merged.clean:
            note = phrase(
                "{setting} is set, but your changes would conflict with the upstream's once re-applied "
                "(git pull would leave them in git stash list): commit them, then sync",
                setting=setting,
            )
            raise WorktreeInTheWay(sorted(merged.conflicts), [], note)
        stash = _stash(repo, planned, index_tree, work_tree, now)
        locked.commit()
    try:
        done = switch_to(repo, planned, now, trees=(work_tree, merged.tree))
    except BaseException:
        _restore_index(repo, before, staged.paths)
        _drop(repo, stash)
        raise
    _unstage(repo, planned.objects, new_tree, merged.tree)
    _drop(repo, stash)
    return replace(done, stashed=setting, unstaged=index_tree != head_tree)


def _stash(
    repo: Repo, planned: Planned, index_tree: ObjectID, work_tree: ObjectID, now: float | None
) -> ObjectID:
    """`git stash create autostash` then `git stash store -m autostash`: the index commit
    (`index on main: 1a2b3c4 subject`), the working tree's (`On main: autostash`, parents
    the head and the index commit), `refs/stash` moved to it with its reflog entry."""
    maker = replace(CommitMaker.for_repo(repo, now), signing=None)  # git's stash never signs
    head = repo.object_store[planned.local]
    subject = head.message.split(b"\n", 1)[0]  # type: ignore[attr-defined]
    said = f"index on {planned.branch}: {planned.local.decode()[:7]} ".encode() + subject + b"\n"
    on_index = maker.make(tree=index_tree, parents=[planned.local], message=said)
    repo.object_store.add_object(on_index)
    message = f"On {planned.branch}: autostash\n".encode()
    stash = maker.make(tree=work_tree, parents=[planned.local, on_index.id], message=message)
    repo.object_store.add_object(stash)
    with translate_locks():
        repo.refs.set_if_equals(STASH_REF, ref_value(repo, STASH_REF), stash.id, message=b"autostash")
    return stash.id


def _unstage(repo: Repo, objects: ObjectOverlay, new_tree: ObjectID, merged_tree: ObjectID) -> None:
    """The index as `git stash apply` leaves it: the new head's entries where the re-applied
    changes differ from it (unstaged), but for new files, which stay added."""
    with LockedIndex(repo) as locked:
        for change in tree_delta(objects, new_tree, merged_tree):
            if change.old is not None:
                locked.index[change.path] = stale_entry(change.old)
        locked.commit()


def _restore_index(
    repo: Repo, before: dict[bytes, IndexEntry | ConflictedIndexEntry], paths: list[str]
) -> None:
    """The stashed paths' index entries as they were (the switch put the files back)."""
    with LockedIndex(repo) as locked:
        for path in map(os.fsencode, paths):
            entry = before.get(path)
            if entry is not None:
                locked.index[path] = entry
            elif path in locked.index:
                del locked.index[path]
        locked.commit()


def _drop(repo: Repo, stash: ObjectID) -> None:
    """`git stash drop` of the entry made here, while it is still the top one."""
    if ref_value(repo, STASH_REF) == stash:
        Stash(repo).drop(0)
