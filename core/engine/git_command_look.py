"""A git command the user left unfinished in a repository no watcher covers (`git pull`,
`git merge`, `git cherry-pick`, `git rebase` stopped on a conflict), or finished or
aborted since, said in the repository's standing at the daemon's next settings round,
without a sync: a stat of `.git` beside HEAD's (`GitLooks.heads`), and where an
entry was made or removed there, one of each marker git leaves (`MARKERS`); where they
changed, the command is read as a sync reads it (`operation_in_progress`) and recorded
as the sync's `dirty` stop on it would be ("Merge in progress"), the standing before it
kept to be said again once git is done. One a sync recorded, gone, asks a fetch, which
says what stands then (`_Sync._still_stopped`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dulwich.repo import Repo

from core.git.repository import current_branch
from core.git.worktree.git_operation import STOPPED_COMMAND_MARKERS as MARKERS
from core.git.worktree.git_operation import OperationInProgress, operation_in_progress
from core.model import RepoRecord
from core.phrase import Phrase, from_json, to_json, verbatim
from core.results import ResultKind

__all__ = ["MARKERS", "Standing", "markers", "unfinished_stop"]


def markers(git_dir: str) -> tuple[str, ...]:
    """The `MARKERS` in a worktree's own git dir (`core.git.git_dirs.worktree_git_dir`)."""
    return tuple(name for name in MARKERS if os.path.lexists(os.path.join(git_dir, name)))


def unfinished_stop(repo: Repo) -> OperationInProgress | None:
    """The stop a sync would make on the unfinished git command in `repo`, if any."""
    operation = operation_in_progress(repo.controldir())
    return None if operation is None else OperationInProgress(current_branch(repo), operation)


@dataclass(frozen=True)
class Standing:
    """A repository's recorded result, as its row stores it."""

    result: str | None
    message: str | None
    unfinished: str | None
    said: str | None

    @classmethod
    def of(cls, record: RepoRecord) -> Standing:
        return cls(record.last_result, record.last_message, record.last_unfinished, record.last_said)

    @classmethod
    def stop(cls, stop: OperationInProgress) -> Standing:
        return cls(ResultKind.DIRTY, stop.message, stop.unfinished, to_json(stop.parts()))

    def on_command(self) -> bool:
        return self.result == ResultKind.DIRTY and self.unfinished is not None

    def parts(self) -> tuple[Phrase, ...]:
        return tuple(from_json(self.said) or [verbatim(self.message or "")])
