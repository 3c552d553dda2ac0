"""Undoing the last integration of the checked-out branch: back to the head its backup
ref kept, while nothing of the integration has been pushed.

Refused (one line, nothing changed) when the branch is not the one integrated, has
moved since (a commit of the user's would be dropped), no backup holds the old head,
or a remote-tracking ref already has the integrated head (it was pushed: undoing it
would rewrite published history). The undone head is itself kept as a backup ref,
so an undo loses nothing either. Branch, index and working tree move together
(`switch_branch`: local changes in the way refuse it).
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.history.merge_base import merge_bases
from core.git.merge.backup_refs import backup_head, backup_refs
from core.git.merge.integrate import branch_ref, checked_out, ensure_unlocked, translate_locks
from core.git.worktree.checkout import WorktreeInTheWay, switch_branch
from core.phrase import Phrase, phrase


class UndoRefused(GitferryError):
    def __init__(self, why: Phrase) -> None:
        super().__init__(phrase("not undone: {why}", why=why))
        self.why_said = why


@dataclass(frozen=True)
class Undone:
    branch: str
    undone: str  # the integrated head, now kept as a backup ref
    restored: str


def undo_refusal(repo: Repo, branch: str, old: str, new: str) -> UndoRefused | None:
    """Why moving `branch` from `new` back to `old` is refused now, or None: it may be undone
    (asked before the user is offered Undo, and again under the lock by `undo_integration`)."""
    current, head = checked_out(repo)
    if current != branch:
        return UndoRefused(
            phrase(
                "{branch} is not checked out (it was integrated, {current} is checked out now)",
                branch=branch,
                current=str(current),
            )
        )
    if head.decode() != new:
        return UndoRefused(
            phrase(
                "{branch} moved since the integration (now {commit})",
                branch=branch,
                commit=head.decode()[:10],
            )
        )
    old_id, new_id = ObjectID(old.encode()), ObjectID(new.encode())
    if all(sha != old_id for _ref, sha in backup_refs(repo, branch)):
        return UndoRefused(
            phrase("no backup ref of {branch} holds {commit} any more", branch=branch, commit=old[:10])
        )
    for ref, sha in sorted(repo.refs.as_dict(Ref(b"refs/remotes/")).items()):
        if ref.endswith(b"/HEAD"):  # a remote's symbolic HEAD names a branch checked below
            continue
        if sha == new_id or new_id in merge_bases(repo, new_id, sha):
            shown = ref.decode()
            return UndoRefused(
                phrase(
                    "{ref} already has {branch}'s head (pushed since, or fast-forwarded to it)",
                    ref=shown,
                    branch=branch,
                )
            )
    return None


def undo_integration(repo: Repo, branch: str, old: str, new: str, *, now: float | None = None) -> Undone:
    """Move `branch` from `new` (what an integration made) back to `old` (its head before)."""
    refused = undo_refusal(repo, branch, old, new)
    if refused is not None:
        raise refused
    old_id, new_id = ObjectID(old.encode()), ObjectID(new.encode())
    ensure_unlocked(repo, [branch_ref(branch)], index=True)
    with translate_locks():
        try:
            switch_branch(
                repo,
                branch_ref(branch),
                new_id,
                old_id,
                message=b"gitferry: undo the last integration",
                on_checked=lambda: backup_head(repo, branch, new_id, now=now),
            )
        except WorktreeInTheWay as in_the_way:
            raise in_the_way.again("undo") from None  # the way back is Undo, not a sync
    return Undone(branch, new, old)
