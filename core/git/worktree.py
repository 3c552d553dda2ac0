"""Which working-tree files may have changed since the index was written, by stat alone.

One walk of the tree with `os.scandir`: every tracked file is lstat'ed once
and compared with its index entry (mtime and ctime in nanoseconds, size,
inode, uid, gid, type and executable bit, as git's `ie_match_stat`); every
untracked name is checked against the exclude rules, which are read only
then; directories that are excluded, and untracked directories holding a
`.git` (nested repositories), are not entered. The cost grows with the tree,
not with directories times index entries. No file's content is read: a file
whose stat differs is a *candidate*, for the caller to hash (it may turn out
unchanged, e.g. after a `touch`). Like git's racy-git check, a file whose
mtime is not older than the index file is a candidate even when its stat
matches: it may have been rewritten within the timestamp's granularity.

A scan is a snapshot: files can change while it runs, and the caller
re-checks each candidate's stat when it reads the file (`blob_stream`).
Untracked entries that vanish during the scan are simply not there; tracked
ones are deleted.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Literal

from dulwich.config import StackedConfig
from dulwich.index import Index
from dulwich.repo import Repo

from core.git.ignore_rules import DirRules, IgnoreRules
from core.git.index_stat import IndexStat, StatEntry, index_stat_of, read_index_stat
from core.git.path_safety import UnsafePath, check_entry_name

Kind = Literal["added", "modified", "deleted"]
_NS = 1_000_000_000
_U32 = 0xFFFFFFFF
_GITLINK = 0o160000
_SYMLINK = 0o120000


@dataclass(frozen=True)
class WorktreeChange:
    path: bytes
    kind: Kind
    mode: int | None  # git mode of the file now there (0o100644, 0o100755, 0o120000); None if deleted
    size: int | None
    stat: os.stat_result | None


@dataclass
class WorktreeScan:
    candidates: list[WorktreeChange] = field(default_factory=list)
    unreadable: list[tuple[bytes, str]] = field(default_factory=list)
    files_opened: int = 0  # exclude files read; no tracked file is ever opened


@dataclass(frozen=True)
class _Checks:
    """Which stat fields git compares here (core.fileMode, core.trustCtime, core.checkStat)."""

    filemode: bool
    trustctime: bool
    full_stat: bool
    symlinks: bool


def scan_worktree(repo: Repo, index: Index | None = None) -> WorktreeScan:
    """Candidates for a commit: files whose stat differs from the index (or is racy), untracked
    files that are not ignored, and deleted files.

    Without `index`, the index file is read here, stat fields only (fast). Pass the `Index`
    you hold (e.g. `LockedIndex.index`) to scan against exactly that.
    """
    if index is None:
        view = read_index_stat(repo.index_path(), repo.object_format)
    else:
        view = index_stat_of(index, repo.index_path())
    config = repo.get_config_stack()
    checks = _Checks(
        filemode=config.get_boolean(b"core", b"filemode", True),
        trustctime=config.get_boolean(b"core", b"trustctime", True),
        full_stat=_config_value(config, b"checkstat") != b"minimal",
        symlinks=config.get_boolean(b"core", b"symlinks", True),
    )
    root = os.fsencode(repo.path)
    rules = IgnoreRules(root, os.fsencode(repo.controldir()), config)
    scanner = _Scanner(root, view, checks, rules)
    scanner.walk()
    scanner.collect_missing()
    scanner.result.files_opened = rules.files_opened
    return scanner.result


class _Scanner:
    def __init__(self, root: bytes, view: IndexStat, checks: _Checks, rules: IgnoreRules) -> None:
        self.root = root
        self.view = view
        self.checks = checks
        self.rules = rules
        self.result = WorktreeScan()
        self.seen: set[bytes] = set()
        self.walked: set[bytes] = set()
        self.blocked: dict[bytes, str] = {}
        self.tracked_dirs = view.tracked_dirs()

    def walk(self) -> None:
        stack: list[DirRules] = [self.rules.top()]
        while stack:
            frame = stack.pop()
            try:
                with os.scandir(os.path.join(self.root, frame.rel)) as listing:
                    entries = list(listing)
            except OSError as exc:
                self._blocked(frame.rel, exc)
                continue
            self.walked.add(frame.rel)
            self._directory(frame, entries, stack)

    def _directory(self, frame: DirRules, listing: list[os.DirEntry[bytes]], stack: list[DirRules]) -> None:
        rel = frame.rel
        tracked = self.view.entries
        seen = self.seen
        for item in listing:
            path = rel + item.name
            expected = tracked.get(path)
            if expected is None:
                self._untracked(frame, item, stack)
                continue
            seen.add(path)
            if path in self.view.trusted or expected[5] == _GITLINK:
                continue
            try:
                st = item.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # vanished: reported as deleted with the others
            if not self._unchanged(st, expected):
                self._changed(path, st, expected[5], frame, stack)

    def _unchanged(self, st: os.stat_result, e: StatEntry) -> bool:
        mtime = st.st_mtime_ns
        if e[3] != mtime % _NS or e[2] != (mtime // _NS) & _U32 or e[8] != st.st_size & _U32:
            return False
        checks = self.checks
        if checks.trustctime:
            ctime = st.st_ctime_ns
            if e[1] != ctime % _NS or e[0] != (ctime // _NS) & _U32:
                return False
        if checks.full_stat and (e[4] != st.st_ino & _U32 or e[6] != st.st_uid or e[7] != st.st_gid):
            return False
        if _git_mode(st.st_mode, e[5], checks) != e[5]:
            return False
        return mtime < self.view.mtime_ns  # racy otherwise: rewritten within the granularity?

    def _changed(
        self, path: bytes, st: os.stat_result, index_mode: int, frame: DirRules, stack: list[DirRules]
    ) -> None:
        if stat.S_ISDIR(st.st_mode):  # a tracked file replaced by a directory
            self._deleted(path)
            name = path[len(frame.rel) :]
            if not frame.ignored(name, True):
                stack.append(frame.child(name))
            return
        mode = _git_mode(st.st_mode, index_mode, self.checks)
        if mode is None:
            self._deleted(path)  # now a FIFO, socket or device: git sees the file gone
            return
        self.result.candidates.append(WorktreeChange(path, "modified", mode, st.st_size, st))

    def _untracked(self, frame: DirRules, item: os.DirEntry[bytes], stack: list[DirRules]) -> None:
        path = frame.rel + item.name
        if path in self.view.unmerged:
            self._unmerged(path, item)
            return
        if not frame.rel and item.name == b".git":
            return
        try:
            is_dir = item.is_dir(follow_symlinks=False)
        except OSError:
            return
        if is_dir and path + b"/" in self.tracked_dirs:
            stack.append(frame.child(item.name))
            return
        if frame.ignored(item.name, is_dir) or not self._storable(frame.rel, item.name, is_dir):
            return
        if is_dir:
            if not os.path.lexists(os.path.join(item.path, b".git")):
                stack.append(frame.child(item.name))  # a nested repository is left alone
            return
        try:
            st = item.stat(follow_symlinks=False)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.result.unreadable.append((path, _reason(exc)))
            return
        mode = _git_mode(st.st_mode, None, self.checks)
        if mode is not None:
            self.result.candidates.append(WorktreeChange(path, "added", mode, st.st_size, st))

    def _storable(self, parent: bytes, name: bytes, is_dir: bool) -> bool:
        try:
            check_entry_name(parent.rstrip(b"/"), name, 0o040000 if is_dir else 0o100644)
        except UnsafePath as exc:
            self.result.unreadable.append((parent + name, f"a name git cannot store: {exc.why}"))
            return False
        return True

    def _unmerged(self, path: bytes, item: os.DirEntry[bytes]) -> None:
        self.seen.add(path)
        st = item.stat(follow_symlinks=False)
        mode = _git_mode(st.st_mode, None, self.checks)
        self.result.candidates.append(WorktreeChange(path, "modified", mode, st.st_size, st))

    def _deleted(self, path: bytes) -> None:
        self.result.candidates.append(WorktreeChange(path, "deleted", None, None, None))

    def _blocked(self, rel: bytes, exc: OSError) -> None:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return  # vanished, or replaced by a file: its tracked files are deleted
        self.blocked[rel] = _reason(exc)
        if rel not in self.tracked_dirs:
            self.result.unreadable.append((rel, _reason(exc)))

    def collect_missing(self) -> None:
        """Tracked paths the walk did not meet: deleted, or inside a directory it could not list."""
        view = self.view
        if len(self.seen) == len(view.entries) + len(view.unmerged):
            return
        for path in [*view.entries, *view.unmerged]:
            if path in self.seen or path in view.trusted:
                continue
            reason = self._blocked_reason(path)
            if reason is None:
                self._deleted(path)
            else:
                self.result.unreadable.append((path, reason))

    def _blocked_reason(self, path: bytes) -> str | None:
        end = path.rfind(b"/")
        while end >= 0:
            reason = self.blocked.get(path[: end + 1])
            if reason is not None:
                return reason
            end = path.rfind(b"/", 0, end)
        return None


def _config_value(config: StackedConfig, name: bytes) -> bytes | None:
    try:
        return config.get(b"core", name)
    except KeyError:
        return None


def _git_mode(st_mode: int, index_mode: int | None, checks: _Checks) -> int | None:
    """The mode git would record for this file (None: not a file git tracks)."""
    if stat.S_ISREG(st_mode):
        if not checks.filemode and index_mode is not None and index_mode != _SYMLINK:
            return index_mode
        return 0o100755 if st_mode & 0o100 else 0o100644
    if stat.S_ISLNK(st_mode):
        return _SYMLINK
    return None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)
