"""Git commands left unfinished, built with the git CLI: a merge or cherry-pick stopped
on a conflict, a revert, an interactive rebase stopped at `edit`, `git am` stopped on
a patch that does not apply, a bisect, a cherry-pick sequence between two commits.

Each `start` runs in a worktree whose branch is checked out and clean, and
whose files do not include `c.txt`; `finish` concludes (or aborts) it the way a person
would, never dropping a commit that existed before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.gitcli import commit_file, git


@dataclass(frozen=True)
class Unfinished:
    key: str  # the test id
    name: str  # the words Gitferry's message uses ("a merge")
    marker: str  # the state file or directory git leaves
    status: str  # what `git status` says about it (the referee)
    start: Callable[[Path], None]
    finish: Callable[[Path], None]
    advice: str = "finish or abort it with git"  # what Gitferry's message says to do


def _resolve_and_commit(repo: Path) -> None:
    (repo / "c.txt").write_text("resolved\n")
    git("add", "c.txt", cwd=repo)
    git("-c", "core.editor=true", "commit", "-q", "--no-edit", cwd=repo)


def _on_a_side_branch(repo: Path, side: str, *files: tuple[str, str]) -> None:
    """Commit `files` on a new branch `side`, then go back to the branch checked out before."""
    branch = git("symbolic-ref", "--short", "HEAD", cwd=repo)
    git("checkout", "-q", "-b", side, cwd=repo)
    for name, content in files:
        commit_file(repo, name, content)
    git("checkout", "-q", branch, cwd=repo)


def _merge_conflict(repo: Path) -> None:
    _on_a_side_branch(repo, "side", ("c.txt", "side\n"))
    commit_file(repo, "c.txt", "mine\n")
    git("merge", "-q", "side", cwd=repo, check=False)


def _cherry_pick_conflict(repo: Path) -> None:
    _on_a_side_branch(repo, "picked", ("c.txt", "picked\n"))
    commit_file(repo, "c.txt", "main\n")
    git("cherry-pick", "picked", cwd=repo, check=False)


def _revert_conflict(repo: Path) -> None:
    commit_file(repo, "c.txt", "one\n")
    commit_file(repo, "c.txt", "two\n")
    git("revert", "--no-edit", "HEAD~1", cwd=repo, check=False)


def _rebase_stopped(repo: Path) -> None:
    commit_file(repo, "c.txt", "one\n")
    commit_file(repo, "c.txt", "two\n")
    git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "HEAD~1", cwd=repo)


def _am_stopped(repo: Path) -> None:
    _on_a_side_branch(repo, "patched", ("c.txt", "from the patch\n"))
    patch = git("format-patch", "-1", "--stdout", "patched", cwd=repo) + "\n"
    commit_file(repo, "c.txt", "main\n")
    (repo.parent / f"{repo.name}.patch").write_text(patch)
    git("am", "-q", str(repo.parent / f"{repo.name}.patch"), cwd=repo, check=False)


def _bisect(repo: Path) -> None:
    commit_file(repo, "c.txt", "one\n")
    commit_file(repo, "c.txt", "two\n")
    git("bisect", "start", "HEAD", "HEAD~2", cwd=repo)


def _sequence(repo: Path) -> None:
    """`git cherry-pick A B`: A conflicts, the person commits its resolution; B is still to do."""
    _on_a_side_branch(repo, "picked", ("c.txt", "picked\n"), ("d.txt", "picked too\n"))
    commit_file(repo, "c.txt", "main\n")
    git("cherry-pick", "picked~1", "picked", cwd=repo, check=False)
    _resolve_and_commit(repo)


UNFINISHED = [
    Unfinished(
        "merge",
        "a merge",
        "MERGE_HEAD",
        "You have unmerged paths",
        _merge_conflict,
        _resolve_and_commit,
    ),
    Unfinished(
        "cherry-pick",
        "a cherry-pick",
        "CHERRY_PICK_HEAD",
        "cherry-pick",
        _cherry_pick_conflict,
        lambda repo: git("cherry-pick", "--abort", cwd=repo),
    ),
    Unfinished(
        "revert",
        "a revert",
        "REVERT_HEAD",
        "reverting",
        _revert_conflict,
        lambda repo: git("revert", "--abort", cwd=repo),
    ),
    Unfinished(
        "rebase-i",
        "a rebase of main",
        "rebase-merge",
        "interactive rebase in progress",
        _rebase_stopped,
        lambda repo: git("rebase", "--continue", cwd=repo),
        "resolve any conflict and run git rebase --continue, or git rebase --abort to undo it",
    ),
    Unfinished(
        "am",
        "`git am`",
        "rebase-apply",
        "in the middle of an am session",
        _am_stopped,
        lambda repo: git("am", "--abort", cwd=repo),
        "resolve any conflict and run git am --continue, or git am --abort to undo it",
    ),
    Unfinished(
        "bisect",
        "a bisect",
        "BISECT_LOG",
        "You are currently bisecting",
        _bisect,
        lambda repo: git("bisect", "reset", cwd=repo),
        "end it with git bisect reset",
    ),
    Unfinished(
        "cherry-pick-sequence",
        "a cherry-pick",
        "sequencer",
        "cherry-pick",
        _sequence,
        lambda repo: git("cherry-pick", "--continue", cwd=repo),
    ),
    Unfinished(
        "bisect-not-checked-out",
        "a bisect",
        "BISECT_LOG",
        "You are currently bisecting",
        lambda repo: git("bisect", "start", cwd=repo),  # HEAD stays on main
        lambda repo: git("bisect", "reset", cwd=repo),
        "end it with git bisect reset",
    ),
]
"""Every unfinished command, with how to start and finish it."""


def unfinished_id(operation: Unfinished) -> str:
    return operation.key
