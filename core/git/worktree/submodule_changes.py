"""Whether a submodule's working tree has local changes, as the superproject's `git status`
says "modified content" or "untracked content" of it.

A tracked file modified or deleted, a file staged in the submodule's index and not
committed, an untracked file its ignore rules do not hide. Stat tells first (the scan
of auto-commit, `scan.py`); a file only racy is read and compared with its blob, so a
fresh checkout is not taken for a change. `submodule.<name>.ignore` in `.gitmodules`
hides what it hides from `git status`: `dirty` or `all` every change, `untracked` the
untracked files.
"""

from __future__ import annotations

import os

from dulwich.errors import NotGitRepository
from dulwich.index import IndexEntry
from dulwich.repo import Repo

from core.git.index.read import open_index
from core.git.worktree.pending import staged_changes
from core.git.worktree.scan import scan_worktree
from core.git.worktree.state import index_entry_at, matches_index_entry, worktree_options


def local_changes(full: bytes, ignore: bytes | None = None) -> bool:
    """The submodule checked out at `full` has changes `git status` shows (`ignore`: its
    `.gitmodules` setting)."""
    if ignore in (b"dirty", b"all"):
        return False
    try:
        with Repo(os.fsdecode(full)) as sub:
            index = open_index(sub)
            scan = scan_worktree(sub, index)
            opts = worktree_options(sub, sub.index_path(), index)
            for change in scan.candidates:
                entry = index_entry_at(index, change.path)
                if not isinstance(entry, IndexEntry):  # untracked (or in conflict)
                    if ignore != b"untracked":
                        return True
                elif change.stat is None or not matches_index_entry(change.stat, change.path, entry, opts):
                    return True
            if scan.nested and ignore != b"untracked":
                return True
        return staged_changes(os.fsdecode(full))
    except (NotGitRepository, OSError, KeyError, ValueError):
        return False
