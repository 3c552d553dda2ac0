"""Where a working tree's git dirs are, read from the files git leaves, without dulwich
(a cold replayed fetch reads them too: `core.git.sync_inputs`).

A working tree's own git dir holds its HEAD, index and the state files of a git
command under way; the common git dir holds the refs, objects and config. For a
plain repository both are `.git`; for a linked worktree (`git worktree add`) `.git`
is a file `gitdir: <path>` naming its own, whose `commondir` names the common one.
"""

from __future__ import annotations

import os
from pathlib import Path

UNFINISHED_COMMAND_MARKERS = (
    "MERGE_HEAD",
    "rebase-apply",
    "rebase-merge",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "BISECT_LOG",
    "sequencer",
)
"""The state files and directories a git command not yet finished leaves in the worktree's
own git dir, in the order `git status` reads them (wt-status.c): what
`core.git.worktree.git_operation.operation_in_progress` looks for."""

_GITFILE_PREFIX = b"gitdir: "


def worktree_git_dir(worktree: str | Path) -> str | None:
    """The working tree's own git dir: `.git`, or the directory a linked worktree's `.git`
    file names. None when there is no readable `.git`."""
    dot_git = os.path.join(worktree, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, "rb") as f:
            first = f.read()
    except OSError:
        return None
    if not first.startswith(_GITFILE_PREFIX):
        return None  # git: "invalid gitfile format"
    return os.path.join(str(worktree), os.fsdecode(first[len(_GITFILE_PREFIX) :].rstrip(b"\r\n")))


def common_git_dir(worktree: str | Path) -> str | None:
    """The git dir holding the refs and objects of the working tree at `worktree`: `.git`
    itself, or for a linked worktree the `commondir` its git dir names (a
    `--separate-git-dir` repository has none: its git dir is the common dir). None when
    there is no readable `.git`."""
    dot_git = os.path.join(worktree, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    git_dir = worktree_git_dir(worktree)
    if git_dir is None:
        return None
    try:
        with open(os.path.join(git_dir, "commondir"), "rb") as f:
            return os.path.join(git_dir, os.fsdecode(f.read().rstrip(b"\r\n")))
    except FileNotFoundError:
        return git_dir if os.path.isdir(git_dir) else None
    except OSError:
        return None
