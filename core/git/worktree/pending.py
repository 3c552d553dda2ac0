"""What an auto-commit would pick up now, as stat fingerprints: no file is read; and
which changed paths git ignores, for auto mode's watcher.

Auto mode asks this before a sync its file watcher triggered (nothing pending: an
ignored file, or the sync's own writes, changed; no sync, no network), and its
fallback scan, where no watcher can run, compares two of these to find the files
that changed between rounds (and those still changing, which wait).
"""

from __future__ import annotations

import os

from dulwich.repo import Repo

from core.git.index.stat_data import current_index_stat
from core.git.worktree.editor_files import is_editor_file
from core.git.worktree.ignore_rules import DirRules, IgnoreRules
from core.git.worktree.scan import scan_worktree

Fingerprint = tuple[str, int | None, int | None]  # kind, size, mtime in ns (None: deleted)


def pending_changes(path: str) -> dict[str, Fingerprint]:
    """Every path the scan would offer to a commit (modified, added, deleted, unreadable)
    with its stat fingerprint, relative to the tree, `/`-separated."""
    repo = Repo(path)
    try:
        scan = scan_worktree(repo)
    finally:
        repo.close()
    found: dict[str, Fingerprint] = {}
    for change in scan.candidates:
        st = change.stat
        found[os.fsdecode(change.path)] = (change.kind, change.size, None if st is None else st.st_mtime_ns)
    for raw, _why in scan.unreadable:
        found[os.fsdecode(raw)] = ("unreadable", None, None)
    return found


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
