"""Which working-tree files may have changed since the index was written, by stat alone.

One walk of the tree: each directory is opened once (never through a
symlink) and listed, and every tracked file in it is lstat'ed relative to it
and compared with its index entry (mtime and ctime in nanoseconds, size,
inode, uid, gid, type and executable bit, as git's `ie_match_stat`); every
untracked name is checked against the exclude rules, which are read only
then (an untracked editor's swap, lock or backup file, `editor_files.py`, is left
out as if excluded); excluded directories, and untracked directories holding a `.git`
(nested repositories), are not entered. The cost grows with the tree, not
with directories times index entries. (`os.scandir` caches no stat on Linux,
only the entry type, and its `DirEntry` objects cost more than they save.)

Submodules (gitlinks) are not walked into: each is looked at as `git add -A`
looks at it (submodules.py): a moved checked-out commit, a removed directory, or
a file in its place is a candidate; its own files never are.

No file's content is read: a file whose stat differs is a *candidate*, for
the caller to hash (it may turn out unchanged, e.g. after a `touch`). Like
git's racy-git check, a file whose mtime is not older than the index file is
a candidate even when its stat matches: it may have been rewritten within
the timestamp's granularity.

A scan is a snapshot: files can change while it runs, and the caller
re-checks each candidate's stat when it reads the file (`blob_stream`).
Untracked entries that vanish during the scan are simply not there; tracked
ones are deleted. Tracked files the scan cannot reach (a directory it may
not list) are `unreadable`, never deleted.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Literal

from dulwich.config import StackedConfig
from dulwich.index import Index
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.index.stat_data import (
    KEY_MODE_BITS,
    IndexStat,
    Stamp,
    StatKey,
    current_index_stat,
    index_stat_of,
    key_git_mode,
)
from core.git.objects.path_safety import UnsafePath, check_entry_name
from core.git.worktree.editor_files import is_editor_file
from core.git.worktree.ignore_rules import DirRules, IgnoreRules
from core.git.worktree.sparse_checkout import sparse_checkout
from core.git.worktree.submodules import behind, checked_out

Kind = Literal["added", "modified", "deleted"]
_U32 = 0xFFFFFFFF
_GITLINK = 0o160000
_SYMLINK = 0o120000
_NONE: dict[bytes, StatKey] = {}
_DIR_FLAGS = (
    os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
FD_WALK = os.lstat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY") and hasattr(os, "O_NOFOLLOW")


@dataclass(frozen=True)
class WorktreeChange:
    path: bytes
    kind: Kind
    mode: int | None  # git mode now there (0o100644, 0o100755, 0o120000, 0o160000); None if deleted
    size: int | None
    stat: os.stat_result | None
    gitlink: ObjectID | None = None  # a submodule's newly checked-out commit


@dataclass
class WorktreeScan:
    candidates: list[WorktreeChange] = field(default_factory=list)
    unreadable: list[tuple[bytes, str]] = field(default_factory=list)
    nested: list[bytes] = field(default_factory=list)  # untracked, not ignored, holding a .git
    files_opened: int = 0  # exclude files read; no tracked file is ever opened
    index_stamp: Stamp | None = None  # of the index file compared against; None when given an Index


@dataclass(frozen=True)
class _Checks:
    """Which stat fields git compares here (core.fileMode, core.trustCtime, core.checkStat), and
    whether the file system has symlinks (core.symlinks)."""

    filemode: bool
    trustctime: bool
    full_stat: bool
    symlinks: bool = True


def scan_worktree(repo: Repo, index: Index | None = None) -> WorktreeScan:
    """Candidates for a commit: files whose stat differs from the index (or is racy), untracked
    files that are not ignored, and deleted files; in a sparse checkout, only those the
    patterns include (`git add -A` leaves the others alone, and says so).

    Without `index`, the index file is read here, stat fields only (fast). Pass the `Index`
    you hold (e.g. `LockedIndex.index`) to scan against exactly that.
    """
    view = current_index_stat(repo) if index is None else index_stat_of(index, repo.index_path())
    config = repo.get_config_stack()
    checks = _Checks(
        filemode=config.get_boolean(b"core", b"filemode", True),
        trustctime=config.get_boolean(b"core", b"trustctime", True),
        full_stat=_config_value(config, b"checkstat") != b"minimal",
        symlinks=config.get_boolean(b"core", b"symlinks", True),
    )
    root = os.fsencode(repo.path)
    rules = IgnoreRules(root, os.fsencode(repo.commondir()), config)  # info/ is shared by worktrees
    scanner = _Scanner(root, view, checks, rules)
    scanner.walk()
    scanner.collect_missing()
    if view.gitlinks:
        scanner.look_at_submodules(view.gitlinks)
    sparse = sparse_checkout(repo)
    if sparse is not None:
        scanner.result.candidates = [c for c in scanner.result.candidates if sparse.includes(c.path)]
    scanner.result.files_opened = rules.files_opened
    scanner.result.index_stamp = view.stamp
    return scanner.result


class _Scanner:
    def __init__(self, root: bytes, view: IndexStat, checks: _Checks, rules: IgnoreRules) -> None:
        self.root = root
        self.view = view
        self.checks = checks
        self.rules = rules
        self.result = WorktreeScan()
        self.listed: set[bytes] = set()
        self.unmerged_seen: set[bytes] = set()
        self.blocked: dict[bytes, str] = {}
        self.tracked_dirs = view.tracked_dirs

    def walk(self) -> None:
        stack: list[DirRules] = [self.rules.top()]
        while stack:
            frame = stack.pop()
            base = os.path.join(self.root, frame.rel[:-1])  # no trailing slash: it would follow a symlink
            try:
                fd = _open_directory(base)
            except OSError as exc:
                self._unopenable(frame, exc)
                continue
            try:
                self._list(frame, base, fd, stack)
            finally:
                if fd is not None:
                    os.close(fd)

    def _list(self, frame: DirRules, base: bytes, fd: int | None, stack: list[DirRules]) -> None:
        try:
            names = os.listdir(base)
        except OSError as exc:
            self._unopenable(frame, exc)
            return
        self.listed.add(frame.rel)
        self._directory(frame, fd, b"" if fd is not None else os.path.join(base, b""), names, stack)

    def _directory(
        self, frame: DirRules, fd: int | None, prefix: bytes, names: list[bytes], stack: list[DirRules]
    ) -> None:
        """The hot loop: one lstat (relative to the directory) and one tuple comparison per file."""
        rel = frame.rel
        tracked = self.view.dirs.get(rel, _NONE)
        lstat = os.lstat
        index_mtime = self.view.mtime_ns
        found = 0
        for name in names:
            key = tracked.get(name)
            if key is None:
                self._other(frame, fd, prefix, name, stack)
                continue
            found += 1
            try:
                st = lstat(prefix + name, dir_fd=fd)
            except FileNotFoundError:
                self._deleted(rel + name)
                continue
            except OSError as exc:
                self.result.unreadable.append((rel + name, _reason(exc)))
                continue
            mtime = st.st_mtime_ns
            now = (
                mtime,
                st.st_ctime_ns,
                st.st_size,
                st.st_ino,
                st.st_mode & KEY_MODE_BITS,
                st.st_uid,
                st.st_gid,
            )
            if now == key and mtime < index_mtime:
                continue
            if now != key and self._same_for_git(now, key):
                continue
            self._changed(frame, name, st, key, stack)
        if found < len(tracked):
            for name in tracked.keys() - set(names):
                self._deleted(rel + name)

    def _same_for_git(self, now: StatKey, key: StatKey) -> bool:
        """Keys that differ only where git does not look (core.trustCtime, core.checkStat,
        core.fileMode, fields wider than the index's 32 bits)."""
        checks = self.checks
        mtime, ctime, size, ino, bits, uid, gid = now
        if mtime != key[0] or size & _U32 != key[2]:
            return False
        if checks.trustctime and ctime != key[1]:
            return False
        if checks.full_stat and (ino & _U32 != key[3] or uid != key[5] or gid != key[6]):
            return False
        mask = KEY_MODE_BITS if checks.filemode else 0o170000
        if not checks.symlinks and stat.S_ISLNK(key[4]) and stat.S_ISREG(bits):
            bits = key[4]  # a symlink checked out as a file (core.symlinks false): git sees no change of type
        return bits & mask == key[4] & mask and mtime < self.view.mtime_ns

    def _changed(
        self, frame: DirRules, name: bytes, st: os.stat_result, key: StatKey, stack: list[DirRules]
    ) -> None:
        path = frame.rel + name
        if stat.S_ISDIR(st.st_mode):  # a tracked file replaced by a directory
            self._deleted(path)
            self._untracked_dir(frame, name, stack)
            return
        mode = _git_mode(st.st_mode, key_git_mode(key), self.checks)
        if mode is None:
            self._deleted(path)  # now a FIFO, socket or device: git sees the file gone
            return
        self.result.candidates.append(WorktreeChange(path, "modified", mode, st.st_size, st))

    def _other(
        self, frame: DirRules, fd: int | None, prefix: bytes, name: bytes, stack: list[DirRules]
    ) -> None:
        """A name that is not a tracked file: a tracked directory, a special entry, or untracked."""
        path = frame.rel + name
        if path + b"/" in self.tracked_dirs:
            stack.append(frame.child(name))  # if it is no longer a directory, opening it says so
            return
        if path in self.view.trusted or name == b".git":  # .git: never an entry, at any level
            return
        try:
            st = os.lstat(prefix + name, dir_fd=fd)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.result.unreadable.append((path, _reason(exc)))
            return
        if stat.S_ISDIR(st.st_mode):
            self._untracked_dir(frame, name, stack)
        elif path in self.view.unmerged:
            self.unmerged_seen.add(path)
            mode = _git_mode(st.st_mode, None, self.checks)
            self.result.candidates.append(WorktreeChange(path, "modified", mode, st.st_size, st))
        else:
            self._untracked_file(frame, name, st)

    def _untracked_dir(self, frame: DirRules, name: bytes, stack: list[DirRules]) -> None:
        if frame.ignored(name, True) or not self._storable(frame.rel, name, True):
            return
        if not os.path.lexists(os.path.join(self.root, frame.rel, name, b".git")):
            stack.append(frame.child(name))
        else:
            self.result.nested.append(frame.rel + name)  # a nested repository: left alone, named

    def _untracked_file(self, frame: DirRules, name: bytes, st: os.stat_result) -> None:
        mode = _git_mode(st.st_mode, None, self.checks)
        if mode is None or is_editor_file(name) or frame.ignored(name, False):
            return
        if not self._storable(frame.rel, name, False):
            return
        self.result.candidates.append(WorktreeChange(frame.rel + name, "added", mode, st.st_size, st))

    def _storable(self, parent: bytes, name: bytes, is_dir: bool) -> bool:
        try:
            check_entry_name(parent.rstrip(b"/"), name, 0o040000 if is_dir else 0o100644)
        except UnsafePath as exc:
            self.result.unreadable.append((parent + name, f"a name git cannot store: {exc.why}"))
            return False
        return True

    def _deleted(self, path: bytes) -> None:
        self.result.candidates.append(WorktreeChange(path, "deleted", None, None, None))

    def _unopenable(self, frame: DirRules, exc: OSError) -> None:
        if exc.errno == errno.ENOENT:
            return  # vanished since its parent was listed: its tracked files are deleted
        parent = frame.parent
        if exc.errno in (errno.ENOTDIR, errno.ELOOP) and parent is not None:
            self._not_a_directory(parent, frame.rel[len(parent.rel) : -1])
            return
        self.blocked[frame.rel] = _reason(exc)
        self.result.unreadable.append((frame.rel, _reason(exc)))

    def _not_a_directory(self, frame: DirRules, name: bytes) -> None:
        """A tracked directory that is now a file or a symlink: an untracked entry (its files: deleted)."""
        try:
            st = os.lstat(os.path.join(self.root, frame.rel, name))
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(st.st_mode):
            self._untracked_file(frame, name, st)

    def collect_missing(self) -> None:
        """Tracked paths in directories the walk did not list: deleted, or unreadable."""
        view = self.view
        missing = [rel + name for rel in view.dirs.keys() - self.listed for name in view.dirs[rel]]
        missing.extend(view.unmerged - self.unmerged_seen)
        for path in missing:
            reason = self._blocked_reason(path)
            if reason is None:
                self._deleted(path)
            else:
                self.result.unreadable.append((path, reason))

    def look_at_submodules(self, gitlinks: dict[bytes, bytes]) -> None:
        """Each gitlink as git add -A sees it (see submodules.py)."""
        for path, recorded in sorted(gitlinks.items()):
            full = os.path.join(self.root, path)
            try:
                st = os.lstat(full)
            except (FileNotFoundError, NotADirectoryError):
                reason = self._blocked_reason(path)
                if reason is None:
                    self._deleted(path)
                else:
                    self.result.unreadable.append((path, reason))
                continue
            except OSError as exc:
                self.result.unreadable.append((path, _reason(exc)))
                continue
            if not stat.S_ISDIR(st.st_mode):
                mode = _git_mode(st.st_mode, None, self.checks)
                if mode is None:
                    self._deleted(path)
                else:
                    self.result.candidates.append(WorktreeChange(path, "modified", mode, st.st_size, st))
                continue
            head = checked_out(full)
            if head is not None and head != recorded and not behind(full, head, ObjectID(recorded)):
                self.result.candidates.append(WorktreeChange(path, "modified", _GITLINK, None, st, head))

    def _blocked_reason(self, path: bytes) -> str | None:
        end = path.rfind(b"/")
        while end >= 0:
            reason = self.blocked.get(path[: end + 1])
            if reason is not None:
                return reason
            end = path.rfind(b"/", 0, end)
        return None


def _open_directory(path: bytes) -> int | None:
    """An fd of the directory at `path`, never through a symlink (OSError: ENOTDIR or ELOOP if it
    is not a directory). Where `lstat` takes no `dir_fd` (Windows): None, after checking by lstat."""
    if FD_WALK:
        return os.open(path, _DIR_FLAGS)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
    return None


def _config_value(config: StackedConfig, name: bytes) -> bytes | None:
    try:
        return config.get(b"core", name)
    except KeyError:
        return None


def _git_mode(st_mode: int, index_mode: int | None, checks: _Checks) -> int | None:
    """The mode git would record for this file (None: not a file git tracks), as git's
    `ce_mode_from_stat`: with core.symlinks false a file where a symlink is recorded stays a
    symlink (git checked it out as a file holding the target); with core.fileMode false the
    x bit is not trusted: a tracked file keeps its recorded mode, a new one is 100644."""
    if stat.S_ISREG(st_mode):
        if not checks.symlinks and index_mode == _SYMLINK:
            return _SYMLINK
        if not checks.filemode:
            return index_mode if index_mode is not None and stat.S_ISREG(index_mode) else 0o100644
        return 0o100755 if st_mode & 0o100 else 0o100644
    if stat.S_ISLNK(st_mode):
        return _SYMLINK
    return None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)
