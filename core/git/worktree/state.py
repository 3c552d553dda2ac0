"""Does a working-tree path hold what the index (or a tree) says it holds?

The fast path is git's: a regular file whose stat fields equal its index
entry's is unchanged. A file modified in the same second (nanosecond, on
file systems that have them) as the index was written could still match by
stat, so, like git's racy-git check, an entry whose mtime is not older than
the index file is hashed instead of trusted. Hashing streams the file in
chunks and never follows a symlink; it hashes the blob git would make of the
file (its attributes' conversions, content/clean.py), so a file checked out
with converted line endings holds its blob, as git's ie_match_stat finds. A
path whose conversion Gitferry cannot run (content/filters.py) cannot be
compared: it never holds anything.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dulwich.index import ConflictedIndexEntry, Index, IndexEntry, cleanup_mode
from dulwich.object_format import ObjectFormat
from dulwich.objects import Blob, ObjectID
from dulwich.repo import Repo

from core.git.content.clean import clean_file
from core.git.content.filters import ContentFilters, ContentSkipped, index_blobs
from core.git.content.smudge import worktree_chunks
from core.git.index.stat_data import entry_time_ns, index_mtime_ns
from core.git.objects.blob_stream import CHUNK, FileChanged, hash_file, open_unchanged, read_exactly
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.tree_delta import PathChange, Side
from core.git.worktree.sparse_checkout import SparseCheckout, sparse_checkout

_U32 = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class WorktreeOptions:
    root: bytes
    filemode: bool
    symlinks: bool
    trustctime: bool
    index_mtime_ns: int
    object_format: ObjectFormat
    sparse: SparseCheckout | None = None  # core.sparseCheckout with its patterns
    content: ContentFilters | None = None  # attributes' conversions (None: none, as in tests)

    def full(self, path: bytes) -> bytes:
        """`os.path.join(root, path)` for a path relative to the root (a switch asks this
        several times a file: no `posixpath` call)."""
        root = self.root
        return root + path if root.endswith(b"/") else root + b"/" + path

    def unsupported(self, path: bytes) -> bool:
        """A conversion Gitferry cannot run applies to `path`, either way."""
        content = self.content
        if content is None:
            return False
        out = content.to_worktree(path).unsupported
        return out is not None or content.to_index(path).unsupported is not None


def worktree_options(
    repo: Repo, index_path: str, index: Index | None = None, *, objects: ObjectOverlay | None = None
) -> WorktreeOptions:
    """The working tree's settings; `index` (the one being compared against) decides the
    conversions that depend on it (has_crlf_in_index, `.gitattributes` found only there);
    `objects`: blobs made and not stored yet (a switch's target) are read from there."""
    config = repo.get_config_stack()
    return WorktreeOptions(
        root=os.fsencode(repo.path),
        filemode=config.get_boolean(b"core", b"filemode", True),
        symlinks=config.get_boolean(b"core", b"symlinks", True),
        trustctime=config.get_boolean(b"core", b"trustctime", True),
        index_mtime_ns=index_mtime_ns(index_path),
        object_format=repo.object_format,
        sparse=sparse_checkout(repo),
        content=ContentFilters(repo, index_sha=index_blobs(index), config=config, store=objects),
    )


Fingerprint = tuple[int, int, int, int, int]


def fingerprint(st: os.stat_result | None) -> Fingerprint | None:
    """What a file looked like when it was checked: a change since means someone wrote to it."""
    if st is None:
        return None
    return (st.st_mode, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def moved_unchanged(
    seen: Fingerprint,
    sha: ObjectID | None,
    racy_from_ns: int,
    opts: WorktreeOptions,
    path: bytes | None = None,
) -> Callable[[bytes], bool]:
    """Does a file moved aside (to the path given) still hold what was `seen` at the check?

    Type, inode, size and mtime must be the same (the move itself set the ctime). A file
    whose ctime was not older than `racy_from_ns` (the file system's time when the check
    began) could have been written again in the same clock tick, unseen by stat: its
    content must still hash to `sha`, the blob it was checked to hold (when known), through
    the conversions of `path`, the working-tree path it was moved from."""
    racy = sha is not None and seen[4] >= racy_from_ns

    def unchanged(moved: bytes) -> bool:
        st = lstat_or_none(moved)
        now = fingerprint(st)
        if st is None or now is None or now[:4] != seen[:4]:
            return False
        return not racy or (sha is not None and holds_blob(st, moved, opts, path, sha))

    return unchanged


def lstat_or_none(full: bytes) -> os.stat_result | None:
    """lstat, with None for a path that does not exist (or whose parent is a file)."""
    try:
        return os.lstat(full)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def index_entry_at(index: Index, path: bytes) -> IndexEntry | ConflictedIndexEntry | None:
    try:
        return index[path]
    except KeyError:
        return None


def skips_worktree(entry: IndexEntry | ConflictedIndexEntry | None) -> bool:
    """The entry has the skip-worktree bit: its file is not expected in the working tree."""
    return isinstance(entry, IndexEntry) and entry.skip_worktree


def index_entry_matches(entry: IndexEntry, side: Side) -> bool:
    return entry.sha == side.sha and cleanup_mode(entry.mode) == side.mode


def matches_index_entry(st: os.stat_result, path: bytes, entry: IndexEntry, opts: WorktreeOptions) -> bool:
    """The file at `path` (already lstat'ed as `st`) is unchanged against its index entry."""
    mode = cleanup_mode(entry.mode)
    if not _kind_matches(st, mode, opts):
        return False
    if stat.S_IFMT(mode) == 0o160000 or unchanged_by_stat(st, entry, opts):
        return True
    return holds_blob(st, opts.full(path), opts, path if stat.S_ISREG(mode) else None, ObjectID(entry.sha))


def same_stat(st: os.stat_result, entry: IndexEntry, opts: WorktreeOptions) -> bool:
    """The stat is the entry's, racy or not: nothing since could be seen by stat."""
    return _kind_matches(st, cleanup_mode(entry.mode), opts) and _stat_matches(st, entry, opts)


def unchanged_by_stat(st: os.stat_result, entry: IndexEntry, opts: WorktreeOptions) -> bool:
    """The stat vouches for the file: it is the one the entry was made from (not racy)."""
    return (
        _kind_matches(st, cleanup_mode(entry.mode), opts)
        and _stat_matches(st, entry, opts)
        and entry_time_ns(entry.mtime) < opts.index_mtime_ns
    )


def checkout_content(
    opts: WorktreeOptions, index: Index, changes: Iterable[PathChange]
) -> ContentFilters | None:
    """The conversions of files a switch writes: with the `.gitattributes` of the index it
    makes, `index` with `changes` applied (git's checkout reads them from there)."""
    if opts.content is None:
        return None
    target = {c.path: c.new for c in changes}
    current = index_blobs(index)

    def sha(path: bytes) -> ObjectID | None:
        if path not in target:
            return current(path)
        side = target[path]
        return side.sha if side is not None and converted(side) else None

    return opts.content.checking_out(sha)


def converted(side: Side) -> bool:
    """Whether attributes' conversions apply to this side: regular files only, as in git."""
    return stat.S_ISREG(side.mode)


def holds(st: os.stat_result, path: bytes, side: Side, opts: WorktreeOptions) -> bool:
    """The file at `path` already has exactly the content and mode of `side`."""
    if not _kind_matches(st, side.mode, opts):
        return False
    if side.is_gitlink:
        return True
    return holds_blob(st, opts.full(path), opts, path if converted(side) else None, side.sha)


def holds_blob(
    st: os.stat_result, full: bytes, opts: WorktreeOptions, path: bytes | None, sha: ObjectID
) -> bool:
    """The file or symlink at `full` (lstat `st`) holds blob `sha` as the working tree has it at
    `path` (None: no conversion): `git add` would make `sha` of it. Where Gitferry cannot run
    the path's clean but can its checkout, the file must hold the very bytes a checkout of
    `sha` writes. False if it changed since `st` or while being read."""
    try:
        if path is None or opts.content is None:
            return hash_file(full, st, object_format=opts.object_format) == sha
        return clean_file(opts.content.repo, path, full, st, opts.content, store=False).sha == sha
    except ContentSkipped:
        assert path is not None and opts.content is not None
        return _written_by_checkout(st, full, path, sha, opts.content)
    except (FileChanged, OSError):
        return False


def _written_by_checkout(
    st: os.stat_result, full: bytes, path: bytes, sha: ObjectID, content: ContentFilters
) -> bool:
    conversion = content.to_worktree(path)
    if conversion.unsupported is not None or conversion.driver is not None or not stat.S_ISREG(st.st_mode):
        return False
    try:
        blob = content.store[sha]
    except KeyError:
        return False
    if not isinstance(blob, Blob):
        return False
    expected = b"".join(worktree_chunks(blob, conversion))  # the blob is in memory already
    if len(expected) != st.st_size:
        return False
    seen = 0
    same = True

    def compare(data: bytes) -> None:
        nonlocal seen, same
        same = same and expected[seen : seen + len(data)] == data
        seen += len(data)

    try:
        with open_unchanged(full, st) as fd:
            read_exactly(fd, full, st, CHUNK, compare)
    except (FileChanged, OSError):
        return False
    return same


def _kind_matches(st: os.stat_result, mode: int, opts: WorktreeOptions) -> bool:
    if stat.S_IFMT(mode) == 0o160000:
        return stat.S_ISDIR(st.st_mode)
    if stat.S_ISLNK(mode) and opts.symlinks:
        return stat.S_ISLNK(st.st_mode)
    if not stat.S_ISREG(st.st_mode):
        return False
    if stat.S_ISLNK(mode) or not opts.filemode:
        return True
    return bool(st.st_mode & 0o100) == bool(mode & 0o100)


def _stat_matches(st: os.stat_result, entry: IndexEntry, opts: WorktreeOptions) -> bool:
    if entry_time_ns(entry.mtime) != st.st_mtime_ns:
        return False
    if opts.trustctime and entry_time_ns(entry.ctime) != st.st_ctime_ns:
        return False
    return (
        entry.size == st.st_size & _U32
        and entry.ino & _U32 == st.st_ino & _U32
        and entry.uid == st.st_uid & _U32
        and entry.gid == st.st_gid & _U32
    )
