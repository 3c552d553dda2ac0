"""A `git commit` (or `git merge`, `git revert`, `git pull` making a merge) waiting on
the user's editor in this worktree.

git holds no lock while its editor is open: it has written the message it offers
(`COMMIT_EDITMSG`, `MERGE_MSG`) and moves HEAD only once the editor closes, checking
then that HEAD is still where it was. A sync that committed or moved the branch
meanwhile would make that command fail (`cannot lock ref 'HEAD': is at … but expected
…`), so a sync that would touch the worktree waits, `busy`, as it does for git's
`index.lock` (which `git commit -a` holds through its editor).

Cheap first: only where a message file is newer than HEAD's reflog (git appends to it
at every commit, merge, reset and switch) are the running processes looked at, for a
`git` working in this worktree (`core.platform.processes.git_commands_in`). A message
left by a commit the user abandoned costs that look at each sync, and nothing else.
"""

from __future__ import annotations

import os

from dulwich.repo import Repo

from core.errors import GitferryError
from core.phrase import phrase
from core.platform.processes import git_commands_in
from core.results import ResultKind

MESSAGE_FILES = ("COMMIT_EDITMSG", "MERGE_MSG")  # what git offers the editor, in the worktree's git dir
_WAITING = frozenset({"commit", "merge", "pull", "revert", "cherry-pick", "am", "rebase"})
_VALUED = frozenset({"-C", "-c"})  # git's options whose value is the next argument


class CommitBeingWritten(GitferryError):
    """A git command in this worktree is waiting on its editor; nothing was changed."""

    result = ResultKind.BUSY

    def __init__(self, path: str, command: str) -> None:
        super().__init__(
            phrase(
                "{command} is running in {path} (its editor still open?); nothing was changed: "
                "the sync waits for it",
                command=command,
                path=path,
            )
        )
        self.path = path
        self.command = command


def ensure_no_commit_being_written(repo: Repo) -> None:
    """Raise `CommitBeingWritten` where a git command waits on its editor in `repo`'s worktree."""
    if not _message_newer_than_head(repo.controldir()):
        return
    for argv in git_commands_in(repo.path):
        command = subcommand(argv)
        if command in _WAITING:
            raise CommitBeingWritten(repo.path, f"git {command}")


def subcommand(argv: list[str]) -> str | None:
    """The git command `argv` runs (`commit` in `git -C dir -c x=y commit -m …`)."""
    words = iter(argv[1:])
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _message_newer_than_head(git_dir: str) -> bool:
    try:
        head = os.stat(os.path.join(git_dir, "logs", "HEAD")).st_mtime_ns
    except OSError:
        head = -1  # no reflog (core.logAllRefUpdates=false): always look
    for name in MESSAGE_FILES:
        try:
            if os.stat(os.path.join(git_dir, name)).st_mtime_ns > head:
                return True
        except OSError:
            continue
    return False
