"""Moving a set of working-tree paths from one side of a change to the other.

Removals run first (deepest first, then directories left empty), writes
after (in path order), so a file that becomes a directory, or the reverse,
never meets itself. Every write goes to a temporary file in the destination
directory first, so a reader (or a crash) sees the old file or the new one,
never half of one. Then the path is looked at once more (its full lstat against
what was checked) and the temporary file swapped in only if the path still holds
what was checked (checked_replace.py): an edit saved at any moment of the switch
is never overwritten. A removal likewise moves the file aside and looks at it
before it is gone. The index entry gets the stat of the file written, and a
stat that can never match when someone saved over it since. No write or
removal goes through a symlink: each leading directory is checked with lstat
just before use.

`roll` serves three callers: the forward switch (each path was checked, so it
is trusted to hold the old side), the rollback after a failure, and the
resume after a crash (each path is classified by its content: a path that
holds neither side is someone's work and is left alone).

A file is written as git's checkout writes it: its attributes' conversions
(content/smudge.py), decided with the `.gitattributes` of the index the switch
produces. A path whose conversion Gitferry cannot run is left as it is, its
index entry moved with a stat that never matches (git, which runs the filter,
sees the file modified until it checks it out itself); `skipped` lists it,
and a path a driver wrote as its blob (an LFS pointer kept), with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import itertools
import os
import secrets
import stat
from collections.abc import Collection, Mapping

from dulwich.index import EXTENDED_FLAG_SKIP_WORKTREE, Index, IndexEntry, index_entry_from_stat
from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob

from core.git.content.attributes import FILE_NAME as ATTRIBUTES
from core.git.content.filters import ContentFilters, ContentSkipped, PathConversion
from core.git.content.smudge import write_worktree_content
from core.git.objects.blob_read import StreamedBlob, blob_content
from core.git.objects.pack_reader import PackReader
from core.git.objects.path_safety import UnsafePath, display
from core.git.objects.tree_delta import CorruptTree, PathChange, Side
from core.git.worktree.checked_replace import still_ours, swap_in, take_away
from core.git.worktree.state import (
    Fingerprint,
    WorktreeOptions,
    checkout_content,
    converted,
    fingerprint,
    holds,
    lstat_or_none,
    moved_unchanged,
)
from core.git.worktree.switch_check import WorktreeInTheWay, parents

TEMP_PREFIX = b".gitferry-tmp-"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def roll(
    writer: WorktreeWriter,
    index: Index,
    changes: list[PathChange],
    *,
    trusted: bool,
    keep: Collection[bytes] = (),
    skip_worktree: Collection[bytes] = (),
    checked: ContentFilters | None = None,
) -> None:
    """Bring every path of `changes` from `old` to `new`, with its index entry.

    `trusted`: every path not in `keep` is known to hold `old` (the switch
    checked it). Otherwise each path is looked at, and one that holds
    neither side is left as it is, its index entry set to `new` with a stat
    that cannot match, so git reports it as modified. Paths in `keep` get
    only their index entry; those in `skip_worktree` get the skip-worktree bit.
    `checked`: the conversions the switch's check worked out (`SwitchPlan.content`).
    """
    writer.check_out(index, changes, checked=checked)
    removed: list[bytes] = []
    for change in reversed(changes):
        if change.path not in keep and _needs_removal(change):
            writer.remove(change, trusted=trusted, removed=removed)
        if change.new is None:
            _drop_entry(index, change.path)
    writer.prune(removed)
    for change in changes:
        if change.new is None:
            continue
        if change.path in keep:
            entry = writer.entry_as_found(change.path, change.new)
        else:
            entry = writer.put(change, trusted=trusted)
        if change.path in skip_worktree:
            entry = dataclasses.replace(
                entry, extended_flags=entry.extended_flags | EXTENDED_FLAG_SKIP_WORKTREE
            )
        index[change.path] = entry


def _needs_removal(change: PathChange) -> bool:
    old, new = change.old, change.new
    if old is None:
        return False
    return new is None or old.is_gitlink != new.is_gitlink


def _drop_entry(index: Index, path: bytes) -> None:
    if path in index:
        del index[path]


class WorktreeWriter:
    """`expected`: what the check saw at each path; a trusted write or removal first makes
    sure the path still looks the same, so an edit saved during the switch is not lost.
    `racy_from_ns`: the file system's time when the check began (see `LockedIndex.taken_ns`):
    a file changed since then may change again within the same clock tick, unseen by stat,
    so its content is hashed again before it is replaced (0: always)."""

    def __init__(
        self,
        store: BaseObjectStore,
        opts: WorktreeOptions,
        expected: Mapping[bytes, Fingerprint | None] | None = None,
        *,
        racy_from_ns: int = 0,
    ) -> None:
        self.store = store
        self._reader = PackReader(store)  # packed blobs, deltas cached
        self.opts = opts
        self._expected = dict(expected or {})
        self._racy_from_ns = racy_from_ns
        self._real_dirs: set[bytes] = set()
        self._temp_names = _TempNames()
        self.smudge: ContentFilters | None = opts.content
        self.skipped: dict[bytes, ContentSkipped] = {}  # paths not converted, and why

    def check_out(
        self, index: Index, changes: list[PathChange], *, checked: ContentFilters | None = None
    ) -> None:
        """Files written from now on take the attributes of the index the switch makes.

        `checked`: the same view, as the check worked it out for the same index and
        changes, its `.gitattributes` read and each path's conversion decided. Taken as it
        is unless the switch removes or writes a `.gitattributes`: the check read the
        working tree's before the removals, git's checkout reads them after."""
        if checked is not None and not any(_is_attributes_file(c.path) for c in changes):
            self.smudge = checked
        else:
            self.smudge = checkout_content(self.opts, index, changes)

    def conversion(self, path: bytes, side: Side) -> PathConversion | None:
        """How `side` is written at `path` (None: as it is)."""
        if self.smudge is None or not converted(side):
            return None
        return self.smudge.to_worktree(path)

    def remove(self, change: PathChange, *, trusted: bool, removed: list[bytes]) -> None:
        """Remove the file at `change.path` if it holds `change.old` (as checked when `trusted`);
        a trusted removal of a file changed since its check raises WorktreeInTheWay."""
        assert change.old is not None
        path = change.path
        if self._parent_block(path) is not None:
            return
        full = self.opts.full(path)
        st = lstat_or_none(full)
        if st is None:
            return
        if change.old.is_gitlink:
            if stat.S_ISDIR(st.st_mode) and _rmdir_if_empty(full):
                removed.append(path)
            return
        if trusted:
            self._verify(path, st)
        elif not holds(st, path, change.old, self.opts):
            return
        seen = fingerprint(st)
        assert seen is not None
        unchanged = moved_unchanged(
            seen, change.old.sha, self._racy_from_ns, self.opts, _conv_path(change.old, path)
        )
        if take_away(full, self._temp_names.beside(full), unchanged):
            self._expected[path] = None
            removed.append(path)
        elif trusted:
            raise WorktreeInTheWay([display(path)], [])

    def prune(self, removed: list[bytes]) -> None:
        """Remove directories that the removals left empty, deepest first."""
        dirs = {parent for path in removed for parent in parents(path)}
        for path in sorted(dirs, key=lambda p: p.count(b"/"), reverse=True):
            if _rmdir_if_empty(self.opts.full(path)):
                self._real_dirs.discard(path)

    def put(self, change: PathChange, *, trusted: bool) -> IndexEntry:
        """Write `change.new` at its path unless something foreign is there; its index entry.

        Trusted, the path must still be as checked, up to the instant the new file takes
        its place (WorktreeInTheWay otherwise). Untrusted, a path holding neither side is
        left as it is, and so is one that changes while it is being replaced."""
        new = change.new
        assert new is not None
        path = change.path
        if self._parent_block(path, create=True) is not None:
            if trusted:
                raise UnsafePath(display(path), "a leading directory became a file or symlink")
            return stale_entry(new)
        full = self.opts.full(path)
        st = lstat_or_none(full)
        if trusted:
            self._verify(path, st)
        elif st is not None:
            if holds(st, path, new, self.opts):
                return index_entry_from_stat(st, new.sha, mode=new.mode)
            at_old = change.old is not None and holds(st, path, change.old, self.opts)
            if not at_old and not (stat.S_ISDIR(st.st_mode) and _is_empty(full)):
                return stale_entry(new)
        if new.is_gitlink:
            return index_entry_from_stat(self._make_gitlink(full), new.sha, mode=new.mode)
        conversion = self.conversion(path, new)
        if conversion is not None and conversion.unsupported is not None:
            self.skipped[path] = conversion.skipped()  # git would run it: the file stays
            return stale_entry(new)
        if st is not None and stat.S_ISDIR(st.st_mode):
            # The check allowed a directory only if the removals would empty it.
            if not _rmdir_if_empty(full):
                return self._lost_race(path, new, trusted, untracked=True)
            st = None
        entry = self._replace(full, path, new, fingerprint(st), change.old)
        if entry is None:
            return self._lost_race(path, new, trusted, untracked=st is None)
        return entry

    def fill(self, path: bytes, side: Side) -> IndexEntry | None:
        """Write `side` again over the file at `path` that holds it as a checkout that could
        not convert it left it (an LFS file left as its pointer, its object since arrived):
        its new index entry; None when the file is not that, or changed meanwhile (it stays)."""
        if self._parent_block(path) is not None:
            return None
        full = self.opts.full(path)
        st = lstat_or_none(full)
        if st is None or not stat.S_ISREG(st.st_mode) or not holds(st, path, side, self.opts):
            return None
        entry = self._replace(full, path, side, fingerprint(st), side)
        return None if entry is None or path in self.skipped else entry

    def entry_as_found(self, path: bytes, side: Side) -> IndexEntry:
        st = None if self._parent_block(path) else lstat_or_none(self.opts.full(path))
        if st is not None and holds(st, path, side, self.opts):
            return index_entry_from_stat(st, side.sha, mode=side.mode)
        return stale_entry(side)

    def remove_temp_files(self, paths: Collection[bytes]) -> None:
        """Delete temporary files a killed switch left beside `paths`."""
        dirs = {path.rpartition(b"/")[0] for path in paths}
        for path in dirs:
            if path and self._parent_block(path + b"/x") is not None:
                continue
            with (
                contextlib.suppress(FileNotFoundError, NotADirectoryError),
                os.scandir(self.opts.full(path) if path else self.opts.root) as it,
            ):
                for entry in it:
                    if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)

    def _verify(self, path: bytes, st: os.stat_result | None) -> None:
        if path not in self._expected:
            return
        seen = self._expected[path]
        now = fingerprint(st)
        was_dir = seen is not None and stat.S_ISDIR(seen[0])
        if now == seen or (was_dir and (st is None or stat.S_ISDIR(st.st_mode))):
            return
        raise WorktreeInTheWay([display(path)], [])

    def _replace(
        self, full: bytes, path: bytes, side: Side, seen: Fingerprint | None, old: Side | None
    ) -> IndexEntry | None:
        """Write `side` beside `full`, then swap it in if `full` still looks as `seen` (None: absent).

        The new index entry: the stat of the file written, or one that matches nothing if
        someone saved over it right after. None if `full` changed first: it stays as it is."""
        try:
            temp, ours = self._write_temp(full, path, side)
        except ContentSkipped as skip:  # a driver left this path alone
            self.skipped[path] = skip
            return stale_entry(side)
        except OSError as exc:  # said of the file being written, not of its temporary name
            raise _of_path(exc, full) from exc
        handed = False  # to swap_in, which removes `temp` whatever happens
        try:
            if fingerprint(lstat_or_none(full)) != seen:  # the last look, ctime included
                return None
            sha = None if old is None else old.sha
            moved_from = None if old is None else _conv_path(old, path)
            unchanged = (
                None
                if seen is None
                else moved_unchanged(seen, sha, self._racy_from_ns, self.opts, moved_from)
            )
            handed = True
            try:
                if not swap_in(temp, full, unchanged, ours):
                    return None
            except OSError as exc:
                raise _of_path(exc, full) from exc
        finally:
            if not handed and still_ours(temp, ours) is not None:
                os.unlink(temp)
        written = still_ours(full, ours)
        if written is None:
            return stale_entry(side)
        return index_entry_from_stat(written, side.sha, mode=side.mode)

    def _lost_race(self, path: bytes, side: Side, trusted: bool, *, untracked: bool) -> IndexEntry:
        """Someone's work took the path while it was being written: it stays."""
        if trusted:
            shown = [display(path)]
            raise WorktreeInTheWay([], shown) if untracked else WorktreeInTheWay(shown, [])
        return stale_entry(side)

    def _make_gitlink(self, full: bytes) -> os.stat_result:
        with contextlib.suppress(FileExistsError):
            os.mkdir(full, 0o777)
        return os.lstat(full)

    def _write_temp(self, full: bytes, path: bytes, side: Side) -> tuple[bytes, os.stat_result]:
        """A temporary file (or symlink) beside `full` holding `side` as the working tree
        has it at `path`, and its stat."""
        blob = blob_content(self.store, side.sha, self._reader)  # a large one streamed, never whole
        if not isinstance(blob, (Blob, StreamedBlob)):
            raise CorruptTree(side.sha, "a file entry that is not a blob")
        temp = self._temp_names.beside(full)
        try:
            if side.is_link and self.opts.symlinks:
                os.symlink(b"".join(blob.as_raw_chunks()), temp)
                return temp, os.lstat(temp)
            conversion = self.conversion(path, side)
            st, skipped = _write_file(temp, blob, 0o777 if side.is_exec else 0o666, conversion)
            if skipped is not None:
                self.skipped[path] = skipped
            return temp, st
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def _parent_block(self, path: bytes, *, create: bool = False) -> bytes | None:
        """The first leading directory that is not a real directory (made when `create`)."""
        if path.rpartition(b"/")[0] in self._real_dirs:  # and so, all above it (put in root first)
            return None
        for parent in parents(path):
            if parent in self._real_dirs:
                continue
            full = self.opts.full(parent)
            st = lstat_or_none(full)
            if st is None and create:
                with contextlib.suppress(FileExistsError):  # someone made it meanwhile: looked at below
                    os.mkdir(full, 0o777)
                st = lstat_or_none(full)
            if st is None or not stat.S_ISDIR(st.st_mode):
                return parent
            self._real_dirs.add(parent)
        return None


