"""A git command the user has not finished in this worktree: a merge stopped on a
conflict, a rebase, `git am`, a cherry-pick or revert, a bisect.

Integrating underneath one would mix Gitferry's change into the user's
half-done work (`git pull` refuses: "You have not concluded your merge
(MERGE_HEAD exists)"), and committing everything in the middle of one would
record a half-resolved state. Detected from the state files git leaves in
the worktree's own git dir (`.git/worktrees/<id>/` for a linked worktree),
in the order `git status` reads them (wt-status.c, `wt_status_get_state`).

An index holding conflict stages (1-3) with no such state file (a `git stash pop`
or `git checkout -m` that conflicted) stops both the same way: git refuses to
commit or pull over it ("you need to resolve your current index first").
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.index.stat_data import current_index_stat, has_unmerged
from core.git.worktree.worktrees import rebased_branch
from core.phrase import Phrase, phrase, some
from core.results import ResultKind, Unfinished

_NAMED = 3  # unmerged paths a message names
# What to do, as `git status` says it (wt-status.c) for the commands that detach HEAD.
_ADVICE_REBASE = phrase(
    "resolve any conflict and run git rebase --continue, or git rebase --abort to undo it"
)
_ADVICE_AM = phrase("resolve any conflict and run git am --continue, or git am --abort to undo it")
_ADVICE = phrase("finish or abort it with git")
_ADVICE_UNMERGED = phrase("resolve them with git (fix them, then git add or git rm)")


@dataclass(frozen=True)
class GitOperation:
    what: Phrase  # "a merge", "a rebase of topic", ...
    marker: str | Phrase  # the state file or directory that says so
    command: Unfinished  # which command, for the report and the window's word
    advice: Phrase = _ADVICE

    def describe(self) -> str:
        return self.said().english()

    def said(self) -> Phrase:
        return phrase("{what} is in progress ({marker})", what=self.what, marker=self.marker)

    def holding_head(self) -> str:
        """Said where HEAD is detached because of it (a rebase, `git am`, a bisect), in
        place of "check out a branch": a sync only fetches until it is done."""
        return f"{self.describe()}: a sync only fetches; {self.advice.english()}"


@dataclass(frozen=True)
class UnmergedIndex(GitOperation):
    """Conflict stages in the index, no git command's state file beside them."""

    advice: Phrase = _ADVICE_UNMERGED

    def said(self) -> Phrase:
        return phrase("the index has unmerged paths ({marker})", marker=self.marker)


class OperationInProgress(GitferryError):
    """The checked-out branch was not integrated: the user is in the middle of a git command.

    `dirty`, not `busy`: like uncommitted changes in the way, it is the user's
    unfinished work that only they can conclude, and it stays the repository's
    shown result until they do (`busy` means another sync holds the lock right
    now, and is not recorded as the repository's result)."""

    result = ResultKind.DIRTY

    def __init__(self, branch: str | None, operation: GitOperation) -> None:
        said, advice = operation.said(), operation.advice
        if branch:
            super().__init__(
                phrase("{branch}: {operation}: {advice}", branch=branch, operation=said, advice=advice)
            )
        else:
            super().__init__(phrase("{operation}: {advice}", operation=said, advice=advice))
        self.branch = branch
        self.operation = operation
        self.unfinished = operation.command


STOPPED_COMMAND_MARKERS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")
"""Of the state files `operation_in_progress` reads, those a command stopped on a conflict
leaves (`git pull`, `git merge`, `git cherry-pick`, `git revert`, `git rebase`): what the
daemon looks for between syncs (`core.engine.git_command_look`)."""


def operation_in_progress(git_dir: str) -> GitOperation | None:
    """The unfinished git command of the worktree whose git dir is `git_dir`, if any."""

    def has(name: str) -> bool:
        return os.path.lexists(os.path.join(git_dir, name))

    if has("MERGE_HEAD"):
        return GitOperation(phrase("a merge"), "MERGE_HEAD", Unfinished.MERGE)
    if has("rebase-apply"):
        if has(os.path.join("rebase-apply", "applying")):
            return GitOperation(phrase("`git am`"), "rebase-apply", Unfinished.AM, _ADVICE_AM)
        return GitOperation(_rebase(git_dir), "rebase-apply", Unfinished.REBASE, _ADVICE_REBASE)
    if has("rebase-merge"):
        return GitOperation(_rebase(git_dir), "rebase-merge", Unfinished.REBASE, _ADVICE_REBASE)
    if has("CHERRY_PICK_HEAD"):
        return GitOperation(phrase("a cherry-pick"), "CHERRY_PICK_HEAD", Unfinished.CHERRY_PICK)
    if has("REVERT_HEAD"):
        return GitOperation(phrase("a revert"), "REVERT_HEAD", Unfinished.REVERT)
    if has("BISECT_LOG"):
        return GitOperation(
            phrase("a bisect"), "BISECT_LOG", Unfinished.BISECT, phrase("end it with git bisect reset")
        )
    if has("sequencer"):
        return _sequence(git_dir)
    return None


def unmerged_index(repo: Repo) -> UnmergedIndex | None:
    """The unmerged paths of `repo`'s index (the first few named), if any."""
    if not has_unmerged(repo):
        return None
    unmerged = sorted(current_index_stat(repo).unmerged)
    if not unmerged:
        return None
    named = some([p.decode("utf-8", "replace") for p in unmerged], _NAMED)
    return UnmergedIndex(phrase("unmerged paths"), named, Unfinished.UNMERGED)


def unfinished_work(repo: Repo) -> GitOperation | None:
    """A git command in progress in `repo`'s worktree, else an unmerged index."""
    return operation_in_progress(repo.controldir()) or unmerged_index(repo)


def refuse_in_progress(repo: Repo, branch: str | None) -> None:
    """Raise `OperationInProgress` when `repo`'s worktree is in the middle of a git command
    or its index has unmerged paths."""
    operation = unfinished_work(repo)
    if operation is not None:
        raise OperationInProgress(branch, operation)


def _rebase(git_dir: str) -> Phrase:
    branch = rebased_branch(git_dir)
    return phrase("a rebase of {branch}", branch=branch) if branch else phrase("a rebase")


def _sequence(git_dir: str) -> GitOperation:
    """A multi-commit cherry-pick or revert between two of its commits: the first command
    left in `sequencer/todo` says which (git's `sequencer_get_last_command`)."""
    try:
        with open(os.path.join(git_dir, "sequencer", "todo"), "rb") as f:
            words = f.read(256).split(maxsplit=1)
    except OSError:
        words = []
    command = words[0] if words else b""
    if command in (b"pick", b"p"):
        return GitOperation(phrase("a cherry-pick"), "sequencer", Unfinished.CHERRY_PICK)
    if command in (b"revert", b"r"):
        return GitOperation(phrase("a revert"), "sequencer", Unfinished.REVERT)
    return GitOperation(phrase("a cherry-pick or revert"), "sequencer", Unfinished.CHERRY_PICK_OR_REVERT)
