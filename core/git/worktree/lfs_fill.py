"""Files a checkout left as their Git LFS pointer (the object could not be had then),
written with their content once the object is in `.git/lfs/objects`, as `git lfs pull`
writes them. Only a file that still holds the pointer is written, swapped in the way a
switch writes (`WorktreeWriter.fill`), under the index lock: a save made meanwhile stays.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from dulwich.index import IndexEntry
from dulwich.repo import Repo

from core.git.index.locked import LockedIndex
from core.git.objects.lfs_scan import pointer_of_blob
from core.git.objects.lfs_store import LfsStore
from core.git.objects.tree_delta import Side
from core.git.worktree.state import index_entry_at, worktree_options
from core.git.worktree.write import WorktreeWriter


def fill_lfs_files(repo: Repo, paths: Iterable[str]) -> list[str]:
    """Of `paths`, write those whose index entry is an LFS pointer whose object is now here
    and whose file still holds that pointer; the paths written."""
    store = LfsStore.of(repo)
    filled: list[str] = []
    with LockedIndex(repo) as locked:
        opts = worktree_options(repo, repo.index_path(), locked.index)
        writer = WorktreeWriter(repo.object_store, opts, racy_from_ns=locked.taken_ns)
        for path in paths:
            raw = os.fsencode(path)
            entry = index_entry_at(locked.index, raw)
            if not isinstance(entry, IndexEntry) or not stat.S_ISREG(entry.mode):
                continue
            pointer = pointer_of_blob(repo.object_store, entry.sha)
            if pointer is None or not store.has(pointer):
                continue
            written = writer.fill(raw, Side(entry.mode, entry.sha))
            if written is not None:
                locked.index[raw] = written
                filled.append(path)
        if filled:
            locked.commit()
    return filled
