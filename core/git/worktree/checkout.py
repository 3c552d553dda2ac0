"""Moving the checked-out branch, its index and its working tree to another commit.

The primitive under every integration (fast-forward, merge, rebase). Only
paths that differ between the two commits' trees are touched; every other
index entry and file (staged or not) stays exactly as it is. Before anything
is touched, every name is checked for safety and every touched path for
local work in the way; either problem raises and leaves the repository as it
was. A new commit still in memory (an integration's or a resolution's
`ObjectOverlay`, passed as `objects`) is checked from there and stored only
once the checks passed: a refused switch writes no object, so trying again
later leaves no dangling commit behind. Then, under `index.lock`:

1. the intent file `.git/gitferry/switch.json` is written;
2. files are removed and written (see worktree_write), index entries updated;
3. the branch is moved with a compare-and-swap (a branch moved meanwhile
   rolls the files back and raises BranchMoved);
4. the index is renamed into place and the intent removed.

Files are written as git's checkout writes them (their attributes' conversions);
paths Gitferry cannot convert are left as they are and returned as skipped.

A branch with no commit yet (`old_head` None) is checked out from the empty tree, as
`git pull` checks out its first upstream commit (`pull_into_void`): only the
upstream's paths are touched, an untracked file or a staged one in the way stops it,
and the branch is created only if it still does not exist.

The index is committed after the ref so that a lost race for the ref is
undone while the index lock is still held. A process killed between 1 and 4
leaves the intent, and `resume_interrupted_switch` finishes the switch.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dulwich.file import FileLocked
from dulwich.index import ConflictedIndexEntry, Index, IndexEntry
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.content.filters import ContentSkipped
from core.git.index.indexed_trees import IndexedTrees
from core.git.index.locked import LockedIndex
from core.git.index.read import open_index, read_index_file
from core.git.index.serialize import no_gc
from core.git.locks.git_locks import IndexLocked, RefLocked
from core.git.objects.commit_read import commit_tree
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.path_safety import UnsafePath
from core.git.objects.tree_delta import tree_delta
from core.git.packed_refs import fill_packed_refs
from core.git.repository import ref_value
from core.git.worktree.state import (
    index_entry_at,
    lstat_or_none,
    skips_worktree,
    unchanged_by_stat,
    worktree_options,
)
from core.git.worktree.switch_check import SwitchPlan, WorktreeInTheWay, plan_switch
from core.git.worktree.switch_intent import SwitchIntent, read_intent, remove_intent, write_intent
from core.git.worktree.write import WorktreeWriter, roll
from core.phrase import phrase

__all__ = [
    "BranchMoved",
    "IndexLocked",
    "NotCheckedOut",
    "RefLocked",
    "SwitchDone",
    "SwitchPending",
    "UnsafePath",
    "WorktreeInTheWay",
    "check_switch",
    "resume_interrupted_switch",
    "switch_branch",
]


@dataclass(frozen=True)
class SwitchDone:
    """What a switch could not write as git would (listed as skipped, with the reason)."""

    skipped: list[ContentSkipped] = field(default_factory=list)


class BranchMoved(GitferryError):
    """The branch was not (or no longer) at the commit the switch started from."""

    def __init__(self, ref: Ref, expected: ObjectID | None, actual: ObjectID | None) -> None:
        nothing = phrase("nothing")
        now = actual.decode()[:12] if actual else nothing
        was = expected.decode()[:12] if expected else nothing
        super().__init__(
            phrase(
                "{ref} moved to {now} (expected {was}) by someone else; nothing changed",
                ref=ref.decode(),
                now=now,
                was=was,
            )
        )
        self.ref = ref
        self.expected = expected
        self.actual = actual


class NotCheckedOut(GitferryError):
    def __init__(self, ref: Ref) -> None:
        super().__init__(phrase("{ref} is not the checked-out branch", ref=ref.decode()))
        self.ref = ref


class SwitchPending(GitferryError):
    """An interrupted switch must be resumed before another one starts."""

    def __init__(self, path: str) -> None:
        super().__init__(phrase("{path}: an interrupted switch has not been finished yet", path=path))
        self.path = path


def check_switch(repo: Repo, from_tree: ObjectID, to_tree: ObjectID) -> None:
    """Raise WorktreeInTheWay / UnsafePath if switching would touch local work; touch nothing."""
    if repo.has_index():
        read = read_index_file(repo)
        index, known = read.index, IndexedTrees.of(read)
    else:
        index, known = Index(repo.index_path(), read=False), None
    changes = tree_delta(repo.object_store, from_tree, to_tree, known=known)
    plan_switch(index, changes, worktree_options(repo, repo.index_path(), index)).raise_if_blocked()


def switch_branch(
    repo: Repo,
    branch_ref: Ref,
    old_head: ObjectID | None,
    new_head: ObjectID,
    *,
    message: bytes | None = None,
    on_checked: Callable[[], None] | None = None,
    objects: ObjectOverlay | None = None,
    trees: tuple[ObjectID, ObjectID] | None = None,
) -> SwitchDone:
    """Move checked-out `branch_ref` from old_head to new_head with index and working tree
    (`branch_ref` `HEAD`: a detached HEAD, as a submodule's); `old_head` None: the
    branch has no commit yet, and is created at new_head.

    Checks first (nothing touched on error). Crash-safe: writes an intent file under
    .git/gitferry/ before touching files, removes it after the ref moved.
    `on_checked` runs under the index lock once every check passed, before any file
    is touched (an integration keeps its backup ref there); if it raises, nothing is.
    `objects`: where new_head was made; what it reaches is stored once the checks passed
    (before `on_checked`), what it does not reach never is.
    `trees`: the trees index and working tree move from and to, where they are not the
    heads' (an autostash: from the stashed working tree to it re-applied on new_head).

    The cyclic collector is paused for the call (`no_gc`) and resumes once its objects
    are gone: a switch makes tens of thousands of index and tree entries, none in a
    cycle, and a collection while they live scans them all for nothing.
    """
    with no_gc():
        return _switch_branch(
            repo,
            branch_ref,
            old_head,
            new_head,
            message=message,
            on_checked=on_checked,
            objects=objects,
            trees=trees,
        )


def _switch_branch(
    repo: Repo,
    branch_ref: Ref,
    old_head: ObjectID | None,
    new_head: ObjectID,
    *,
    message: bytes | None,
    on_checked: Callable[[], None] | None,
    objects: ObjectOverlay | None,
    trees: tuple[ObjectID, ObjectID] | None = None,
) -> SwitchDone:
    fill_packed_refs(repo.refs)  # read below (a packed branch, the ref move's check): in one pass
    _ensure_checked_out(repo, branch_ref)
    if read_intent(repo) is not None:
        raise SwitchPending(repo.path)
    actual = ref_value(repo, branch_ref)
    if actual != old_head:
        raise BranchMoved(branch_ref, old_head, actual)
    if old_head == new_head:
        return SwitchDone()
    message = message or b"gitferry: update to " + new_head
    source = objects if objects is not None else repo.object_store
    from_tree: ObjectID | None
    if trees is not None:
        from_tree, to_tree = trees
    else:
        from_tree = commit_tree(source, old_head) if old_head is not None else None
        to_tree = commit_tree(source, new_head)
    with LockedIndex(repo) as locked:
        new_dirs: dict[bytes, ObjectID] = {}
        changes = tree_delta(source, from_tree, to_tree, known=locked.indexed_trees(), new_dirs=new_dirs)
        opts = worktree_options(repo, repo.index_path(), locked.index, objects=objects)
        plan = plan_switch(locked.index, changes, opts)
        plan.raise_if_blocked()
        if objects is not None:
            objects.write(only_from=new_head, and_from=to_tree)
        if on_checked is not None:
            on_checked()
        intent = SwitchIntent.create(
            branch_ref,
            old_head,
            new_head,
            from_tree,
            to_tree,
            keep=plan.in_place,
            skip_worktree=plan.skip_worktree,
            message=message,
        )
        write_intent(repo, intent)
        writer = WorktreeWriter(repo.object_store, opts, plan.seen, racy_from_ns=locked.taken_ns)
        _apply(repo, locked, writer, intent, new_head, plan, message, new_dirs)
    remove_intent(repo)
    _log_head(repo, old_head, new_head, message)
    return SwitchDone(_skipped(writer, plan))


def left_unconverted(repo: Repo, paths: Iterable[str]) -> list[str]:
    """Which of `paths`, once left as they were by a switch (their conversion not run),
    still are: the file is not the one its index entry was made from (or, its entry
    gone, the file is still there). A path git has since checked out is not."""
    index = open_index(repo) if repo.has_index() else Index(repo.index_path(), read=False)
    opts = worktree_options(repo, repo.index_path(), index)
    still = []
    for path in paths:
        raw = os.fsencode(path)
        st = lstat_or_none(opts.full(raw))
        entry = index_entry_at(index, raw)
        if isinstance(entry, IndexEntry):
            if st is None or not unchanged_by_stat(st, entry, opts):
                still.append(path)
        elif entry is None and st is not None:
            still.append(path)
    return still


def _skipped(writer: WorktreeWriter, plan: SwitchPlan) -> list[ContentSkipped]:
    """The paths left unconverted by the plan, and those the writer could not convert."""
    skipped = dict(writer.skipped)
    content, smudge = writer.opts.content, writer.smudge
    if content is not None and smudge is not None:
        for change in plan.changes:
            if change.path in plan.unconverted:
                conversion = smudge.to_worktree(change.path) if change.new else content.to_index(change.path)
                skipped.setdefault(change.path, conversion.skipped())
    return [skipped[path] for path in sorted(skipped)]


def _apply(
    repo: Repo,
    locked: LockedIndex,
    writer: WorktreeWriter,
    intent: SwitchIntent,
    new_head: ObjectID,
    plan: SwitchPlan,
    message: bytes,
    new_dirs: dict[bytes, ObjectID],
) -> None:
    """Files, then the ref, then the index (its cache-tree valid again for the new commit's
    directories `new_dirs` where the entries are exactly its trees). A failure before the
    ref moved is rolled back; one after it leaves the intent for `resume_interrupted_switch`
    to finish."""
    branch_ref, old_head = intent.ids()[:2]
    before = _entries_at(locked.index, (c.path for c in plan.changes))
    try:
        roll(
            writer,
            locked.index,
            plan.changes,
            trusted=True,
            keep=plan.in_place,
            skip_worktree=plan.skip_worktree,
            checked=plan.content,
        )
        moved = _move_ref(repo, branch_ref, old_head, new_head, message)
    except BaseException:
        if ref_value(repo, branch_ref) != new_head:
            _roll_back(repo, locked, writer, intent, plan, before)
        raise
    if not moved:
        _roll_back(repo, locked, writer, intent, plan, before)
        raise BranchMoved(branch_ref, old_head, ref_value(repo, branch_ref))
    locked.commit(keep_resolve_undo=False, trees=new_dirs)  # as git's checkout ends


def resume_interrupted_switch(repo: Repo) -> bool:
    """Roll an interrupted switch (intent file present) forward; True if there was one.

    A path holding the old or the new content gets the new; any other content
    is someone's later work: the file stays, its index entry moves, so git
    shows it as modified. If the branch is at neither head, someone else moved
    it since (or another branch is checked out now): the files are left alone
    and the record dropped. The branch moves with the reflog message the switch
    gave it, as it would have had the switch not been interrupted.
    """
    intent = read_intent(repo)
    if intent is None:
        return False
    branch_ref, old_head, new_head, from_tree, to_tree = intent.ids()
    at = ref_value(repo, branch_ref)
    if not _is_checked_out(repo, branch_ref) or (intent.move_ref and at not in (old_head, new_head)):
        remove_intent(repo)
        return True
    changes = tree_delta(repo.object_store, from_tree, to_tree)
    message = intent.reflog_message(b"gitferry: finish an interrupted update")
    with LockedIndex(repo) as locked:
        opts = worktree_options(repo, repo.index_path(), locked.index)
        writer = WorktreeWriter(repo.object_store, opts, racy_from_ns=locked.taken_ns)
        writer.remove_temp_files([c.path for c in changes])
        keep, skip = intent.keep_paths(), intent.skip_worktree_paths()
        roll(writer, locked.index, changes, trusted=False, keep=keep, skip_worktree=skip)
        if intent.move_ref and at == old_head and new_head is not None:
            _move_ref(repo, branch_ref, old_head, new_head, message)
        locked.commit(keep_resolve_undo=not intent.move_ref)  # a rollback restores; a switch checks out
    remove_intent(repo)
    if intent.move_ref and at == old_head and new_head is not None:
        _log_head(repo, old_head, new_head, message)
    return True


def _roll_back(
    repo: Repo,
    locked: LockedIndex,
    writer: WorktreeWriter,
    intent: SwitchIntent,
    plan: SwitchPlan,
    before: dict[bytes, IndexEntry | ConflictedIndexEntry | None],
) -> None:
    """Put the files and index entries back; on failure the rollback intent lets a resume finish it."""
    branch_ref, old_head, new_head, from_tree, to_tree = intent.ids()
    skip = {p for p, entry in before.items() if skips_worktree(entry)}
    back = SwitchIntent.create(
        branch_ref,
        new_head,
        old_head,
        to_tree,
        from_tree,
        move_ref=False,
        keep=plan.in_place,
        skip_worktree=skip,
    )
    write_intent(repo, back)
    changes = [c.reversed() for c in plan.changes]
    roll(writer, locked.index, changes, trusted=False, keep=plan.in_place, skip_worktree=skip)
    for path in plan.in_place:
        _restore(locked.index, path, before[path])
    locked.commit()
    remove_intent(repo)


def _ensure_checked_out(repo: Repo, branch_ref: Ref) -> None:
    if not _is_checked_out(repo, branch_ref):
        raise NotCheckedOut(branch_ref)


def _is_checked_out(repo: Repo, branch_ref: Ref) -> bool:
    """`branch_ref` is what HEAD names; `HEAD` itself stands for a detached HEAD."""
    chain, _sha = repo.refs.follow(Ref(b"HEAD"))
    if branch_ref == b"HEAD":
        return len(chain) == 1
    return len(chain) >= 2 and chain[-1] == branch_ref


def _move_ref(repo: Repo, ref: Ref, old: ObjectID | None, new: ObjectID, message: bytes) -> bool:
    """Compare and swap; `old` None: create the branch only if it is still unborn."""
    try:
        if old is None:
            return repo.refs.add_if_new(ref, new, message=message)
        return repo.refs.set_if_equals(ref, old, new, message=message)
    except FileLocked:
        raise RefLocked(ref.decode()) from None


def _log_head(repo: Repo, old: ObjectID | None, new: ObjectID, message: bytes) -> None:
    """HEAD's reflog gets the entry too, as git writes it (best effort: the switch is done);
    a detached HEAD got it when it moved."""
    if len(repo.refs.follow(Ref(b"HEAD"))[0]) == 1:
        return
    if os.path.exists(os.path.join(repo.controldir(), "logs", "HEAD")):
        with contextlib.suppress(Exception):
            before = old if old is not None else ObjectID(b"0" * len(new))
            repo._write_reflog(Ref(b"HEAD"), before, new, None, None, None, message)


def _entries_at(
    index: Index, paths: Iterable[bytes]
) -> dict[bytes, IndexEntry | ConflictedIndexEntry | None]:
    return {path: index_entry_at(index, path) for path in paths}


def _restore(index: Index, path: bytes, entry: IndexEntry | ConflictedIndexEntry | None) -> None:
    if entry is not None:
        index[path] = entry
    elif path in index:
        del index[path]