def _is_attributes_file(path: bytes) -> bool:
    return path == ATTRIBUTES or path.endswith(b"/" + ATTRIBUTES)


def stale_entry(side: Side) -> IndexEntry:
    """An index entry for `side` whose zero stat never matches a file, so git hashes it."""
    return IndexEntry(ctime=0, mtime=0, dev=0, ino=0, mode=side.mode, uid=0, gid=0, size=0, sha=side.sha)


class _TempNames:
    """Names for temporary files beside the paths a switch writes: one random part a writer
    (another process's never meets it) and a counter, not a `getrandom` call a file."""

    def __init__(self) -> None:
        self._prefix = TEMP_PREFIX + secrets.token_hex(6).encode() + b"-"
        self._count = itertools.count()

    def beside(self, full: bytes) -> bytes:
        name = b"%s%d" % (self._prefix, next(self._count))
        return os.path.join(os.path.dirname(full), name)


def _of_path(exc: OSError, full: bytes) -> OSError:
    """`exc` (a full disk, a folder that is read-only or immutable) said of `full`, the
    file being written, rather than of the temporary file beside it or of no file at all
    (a write that found the disk full names none): the sync's message names that path."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror, os.fsdecode(full))


def _conv_path(side: Side, path: bytes) -> bytes | None:
    """The path whose attributes decide how a file holding `side` is hashed (None: raw)."""
    return path if converted(side) else None


def _write_file(
    temp: bytes, blob: Blob | StreamedBlob, mode: int, conversion: PathConversion | None
) -> tuple[os.stat_result, ContentSkipped | None]:
    """Write `blob` (converted) to the new file `temp`; its stat once written (what the index
    entry records), and the skip to list if a driver had the blob written as it is."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    fd = os.open(temp, flags, mode)
    if conversion is None or conversion.identity:  # as stored: straight to the file, no buffer object
        try:
            for chunk in blob.as_raw_chunks():
                _write_all(fd, chunk)
            return os.fstat(fd), None
        finally:
            os.close(fd)
    with os.fdopen(fd, "w+b") as f:
        skipped = write_worktree_content(f, blob, conversion)
        f.flush()
        return os.fstat(fd), skipped


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _rmdir_if_empty(full: bytes) -> bool:
    try:
        os.rmdir(full)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR, errno.EBUSY):
            return False
        raise
    return True


def _is_empty(full: bytes) -> bool:
    with os.scandir(full) as it:
        return next(it, None) is None
