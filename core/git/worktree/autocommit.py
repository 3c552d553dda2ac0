"""Commit the working tree as it is, as `git add -A && git commit` would.

Under `index.lock` (held from the read of the index to its rewrite): the
worktree scan names the files whose stat moved, each is streamed into a blob
(never whole in memory), its index entry is refreshed, the tree is written
from the index and committed on the checked-out branch. Each file is committed
as `git add` would make its blob: its attributes' conversions applied
(content/clean.py). Files that cannot be committed are left out with a reason
(among them paths whose conversion Gitferry cannot run, `unsupported_filter`,
whatever happened to them, and contents `core.safecrlf=true` refuses,
`safecrlf`); a file that changed while it was read keeps its old index entry
and is retried by the next sync. The commit is
signed when `commit.gpgsign` says so (`CommitMaker`); when it cannot be
(`SigningFailed`), the lock is let go without rewriting the index and the
branch stays where it was.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from dulwich.diff_tree import CHANGE_ADD, CHANGE_DELETE, tree_changes
from dulwich.file import FileLocked
from dulwich.index import ConflictedIndexEntry, Index, IndexEntry, index_entry_from_stat
from dulwich.object_store import BaseObjectStore
from dulwich.objects import ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.content.clean import clean_file
from core.git.content.filters import ContentFilters, ContentSkipped, PathConversion, index_blobs
from core.git.index.locked import LockedIndex
from core.git.index.stat_data import Stamp, index_file_stamp
from core.git.locks.git_locks import RefLocked
from core.git.objects.blob_stream import FileChanged, StreamedBlob, write_blob
from core.git.objects.commit_read import commit_tree
from core.git.objects.new_commit import CommitMaker
from core.git.repository import ref_value
from core.git.worktree.git_operation import unfinished_work
from core.git.worktree.scan import WorktreeChange, scan_worktree
from core.git.worktree.snapshot_read import read_snapshot
from core.git.worktree.state import (
    WorktreeOptions,
    fingerprint,
    holds_blob,
    index_entry_at,
    same_stat,
    worktree_options,
)
from core.phrase import Phrase, phrase
from core.results import ResultKind, counted

_STORE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})
SkipReason = str  # "too_large", "unreadable", "failing", "unsupported_filter", "safecrlf", a driver's,
# "nested_repository"
NESTED = "nested_repository"
NESTED_WHY = "a git repository of its own: git would record it as a submodule link, not its files"

# The tree an open repository's index held, by the index file's stamp, when that
# was last seen: while both stay the same, nothing is staged. Kept as long as the
# `Repo` object lives (the engine's pool keeps repositories open between syncs).
_KNOWN_TREES: WeakKeyDictionary[Repo, tuple[Stamp | None, ObjectID]] = WeakKeyDictionary()


class AutoCommitRefused(GitferryError):
    """The repository is in a state where committing everything would be wrong."""

    result = ResultKind.DIRTY

    def __init__(self, path: str, why: Phrase) -> None:
        super().__init__(phrase("{path}: not auto-committing: {why}", path=path, why=why))
        self.path = path
        self.why = why.english()


@dataclass(frozen=True)
class Skip:
    path: str
    reason: SkipReason
    size: int | None
    detail: str


@dataclass
class AutoCommit:
    commit: ObjectID | None  # None: nothing to commit
    paths: list[str] = field(default_factory=list)  # what the commit changed against its parent
    files: int = 0  # the files it changed as git counts them: a file moved as it was is one
    skipped: list[Skip] = field(default_factory=list)
    retry_later: list[str] = field(default_factory=list)  # changed while read: not committed torn
    young: list[str] = field(default_factory=list)  # modified too recently (`young_after`): left for later
    files_opened: int = 0


def auto_commit(
    repo: Repo,
    *,
    max_file_size: int,
    hold: Collection[str] = (),
    host: str,
    now: float | None = None,
    workers: int = 1,
    young_after: float | None = None,
    snapshot: Collection[str] = (),
    settling: Collection[str] = (),
) -> AutoCommit:
    """Commit every change of the working tree but the skipped ones; `hold` lists
    paths not to read at all (the circuit breaker's `failing` ones, auto mode's files
    still being written). `settling` (auto mode's, in `hold` too): paths that changed a
    moment ago, whose deletion waits as well: a file moved then is the deletion of its
    old name and its new name, held as still being written; committing the deletion
    alone would split the move over two commits, and a machine that edited the file
    meanwhile would get a deletion against its edit (a second copy) instead of the
    rename. With `young_after` (a wall time), files modified since are
    left for a later commit too (`young`): one still being written is never committed
    torn, however late its change was noticed. `snapshot` files (auto mode's, changing
    for `settle_max` already) are not left for being young: each is committed from a
    verified snapshot (`core.git.worktree.snapshot_read`), or, if it changed under every
    read, left for later (`retry_later`).

    The usual sync finds nothing to commit: then the scan (stat only, no lock)
    is all it costs, when this `repo` already saw that the index, unchanged
    since, holds HEAD's tree."""
    _refuse_in_progress(repo)  # first: a rebase or bisect also detaches HEAD
    branch = _branch_ref(repo)
    snap = {os.fsencode(path) for path in snapshot}
    held = _Held(hold, settling)
    outcome, wanted, stamp = _look(repo, None, held, max_file_size, (young_after, snap))
    head = ref_value(repo, branch)
    if not wanted and head is not None and _KNOWN_TREES.get(repo) == (stamp, commit_tree(repo, head)):
        return outcome
    with LockedIndex(repo) as locked:
        _refuse_conflicts(repo, locked.index)
        if index_file_stamp(repo.index_path()) != stamp:  # rewritten since the scan: scan what is locked
            outcome, wanted, _ = _look(repo, locked.index, held, max_file_size, (young_after, snap))
        touched = _stage(repo, locked.index, wanted, outcome, (workers, snap))
        head = ref_value(repo, branch)
        old_tree = None if head is None else commit_tree(repo, head)
        tree = write_index_tree(repo.object_store, locked.index)
        if not touched:
            _KNOWN_TREES[repo] = (stamp, tree)
        if tree != old_tree and (head is not None or len(locked.index)):
            outcome.paths, outcome.files = _changed_paths(repo, old_tree, tree)
            outcome.commit = _commit(repo, branch, head, tree, outcome.files, host, now)
        if touched:
            locked.commit()
    return outcome


def stage_tracked(repo: Repo, index: Index) -> AutoCommit:
    """`git add -u` into `index` (held under its lock, not written here): every tracked
    file's change staged as `auto_commit` stages it, whatever its size (`git stash`
    holds no file back); in the outcome, the tracked files that could not be (`skipped`,
    `retry_later`), and in `paths` those staged."""
    outcome, wanted, _stamp = _look(repo, index, _Held((), ()), sys.maxsize)
    outcome.skipped = [skip for skip in outcome.skipped if os.fsencode(skip.path) in index]
    tracked = [change for change in wanted if change.path in index]
    _stage(repo, index, tracked, outcome, (1, ()))
    outcome.paths = [os.fsdecode(change.path) for change in tracked]
    return outcome


def commit_message(count: int, host: str) -> str:
    return f"Gitferry: {counted(count, 'file')} changed on {host}\n"


def _branch_ref(repo: Repo) -> Ref:
    chain, _sha = repo.refs.follow(Ref(b"HEAD"))
    if len(chain) < 2 or not chain[-1].startswith(b"refs/heads/"):
        raise AutoCommitRefused(repo.path, phrase("HEAD is detached"))
    return chain[-1]


def _refuse_in_progress(repo: Repo) -> None:
    operation = unfinished_work(repo)
    if operation is not None:
        raise AutoCommitRefused(repo.path, operation.said())


def _refuse_conflicts(repo: Repo, index: Index) -> None:
    if any(isinstance(entry, ConflictedIndexEntry) for _path, entry in index.items()):
        raise AutoCommitRefused(repo.path, phrase("the index has unresolved conflicts"))


@dataclass(frozen=True)
class _Held:
    """Paths not to stage: files in `files` (their deletion goes in), anything in
    `settling` (a deletion too)."""

    files: Collection[str]
    settling: Collection[str]


def _look(
    repo: Repo,
    index: Index | None,
    hold: _Held,
    max_file_size: int,
    young: tuple[float | None, Collection[bytes]] = (None, ()),
) -> tuple[AutoCommit, list[WorktreeChange], Stamp | None]:
    """Scan: the outcome so far (what is skipped), the changes to stage, and the stamp of
    the index file scanned against (None when given `index`). `young`: the wall time
    after which a modified file is too young, and the paths read by snapshot anyway."""
    young_after, snapshot = young
    scan = scan_worktree(repo, index)
    outcome = AutoCommit(None, files_opened=scan.files_opened)
    outcome.skipped += [Skip(p, "unreadable", None, why) for p, why in _named(scan.unreadable, hold.files)]
    outcome.skipped += [Skip(os.fsdecode(p), NESTED, None, NESTED_WHY) for p in scan.nested]
    lfs = _lfs_paths(repo, index)
    candidates = scan.candidates
    if young_after is not None:
        candidates = [c for c in candidates if c.path in snapshot or not _young(c, young_after, outcome)]
    return outcome, _admit(candidates, hold, max_file_size, outcome, lfs), scan.index_stamp


def _young(change: WorktreeChange, young_after: float, outcome: AutoCommit) -> bool:
    """A file (not a deletion) modified at or after `young_after`: noted, left for later."""
    if change.kind == "deleted" or change.stat is None or change.stat.st_mtime < young_after:
        return False
    outcome.young.append(os.fsdecode(change.path))
    return True


def _lfs_paths(repo: Repo, index: Index | None) -> Callable[[bytes], bool]:
    """Paths the Git LFS driver cleans: they are committed as pointers (the content goes to
    the LFS server), so `max_file_size` does not hold them back."""
    filters = ContentFilters(repo, index_sha=index_blobs(index))
    return lambda path: filters.to_index(path).driver_name == b"lfs"


def _named(unreadable: list[tuple[bytes, str]], hold: Collection[str]) -> list[tuple[str, str]]:
    named = [(os.fsdecode(path), why) for path, why in unreadable]
    return [(path, why) for path, why in named if path not in hold]


def _admit(
    candidates: list[WorktreeChange],
    hold: _Held,
    max_file_size: int,
    outcome: AutoCommit,
    lfs: Callable[[bytes], bool],
) -> list[WorktreeChange]:
    """The candidates to stage: deletions unless settling; files unless held out or too
    large (a Git LFS file is never too large: its pointer is what is committed)."""
    held, settling = set(hold.files), set(hold.settling)
    wanted = []
    for change in candidates:
        path = os.fsdecode(change.path)
        if path in settling or (change.kind != "deleted" and path in held):
            continue
        if change.kind != "deleted" and _too_large(change, max_file_size) and not lfs(change.path):
            outcome.skipped.append(Skip(path, "too_large", change.size, f"larger than {max_file_size} bytes"))
            continue
        wanted.append(change)
    return wanted


def _too_large(change: WorktreeChange, max_file_size: int) -> bool:
    return change.mode != 0o120000 and change.size is not None and change.size > max_file_size


def _stage(
    repo: Repo,
    index: Index,
    changes: list[WorktreeChange],
    outcome: AutoCommit,
    reading: tuple[int, Collection[bytes]],
) -> bool:
    """Write the blobs and update the index entries; whether any entry changed.
    `reading`: how many files to read at once, and those to read by verified snapshot."""
    workers, snapshot = reading
    touched = False
    files: list[tuple[WorktreeChange, PathConversion]] = []
    filters = ContentFilters(repo, index_sha=index_blobs(index))
    opts = worktree_options(repo, repo.index_path(), index)
    for change in changes:
        conversion = _conversion(filters, index, change)
        if conversion is not None and conversion.unsupported is not None:
            if not _unchanged(index, change, opts):
                skip = conversion.skipped()
                outcome.skipped.append(Skip(os.fsdecode(change.path), skip.reason, change.size, skip.detail))
        elif change.kind == "deleted":
            if change.path in index:
                del index[change.path]
                touched = True
        elif change.gitlink is not None and change.stat is not None:  # a submodule's new commit
            index[change.path] = index_entry_from_stat(change.stat, change.gitlink, mode=change.mode)
            touched = True
        else:
            files.append((change, conversion or PathConversion(change.path)))
    root = os.fsencode(repo.path)
    outcome.files_opened += len(files)

    def entry(item: tuple[WorktreeChange, PathConversion]) -> IndexEntry | Skip | None:
        return _blob_entry(repo, root, item[0], filters, item[1], snapshot=item[0].path in snapshot)

    if workers > 1 and len(files) > 1:
        with ThreadPoolExecutor(min(workers, len(files)), thread_name_prefix="gitferry-blob") as pool:
            results = list(pool.map(entry, files))
    else:
        results = [entry(item) for item in files]
    for (change, _conversion_of), result in zip(files, results, strict=True):
        path = os.fsdecode(change.path)
        if isinstance(result, Skip):
            outcome.skipped.append(result)
        elif result is None:
            outcome.retry_later.append(path)
        else:
            index[change.path] = result
            touched = True
    return touched


def _unchanged(index: Index, change: WorktreeChange, opts: WorktreeOptions) -> bool:
    """A file whose clean Gitferry cannot run, yet known unchanged: its stat is its entry's
    (a candidate only for being racy), or it holds the bytes a checkout of the entry writes.
    Not committed either way; not listed as skipped."""
    entry = index_entry_at(index, change.path)
    if change.kind != "modified" or change.stat is None or not isinstance(entry, IndexEntry):
        return False
    st = change.stat
    return same_stat(st, entry, opts) or holds_blob(st, opts.full(change.path), opts, change.path, entry.sha)


def _conversion(filters: ContentFilters, index: Index, change: WorktreeChange) -> PathConversion | None:
    """The conversion `git add` would apply to the path (None: a symlink or a gitlink, or a
    deletion of one: nothing converts those)."""
    if change.kind == "deleted":
        entry = index_entry_at(index, change.path)
        mode = entry.mode if isinstance(entry, IndexEntry) else None
    else:
        mode = change.mode
    if mode is None or not stat.S_ISREG(mode):
        return None
    return filters.to_index(change.path)


def _blob_entry(
    repo: Repo,
    root: bytes,
    change: WorktreeChange,
    filters: ContentFilters,
    conversion: PathConversion,
    *,
    snapshot: bool = False,
) -> IndexEntry | Skip | None:
    """The new index entry, a Skip (unreadable, or not convertible), or None (changed while
    read). A `snapshot` file is read as it is now (not as the scan saw it), a few times
    if need be, under the stat taken before its read (`read_snapshot`)."""
    path = os.fsdecode(change.path)
    full = os.path.join(root, change.path)

    def blob_of(st: os.stat_result) -> StreamedBlob:
        if conversion.identity:
            return write_blob(repo, full, st)
        return clean_file(repo, change.path, full, st, filters, store=True, conversion=conversion)

    try:
        if snapshot:
            read = read_snapshot(full, blob_of)
            if read is None:
                return None  # changed under every read: the next round tries again
            st, blob = read
        else:
            st = change.stat if change.stat is not None else os.lstat(full)
            blob = blob_of(st)
            if fingerprint(os.lstat(full)) != fingerprint(st):
                return None  # written to since the scan: the blob may not be what the stat says
    except FileChanged:
        return None
    except ContentSkipped as skip:
        return Skip(path, skip.reason, change.size, skip.detail)
    except OSError as exc:
        if exc.errno in _STORE_FULL:
            raise  # the repository cannot take the object: the whole sync fails, nothing is skipped
        return Skip(path, "unreadable", change.size, exc.strerror or str(exc))
    mode = change.mode if change.mode is not None else blob.mode
    return index_entry_from_stat(st, blob.sha, mode=mode)


def write_index_tree(store: BaseObjectStore, index: Index) -> ObjectID:
    """The index as a tree; only trees the store lacks are written (dulwich's
    `commit_tree` rewrites every one, as loose objects, even those in packs)."""
    fmt = index.object_format
    trees: dict[bytes, Tree] = {b"": Tree()}
    for path, sha, mode in index.iterobjects():
        parent, _slash, name = path.rpartition(b"/")
        _tree_at(trees, parent).add(name, mode, sha)
    for path in sorted(trees, key=lambda p: p.count(b"/") + bool(p), reverse=True):
        tree = trees[path]
        tree_id = ObjectID(tree.get_id(fmt))
        if tree_id not in store:
            store.add_object(tree)
        if path:
            parent, _slash, name = path.rpartition(b"/")
            trees[parent].add(name, stat.S_IFDIR, tree_id)
    return ObjectID(trees[b""].get_id(fmt))


def _tree_at(trees: dict[bytes, Tree], path: bytes) -> Tree:
    tree = trees.get(path)
    if tree is None:
        tree = trees[path] = Tree()
        if path:
            _tree_at(trees, path.rpartition(b"/")[0])
    return tree


def _changed_paths(repo: Repo, old_tree: ObjectID | None, new_tree: ObjectID) -> tuple[list[str], int]:
    """The paths the commit changes, and how many files that is as `git show --stat`
    counts them: a path deleted and another added with the same content (`mv`) is one
    rename, not two files."""
    paths: set[str] = set()
    deleted: Counter[bytes] = Counter()
    added: list[bytes] = []
    for change in tree_changes(repo.object_store, old_tree, new_tree):
        for side in (change.old, change.new):
            if side is not None and side.path is not None:
                paths.add(os.fsdecode(side.path))
        if change.type == CHANGE_DELETE and change.old is not None and change.old.sha is not None:
            deleted[change.old.sha] += 1
        elif change.type == CHANGE_ADD and change.new is not None and change.new.sha is not None:
            added.append(change.new.sha)
    renamed = 0
    for sha in added:
        if deleted[sha]:
            deleted[sha] -= 1
            renamed += 1
    return sorted(paths), len(paths) - renamed


def _commit(
    repo: Repo,
    branch: Ref,
    head: ObjectID | None,
    tree: ObjectID,
    count: int,
    host: str,
    now: float | None,
) -> ObjectID:
    maker = CommitMaker.for_repo(repo, now)
    parents = [] if head is None else [head]
    commit = maker.make(tree=tree, parents=parents, message=commit_message(count, host).encode())
    repo.object_store.add_object(commit)
    first_line = commit.message.splitlines()[0]
    message = b"commit" + (b" (initial)" if head is None else b"") + b": " + first_line
    try:
        moved = repo.refs.set_if_equals(branch, head, commit.id, message=message)
    except FileLocked:
        raise RefLocked(branch.decode()) from None
    if not moved:
        raise AutoCommitRefused(repo.path, phrase("{branch} moved while committing", branch=branch.decode()))
    return commit.id
