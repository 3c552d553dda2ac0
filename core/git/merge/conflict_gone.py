"""Does a conflict the last sync met still hold? Asked when the user may have
resolved it with git alone (`git merge` and a commit, `git pull`, a rebase) or with
`gitferry resolve --finish`: auto mode, stopped by the conflict, goes on once it does
not.

It holds while a git command is unfinished in the worktree (a merge or rebase
stopped, unmerged paths in the index), or while the checked-out branch and its
upstream have diverged and merging them again (in memory, nothing written) still
conflicts on one of the recorded paths. It no longer holds once the upstream is
reachable from the branch (merged), the branch is behind it only (a fast-forward),
the upstream is gone, or the merge is clean on those paths (the user's edit made the
two sides agree).
"""

from __future__ import annotations

from collections.abc import Collection

from dulwich.repo import Repo

from core.git.config.upstreams import upstream_of
from core.git.history.merge_base import merge_bases
from core.git.merge.integrate import checked_out, tracking_head
from core.git.merge.merge_tree import merge_commits
from core.git.objects.object_overlay import ObjectOverlay
from core.git.worktree.git_operation import unfinished_work


def conflict_holds(repo: Repo, paths: Collection[str]) -> bool:
    """True while the checked-out branch's conflict on `paths` (any path: empty) is unresolved."""
    if unfinished_work(repo) is not None:
        return True
    branch, local = checked_out(repo)
    upstream = upstream_of(repo, branch)
    remote = tracking_head(repo, upstream) if upstream is not None else None
    if remote is None:
        return False  # no upstream to conflict with any more
    bases = merge_bases(repo, local, remote)
    if remote in bases or local in bases:
        return False  # merged, or behind only
    merged = merge_commits(repo, ObjectOverlay(repo.object_store), local, remote, bases)
    if not paths:
        return bool(merged.conflicts)
    return any(path in paths for path in merged.conflicts) or bool(merged.rename_conflicts)
