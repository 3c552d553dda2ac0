"""Which git command a command line runs, read past git's own options."""

from __future__ import annotations

import pytest

from core.git.worktree.commit_editing import subcommand


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["git", "commit", "-m", "x"], "commit"),
        (["git", "-C", "/some/dir", "-c", "user.name=A", "commit", "--amend"], "commit"),
        (["/usr/bin/git", "--no-pager", "--git-dir=/x/.git", "merge", "origin/main"], "merge"),
        (["git", "--version"], None),
        (["git"], None),
    ],
)
def test_the_command_past_gits_options(argv: list[str], command: str | None) -> None:
    assert subcommand(argv) == command
