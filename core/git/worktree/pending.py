"""What an auto-commit would pick up now, as stat fingerprints: no file is read.

Auto mode asks this before a sync its file watcher triggered (nothing pending: an
ignored file, or the sync's own writes, changed; no sync, no network), and its
fallback scan, where no watcher can run, compares two of these to find the files
that changed between rounds (and those still changing, which wait).
"""

from __future__ import annotations

import os

from dulwich.repo import Repo

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
