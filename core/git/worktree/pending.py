"""What an auto-commit would pick up now, as stat fingerprints: no file is read; and
which changed paths git ignores, for auto mode's watcher.

Auto mode asks this before a sync its file watcher triggered (nothing pending: an
ignored file, or the sync's own writes, changed; no sync, no network; what was staged
with git counts, `anything_to_commit`), and its
fallback scan, where no watcher can run, compares two of these to find the files
that changed between rounds (and those still changing, which wait).
"""

from __future__ import annotations

import os

from dulwich.index import EXTENDED_FLAG_INTEND_TO_ADD, IndexEntry
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.index.read import open_index
from core.git.index.stat_data import Stamp, current_index_stat, index_file_stamp
from core.git.index.vouched_tree import vouched_tree
from core.git.objects.commit_read import commit_at
from core.git.repository import ref_value
from core.git.worktree.editor_files import is_editor_file
from core.git.worktree.ignore_rules import DirRules, IgnoreRules
from core.git.worktree.scan import scan_worktree

Fingerprint = tuple[str, int | None, int | None]  # kind, size, mtime in ns (None: deleted)


def pending_changes(path: str) -> dict[str, Fingerprint]:
    """Every path the scan would offer to a commit (modified, added, deleted, unreadable)
    with its stat fingerprint, relative to the tree, `/`-separated."""
    repo = Repo(path)
    try:
        return _pending(repo)
    finally:
        repo.close()


def _pending(repo: Repo) -> dict[str, Fingerprint]:
    scan = scan_worktree(repo)
    found: dict[str, Fingerprint] = {}
    for change in scan.candidates:
        st = change.stat
        found[os.fsdecode(change.path)] = (change.kind, change.size, None if st is None else st.st_mtime_ns)
    for raw, _why in scan.unreadable:
        found[os.fsdecode(raw)] = ("unreadable", None, None)
    return found


def anything_to_commit(path: str) -> bool:
    """Would an auto-commit make a commit now? A change the scan sees, or one already staged
    with git (`git mv`, `git rm`, a `git add` of the saved file: the working tree agrees
    with the index then, so the scan finds nothing, yet the index is not HEAD's tree)."""
    repo = Repo(path)  # one open for both looks
    try:
        return bool(_pending(repo)) or _staged(repo, path)
    finally:
        repo.close()


# Trees whose index was last found holding HEAD's tree: (index file's stamp, HEAD's commit)
# then. While both stay so, nothing is staged: nothing is read again. A first look asks the
# index's cache-tree first (`vouched_tree`: its root is HEAD's tree); only an index it does
# not vouch for is compared with HEAD's trees (a read of the whole index and of the trees,
# 1.1 s at 100,000 files).
_AGREED: dict[str, tuple[Stamp | None, bytes | None]] = {}


def staged_changes(path: str) -> bool:
    """The index holds changes HEAD's commit does not, as `git diff --cached --quiet` says.
    A HEAD that names no commit is a `GitferryError`."""
    repo = Repo(path)
    try:
        return _staged(repo, path)
    finally:
        repo.close()


def _staged(repo: Repo, path: str) -> bool:
    seen = (index_file_stamp(repo.index_path()), ref_value(repo, Ref(b"HEAD")))
    if _AGREED.get(path) == seen:
        return False
    head = seen[1]
    if head is None:
        staged = len(open_index(repo)) > 0
    else:
        commit = commit_at(repo, head, named=f"{path}: HEAD")
        staged = vouched_tree(repo) != commit.tree and _differs(repo, commit.tree)
    if staged:
        _AGREED.pop(path, None)
    else:
        _AGREED[path] = seen
    return staged


def _differs(repo: Repo, tree: ObjectID) -> bool:
    """The index's entries differ from `tree`'s files (read in full); a path only intended
    to be added (`git add -N`) is not staged yet, as git says."""
    index = open_index(repo)
    for (old, new), _modes, _ids in index.changes_from_tree(repo.object_store, tree):
        entry = index[new] if old is None and new is not None else None
        if not (isinstance(entry, IndexEntry) and entry.extended_flags & EXTENDED_FLAG_INTEND_TO_ADD):
            return True
    return False


def changed_between(before: dict[str, Fingerprint], after: dict[str, Fingerprint]) -> set[str]:
    """Paths pending now whose fingerprint differs from the earlier look (new, or moved
    since). A path no longer pending (committed, or put back as it was) needs no sync."""
    return {path for path, mark in after.items() if before.get(path) != mark}


RULE_FILES = (".gitignore",)


class IgnoredPaths:
    """Is a changed path one git ignores (and the index does not track)? For the file
    watcher, so a build folder's churn wakes nothing. The rules are read once and kept
    until a `.gitignore` changes (`ignored` notices it); `.git/info/exclude` and
    `core.excludesFile` are read at start. One thread at a time (the watcher's)."""

    def __init__(self, path: str) -> None:
        self._repo = Repo(path)
        self._root = os.fsencode(self._repo.path)
        self._top: DirRules | None = None
        self._dirs: dict[bytes, DirRules] = {}

    def ignored(self, rel: str) -> bool:
        """`rel` (relative, `/`-separated) is not tracked, and excluded by git's rules or
        an editor's file (`editor_files.py`): auto-commit leaves it out."""
        if rel.rsplit("/", 1)[-1] in RULE_FILES:
            self._top, self._dirs = None, {}  # the rules changed: read them again
            return False
        raw = os.fsencode(rel)
        cut = raw.rfind(b"/") + 1
        parent, name = raw[:cut], raw[cut:]
        if name in current_index_stat(self._repo).dirs.get(parent, {}):
            return False  # tracked: a change to it is a change, whatever the rules say
        is_dir = os.path.isdir(os.path.join(self._root, raw))
        if not is_dir and is_editor_file(name):
            return True
        return self._rules(parent).ignored(name, is_dir)

    def _rules(self, parent: bytes) -> DirRules:
        rules = self._dirs.get(parent)
        if rules is not None:
            return rules
        if not parent:
            if self._top is None:
                config = self._repo.get_config_stack()
                self._top = IgnoreRules(self._root, os.fsencode(self._repo.commondir()), config).top()
            rules = self._top
        else:
            above, _, name = parent[:-1].rpartition(b"/")
            rules = self._rules(above + b"/" if above else b"").child(name)
        self._dirs[parent] = rules
        return rules

    def close(self) -> None:
        self._repo.close()
